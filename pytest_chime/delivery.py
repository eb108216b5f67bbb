"""Delivering meeting events where Chime sends them, through botocore clients (moto answers them)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from . import caches, facts

#: The header that marks a delivery request: the wire's network guard stops one that reaches the network.
MARK = "x-pytest-chime-delivery"


def _mark(request: Any, **_: Any) -> None:
    request.headers[MARK] = "1"


@caches.cached(maxsize=32)
def _client(service: str, region: str) -> Any:
    """A client delivering to ``service`` in ``region``, which refuses the network (made once)."""
    import botocore.session

    client = botocore.session.Session().create_client(
        service,
        region_name=region,
        aws_access_key_id=facts.DUMMY_ACCESS_KEY_ID,
        aws_secret_access_key=facts.DUMMY_SECRET_KEY,
    )
    client.meta.events.register("request-created", _mark)
    return client


def _arn_parts(arn: str) -> tuple[str, str, str]:
    """(region, account, resource name) of an SQS queue or SNS topic ARN."""
    parts = arn.split(":")
    return parts[3], parts[4], parts[5]


def deliver(event: Mapping[str, Any], notifications: Mapping[str, Any]) -> list[str]:
    """Send ``event`` to the SQS queue and SNS topic of its meeting's ``notifications``
    (NotificationsConfiguration), and to EventBridge's default bus in the event's region; what
    could not be delivered, one line each ([] when all was)."""
    body = json.dumps(event)
    problems: list[str] = []
    targets: list[tuple[str, Any]] = []
    queue = notifications.get("SqsQueueArn")
    if queue:
        targets.append((f"SQS queue {queue}", lambda: _to_queue(queue, body)))
    topic = notifications.get("SnsTopicArn")
    if topic:
        targets.append(
            (f"SNS topic {topic}", lambda: _client("sns", _arn_parts(topic)[0]).publish(TopicArn=topic, Message=body))
        )
    targets.append((f"EventBridge's default bus in {event['region']}", lambda: _to_bus(event)))
    for where, send in targets:
        try:
            send()
        except Exception as error:
            problems.append(
                f"{event['detail']['eventType']} for meeting {event['detail']['meetingId']} to {where}: {error} "
                "(start moto's mock_aws, with the queue or topic created, or whatever fakes that service)"
            )
    return problems


def _to_queue(arn: str, body: str) -> None:
    region, account, name = _arn_parts(arn)
    client = _client("sqs", region)
    url = client.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]
    client.send_message(QueueUrl=url, MessageBody=body)


def _to_bus(event: Mapping[str, Any]) -> None:
    answer = _client("events", event["region"]).put_events(
        Entries=[
            {
                "Time": dt.datetime.strptime(event["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc),
                "Source": event["source"],
                "Resources": list(event["resources"]),
                "DetailType": event["detail-type"],
                "Detail": json.dumps(event["detail"]),
                "EventBusName": "default",
            }
        ]
    )
    if answer.get("FailedEntryCount"):
        raise RuntimeError(f"PutEvents refused it: {answer['Entries']}")


def write_objects(bucket: str, objects: Mapping[str, bytes], what: str) -> list[str]:
    """Put ``objects`` (key -> body) in ``bucket`` through S3 (moto answers); what could not be written,
    one line each, naming ``what`` wrote it ([] when all was)."""
    problems = []
    client = _client("s3", facts.DEFAULT_REGION)
    for key, body in objects.items():
        try:
            client.put_object(Bucket=bucket, Key=key, Body=body)
        except Exception as error:
            problems.append(
                f"{what}: artifact s3://{bucket}/{key} not written: {error} "
                "(start moto's mock_aws with the bucket created, or whatever fakes S3)"
            )
    return problems
