"""meetingsvc.rooms' tests: an asynchronous (aiobotocore) client, answered by the same fake.

They run under pytest-asyncio, with pytest-chime's ``aio`` extra installed
(``pip install 'pytest-chime[aio]' pytest-asyncio``), and are skipped without them. The
``fake_chime`` fixture, the markers and everything the fake records work as in the
synchronous tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

pytest.importorskip("aiobotocore", reason="the async example needs aiobotocore: pip install 'pytest-chime[aio]'")
pytest_asyncio = pytest.importorskip("pytest_asyncio", reason="the async example runs with pytest-asyncio")

from meetingsvc import MeetingEnded, MeetingNotAllowed  # noqa: E402
from meetingsvc.rooms import make_async_client, open_room  # noqa: E402

from pytest_chime import FakeChime  # noqa: E402


@pytest_asyncio.fixture
async def client() -> AsyncIterator[Any]:
    """The application's asynchronous client, closed after the test."""
    async with make_async_client("us-east-1") as client:
        yield client


@pytest.mark.asyncio
async def test_a_room_opens_with_everyone_in_it(fake_chime: FakeChime, client: Any) -> None:
    room = await open_room(client, "standup", ["ana", "ben", "cai"], media_region="eu-west-2")

    meeting_id = room["Meeting"]["MeetingId"]
    assert room["Meeting"]["MediaRegion"] == "eu-west-2"
    assert list(room["Attendees"]) == ["ana", "ben", "cai"]
    stored = fake_chime.attendees[meeting_id]
    assert {attendee["ExternalUserId"] for attendee in stored.values()} == {"ana", "ben", "cai"}
    assert room["Attendees"]["ben"]["JoinToken"] == stored[room["Attendees"]["ben"]["AttendeeId"]]["JoinToken"]
    assert [call.operation for call in fake_chime.calls] == ["CreateMeeting"] + ["CreateAttendee"] * 3


@pytest.mark.asyncio
async def test_a_hundred_members_join_concurrently(fake_chime: FakeChime, client: Any) -> None:
    members = [f"member-{number:03d}" for number in range(100)]

    room = await open_room(client, "all-hands", members)

    assert list(room["Attendees"]) == members
    assert len(fake_chime.attendees[room["Meeting"]["MeetingId"]]) == 100


@pytest.mark.asyncio
async def test_opening_the_room_again_changes_nothing(fake_chime: FakeChime, client: Any) -> None:
    first = await open_room(client, "retro", ["ana", "ben"])
    again = await open_room(client, "retro", ["ana", "ben"])  # a reload of the page, say

    assert again == first
    assert len(fake_chime.meetings) == 1
    assert len(fake_chime.attendees[first["Meeting"]["MeetingId"]]) == 2


@pytest.mark.asyncio
@pytest.mark.chime_error("ThrottlingException", operation="CreateAttendee", times=2)
async def test_throttled_joins_are_retried_without_sleeping(fake_chime: FakeChime, client: Any) -> None:
    room = await open_room(client, "retro", ["ana", "ben"])

    assert list(room["Attendees"]) == ["ana", "ben"]
    errors = [call.error_code for call in fake_chime.calls if call.operation == "CreateAttendee"]
    assert errors.count("ThrottlingException") == 2
    assert errors.count(None) == 2
    assert len(fake_chime.sleeps) == 2  # aiobotocore's backoff, recorded instead of slept


@pytest.mark.asyncio
@pytest.mark.chime_error("NotFoundException", operation="CreateAttendee")
async def test_a_meeting_that_ends_while_the_room_opens_raises_meeting_ended(
    fake_chime: FakeChime, client: Any
) -> None:
    with pytest.raises(MeetingEnded) as raised:
        await open_room(client, "standup", ["ana"])

    assert raised.value.code == "NotFoundException"


@pytest.mark.asyncio
@pytest.mark.chime_error("ForbiddenException")
async def test_a_forbidden_account_opens_no_room(fake_chime: FakeChime, client: Any) -> None:
    with pytest.raises(MeetingNotAllowed, match="Not authorized to call Chime SDK"):
        await open_room(client, "standup", ["ana"])

    assert fake_chime.meetings == {}


@pytest.mark.asyncio
async def test_an_aioboto3_client_is_answered_too(fake_chime: FakeChime) -> None:
    aioboto3 = pytest.importorskip("aioboto3")

    async with aioboto3.Session().client("chime-sdk-meetings", region_name="us-east-1") as client:
        room = await open_room(client, "standup", ["ana"])

    assert list(fake_chime.meetings) == [room["Meeting"]["MeetingId"]]
