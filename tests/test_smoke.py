from typing import Any

from pytest_chime import FakeChime
from tests.conftest import valid_request


def test_create_meeting_is_answered_by_the_fixture(fake_chime: FakeChime, client: Any, service: str) -> None:
    response = client.create_meeting(**valid_request(service))
    assert response["Meeting"]["MeetingId"] in fake_chime.meetings
