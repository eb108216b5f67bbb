"""meetingsvc: run Amazon Chime SDK meetings for a web application.

A small service of the kind pytest-chime is made to test. It drives the whole life of a
meeting through a boto3 ``chime-sdk-meetings`` client and hands the browser what it
needs to join:

- **start** (CreateMeeting): one stable ``ClientRequestToken`` per logical meeting, so a
  retry never creates a second meeting, and a fallback media region when the requested
  one is rejected;
- **join** (GetMeeting, CreateAttendee): the Meeting and the Attendee a browser joins
  with; the user's id is the ``ExternalUserId``, so joining again (or retrying) gives the
  same attendee;
- **attendees** (ListAttendees): everyone in the meeting, walking every page;
- **leave** (DeleteAttendee) and **end** (DeleteMeeting): done is done, so leaving twice
  or ending a meeting that already ended is not an error;
- **cost allocation** (TagResource, ListTagsForResource): the team a meeting is billed to,
  as a tag on the meeting;
- **captions** (StartMeetingTranscription, StopMeetingTranscription): live captions on
  and off, turning them on twice (or off twice) being done, not an error;
- its own bounded retries of transient errors, on top of botocore's;
- domain errors (:class:`MeetingError` and subclasses) instead of botocore exceptions.

``meetingsvc.lambda_handler`` serves the same operations as AWS Lambda functions;
``meetingsvc.rooms`` opens a meeting for a whole group at once with an asynchronous
(aiobotocore) client; ``meetingsvc.roster``, a Lambda function fed by SQS, keeps who is in
each meeting from Chime's meeting events.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from botocore.exceptions import ClientError

__all__ = [
    "BROWSER_URLS",
    "CAPTIONS_REGION",
    "COST_TAG",
    "RETRY_CONFIG",
    "TRANSIENT_ERRORS",
    "MeetingCapacityReached",
    "MeetingEnded",
    "MeetingError",
    "MeetingFull",
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

#: The Attendee members the browser SDK reads.
BROWSER_ATTENDEE = ("AttendeeId", "ExternalUserId", "JoinToken")

#: The tag key naming the team a meeting is billed to (an AWS cost allocation tag).
COST_TAG = "team"

#: The Transcribe region captions use: "auto", the one closest to the meeting's media region.
CAPTIONS_REGION = "auto"

_TOKEN_NAMESPACE = uuid.UUID("3d0f5b52-8c3e-4b8e-9a55-2f7c9d1e6a10")


class MeetingError(Exception):
    """A meeting operation failed; ``code`` names the Chime error behind it."""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class MeetingNotAllowed(MeetingError):
    """The account may not do this (ForbiddenException, UnauthorizedException)."""


class MeetingCapacityReached(MeetingError):
    """The account has as many active meetings as its quota allows (LimitExceededException)."""


class MeetingFull(MeetingError):
    """The meeting has as many attendees as it may have (LimitExceededException on CreateAttendee)."""


class MeetingEnded(MeetingError):
    """The meeting is over: ended by someone, or by Chime once nobody was left (NotFoundException)."""


class MeetingUnavailable(MeetingError):
    """Transient errors outlasted botocore's retries and ours."""


class MeetingRejected(MeetingError):
    """The service rejected the request itself (BadRequestException, UnprocessableEntityException)."""


def make_client(region: str = "us-east-1", **kwargs: Any) -> Any:
    """A ``chime-sdk-meetings`` client with the retry configuration this service expects."""
    import boto3
    from botocore.config import Config

    return boto3.client("chime-sdk-meetings", region_name=region, config=Config(retries=RETRY_CONFIG), **kwargs)


def meeting_token(key: str) -> str:
    """The ``ClientRequestToken`` of the logical meeting ``key``: same key, same token."""
    return str(uuid.uuid5(_TOKEN_NAMESPACE, key))


def join_info(meeting: Mapping[str, Any], attendee: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What a browser needs to join ``meeting`` (as ``attendee``, when given), JSON-ready.

    The shape is the ``{"Meeting": ..., "Attendee": ...}`` pair that amazon-chime-sdk-js's
    ``MeetingSessionConfiguration`` reads; screen-sharing URLs, the ARN and the
    attendee's capabilities stay server-side.
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
    if attendee is None:
        return {"Meeting": info}
    return {"Meeting": info, "Attendee": {name: attendee[name] for name in BROWSER_ATTENDEE}}


class MeetingService:
    """Runs Chime SDK meetings through ``client`` (a boto3 ``chime-sdk-meetings`` client).

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

    # --- start ------------------------------------------------------------------------------

    def start_meeting(
        self,
        key: str,
        *,
        media_region: str | None = None,
        tags: Mapping[str, str] | None = None,
        max_attendees: int | None = None,
    ) -> dict[str, Any]:
        """Start the meeting for ``key`` (2-64 characters), or return it if it already started.

        ``max_attendees`` caps the meeting's attendees below Chime's limit (250).
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
        if max_attendees is not None:
            request["MeetingFeatures"] = {"Attendee": {"MaxCount": max_attendees}}
        for index, region in enumerate(regions):
            try:
                meeting: dict[str, Any] = self._call("create_meeting", **request, MediaRegion=region)["Meeting"]
                return meeting
            except ClientError as error:
                code, message = _code(error), _message(error)
                last_region = index == len(regions) - 1
                if code == "BadRequestException" and "MediaRegion" in message and not last_region:
                    continue  # the region was refused: try the fallback
                raise _domain_error(
                    code, message, doing="start the meeting", over_limit=MeetingCapacityReached
                ) from error
        raise AssertionError("unreachable: the last region either returns or raises")

    # --- join, list, leave ----------------------------------------------------------------------

    def join_meeting(self, meeting_id: str, user_id: str) -> dict[str, Any]:
        """Add ``user_id`` (2-64 characters) to the meeting; return the browser's join info.

        The user's id is the attendee's ``ExternalUserId``: joining again returns the same
        attendee, so a retried join never adds a second one. Raises :class:`MeetingEnded`
        when the meeting is over, :class:`MeetingFull` when it has no room left.
        """
        try:
            meeting = self._call("get_meeting", MeetingId=meeting_id)["Meeting"]
            attendee = self._call("create_attendee", MeetingId=meeting_id, ExternalUserId=user_id)["Attendee"]
        except ClientError as error:
            raise _domain_error(_code(error), _message(error), doing="join the meeting") from error
        return join_info(meeting, attendee)

    def attendees(self, meeting_id: str, *, page_size: int | None = None) -> list[dict[str, Any]]:
        """Everyone in the meeting, oldest first, reading every page (``page_size`` per call)."""
        request: dict[str, Any] = {"MeetingId": meeting_id}
        if page_size is not None:
            request["MaxResults"] = page_size
        found: list[dict[str, Any]] = []
        try:
            while True:
                page = self._call("list_attendees", **request)
                found += page["Attendees"]
                if not page.get("NextToken"):
                    return found
                request["NextToken"] = page["NextToken"]
        except ClientError as error:
            raise _domain_error(_code(error), _message(error), doing="list the attendees") from error

    def leave_meeting(self, meeting_id: str, attendee_id: str) -> bool:
        """Remove the attendee: True if this call removed it, False if it was already gone."""
        return self._delete("delete_attendee", "leave the meeting", MeetingId=meeting_id, AttendeeId=attendee_id)

    # --- end ------------------------------------------------------------------------------------

    def end_meeting(self, meeting_id: str) -> bool:
        """End the meeting for everyone: True if this call ended it, False if it had already ended.

        A meeting that is already over is not an error: someone else ended it, Chime ended
        it once nobody was left, or an earlier attempt of ours did.
        """
        return self._delete("delete_meeting", "end the meeting", MeetingId=meeting_id)

    # --- cost allocation -----------------------------------------------------------------------

    def bill_to(self, meeting: Mapping[str, Any], team: str) -> None:
        """Tag ``meeting`` (as ``start_meeting`` returned it) with the team it is billed to.

        Tagging again replaces the team. Raises :class:`MeetingEnded` when the meeting is
        over, :class:`MeetingRejected` for a team the service refuses.
        """
        tags = [{"Key": COST_TAG, "Value": team}]
        try:
            self._call("tag_resource", ResourceARN=meeting["MeetingArn"], Tags=tags)
        except ClientError as error:
            raise _domain_error(_code(error), _message(error), doing="tag the meeting") from error

    def billed_team(self, meeting: Mapping[str, Any]) -> str | None:
        """The team ``meeting`` is billed to, or None when it has not been tagged."""
        try:
            tags = self._call("list_tags_for_resource", ResourceARN=meeting["MeetingArn"])["Tags"]
        except ClientError as error:
            raise _domain_error(_code(error), _message(error), doing="read the meeting's tags") from error
        return next((tag["Value"] for tag in tags if tag["Key"] == COST_TAG), None)

    # --- captions -------------------------------------------------------------------------------

    def captions_on(self, meeting_id: str, *, language: str = "en-US") -> bool:
        """Start live captions in ``language``: True if this call started them, False if they were on."""
        settings = {"LanguageCode": language, "Region": CAPTIONS_REGION}
        try:
            self._call(
                "start_meeting_transcription",
                MeetingId=meeting_id,
                TranscriptionConfiguration={"EngineTranscribeSettings": settings},
            )
        except ClientError as error:
            if _code(error) == "UnprocessableEntityException":
                return False  # already on: the caller's wish is granted
            raise _domain_error(_code(error), _message(error), doing="turn captions on") from error
        return True

    def captions_off(self, meeting_id: str) -> bool:
        """Stop live captions: True if this call stopped them, False if they were off."""
        try:
            self._call("stop_meeting_transcription", MeetingId=meeting_id)
        except ClientError as error:
            if _code(error) == "UnprocessableEntityException":
                return False  # already off
            raise _domain_error(_code(error), _message(error), doing="turn captions off") from error
        return True

    # --- plumbing -------------------------------------------------------------------------------

    def _delete(self, operation: str, doing: str, **request: Any) -> bool:
        try:
            self._call(operation, **request)
        except ClientError as error:
            if _code(error) == "NotFoundException":
                return False  # already gone: the caller's wish is granted
            raise _domain_error(_code(error), _message(error), doing=doing) from error
        return True

    def _call(self, operation: str, **request: Any) -> dict[str, Any]:
        """``client.<operation>(**request)``, another round after each transient error botocore gave up on."""
        method = getattr(self.client, operation)
        for attempt in range(self.rounds):
            try:
                response: dict[str, Any] = method(**request)
                return response
            except ClientError as error:
                if _code(error) not in TRANSIENT_ERRORS or attempt == self.rounds - 1:
                    raise
                self.sleep(self.backoff[min(attempt, len(self.backoff) - 1)])
        raise AssertionError("unreachable: the last round either returns or raises")


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _message(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Message", ""))


def _domain_error(code: str, message: str, *, doing: str, over_limit: type[MeetingError] = MeetingFull) -> MeetingError:
    """The domain error for Chime's ``code`` met while trying to ``doing``.

    ``over_limit`` is what LimitExceededException means here: the account's meeting
    quota for CreateMeeting, the meeting's attendee limit for CreateAttendee.
    """
    if code in ("ForbiddenException", "UnauthorizedException"):
        return MeetingNotAllowed(f"not allowed to {doing}: {message}", code=code)
    if code in ("NotFoundException", "ResourceNotFoundException"):
        return MeetingEnded(f"cannot {doing}, it has ended: {message}", code=code)
    if code == "LimitExceededException":
        return over_limit(f"cannot {doing}, a limit is reached: {message}", code=code)
    if code in TRANSIENT_ERRORS:
        return MeetingUnavailable(f"Chime is unavailable, try again later: {message}", code=code)
    if code in ("BadRequestException", "UnprocessableEntityException", "TooManyTagsException"):
        return MeetingRejected(f"the request to {doing} was rejected: {message}", code=code)
    return MeetingError(f"could not {doing} ({code}): {message}", code=code)
