"""Who is in each meeting now: a Lambda function fed by SQS with Chime's meeting events.

Chime sends its meeting events ("Chime Meeting State Change") to the SQS queue named in a
meeting's ``NotificationsConfiguration``, and to EventBridge, whose rules can forward them
to a queue too. Either way each SQS message body is the event's JSON. This function keeps
a roster of every meeting in DynamoDB from them:

- ``chime:AttendeeJoined``: the attendee is in the meeting;
- ``chime:AttendeeLeft`` and ``chime:AttendeeDropped``: it is not any more;
- ``chime:MeetingEnded``: nobody is (the meeting's roster is cleared).

Other events are ignored, and so is a message that is not a Chime meeting event. Like
``meetingsvc.lambda_handler``, it reads its environment and creates its table at import
(the cold start), so a test imports it only once the environment is set and moto has
started (see ``examples/test_roster.py``).

Environment:

``ROSTER_TABLE``
    The DynamoDB table of the rosters: partition key ``MeetingId``, sort key
    ``AttendeeId`` (both strings).
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3
from boto3.dynamodb.conditions import Key

TABLE_NAME = os.environ["ROSTER_TABLE"]

table = boto3.resource("dynamodb").Table(TABLE_NAME)

#: What every meeting event says it is.
SOURCE = "aws.chime"
DETAIL_TYPE = "Chime Meeting State Change"
#: The events that take an attendee out of the roster.
GONE = ("chime:AttendeeLeft", "chime:AttendeeDropped")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The SQS trigger: apply each record's event to the rosters.

    Answers a partial batch response: a record that could not be applied is retried by SQS
    (the event source mapping needs ``ReportBatchItemFailures``), the others are not.
    """
    failures = []
    for record in event["Records"]:
        try:
            apply(json.loads(record["body"]))
        except Exception:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


def apply(event: dict[str, Any]) -> None:
    """Change the roster as the Chime meeting event ``event`` says."""
    if event.get("source") != SOURCE or event.get("detail-type") != DETAIL_TYPE:
        return
    detail = event["detail"]
    kind, meeting_id = detail["eventType"], detail["meetingId"]
    if kind == "chime:AttendeeJoined":
        table.put_item(
            Item={
                "MeetingId": meeting_id,
                "AttendeeId": detail["attendeeId"],
                "ExternalUserId": detail["externalUserId"],
                "JoinedAt": event["time"],
            }
        )
    elif kind in GONE:
        table.delete_item(Key={"MeetingId": meeting_id, "AttendeeId": detail["attendeeId"]})
    elif kind == "chime:MeetingEnded":
        with table.batch_writer() as batch:
            for item in roster(meeting_id):
                batch.delete_item(Key={"MeetingId": meeting_id, "AttendeeId": item["AttendeeId"]})


def roster(meeting_id: str) -> list[dict[str, Any]]:
    """Who is in the meeting now: one item per attendee joined (``ExternalUserId``, ``JoinedAt``...)."""
    request: dict[str, Any] = {"KeyConditionExpression": Key("MeetingId").eq(meeting_id)}
    items: list[dict[str, Any]] = []
    while True:
        page = table.query(**request)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
