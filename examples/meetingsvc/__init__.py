"""meetingsvc: start Amazon Chime SDK meetings for a web application.

A small service of the kind pytest-chime is made to test. It creates meetings through a
boto3 ``chime-sdk-meetings`` client and hands the browser what it needs to join:

- one stable ``ClientRequestToken`` per logical meeting, so a retry never creates a
  second meeting;
- its own bounded retries of transient errors, on top of botocore's;
- a fallback media region when the requested one is rejected;
- domain errors (:class:`MeetingError` and subclasses) instead of botocore exceptions.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from botocore.exceptions import ClientError

__all__ = [
    "BROWSER_URLS",
    "RETRY_CONFIG",
    "TRANSIENT_ERRORS",
    "MeetingCapacityReached",
    "MeetingError",
    "MeetingNotAllowed",
    "MeetingRejected",
    "MeetingService",
    "MeetingUnavailable",
    "join_info",
    "make_client",
    "meeting_token",
]

#: botocore's own retries for our client: standard mode, three attempts per call.
RETRY_CONFIG: dict[str, Any] = {"mode": "standard", "total_max_attempts": 3}

#: Errors worth another round once botocore has given up (ConflictException: the same
#: token was in flight twice; retrying with it returns the one meeting).
TRANSIENT_ERRORS = frozenset(
    {"ThrottlingException", "ServiceUnavailableException", "ServiceFailureException", "ConflictException"}
)

#: The MediaPlacement URLs the browser SDK (amazon-chime-sdk-js) connects to.
BROWSER_URLS = ("AudioHostUrl", "AudioFallbackUrl", "SignalingUrl", "TurnControlUrl", "EventIngestionUrl")

_TOKEN_NAMESPACE = uuid.UUID("3d0f5b52-8c3e-4b8e-9a55-2f7c9d1e6a10")


class MeetingError(Exception):
    """A meeting could not be started; ``code`` names the Chime error behind it."""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class MeetingNotAllowed(MeetingError):
    """The account may not create meetings (ForbiddenException, UnauthorizedException)."""


class MeetingCapacityReached(MeetingError):
    """The account has as many active meetings as its quota allows (LimitExceededException)."""


class MeetingUnavailable(MeetingError):
    """Transient errors outlasted botocore's retries and ours."""


class MeetingRejected(MeetingError):
    """The service rejected the request itself (BadRequestException) in every region tried."""


def make_client(region: str = "us-east-1", **kwargs: Any) -> Any:
    """A ``chime-sdk-meetings`` client with the retry configuration this service expects."""
    import boto3
    from botocore.config import Config

    return boto3.client("chime-sdk-meetings", region_name=region, config=Config(retries=RETRY_CONFIG), **kwargs)


def meeting_token(key: str) -> str:
    """The ``ClientRequestToken`` of the logical meeting ``key``: same key, same token."""
    return str(uuid.uuid5(_TOKEN_NAMESPACE, key))


def join_info(meeting: Mapping[str, Any]) -> dict[str, Any]:
    """What a browser needs to join ``meeting``, JSON-ready.

    The shape is the ``{"Meeting": ...}`` half that amazon-chime-sdk-js's
    ``MeetingSessionConfiguration`` reads; screen-sharing URLs and the ARN stay server-side.
    """
    placement = meeting["MediaPlacement"]
    info: dict[str, Any] = {
        "MeetingId": meeting["MeetingId"],
        "MediaRegion": meeting["MediaRegion"],
        "MediaPlacement": {name: placement[name] for name in BROWSER_URLS if name in placement},
    }
    if "ExternalMeetingId" in meeting:
        info["ExternalMeetingId"] = meeting["ExternalMeetingId"]
    if "MeetingFeatures" in meeting:
        info["MeetingFeatures"] = meeting["MeetingFeatures"]
    return {"Meeting": info}


class MeetingService:
    """Starts Chime SDK meetings through ``client`` (a boto3 ``chime-sdk-meetings`` client).

    ``rounds`` bounds how often a transient error is retried after botocore's own retries
    gave up, waiting ``backoff`` seconds between rounds through ``sleep``. A rejected media
    region is retried once in ``fallback_region``.
    """

    def __init__(
        self,
        client: Any,
        *,
        media_region: str = "us-east-1",
        fallback_region: str = "us-east-1",
        rounds: int = 3,
        backoff: Sequence[float] = (1.0, 4.0),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rounds < 1:
            raise ValueError("rounds must be at least 1")
        self.client = client
        self.media_region = media_region
        self.fallback_region = fallback_region
        self.rounds = rounds
        self.backoff = tuple(backoff) or (0.0,)
        self.sleep = sleep

    def start_meeting(
        self,
        key: str,
        *,
        media_region: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Start the meeting for ``key`` (2-64 characters), or return it if it already started.

        Raises a :class:`MeetingError` subclass when no meeting can be had.
        """
        if not 2 <= len(key) <= 64:
            raise ValueError(f"a meeting key has 2 to 64 characters, not {len(key)}")
        regions = [media_region or self.media_region]
        if self.fallback_region not in regions:
            regions.append(self.fallback_region)
        request: dict[str, Any] = {"ClientRequestToken": meeting_token(key), "ExternalMeetingId": key}
        if tags:
            request["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        for index, region in enumerate(regions):
            try:
                return self._create(request | {"MediaRegion": region})
            except ClientError as error:
                code, message = _code(error), _message(error)
                last_region = index == len(regions) - 1
                if code == "BadRequestException" and "MediaRegion" in message and not last_region:
                    continue  # the region was refused: try the fallback
                raise _domain_error(code, message) from error
        raise AssertionError("unreachable: the last region either returns or raises")

    def _create(self, request: dict[str, Any]) -> dict[str, Any]:
        for attempt in range(self.rounds):
            try:
                meeting: dict[str, Any] = self.client.create_meeting(**request)["Meeting"]
                return meeting
            except ClientError as error:
                if _code(error) not in TRANSIENT_ERRORS or attempt == self.rounds - 1:
                    raise
                self.sleep(self.backoff[min(attempt, len(self.backoff) - 1)])
        raise AssertionError("unreachable: the last round either returns or raises")


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _message(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Message", ""))


def _domain_error(code: str, message: str) -> MeetingError:
    if code in ("ForbiddenException", "UnauthorizedException"):
        return MeetingNotAllowed(f"not allowed to start meetings: {message}", code=code)
    if code == "LimitExceededException":
        return MeetingCapacityReached(f"too many active meetings: {message}", code=code)
    if code in TRANSIENT_ERRORS:
        return MeetingUnavailable(f"Chime is unavailable, try again later: {message}", code=code)
    if code == "BadRequestException":
        return MeetingRejected(f"the meeting request was rejected: {message}", code=code)
    return MeetingError(f"could not start the meeting ({code}): {message}", code=code)
