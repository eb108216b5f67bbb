"""Meeting events from async clients (aiobotocore): emitted, left out and delivered as for sync ones."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from pytest_chime import FakeChime
from tests.conftest import make_client as make_sync_client
from tests.conftest import valid_request
from tests.test_events import SEND_ONLY, expected, kinds

MODERN = "chime-sdk-meetings"

aiobotocore_session = pytest.importorskip(
    "aiobotocore.session", reason="aiobotocore is not installed (pytest-chime[aio])"
)
pytest_asyncio = pytest.importorskip("pytest_asyncio", reason="the async tests run with pytest-asyncio")


@pytest_asyncio.fixture
async def client(service: str) -> AsyncIterator[Any]:
    async with aiobotocore_session.get_session().create_client(
        service, region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="not-a-secret"
    ) as made:
        yield made


async def create(client: Any, service: str, **overrides: Any) -> dict[str, Any]:
    answer = await client.create_meeting(**valid_request(service, ExternalMeetingId="standup", **overrides))
    return dict(answer["Meeting"])


@pytest.mark.asyncio
async def test_async_calls_emit_their_events_in_order(fake_chime: FakeChime, client: Any, service: str) -> None:
    fake, want = fake_chime, []
    meeting = await create(client, service)
    want.append(expected(fake, "chime:MeetingStarted", meeting))
    meeting_id = meeting["MeetingId"]
    fake.advance(seconds=2)
    alice = (await client.create_attendee(MeetingId=meeting_id, ExternalUserId="alice"))["Attendee"]
    want.append(expected(fake, "chime:AttendeeAdded", meeting, alice))
    [bob] = (await client.batch_create_attendee(MeetingId=meeting_id, Attendees=[{"ExternalUserId": "bob"}]))[
        "Attendees"
    ]
    want.append(expected(fake, "chime:AttendeeAdded", meeting, bob))
    fake.join(meeting_id, alice["AttendeeId"])
    want.append(expected(fake, "chime:AttendeeJoined", meeting, alice, networkType="Voip"))
    if service == MODERN:
        update = client.update_attendee_capabilities(
            MeetingId=meeting_id, AttendeeId=bob["AttendeeId"], Capabilities=SEND_ONLY
        )
        bob = (await update)["Attendee"]
        capabilities = {"audio": "Send", "video": "Send", "content": "None"}
        want.append(
            expected(
                fake, "chime:AttendeeCapabilitiesUpdated", meeting, bob, success="1", attendeeCapabilities=capabilities
            )
        )
    fake.advance(seconds=2)
    await client.delete_attendee(MeetingId=meeting_id, AttendeeId=bob["AttendeeId"])
    want.append(expected(fake, "chime:AttendeeDeleted", meeting, bob))
    await client.delete_meeting(MeetingId=meeting_id)
    want.append(expected(fake, "chime:MeetingEnded", meeting))
    assert fake.events == want


@pytest.mark.asyncio
async def test_async_create_meeting_with_attendees_emits_started_then_added(
    fake_chime: FakeChime, client: Any, service: str
) -> None:
    answer = await client.create_meeting_with_attendees(
        **valid_request(service, ExternalMeetingId="standup"), Attendees=[{"ExternalUserId": "alice"}]
    )
    meeting, [alice] = answer["Meeting"], answer["Attendees"]
    assert fake_chime.events == [
        expected(fake_chime, "chime:MeetingStarted", meeting),
        expected(fake_chime, "chime:AttendeeAdded", meeting, alice),
    ]


@pytest.mark.asyncio
async def test_failed_and_repeated_async_calls_emit_nothing(fake_chime: FakeChime, client: Any, service: str) -> None:
    fake_chime.fail("BadRequestException", service=service)
    with pytest.raises(client.exceptions.BadRequestException):
        await create(client, service)
    meeting_id = (await create(client, service))["MeetingId"]
    await create(client, service)
    await client.create_attendee(MeetingId=meeting_id, ExternalUserId="alice")
    await client.create_attendee(MeetingId=meeting_id, ExternalUserId="alice")
    with pytest.raises(client.exceptions.NotFoundException):
        await client.delete_attendee(MeetingId=meeting_id, AttendeeId=str(uuid.UUID(int=7)))
    assert kinds(fake_chime) == ["chime:MeetingStarted", "chime:AttendeeAdded"]


@pytest.mark.asyncio
async def test_a_meeting_ended_by_itself_is_not_found_by_an_async_client(
    fake_chime: FakeChime, client: Any, service: str
) -> None:
    meeting_id = (await create(client, service))["MeetingId"]
    fake_chime.advance(minutes=4, seconds=59)
    await client.get_meeting(MeetingId=meeting_id)
    fake_chime.advance(seconds=1)
    assert kinds(fake_chime)[-1] == "chime:MeetingEnded"
    with pytest.raises(client.exceptions.NotFoundException):
        await client.get_meeting(MeetingId=meeting_id)


@pytest.mark.asyncio
@pytest.mark.fake_chime(deliver_events=True)
async def test_events_of_async_calls_reach_moto_sqs(fake_chime: FakeChime, client: Any, service: str) -> None:
    from moto import mock_aws

    with mock_aws():
        sqs = make_sync_client("sqs")
        url = sqs.create_queue(QueueName="chime-events")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        meeting_id = (await create(client, service, NotificationsConfiguration={"SqsQueueArn": arn}))["MeetingId"]
        await client.delete_meeting(MeetingId=meeting_id)
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [json.loads(message["Body"]) for message in messages] == fake_chime.events
    assert kinds(fake_chime) == ["chime:MeetingStarted", "chime:MeetingEnded"]
