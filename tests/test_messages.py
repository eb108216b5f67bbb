"""Error messages stay a few KB however many rules a request breaks: the count, the first few, "and N more"."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

import pytest_chime
from pytest_chime import facts

#: The most an error message, or the whole HTTP body carrying it, may take.
LIMIT = 4096
MEETING_ID = "0b9c5a5e-1f2d-4c3b-9a8e-7d6c5b4a3f2e"
ATTENDEE_ID = "35a392d3-9502-22df-830a-ba6d047bb681"


@pytest.fixture
def fake() -> Iterator[pytest_chime.FakeChime]:
    with pytest_chime.FakeChime() as fake:
        yield fake
        fake.reset()


def make_client(*, client_validation: bool = True) -> Any:
    config = None if client_validation else botocore.config.Config(parameter_validation=False)
    return boto3.client("chime-sdk-meetings", region_name="us-east-1", config=config)


def refused(client: Any, call: Callable[[], Any]) -> tuple[str, bytes]:
    """The BadRequestException message ``call`` is answered with, and the HTTP body that carried it."""
    bodies: list[bytes] = []

    def keep(response_dict: dict[str, Any], **_: Any) -> None:
        bodies.append(response_dict["body"])

    client.meta.events.register("before-parse.chime-sdk-meetings", keep)
    with pytest.raises(ClientError) as info:
        call()
    assert info.value.response["Error"]["Code"] == "BadRequestException"
    return str(info.value.response["Error"]["Message"]), bodies[-1]


def assert_short(message: str, body: bytes, *, count: int) -> None:
    assert len(message) < LIMIT
    assert len(body) < LIMIT
    assert message.startswith(f"{count} validation errors detected: ")
    assert message.endswith(f"; and {count - facts.MESSAGE_ITEMS_SHOWN} more")


def test_ten_thousand_bad_attendees_get_a_short_message_saying_how_many_more(fake: pytest_chime.FakeChime) -> None:
    client = make_client()
    attendees = [{"ExternalUserId": f"{index:05d}" + "x" * 64} for index in range(10_000)]
    message, body = refused(client, lambda: client.batch_create_attendee(MeetingId=MEETING_ID, Attendees=attendees))
    assert_short(message, body, count=10_001)  # the list's length, and each ExternalUserId's
    assert "at 'Attendees' failed to satisfy constraint: Member must have length less than or equal to 100" in message
    assert "at 'Attendees.1.ExternalUserId'" in message


def test_twenty_thousand_duplicate_tags_get_a_short_message_saying_how_many_more(fake: pytest_chime.FakeChime) -> None:
    client = make_client()
    tags = [{"Key": "team", "Value": "blue"}] * 20_000
    message, body = refused(
        client,
        lambda: client.create_meeting(
            ClientRequestToken="token-0001", MediaRegion="us-east-1", ExternalMeetingId="standup", Tags=tags
        ),
    )
    assert_short(message, body, count=20_000)  # the list's length, and 19,999 keys given again
    assert "Duplicate tag key 'team' at Tags.2.Key" in message


def test_a_hundred_thousand_character_capability_value_is_quoted_cut(fake: pytest_chime.FakeChime) -> None:
    client = make_client()
    capabilities = {"Audio": "SendReceive", "Video": "v" * 100_000, "Content": "SendReceive"}
    message, body = refused(
        client,
        lambda: client.update_attendee_capabilities(
            MeetingId=MEETING_ID, AttendeeId=ATTENDEE_ID, Capabilities=capabilities
        ),
    )
    assert len(message) < LIMIT and len(body) < LIMIT
    assert "(100000 characters)" in message
    assert "v" * (facts.MESSAGE_VALUE_LIMIT + 1) not in message  # every rule quotes the value cut


def test_a_request_breaking_every_constraint_with_client_validation_off_gets_a_short_message(
    fake: pytest_chime.FakeChime,
) -> None:
    client = make_client(client_validation=False)
    huge = "!" * 100_000
    params: dict[str, Any] = {
        "ClientRequestToken": huge,
        "MediaRegion": huge,
        "ExternalMeetingId": "aws:" + huge,
        "MeetingHostId": 5,
        "Tags": [{"Key": "aws:" + huge[:200], "Value": huge[:300]}] * 2_000 + [{"Value": "no key"}] * 2_000,
        "TenantIds": [huge[:1_000]] * 1_000,
        "NotificationsConfiguration": {"SnsTopicArn": huge, "SqsQueueArn": 7},
        "MeetingFeatures": {"Video": {"MaxResolution": "FHD"}, "Attendee": {"MaxCount": 10**9}},
        "PrimaryMeetingId": huge,
    }
    message, body = refused(client, lambda: client.create_meeting(**params))
    count = int(message.split(" ", 1)[0])
    assert count > 10_000
    assert_short(message, body, count=count)
