"""meetingsvc's Lambda functions, with pytest-chime answering Chime and moto answering DynamoDB.

``meetingsvc.lambda_handler`` reads its environment and creates its clients when it is
imported, as Lambda functions do. Importing it at the top of this file would run that at
collection, before any test has set the environment or started moto. So no test imports
it there: the ``cold_start`` fixture imports it afresh when a test asks, after
monkeypatch has set the environment and moto has started, and forgets it afterwards.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import boto3
import pytest
from moto import mock_aws

from pytest_chime import FakeChime

HANDLER = "meetingsvc.lambda_handler"
REGION = "eu-west-2"
TABLE = "meetings"


@pytest.fixture
def lambda_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """What Lambda and the function's configuration put in its environment."""
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("MEETINGS_TABLE", TABLE)


@pytest.fixture
def table(lambda_environment: None) -> Iterator[Any]:
    """The function's DynamoDB table, in moto's in-memory DynamoDB (for the whole test)."""
    with mock_aws():
        yield boto3.resource("dynamodb").create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "MeetingKey", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "MeetingKey", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )


@pytest.fixture
def cold_start(table: Any, fake_chime: FakeChime) -> Iterator[Callable[[], ModuleType]]:
    """Import the handler module afresh, as a Lambda cold start does: call it once the environment is set."""

    def start() -> ModuleType:
        sys.modules.pop(HANDLER, None)
        return importlib.import_module(HANDLER)

    yield start
    sys.modules.pop(HANDLER, None)  # the next test starts cold too


@pytest.fixture
def handler(cold_start: Callable[[], ModuleType]) -> ModuleType:
    """The handler module, imported in the default environment."""
    return cold_start()


def request(key: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """An API Gateway (REST API, proxy integration) event for the meeting ``key``."""
    return {"pathParameters": {"key": key}, "body": None if body is None else json.dumps(body)}


def body(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


# --- joining ------------------------------------------------------------------------------


def test_the_first_join_starts_the_meeting_and_records_it(
    handler: ModuleType, table: Any, fake_chime: FakeChime
) -> None:
    response = handler.join(request("standup", {"user": "alice"}), None)

    assert response["statusCode"] == 200
    info = body(response)
    meeting_id = info["Meeting"]["MeetingId"]
    assert table.get_item(Key={"MeetingKey": "standup"})["Item"]["MeetingId"] == meeting_id
    assert list(fake_chime.attendees[meeting_id]) == [info["Attendee"]["AttendeeId"]]
    # The client was made at import, in the region the environment named then.
    assert info["Meeting"]["MediaRegion"] == REGION
    assert {call.region for call in fake_chime.calls} == {REGION}


def test_later_joins_find_the_meeting_in_the_table(handler: ModuleType, fake_chime: FakeChime) -> None:
    alice = body(handler.join(request("standup", {"user": "alice"}), None))
    bob = body(handler.join(request("standup", {"user": "bob"}), None))

    assert bob["Meeting"] == alice["Meeting"]
    assert [call.operation for call in fake_chime.calls].count("CreateMeeting") == 1
    assert len(fake_chime.attendees[alice["Meeting"]["MeetingId"]]) == 2


def test_a_join_without_a_user_is_a_bad_request(handler: ModuleType, fake_chime: FakeChime) -> None:
    response = handler.join(request("standup", {}), None)

    assert response["statusCode"] == 400
    assert fake_chime.calls == []


@pytest.mark.chime_error("NotFoundException", operation="GetMeeting", after=1)
def test_a_meeting_chime_ended_by_itself_is_forgotten(handler: ModuleType, table: Any, fake_chime: FakeChime) -> None:
    handler.join(request("standup", {"user": "alice"}), None)  # the first GetMeeting passes

    # Everyone left; Chime ended the meeting; bob's GetMeeting gets NotFoundException.
    response = handler.join(request("standup", {"user": "bob"}), None)

    assert response["statusCode"] == 410
    assert body(response)["code"] == "NotFoundException"
    assert "Item" not in table.get_item(Key={"MeetingKey": "standup"})


@pytest.mark.chime_error("ServiceUnavailableException", operation="CreateAttendee", times=None)
def test_an_outage_is_a_503_after_bounded_retries(
    handler: ModuleType, fake_chime: FakeChime, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(handler.service, "sleep", slept.append)  # module-level objects patch as usual

    response = handler.join(request("standup", {"user": "alice"}), None)

    assert response["statusCode"] == 503
    assert [call.status for call in fake_chime.calls if call.operation == "CreateAttendee"] == [503] * 9
    assert slept == [1.0, 4.0]


# --- ending -------------------------------------------------------------------------------


def test_ending_ends_the_meeting_and_forgets_it(handler: ModuleType, table: Any, fake_chime: FakeChime) -> None:
    handler.join(request("standup", {"user": "alice"}), None)

    response = handler.end(request("standup"), None)

    assert response["statusCode"] == 204
    assert fake_chime.meetings == {}
    assert fake_chime.attendees == {}
    assert "Item" not in table.get_item(Key={"MeetingKey": "standup"})
    assert handler.end(request("standup"), None)["statusCode"] == 404


def test_ending_a_meeting_chime_already_ended_still_forgets_it(
    handler: ModuleType, table: Any, fake_chime: FakeChime
) -> None:
    meeting_id = body(handler.join(request("standup", {"user": "alice"}), None))["Meeting"]["MeetingId"]
    boto3.client("chime-sdk-meetings").delete_meeting(MeetingId=meeting_id)  # ended behind the function's back

    response = handler.end(request("standup"), None)

    assert response["statusCode"] == 204
    assert [call.status for call in fake_chime.calls if call.operation == "DeleteMeeting"] == [204, 404]
    assert "Item" not in table.get_item(Key={"MeetingKey": "standup"})


# --- the cold start -----------------------------------------------------------------------


def test_the_environment_is_read_at_the_cold_start(
    cold_start: Callable[[], ModuleType], fake_chime: FakeChime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDIA_REGION", "ap-southeast-2")
    handler = cold_start()
    monkeypatch.setenv("MEDIA_REGION", "us-west-2")  # too late: the module has read it

    meeting = body(handler.join(request("standup", {"user": "alice"}), None))["Meeting"]

    assert meeting["MediaRegion"] == "ap-southeast-2"
    assert fake_chime.calls[0].region == REGION  # the control region: the function's own


def test_a_missing_table_name_fails_the_cold_start(
    cold_start: Callable[[], ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MEETINGS_TABLE")

    with pytest.raises(KeyError, match="MEETINGS_TABLE"):
        cold_start()
