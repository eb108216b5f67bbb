"""Rooms: a meeting opened for a whole group at once, through an asynchronous client.

For an asyncio web application (aiohttp, FastAPI, ...) that talks to Chime with
aiobotocore, or with aioboto3, whose clients are aiobotocore's: the meeting is started,
then every member joins it concurrently, one CreateAttendee each, gathered. Needs
aiobotocore (``pip install aiobotocore``), imported only when a client is made.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError

from . import RETRY_CONFIG, _code, _domain_error, _message, join_info, meeting_token

__all__ = ["make_async_client", "open_room"]


def make_async_client(region: str = "us-east-1") -> Any:
    """An aiobotocore ``chime-sdk-meetings`` client with the service's retry configuration.

    Use it as an async context manager: ``async with make_async_client() as client: ...``.
    """
    from aiobotocore.config import AioConfig
    from aiobotocore.session import get_session

    return get_session().create_client("chime-sdk-meetings", region_name=region, config=AioConfig(retries=RETRY_CONFIG))


async def open_room(
    client: Any, key: str, members: Sequence[str], *, media_region: str = "us-east-1"
) -> dict[str, Any]:
    """Start the meeting for ``key`` (or find it started) and join every member at once.

    Returns ``{"Meeting": ..., "Attendees": {member: ...}}``: what the browser of each
    member joins with (see :func:`meetingsvc.join_info`), in the order of ``members``.
    Raises a :class:`meetingsvc.MeetingError` subclass when the room cannot be opened.
    """
    try:
        response = await client.create_meeting(
            ClientRequestToken=meeting_token(key), MediaRegion=media_region, ExternalMeetingId=key
        )
        meeting = response["Meeting"]
        joined = await asyncio.gather(
            *(client.create_attendee(MeetingId=meeting["MeetingId"], ExternalUserId=member) for member in members)
        )
    except ClientError as error:
        raise _domain_error(_code(error), _message(error), doing="open the room") from error
    attendees = {
        member: join_info(meeting, answer["Attendee"])["Attendee"]
        for member, answer in zip(members, joined, strict=True)
    }
    return {"Meeting": join_info(meeting)["Meeting"], "Attendees": attendees}
