"""meetingsvc as AWS Lambda functions behind API Gateway: join a meeting, end it.

Written the way Lambda functions usually are: the configuration is read and the clients
are created once, when the module is imported (the function's cold start), and every
invocation reuses them. So a test imports this module only after it has set the
environment and started its fakes (see ``examples/test_lambda_handler.py``).

Environment (Lambda sets ``AWS_REGION`` and ``AWS_DEFAULT_REGION`` itself):

``MEETINGS_TABLE``
    The DynamoDB table of running meetings: partition key ``MeetingKey`` (a string).
``MEDIA_REGION``
    Where meetings are hosted (default: the function's own region).
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3
from botocore.config import Config

from meetingsvc import (
    RETRY_CONFIG,
    MeetingCapacityReached,
    MeetingEnded,
    MeetingError,
    MeetingFull,
    MeetingNotAllowed,
    MeetingRejected,
    MeetingService,
    MeetingUnavailable,
)

TABLE_NAME = os.environ["MEETINGS_TABLE"]
MEDIA_REGION = os.environ.get("MEDIA_REGION", os.environ["AWS_REGION"])

chime = boto3.client("chime-sdk-meetings", config=Config(retries=RETRY_CONFIG))
table = boto3.resource("dynamodb").Table(TABLE_NAME)
service = MeetingService(chime, media_region=MEDIA_REGION)

#: The HTTP status each domain error is answered with.
STATUS: dict[type[MeetingError], int] = {
    MeetingRejected: 400,
    MeetingNotAllowed: 403,
    MeetingFull: 409,
    MeetingEnded: 410,
    MeetingCapacityReached: 429,
    MeetingUnavailable: 503,
}


def join(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """``POST /meetings/{key}/attendees`` with ``{"user": ...}``: the user's join info.

    The first join starts the meeting and records it in the table; later joins find it
    there. A meeting Chime has ended meanwhile is forgotten and answered with 410, so the
    next join starts a new one.
    """
    key = event["pathParameters"]["key"]
    user = json.loads(event.get("body") or "{}").get("user")
    if not isinstance(user, str) or not 2 <= len(user) <= 64:
        return _answer(400, {"message": 'the body must be {"user": <2 to 64 characters>}'})
    item = table.get_item(Key={"MeetingKey": key}).get("Item")
    try:
        if item is None:
            meeting = service.start_meeting(key)
            item = {"MeetingKey": key, "MeetingId": meeting["MeetingId"]}
            table.put_item(Item=item)
        info = service.join_meeting(str(item["MeetingId"]), user)
    except MeetingEnded as error:
        table.delete_item(Key={"MeetingKey": key})
        return _failure(error)
    except MeetingError as error:
        return _failure(error)
    return _answer(200, info)


def end(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """``DELETE /meetings/{key}``: end the meeting for everyone (204; 404 when none is running)."""
    key = event["pathParameters"]["key"]
    item = table.get_item(Key={"MeetingKey": key}).get("Item")
    if item is None:
        return _answer(404, {"message": f"no meeting {key} is running"})
    try:
        service.end_meeting(str(item["MeetingId"]))  # False: Chime had ended it already; over either way
    except MeetingError as error:
        return _failure(error)
    table.delete_item(Key={"MeetingKey": key})
    return {"statusCode": 204, "body": ""}


def _answer(status: int, body: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}


def _failure(error: MeetingError) -> dict[str, Any]:
    return _answer(STATUS.get(type(error), 502), {"message": str(error), "code": error.code})
