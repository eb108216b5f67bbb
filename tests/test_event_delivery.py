"""deliver_events: each event goes where Chime sends it (SQS, SNS, EventBridge), read back from moto."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws

from pytest_chime import FakeChime
from pytest_chime.errors import EventDeliveryError  # not exported by pytest_chime yet (reported)
from tests.conftest import make_client, valid_request

#: Inner runs without Hypothesis's plugin: its terminal summary imports hypothesis anew in each
#: (pytester forgets the modules a run imported), over a second a run.
QUICK = ("-p", "no:randomly", "-p", "no:hypothesispytest", "-p", "no:asyncio")

#: Envelope members moto's EventBridge sets itself when it hands an event to a rule's target.
MOTO_OWN = ("id", "account")


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


def new_queue(name: str) -> tuple[str, str]:
    """A moto SQS queue: (its URL, its ARN)."""
    sqs = make_client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def bodies(url: str) -> list[Any]:
    """Every message body in the queue, decoded from JSON, in order."""
    sqs, found = make_client("sqs"), []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return found
        found += [json.loads(message["Body"]) for message in messages]


def live(fake: FakeChime, client: Any, service: str, notifications: dict[str, str] | None = None) -> None:
    """A short meeting: created, an attendee added, joined and left, the meeting deleted."""
    extra = {"NotificationsConfiguration": notifications} if notifications else {}
    meeting_id = client.create_meeting(**valid_request(service, **extra))["Meeting"]["MeetingId"]
    attendee_id = client.create_attendee(MeetingId=meeting_id, ExternalUserId="alice")["Attendee"]["AttendeeId"]
    fake.join(meeting_id, attendee_id)
    fake.leave(meeting_id, attendee_id)
    client.delete_meeting(MeetingId=meeting_id)


@pytest.mark.fake_chime(deliver_events=True)
def test_each_event_reaches_the_meetings_sqs_queue_as_its_json(
    aws: None, fake_chime: FakeChime, client: Any, service: str
) -> None:
    url, arn = new_queue("chime-events")
    live(fake_chime, client, service, {"SqsQueueArn": arn})
    assert len(fake_chime.events) == 5
    assert bodies(url) == fake_chime.events
    assert fake_chime.delivery_errors() == []


@pytest.mark.fake_chime(deliver_events=True)
def test_each_event_reaches_the_meetings_sns_topic_as_its_message(
    aws: None, fake_chime: FakeChime, client: Any, service: str
) -> None:
    topic = make_client("sns").create_topic(Name="chime-events")["TopicArn"]
    url, arn = new_queue("subscriber")
    make_client("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    live(fake_chime, client, service, {"SnsTopicArn": topic})
    envelopes = bodies(url)
    assert [(envelope["Type"], envelope["TopicArn"]) for envelope in envelopes] == [("Notification", topic)] * 5
    assert [json.loads(envelope["Message"]) for envelope in envelopes] == fake_chime.events


@pytest.mark.fake_chime(deliver_events=True)
def test_each_event_reaches_eventbridges_default_bus_and_a_rules_target(
    aws: None, fake_chime: FakeChime, client: Any, service: str
) -> None:
    url, arn = new_queue("rule-target")
    events = make_client("events")
    events.put_rule(Name="chime-meetings", EventPattern=json.dumps({"source": ["aws.chime"]}))
    events.put_targets(Rule="chime-meetings", Targets=[{"Id": "queue", "Arn": arn}])
    live(fake_chime, client, service)
    received = bodies(url)
    assert [{k: v for k, v in event.items() if k not in MOTO_OWN} for event in received] == [
        {k: v for k, v in event.items() if k not in MOTO_OWN} for event in fake_chime.events
    ]
    assert fake_chime.delivery_errors() == []


def test_without_deliver_events_nothing_is_sent(aws: None, fake_chime: FakeChime, client: Any, service: str) -> None:
    url, arn = new_queue("chime-events")
    live(fake_chime, client, service, {"SqsQueueArn": arn})
    assert len(fake_chime.events) == 5
    assert bodies(url) == []


def test_a_delivery_refused_is_recorded_and_fails_verify(aws: None, client: Any, service: str) -> None:
    absent = "arn:aws:sqs:us-east-1:123456789012:no-such-queue"
    fake = FakeChime(deliver_events=True)
    with pytest.raises(EventDeliveryError, match="an event was not delivered: chime:MeetingStarted for meeting"), fake:
        client.create_meeting(**valid_request(service, NotificationsConfiguration={"SqsQueueArn": absent}))
    [problem] = fake.delivery_errors()
    assert f"chime:MeetingStarted for meeting {fake.events[0]['detail']['meetingId']} to SQS queue {absent}" in problem
    assert len(fake.events) == 1


UNDELIVERABLE = """
import boto3
import pytest

@pytest.mark.fake_chime(deliver_events=True)
def test_nothing_answers_delivery(fake_chime):
    client = boto3.client(
        "chime-sdk-meetings", region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="not-a-secret",
    )
    client.create_meeting(ClientRequestToken="t-1", MediaRegion="us-east-1", ExternalMeetingId="standup")
    assert len(fake_chime.events) == 1
"""


def test_an_undeliverable_event_fails_the_test_at_teardown_without_the_network(
    pytester: pytest.Pytester, no_network: list[tuple[Any, ...]]
) -> None:
    pytester.makepyfile(UNDELIVERABLE)
    result = pytester.runpytest(*QUICK)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_nothing_answers_delivery*",
            "*an event was not delivered: chime:MeetingStarted for meeting *EventBridge*",
        ]
    )
    assert no_network == []


DELIVERED = """
import json

import boto3
from moto import mock_aws

def make(service):
    return boto3.client(
        service, region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="not-a-secret"
    )

def test_delivered(fake_chime):
    assert fake_chime.deliver_events is True
    with mock_aws():
        sqs = make("sqs")
        url = sqs.create_queue(QueueName="events")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        make("chime-sdk-meetings").create_meeting(
            ClientRequestToken="t-1", MediaRegion="us-east-1", ExternalMeetingId="standup",
            NotificationsConfiguration={"SqsQueueArn": arn}
        )
        [message] = sqs.receive_message(QueueUrl=url)["Messages"]
    assert json.loads(message["Body"]) == fake_chime.events[0]
"""


@pytest.mark.parametrize("where", ["ini", "cli"])
def test_deliver_events_is_set_by_ini_and_command_line(pytester: pytest.Pytester, where: str) -> None:
    pytester.makepyfile(DELIVERED)
    args = list(QUICK)
    if where == "ini":
        pytester.makeini("[pytest]\nchime_deliver_events = true\n")
    else:
        args.append("--chime-deliver-events")
    pytester.runpytest(*args).assert_outcomes(passed=1)
