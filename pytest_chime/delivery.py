"""Delivering meeting events where Chime sends them, through botocore clients (moto answers them)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Mapping
from typing import Any

from . import facts

#: (service, region) -> a client that delivers there; made once per process, each refusing the network.
_clients: dict[tuple[str, str], Any] = {}
_lock = threading.Lock()


class _Undelivered(Exception):
    """Nothing in the process answered a delivery call: it was stopped before the network."""


def _refuse(request: Any, **_: Any) -> None:
    # Registered after botocore's builtin handlers (moto's among them): reached only when nothing answered.
    raise _Undelivered(f"nothing in the process answered {request.method} {request.url}")


def _client(service: str, region: str) -> Any:
    with _lock:
        client = _clients.get((service, region))
        if client is None:
            import botocore.session

            client = botocore.session.Session().create_client(
                service,
                region_name=region,
                aws_access_key_id=facts.DUMMY_ACCESS_KEY_ID,
                aws_secret_access_key=facts.DUMMY_SECRET_KEY,
            )
            client.meta.events.register(f"before-send.{service}", _refuse)
            if len(_clients) >= 32:
                _clients.clear()
            _clients[(service, region)] = client
        return client


def forget() -> None:
    """Drop the delivery clients (``pytest_chime.uninstall()`` calls it)."""
    with _lock:
        _clients.clear()


def _arn_parts(arn: str) -> tuple[str, str, str]:
    """(region, account, resource name) of an SQS queue or SNS topic ARN."""
    parts = arn.split(":")
    return parts[3], parts[4], parts[5]


def deliver(event: Mapping[str, Any], meeting: Mapping[str, Any]) -> list[str]:
    """Send ``event`` to the meeting's SQS queue and SNS topic, and to EventBridge's default bus in
    the event's region; what could not be delivered, one line each ([] when all was)."""
    body = json.dumps(event)
    notifications = meeting.get("NotificationsConfiguration") or {}
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
