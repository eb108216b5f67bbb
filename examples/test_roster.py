"""meetingsvc's roster function, fed with the events pytest-chime delivers to moto's SQS.

With ``deliver_events=True`` the fake sends each meeting event where Chime would: to the
SQS queue named in the meeting's ``NotificationsConfiguration``, and to EventBridge, whose
rules moto runs. The tests read the queue as Lambda's SQS trigger does and hand the
records to the function, so the function sees exactly the JSON Chime sends. As in
``test_lambda_handler.py``, the function's module is imported only once the environment is
set and moto has started.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import boto3
import pytest
from moto import mock_aws

from pytest_chime import FakeChime

pytestmark = pytest.mark.fake_chime(deliver_events=True)

HANDLER = "meetingsvc.roster"
REGION = "eu-west-2"
TABLE = "rosters"


@dataclass
class Queue:
    """An SQS queue in moto, read as Lambda's SQS trigger reads it."""

    url: str
    arn: str

    def trigger(self) -> dict[str, Any]:
        """The SQS event Lambda would invoke the function with: every message waiting, removed."""
        sqs = boto3.client("sqs")
        records: list[dict[str, Any]] = []
        while messages := sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10).get("Messages", []):
            for message in messages:
                records.append(
                    {
                        "messageId": message["MessageId"],
                        "receiptHandle": message["ReceiptHandle"],
                        "body": message["Body"],
                        "eventSource": "aws:sqs",
                        "eventSourceARN": self.arn,
                        "awsRegion": REGION,
                    }
                )
                sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])
        return {"Records": records}


@pytest.fixture
def lambda_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("ROSTER_TABLE", TABLE)


@pytest.fixture
def aws(lambda_environment: None) -> Iterator[None]:
    """moto for the whole test, with the function's table."""
    with mock_aws():
        boto3.client("dynamodb").create_table(
            TableName=TABLE,
            KeySchema=[
                {"AttributeName": "MeetingId", "KeyType": "HASH"},
                {"AttributeName": "AttendeeId", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "MeetingId", "AttributeType": "S"},
                {"AttributeName": "AttendeeId", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        yield


def make_queue(name: str) -> Queue:
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return Queue(url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])


@pytest.fixture
def queue(aws: None) -> Queue:
    """The queue the meetings' events go to (their NotificationsConfiguration names it)."""
    return make_queue("chime-events")


@pytest.fixture
def roster(aws: None, fake_chime: FakeChime) -> Iterator[ModuleType]:
    """The function's module, imported afresh (a cold start) and forgotten afterwards."""
    sys.modules.pop(HANDLER, None)
    yield importlib.import_module(HANDLER)
    sys.modules.pop(HANDLER, None)


@pytest.fixture
def chime(aws: None) -> Any:
    return boto3.client("chime-sdk-meetings")


def start_meeting(chime: Any, users: list[str], **request: Any) -> tuple[str, dict[str, str]]:
    """A meeting with an attendee for each of ``users``: its id, and each user's AttendeeId."""
    answer = chime.create_meeting_with_attendees(
        ClientRequestToken="standup-token",
        MediaRegion=REGION,
        ExternalMeetingId="standup",
        Attendees=[{"ExternalUserId": user} for user in users],
        **request,
    )
    return answer["Meeting"]["MeetingId"], {a["ExternalUserId"]: a["AttendeeId"] for a in answer["Attendees"]}


def who(roster: ModuleType, meeting_id: str) -> list[str]:
    return sorted(item["ExternalUserId"] for item in roster.roster(meeting_id))


def event_types(trigger: dict[str, Any]) -> list[str]:
    return [json.loads(record["body"])["detail"]["eventType"] for record in trigger["Records"]]


# --- the meeting's own queue ----------------------------------------------------------------


def test_joins_and_leaves_keep_the_roster(roster: ModuleType, chime: Any, queue: Queue, fake_chime: FakeChime) -> None:
    meeting_id, users = start_meeting(
        chime, ["alice", "bob", "carol"], NotificationsConfiguration={"SqsQueueArn": queue.arn}
    )
    for user in ("alice", "bob", "carol"):
        fake_chime.join(meeting_id, users[user])
    fake_chime.drop(meeting_id, users["bob"])  # bob's network went away
    fake_chime.leave(meeting_id, users["carol"])

    trigger = queue.trigger()
    assert roster.handler(trigger, None) == {"batchItemFailures": []}

    assert who(roster, meeting_id) == ["alice"]
    assert event_types(trigger) == [
        "chime:MeetingStarted",
        *["chime:AttendeeAdded"] * 3,
        *["chime:AttendeeJoined"] * 3,
        "chime:AttendeeDropped",
        "chime:AttendeeLeft",
    ]
    assert [json.loads(record["body"]) for record in trigger["Records"]] == fake_chime.events


def test_deleting_the_meeting_clears_its_roster(
    roster: ModuleType, chime: Any, queue: Queue, fake_chime: FakeChime
) -> None:
    meeting_id, users = start_meeting(chime, ["alice", "bob"], NotificationsConfiguration={"SqsQueueArn": queue.arn})
    fake_chime.join(meeting_id, users["alice"])
    fake_chime.join(meeting_id, users["bob"])
    roster.handler(queue.trigger(), None)
    assert who(roster, meeting_id) == ["alice", "bob"]

    chime.delete_meeting(MeetingId=meeting_id)
    trigger = queue.trigger()
    roster.handler(trigger, None)

    assert event_types(trigger) == ["chime:MeetingEnded"]
    assert who(roster, meeting_id) == []


# --- meetings Chime ends by itself ------------------------------------------------------------


def test_an_empty_meeting_ends_after_five_minutes(
    roster: ModuleType, chime: Any, queue: Queue, fake_chime: FakeChime
) -> None:
    meeting_id, users = start_meeting(chime, ["alice"], NotificationsConfiguration={"SqsQueueArn": queue.arn})
    fake_chime.join(meeting_id, users["alice"])
    fake_chime.advance(hours=1)  # somebody is there: the meeting goes on
    fake_chime.leave(meeting_id, users["alice"])
    roster.handler(queue.trigger(), None)
    assert who(roster, meeting_id) == []

    fake_chime.advance(minutes=4, seconds=59)
    assert queue.trigger() == {"Records": []}  # still running
    fake_chime.advance(seconds=1)

    trigger = queue.trigger()
    assert event_types(trigger) == ["chime:MeetingEnded"]
    assert json.loads(trigger["Records"][0]["body"])["time"] == f"{fake_chime.clock:%Y-%m-%dT%H:%M:%SZ}"
    roster.handler(trigger, None)
    with pytest.raises(chime.exceptions.NotFoundException):
        chime.get_meeting(MeetingId=meeting_id)  # as after DeleteMeeting


def test_a_meeting_ends_after_24_hours_with_its_attendees_in_it(
    roster: ModuleType, chime: Any, queue: Queue, fake_chime: FakeChime
) -> None:
    meeting_id, users = start_meeting(chime, ["alice", "bob"], NotificationsConfiguration={"SqsQueueArn": queue.arn})
    fake_chime.join(meeting_id, users["alice"])
    fake_chime.join(meeting_id, users["bob"])
    roster.handler(queue.trigger(), None)
    assert who(roster, meeting_id) == ["alice", "bob"]

    fake_chime.advance(hours=24)
    roster.handler(queue.trigger(), None)

    assert who(roster, meeting_id) == []
    assert meeting_id not in fake_chime.meetings


# --- through an EventBridge rule ------------------------------------------------------------


def test_an_eventbridge_rule_forwards_every_meeting_to_the_queue(
    roster: ModuleType, chime: Any, fake_chime: FakeChime
) -> None:
    queue = make_queue("all-meetings")
    events = boto3.client("events")
    pattern = {"source": ["aws.chime"], "detail-type": ["Chime Meeting State Change"]}
    events.put_rule(Name="chime-meetings", EventPattern=json.dumps(pattern))
    events.put_targets(Rule="chime-meetings", Targets=[{"Id": "roster", "Arn": queue.arn}])

    meeting_id, users = start_meeting(chime, ["alice"])  # no NotificationsConfiguration
    fake_chime.join(meeting_id, users["alice"])
    trigger = queue.trigger()
    roster.handler(trigger, None)

    assert event_types(trigger) == ["chime:MeetingStarted", "chime:AttendeeAdded", "chime:AttendeeJoined"]
    assert who(roster, meeting_id) == ["alice"]
    delivered = json.loads(trigger["Records"][-1]["body"])
    assert delivered["detail"] == fake_chime.events[-1]["detail"]
    assert delivered["source"] == "aws.chime"


# --- what the function ignores --------------------------------------------------------------


def test_other_messages_are_ignored_and_broken_ones_retried(roster: ModuleType) -> None:
    records = [
        {"messageId": "1", "body": json.dumps({"source": "aws.s3", "detail-type": "Object Created"})},
        {"messageId": "2", "body": "not JSON"},
    ]

    assert roster.handler({"Records": records}, None) == {"batchItemFailures": [{"itemIdentifier": "2"}]}
