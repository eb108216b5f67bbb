"""Attendees: how one is built, the rules it obeys, and the attendee operations."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from . import caches, facts, meetings, model, validate
from .errors import ServiceError
from .operations import Request, operation, page, rule
from .validate import Violation

if TYPE_CHECKING:
    from .engine import Engine


@caches.cached(maxsize=8)
def _members(service: str) -> tuple[str, ...]:
    """The Attendee's members in the installed model's order."""
    spec = model.operation(service, "CreateAttendee")
    assert spec is not None
    return tuple(spec.output_shape.members["Attendee"].members)


def build_attendee(
    rng: random.Random,
    *,
    service: str,
    params: Mapping[str, Any],
    capabilities: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The Attendee ``service`` returns for a CreateAttendee item ``params``.

    AttendeeId and JoinToken are drawn from ``rng``; Capabilities (where the model has
    them) are ``params``' own, else ``capabilities``, else SendReceive on every channel, as
    the API reference documents.
    """
    attendee_id = facts.attendee_id(rng)
    made = {
        "ExternalUserId": params.get("ExternalUserId"),
        "AttendeeId": attendee_id,
        "JoinToken": facts.join_token(rng, attendee_id),
        "Capabilities": dict(params.get("Capabilities") or capabilities or facts.DEFAULT_CAPABILITIES),
    }
    return {name: made[name] for name in _members(service) if made[name] is not None}


# --- rules --------------------------------------------------------------------------------------


#: The model's MediaCapabilities values that receive nothing, and those that send or receive.
_NOT_RECEIVING = ("Send", "None")
_SENDING_OR_RECEIVING = ("SendReceive", "Send", "Receive")


def capability_rule(capabilities: Any, path: str = "Capabilities") -> list[Violation]:
    """Content may be received only when video is too (API reference, AttendeeCapabilities)."""
    if not isinstance(capabilities, dict):
        return []
    content, video = capabilities.get("Content"), capabilities.get("Video")
    if content in facts.RECEIVING and video in _NOT_RECEIVING:  # other values break the model's enum
        return [
            Violation(
                f"{path}.Content",
                "capabilities-content-video",
                f"{path}.Content {content} needs {path}.Video SendReceive or Receive, not {video}: "
                "an attendee can receive content only if it can receive video",
            )
        ]
    return []


def _item_rules(item: Mapping[str, Any], index: int) -> list[Violation]:
    """The service's per-attendee rules for the ``index``-th item of a batch: the reserved prefix,
    the capability combination, tag keys."""
    external = item.get("ExternalUserId")
    reserved = isinstance(external, str) and external.lower().startswith(facts.RESERVED_TAG_PREFIX)
    if not reserved and item.get("Capabilities") is None and not item.get("Tags"):
        return []  # nothing for the rules to read (most items)
    path = f"Attendees.{index}."
    found = validate.reserved_prefix(item, "ExternalUserId", path=path)
    found += capability_rule(item.get("Capabilities"), f"{path}Capabilities")
    found += validate.tag_rules(item.get("Tags"), f"{path}Tags")  # legacy attendees carry tags
    return found


# CreateAttendee's request is one item: _item_rules, a rule per member it reads.
@rule("reserved-prefix", reads=("ExternalUserId",))
def _reserved_rule(request: Request) -> list[Violation]:
    return validate.reserved_prefix(request.params, "ExternalUserId")


@rule("capabilities-content-video", reads=("Capabilities",))
def _capabilities_rule(request: Request) -> list[Violation]:
    return capability_rule(request.params.get("Capabilities"))


def feature_rule(meeting: Mapping[str, Any], capabilities: Any, path: str = "Capabilities") -> list[Violation]:
    """A channel the meeting's MeetingFeatures switch off (MaxResolution None) takes no capability but None.

    API reference, AttendeeCapabilities: with ``MeetingFeatures:Video:MaxResolution:None``,
    "all API requests that include SendReceive, Send, or Receive for
    AttendeeCapabilities:Video will be rejected"; the same for Content.
    """
    if not isinstance(capabilities, dict):
        return []
    features = meeting.get("MeetingFeatures") or {}
    found = []
    for channel in facts.RESOLUTION_CHANNELS:
        off = (features.get(channel) or {}).get("MaxResolution") == "None"
        if off and capabilities.get(channel) in _SENDING_OR_RECEIVING:  # other values break the model's enum
            found.append(
                Violation(
                    f"{path}.{channel}",
                    "capabilities-meeting-features",
                    f"{path}.{channel} {capabilities.get(channel)} is not allowed: the meeting's "
                    f"MeetingFeatures.{channel}.MaxResolution is None",
                )
            )
    return found


def default_capabilities(meeting: Mapping[str, Any]) -> Mapping[str, str]:
    """SendReceive on every channel, but None where the meeting's features switch the channel off (chosen)."""
    features = meeting.get("MeetingFeatures")
    if not features:
        return facts.DEFAULT_CAPABILITIES
    made = dict(facts.DEFAULT_CAPABILITIES)
    for channel in facts.RESOLUTION_CHANNELS:
        if (features.get(channel) or {}).get("MaxResolution") == "None":
            made[channel] = "None"
    return made


# --- state ------------------------------------------------------------------------------------


def limit(meeting: Mapping[str, Any]) -> int:
    """How many attendees ``meeting`` may have: its MeetingFeatures.Attendee.MaxCount, else the quota."""
    features = meeting.get("MeetingFeatures") or {}
    count = (features.get("Attendee") or {}).get("MaxCount")
    return count if isinstance(count, int) and not isinstance(count, bool) else facts.MAX_ATTENDEES_PER_MEETING


def _limit_message(meeting: Mapping[str, Any]) -> str:
    count = limit(meeting)
    return f"The meeting {meeting['MeetingId']} has reached its limit of {count} attendee{'' if count == 1 else 's'}"


class _Into(NamedTuple):
    """The meeting attendees are added to, and what adding them needs, worked out once per call."""

    meeting: Mapping[str, Any]
    meeting_id: str
    limit: int
    #: The capabilities of an attendee whose item gives none (chime-sdk-meetings), else None.
    defaults: Mapping[str, str] | None
    hooks: list[Any]


def _into(engine: Engine, request: Request, meeting: Mapping[str, Any]) -> _Into:
    defaults = default_capabilities(meeting) if request.service == facts.MODERN else None
    return _Into(meeting, meeting["MeetingId"], limit(meeting), defaults, engine.fake.attendee_hooks)


def _add(engine: Engine, request: Request, into: _Into, item: Mapping[str, Any]) -> dict[str, Any]:
    """The meeting's attendee for ``item``: the one with its ExternalUserId, else a new one within the limit."""
    meeting, meeting_id, state = into.meeting, into.meeting_id, engine.state
    known = state.attendee_for(meeting_id, item["ExternalUserId"])
    if known is not None:
        return known
    if len(state.attendees_of(meeting_id)) >= into.limit:
        raise ServiceError(facts.QUOTA_CODES[request.service], _limit_message(meeting))
    capabilities = item.get("Capabilities")
    if capabilities is not None and into.defaults is not None:
        broken = feature_rule(meeting, capabilities)
        if broken:
            raise ServiceError("BadRequestException", validate.message(broken))
    attendee = build_attendee(engine.ids, service=request.service, params=item, capabilities=into.defaults)
    hooks = into.hooks
    if hooks:
        engine.run_hooks(hooks, attendee, meeting, dict(item))
        if not isinstance(attendee.get("AttendeeId"), str) or not attendee["AttendeeId"]:
            raise engine.hook_broke("left the attendee without an AttendeeId (a string): the fake cannot keep it")
    state.add_attendee(meeting_id, attendee)
    engine.emit("chime:AttendeeAdded", meeting, attendee)
    if item.get("Tags"):  # legacy attendee tags: listed by ListAttendeeTags (fake_chime.tags), never on the Attendee
        state.set_tags(
            attendee["AttendeeId"], arn(engine, request, meeting, attendee), [dict(tag) for tag in item["Tags"]]
        )
    return attendee


def arn(engine: Engine, request: Request, meeting: Mapping[str, Any], attendee: Mapping[str, Any]) -> str:
    """A legacy attendee's ARN, which no answer shows: its meeting's ARN, then ``/attendee/<AttendeeId>`` (chosen)."""
    return f"{meetings.arn(engine, request, meeting)}/attendee/{attendee['AttendeeId']}"


def add_many(
    engine: Engine, request: Request, meeting: Mapping[str, Any], items: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Add each item as an attendee: (the attendees, the per-attendee errors), in request order."""
    made: list[dict[str, Any]] = []
    listed: set[int] = set()
    errors: list[dict[str, Any]] = []
    into = _into(engine, request, meeting)
    for index, item in enumerate(items, start=1):
        broken = _item_rules(item, index)
        try:
            if broken:
                raise ServiceError("BadRequestException", validate.message(broken))
            attendee = _add(engine, request, into, item)
            if id(attendee) not in listed:  # an ExternalUserId given twice: listed once
                listed.add(id(attendee))
                made.append(attendee)
        except ServiceError as err:
            errors.append(
                {
                    "ExternalUserId": item["ExternalUserId"],
                    "ErrorCode": facts.body_code(err.code),
                    "ErrorMessage": err.message,
                }
            )
    return made, errors


def find(engine: Engine, request: Request) -> dict[str, Any]:
    """The attendee ``request`` names, in the meeting it names, or NotFoundException."""
    return _of(engine, request, meetings.find(engine, request))


def _of(engine: Engine, request: Request, meeting: Mapping[str, Any]) -> dict[str, Any]:
    """The attendee ``request`` names in ``meeting``, or NotFoundException."""
    meeting_id = meeting["MeetingId"]
    attendee_id = request.params["AttendeeId"]
    attendee = engine.state.attendees_of(meeting_id).get(attendee_id)
    if attendee is None:
        raise ServiceError("NotFoundException", facts.attendee_not_found(meeting_id, attendee_id))
    return attendee


# --- operations -------------------------------------------------------------------------------


@operation("CreateAttendee", rules=(_reserved_rule, _capabilities_rule, validate.tags_rule))
def create_attendee(engine: Engine, request: Request) -> dict[str, Any]:
    """An attendee of the meeting (the existing one for an ExternalUserId already there)."""
    meeting = meetings.find(engine, request)
    return {"Attendee": _add(engine, request, _into(engine, request, meeting), request.params)}


@operation("BatchCreateAttendee")
def batch_create_attendee(engine: Engine, request: Request) -> dict[str, Any]:
    """Attendees of the meeting; those the service refuses are listed in ``Errors``."""
    meeting = meetings.find(engine, request)
    made, errors = add_many(engine, request, meeting, request.params["Attendees"])
    return {"Attendees": made, "Errors": errors}


@operation("GetAttendee")
def get_attendee(engine: Engine, request: Request) -> dict[str, Any]:
    """The attendee, as CreateAttendee returned it."""
    return {"Attendee": find(engine, request)}


@operation("ListAttendees")
def list_attendees(engine: Engine, request: Request) -> dict[str, Any]:
    """The meeting's attendees, oldest first, a page at a time."""
    meeting_id = meetings.find(engine, request)["MeetingId"]
    numbered = engine.state.numbered_attendees(meeting_id)
    found, token = page(numbered, request, scope=f"{request.service}/{meeting_id}/attendees", key="NextToken")
    result: dict[str, Any] = {"Attendees": found}
    if token is not None:
        result["NextToken"] = token
    return result


@operation("DeleteAttendee")
def delete_attendee(engine: Engine, request: Request) -> None:
    """Remove the attendee from the meeting (204); its JoinToken no longer works."""
    attendee = find(engine, request)
    engine.state.remove_attendee(request.params["MeetingId"], attendee["AttendeeId"])
    engine.emit("chime:AttendeeDeleted", meetings.find(engine, request), attendee)


@operation("UpdateAttendeeCapabilities", rules=(_capabilities_rule,))
def update_attendee_capabilities(engine: Engine, request: Request) -> dict[str, Any]:
    """Set one attendee's capabilities; GetAttendee and ListAttendees show them."""
    meeting = meetings.find(engine, request)
    attendee = _of(engine, request, meeting)
    _set_capabilities(engine, request, meeting, [attendee])
    return {"Attendee": attendee}


@operation("BatchUpdateAttendeeCapabilitiesExcept", rules=(_capabilities_rule,))
def batch_update_attendee_capabilities_except(engine: Engine, request: Request) -> None:
    """Set the capabilities of every attendee of the meeting but the excluded ones (200, no body)."""
    meeting = meetings.find(engine, request)
    excluded = {item.get("AttendeeId") for item in request.params["ExcludedAttendeeIds"]}
    present = engine.state.attendees_of(meeting["MeetingId"])
    _set_capabilities(engine, request, meeting, [a for key, a in present.items() if key not in excluded])


def _set_capabilities(
    engine: Engine, request: Request, meeting: Mapping[str, Any], chosen: list[dict[str, Any]]
) -> None:
    capabilities = request.params["Capabilities"]
    broken = feature_rule(meeting, capabilities)
    if broken:
        raise ServiceError("BadRequestException", validate.message(broken))
    changed = [attendee for attendee in chosen if attendee.get("Capabilities") != capabilities]
    engine.state.set_member(changed, "Capabilities", capabilities)
    engine.emit_each("chime:AttendeeCapabilitiesUpdated", meeting, changed)
