"""Meeting lifecycle events, shaped as Chime sends them to EventBridge, SQS and SNS."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from typing import Any, Final

from . import facts

#: The ``detail-type`` of every meeting event.
DETAIL_TYPE: Final = "Chime Meeting State Change"
#: The ``source`` of every meeting event.
SOURCE: Final = "aws.chime"

#: eventType -> the members it adds to ``detail`` beyond the meeting's (AWS's page
#: "Understanding Amazon Chime SDK meeting lifecycle events").
EVENT_TYPES: Final[dict[str, tuple[str, ...]]] = {
    "chime:MeetingStarted": (),
    "chime:MeetingEnded": (),
    "chime:AttendeeAdded": ("attendeeId", "externalUserId"),
    "chime:AttendeeDeleted": ("attendeeId", "externalUserId"),
    "chime:AttendeeAuthorized": ("attendeeId", "externalUserId"),
    "chime:AttendeeJoined": ("attendeeId", "externalUserId", "networkType"),
    "chime:AttendeeLeft": ("attendeeId", "externalUserId", "networkType"),
    "chime:AttendeeDropped": ("attendeeId", "externalUserId", "networkType"),
    "chime:AttendeeVideoStarted": ("attendeeId", "externalUserId"),
    "chime:AttendeeVideoStopped": ("attendeeId", "externalUserId"),
    "chime:AttendeeContentJoined": ("attendeeId", "externalUserId", "networkType"),
    "chime:AttendeeContentLeft": ("attendeeId", "externalUserId", "networkType"),
    "chime:AttendeeContentDropped": ("attendeeId", "externalUserId", "networkType"),
    "chime:AttendeeContentVideoStarted": ("attendeeId", "externalUserId"),
    "chime:AttendeeContentVideoStopped": ("attendeeId", "externalUserId"),
    "chime:AttendeeCapabilitiesUpdated": ("attendeeId", "externalUserId", "success", "attendeeCapabilities"),
}

#: The ``detail-type`` of every media pipeline event.
PIPELINE_DETAIL_TYPE: Final = "Chime Media Pipeline State Change"
#: Media pipeline event types (AWS's page "Using Amazon Chime SDK media pipeline events"): each
#: adds ``mediaPipelineId`` to the meeting's detail.
PIPELINE_EVENT_TYPES: Final = (
    "chime:MediaPipelineInProgress",
    "chime:MediaPipelineDeleted",
    "chime:MediaPipelineTemporaryFailure",
    "chime:MediaPipelinePermanentFailure",
)

#: The network types an attendee joins over (the documents show "Voip"; "PSTN" for a phone).
NETWORK_TYPES: Final = ("Voip", "PSTN")

#: What a content share's ids add to its attendee's (the client SDKs' content-share attendee).
CONTENT_SUFFIX: Final = "#content"

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def start_time(seed: str) -> dt.datetime:
    """Where a fake's clock starts: a whole second in 2025, drawn from ``seed`` (UTC)."""
    offset = random.Random(f"{seed}/clock").randrange(365 * 86_400)
    return dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(seconds=offset)


def build_event(
    rng: random.Random,
    event_type: str,
    *,
    meeting: Mapping[str, Any],
    time: dt.datetime,
    region: str,
    account_id: str = facts.DEFAULT_ACCOUNT_ID,
    attendee: Mapping[str, Any] | None = None,
    network_type: str = "Voip",
    content: bool = False,
    capabilities: Mapping[str, str] | None = None,
    media_pipeline_id: str | None = None,
) -> dict[str, Any]:
    """The event ``event_type`` about ``meeting`` (and ``attendee``) at ``time``, as Chime sends it.

    ``region`` is the meeting's control region; ``content``: the event is about the
    attendee's content share (its ids carry ``#content``); ``capabilities``: an attendee's
    capabilities after an update; ``media_pipeline_id``: the pipeline a media pipeline event is
    about. The event's ``id`` is drawn from ``rng``.
    """
    pipeline = event_type in PIPELINE_EVENT_TYPES
    added = () if pipeline else EVENT_TYPES[event_type]
    detail: dict[str, Any] = {
        "version": "0",
        "eventType": event_type,
        "timestamp": int((time - _EPOCH).total_seconds() * 1000),
        "meetingId": meeting["MeetingId"],
        "externalMeetingId": meeting.get("ExternalMeetingId"),
    }
    if pipeline:
        detail["mediaPipelineId"] = media_pipeline_id
    detail["mediaRegion"] = meeting.get("MediaRegion")
    if added:
        if attendee is None:
            raise ValueError(f"{event_type} is about an attendee: pass attendee=")
        suffix = CONTENT_SUFFIX if content else ""
        detail["attendeeId"] = f"{attendee['AttendeeId']}{suffix}"
        detail["externalUserId"] = f"{attendee.get('ExternalUserId')}{suffix}"
        if "networkType" in added:
            detail["networkType"] = network_type
        if "attendeeCapabilities" in added:
            chosen = capabilities if capabilities is not None else attendee.get("Capabilities") or {}
            detail["success"] = "1"
            detail["attendeeCapabilities"] = {key.lower(): value for key, value in chosen.items()}
    return {
        "version": "0",
        "id": facts.request_id(rng),
        "detail-type": PIPELINE_DETAIL_TYPE if pipeline else DETAIL_TYPE,
        "source": SOURCE,
        "account": account_id,
        "time": time.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [],
        "detail": detail,
    }


class Emitted:
    """An event as emitted: what it is about, kept as given; its dict is built on first need (in order)."""

    __slots__ = ("attendee", "built", "details", "event_type", "meeting", "service", "time")

    def __init__(
        self,
        event_type: str,
        meeting: Mapping[str, Any],
        attendee: Mapping[str, Any] | None,
        time: dt.datetime,
        service: str | None,
        details: dict[str, Any],
    ) -> None:
        self.event_type = event_type
        self.meeting = meeting
        self.attendee = attendee
        self.time = time
        #: The service that created the meeting (None: added by hand).
        self.service = service
        self.details = details
        #: The event, once built.
        self.built: dict[str, Any] | None = None

    def build(self, rng: random.Random, account_id: str, default_region: str) -> dict[str, Any]:
        """The event as Chime sends it (built once; its id is drawn from ``rng``)."""
        if self.built is None:
            self.built = build_event(
                rng,
                self.event_type,
                meeting=self.meeting,
                time=self.time,
                region=control_region(self.meeting, self.service, default_region),
                account_id=account_id,
                attendee=self.attendee,
                **self.details,
            )
        return self.built


def control_region(meeting: Mapping[str, Any], service: str | None, default: str) -> str:
    """The region a meeting's API calls go to: the legacy service's (global), else the one in its
    MeetingArn, else ``default`` (a meeting added by hand without one)."""
    if service == facts.LEGACY:
        return facts.LEGACY_CONTROL_REGION
    parts = meeting_arn_parts(meeting.get("MeetingArn"))
    return parts[0] if parts is not None else default


def meeting_arn_parts(arn: object) -> tuple[str, str, str] | None:
    """(region, account, MeetingId) of a meeting ARN, ``arn:<partition>:chime:<region>:<account>:meeting/<id>``;
    None for anything else."""
    if not isinstance(arn, str):
        return None
    parts = arn.split(":")
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "chime" or not parts[5].startswith("meeting/"):
        return None
    return parts[3], parts[4], parts[5].removeprefix("meeting/")
