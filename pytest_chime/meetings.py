"""Meetings: how one is built, the rules a new one obeys, and the meeting operations."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from . import attendees, caches, facts, lifecycle, model, validate
from .errors import ServiceError
from .operations import Request, operation, page, rule
from .validate import Violation

if TYPE_CHECKING:
    from botocore.model import Shape

    from .engine import Engine


@caches.cached(maxsize=8)
def _members(service: str) -> tuple[tuple[str, Shape | None, Callable[[], Any] | None], ...]:
    """The Meeting's members in the installed model's order: the shape of each structure, and
    how to make the value real responses show unasked (``facts.ECHO_DEFAULTS``), if any."""
    spec = model.operation(service, "CreateMeeting")
    assert spec is not None
    members = spec.output_shape.members["Meeting"].members
    defaults = {} if service == facts.LEGACY else facts.ECHO_DEFAULTS
    return tuple(
        (
            name,
            shape if shape.type_name == "structure" else None,
            defaults[name].copy if name in defaults else None,  # type: ignore[attr-defined]  # a list or dict
        )
        for name, shape in members.items()
    )


def build_meeting(
    rng: random.Random,
    *,
    service: str,
    params: Mapping[str, Any],
    region: str = facts.DEFAULT_REGION,
    account_id: str = facts.DEFAULT_ACCOUNT_ID,
    default_media_region: str = facts.LEGACY_DEFAULT_MEDIA_REGION,
) -> dict[str, Any]:
    """The Meeting ``service`` returns for a CreateMeeting ``params`` sent to ``region``.

    Members come in the installed model's order; what the service echoes is echoed only
    when sent, and only as far as the model's Meeting shape has it, except what real
    responses show unasked (``"TenantIds": []``, ``facts.ECHO_DEFAULTS``). The MeetingId
    and the MediaPlacement URLs are drawn from ``rng``.
    """
    legacy = service == facts.LEGACY
    meeting_id = facts.meeting_id(rng)
    media_region = params.get("MediaRegion") or default_media_region
    control = facts.control_region(service, region)
    made = {
        "MeetingId": meeting_id,
        "MediaRegion": media_region,
        "MediaPlacement": facts.media_placement(
            rng, meeting=meeting_id, media_region=media_region, control_region=control, legacy=legacy
        ),
        "MeetingArn": facts.meeting_arn_prefix(control, account_id) + meeting_id,
    }
    meeting: dict[str, Any] = {}
    for name, shape, default in _members(service):
        if name in made:
            meeting[name] = made[name]
        elif (value := params.get(name)) is not None:
            if shape is not None and not value:  # an empty structure is not echoed (seen: MeetingFeatures {})
                continue
            meeting[name] = value if shape is None else model.shaped(value, shape)
        elif default is not None:
            meeting[name] = default()  # a new empty list or dict each time
    return meeting


# --- the rules of a new meeting -----------------------------------------------------------------


@rule("media-region", "media-region-partition", reads=("MediaRegion",))
def _media_region(request: Request) -> list[Violation]:
    region = request.params.get("MediaRegion")
    if not isinstance(region, str):
        return []
    return _media_region_violations(request, region)


def _media_region_violations(request: Request, region: str) -> list[Violation]:
    allowed = facts.MEDIA_REGIONS[request.service]
    if region not in allowed:
        return [
            Violation(
                "MediaRegion",
                "media-region",
                f"MediaRegion {validate.shown(region)} is not a supported media region. "
                f"Supported media regions: {', '.join(allowed)}",
            )
        ]
    control = facts.control_region(request.service, request.region)
    if facts.partition(region) != facts.partition(control):
        return [
            Violation(
                "MediaRegion",
                "media-region-partition",
                f"MediaRegion {validate.shown(region)} is not in the partition of the control region "
                f"{control!r}: a meeting's media region must be in its control region's partition",
            )
        ]
    return []


@rule("reserved-prefix", reads=facts.RESERVED_PREFIX_MEMBERS)
def _reserved(request: Request) -> list[Violation]:
    return validate.reserved_prefix(request.params, *facts.RESERVED_PREFIX_MEMBERS)


@rule("high-resolution-attendees", reads=("MeetingFeatures",))
def _high_resolution(request: Request) -> list[Violation]:
    features = request.params.get("MeetingFeatures")
    if not isinstance(features, dict):
        return []
    attendee = features.get("Attendee")
    count = attendee.get("MaxCount") if isinstance(attendee, dict) else None
    if isinstance(count, bool) or not isinstance(count, int) or count <= facts.HIGH_RESOLUTION_MAX_ATTENDEES:
        return []
    for (group, member), value in facts.HIGH_RESOLUTION_FEATURES.items():
        chosen = features.get(group)
        if isinstance(chosen, dict) and chosen.get(member) == value:
            return [
                Violation(
                    "MeetingFeatures.Attendee.MaxCount",
                    "high-resolution-attendees",
                    f"MeetingFeatures.Attendee.MaxCount {count} is over {facts.HIGH_RESOLUTION_MAX_ATTENDEES}: "
                    f"a meeting with MeetingFeatures.{group}.{member} {value} allows at most "
                    f"{facts.HIGH_RESOLUTION_MAX_ATTENDEES} attendees",
                )
            ]
    return []


@rule("arn-target", reads=("NotificationsConfiguration",))
def _notifications(request: Request) -> list[Violation]:
    notifications = request.params.get("NotificationsConfiguration")
    out: list[Violation] = []
    if not isinstance(notifications, dict):
        return out
    for name, pattern in facts.NOTIFICATION_ARN_PATTERNS.items():
        regex = validate.regex(pattern)
        arn = notifications.get(name)
        if isinstance(arn, str) and regex.fullmatch(arn) is None:
            out.append(
                Violation(
                    f"NotificationsConfiguration.{name}",
                    "arn-target",
                    f"NotificationsConfiguration.{name} is not a valid ARN for its target: it must match {pattern}",
                )
            )
    return out


@rule("meeting-id", reads=("PrimaryMeetingId",))
def _primary(request: Request) -> list[Violation]:
    primary = request.params.get("PrimaryMeetingId")
    if isinstance(primary, str) and validate.regex(facts.MEETING_ID_PATTERN).fullmatch(primary) is None:
        return [
            Violation(
                "PrimaryMeetingId",
                "meeting-id",
                f"PrimaryMeetingId must be a meeting ID matching {facts.MEETING_ID_PATTERN}",
            )
        ]
    return []


#: The service's rules for a new meeting, beyond the model's constraints.
NEW_MEETING_RULES = (_media_region, _reserved, _high_resolution, validate.tags_rule, _notifications, _primary)


# --- state ------------------------------------------------------------------------------------


def find(engine: Engine, request: Request) -> dict[str, Any]:
    """The meeting ``request`` names, or NotFoundException (also for the other service's meetings)."""
    meeting_id = request.params["MeetingId"]
    meeting = engine.state.meeting(meeting_id, request.service)
    if meeting is None:
        raise ServiceError("NotFoundException", facts.meeting_not_found(meeting_id))
    return meeting


def _create(engine: Engine, request: Request) -> dict[str, Any]:
    """CreateMeeting's work, shared with CreateMeetingWithAttendees: token, quota, build, hooks, keep."""
    service, params, state, fake = request.service, request.params, engine.state, engine.fake
    token = params["ClientRequestToken"]
    existing = state.by_token(service, token)
    if existing is not None:
        return existing
    if state.meeting_count() >= fake.quota:
        raise ServiceError(
            facts.QUOTA_CODES[service],
            f"The account has reached its quota of {fake.quota} active meetings. "
            "Raise it with fake_chime.quota = N, @pytest.mark.fake_chime(quota=N) "
            "or the chime_quota ini option, or end meetings (DeleteMeeting, or del fake_chime.meetings[id]).",
        )
    meeting = build_meeting(
        engine.ids,
        service=service,
        params=params,
        region=request.region,
        account_id=fake.account_id,
        default_media_region=fake.media_region,
    )
    if fake.meeting_hooks:
        engine.run_hooks(fake.meeting_hooks, meeting, dict(params))
        if not isinstance(meeting.get("MeetingId"), str) or not meeting["MeetingId"]:
            raise engine.hook_broke("left the meeting without a MeetingId (a string): the fake cannot keep it")
        if meeting["MeetingId"] in state.meetings:  # either service's
            raise engine.hook_broke(f"gave the new meeting the MeetingId of an active one, {meeting['MeetingId']}")
    state.add_meeting(meeting, service=service, token=token, notifications=params.get("NotificationsConfiguration"))
    engine.emit("chime:MeetingStarted", meeting)  # at creation, as real event logs show
    if params.get("Tags"):  # listed by the tag operations (fake_chime.tags), never part of the Meeting
        state.set_tags(meeting["MeetingId"], arn(engine, request, meeting), [dict(tag) for tag in params["Tags"]])
    return meeting


def arn(engine: Engine, request: Request, meeting: Mapping[str, Any]) -> str:
    """The meeting's ARN: its MeetingArn, or for a legacy meeting (which answers none)
    ``arn:aws:chime:us-east-1:<account>:meeting/<id>`` (chosen)."""
    found = meeting.get("MeetingArn")
    if isinstance(found, str):
        return found
    return facts.meeting_arn(facts.LEGACY_CONTROL_REGION, engine.fake.account_id, meeting["MeetingId"])


# --- operations -------------------------------------------------------------------------------


@operation("CreateMeeting", rules=NEW_MEETING_RULES)
def create_meeting(engine: Engine, request: Request) -> dict[str, Any]:
    """A new meeting; a ClientRequestToken seen before returns that token's meeting."""
    return {"Meeting": _create(engine, request)}


@operation("CreateMeetingWithAttendees", rules=NEW_MEETING_RULES)
def create_meeting_with_attendees(engine: Engine, request: Request) -> dict[str, Any]:
    """CreateMeeting, then BatchCreateAttendee's work for ``Attendees`` (per-attendee ``Errors``)."""
    meeting = _create(engine, request)
    made, errors = attendees.add_many(engine, request, meeting, request.params.get("Attendees") or [])
    return {"Meeting": meeting, "Attendees": made, "Errors": errors}


@operation("GetMeeting")
def get_meeting(engine: Engine, request: Request) -> dict[str, Any]:
    """The meeting, as CreateMeeting returned it."""
    return {"Meeting": find(engine, request)}


@operation("DeleteMeeting")
def delete_meeting(engine: Engine, request: Request) -> None:
    """End the meeting: it and all it holds are gone (204)."""
    lifecycle.end_meeting(engine, find(engine, request)["MeetingId"])


@operation("ListMeetings")
def list_meetings(engine: Engine, request: Request) -> dict[str, Any]:
    """The service's meetings, oldest first, a page at a time (legacy ``chime`` only)."""
    mine = engine.state.meetings_of(request.service)
    found, token = page(mine, request, scope=f"{request.service}/meetings", key="NextToken")
    result: dict[str, Any] = {"Meetings": found}
    if token is not None:
        result["NextToken"] = token
    return result
