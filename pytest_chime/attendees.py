"""Attendees: how one is built, the rules it obeys, and the attendee operations.

:func:`build_attendee` is the one place an Attendee is made (the fake, the strategies
and the faker provider share it). Chosen where AWS does not say, each tested:

- An ExternalUserId already in the meeting gets that attendee back (same AttendeeId and
  JoinToken), so retrying CreateAttendee "with the same externalUserId", as the JS SDK's
  guide advises, does not add a second attendee.
- In BatchCreateAttendee and CreateMeetingWithAttendees, the model's constraints reject
  the whole request (BadRequestException); the service's per-attendee rules (the
  reserved ``aws:`` prefix, the capability combination, the meeting's attendee limit)
  fail that attendee only, reported in ``Errors``.
- An attendee limit reached by CreateAttendee is the service's limit error
  (LimitExceededException; ResourceLimitExceededException on legacy ``chime``).
"""

from __future__ import annotations

import functools
import operator
import random
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from . import facts, meetings, model, validate
from .errors import ServiceError
from .operations import Request, operation, page, public, rule
from .validate import Violation

if TYPE_CHECKING:
    from .fake import FakeChime


@functools.cache
def _members(service: str) -> tuple[str, ...]:
    """The Attendee's members in the installed model's order."""
    spec = model.operation(service, "CreateAttendee")
    assert spec is not None
    return tuple(spec.output_shape.members["Attendee"].members)


def build_attendee(rng: random.Random, *, service: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The Attendee ``service`` returns for a CreateAttendee item ``params``.

    AttendeeId and JoinToken are drawn from ``rng``; Capabilities (where the model has
    them) default to SendReceive on every channel, as the API reference documents.
    """
    attendee_id = facts.attendee_id(rng)
    made = {
        "ExternalUserId": params.get("ExternalUserId"),
        "AttendeeId": attendee_id,
        "JoinToken": facts.join_token(rng, attendee_id),
        "Capabilities": dict(params.get("Capabilities") or facts.DEFAULT_CAPABILITIES),
    }
    return {name: made[name] for name in _members(service) if made.get(name) is not None}


# --- rules --------------------------------------------------------------------------------------


def capability_rule(capabilities: Any, path: str = "Capabilities") -> list[Violation]:
    """Content may be received only when video is too (API reference, AttendeeCapabilities)."""
    if not isinstance(capabilities, dict):
        return []
    content, video = capabilities.get("Content"), capabilities.get("Video")
    if content in facts.RECEIVING and video not in facts.RECEIVING:
        return [
            Violation(
                f"{path}.Content",
                "capabilities-content-video",
                f"{path}.Content {content} needs {path}.Video SendReceive or Receive, not {video}: "
                "an attendee can receive content only if it can receive video",
            )
        ]
    return []


def _item_rules(item: Mapping[str, Any], path: str = "") -> list[Violation]:
    """The service's per-attendee rules: the reserved prefix, the capability combination, tag keys."""
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
        if off and capabilities.get(channel) not in (None, "None"):
            found.append(
                Violation(
                    f"{path}.{channel}",
                    "capabilities-meeting-features",
                    f"{path}.{channel} {capabilities.get(channel)} is not allowed: the meeting's "
                    f"MeetingFeatures.{channel}.MaxResolution is None",
                )
            )
    return found


def default_capabilities(meeting: Mapping[str, Any]) -> dict[str, str]:
    """SendReceive on every channel, but None where the meeting's features switch the channel off (chosen)."""
    features = meeting.get("MeetingFeatures")
    made = dict(facts.DEFAULT_CAPABILITIES)
    if not features:
        return made
    for channel in facts.RESOLUTION_CHANNELS:
        if (features.get(channel) or {}).get("MaxResolution") == "None":
            made[channel] = "None"
    return made


# --- state ------------------------------------------------------------------------------------

_first = operator.itemgetter(0)


def limit(meeting: Mapping[str, Any]) -> int:
    """How many attendees ``meeting`` may have: its MeetingFeatures.Attendee.MaxCount, else the quota."""
    features = meeting.get("MeetingFeatures") or {}
    count = (features.get("Attendee") or {}).get("MaxCount")
    return count if isinstance(count, int) and not isinstance(count, bool) else facts.MAX_ATTENDEES_PER_MEETING


def _limit_message(meeting: Mapping[str, Any]) -> str:
    count = limit(meeting)
    return f"The meeting {meeting['MeetingId']} has reached its limit of {count} attendee{'' if count == 1 else 's'}"


def _add(fake: FakeChime, request: Request, meeting: Mapping[str, Any], item: Mapping[str, Any]) -> dict[str, Any]:
    """The meeting's attendee for ``item``: the one with its ExternalUserId, else a new one within the limit."""
    meeting_id = meeting["MeetingId"]
    present = fake.attendees.get(meeting_id)
    if present is None:
        present = fake.attendees[meeting_id] = {}
    external = item["ExternalUserId"]
    found = next((a for a in present.values() if a.get("ExternalUserId") == external), None)
    if found is not None:
        return found
    if len(present) >= limit(meeting):
        raise ServiceError(facts.QUOTA_CODES[request.service], _limit_message(meeting))
    if request.service == facts.MODERN:
        if item.get("Capabilities") is None:
            item = {**item, "Capabilities": default_capabilities(meeting)}
        else:
            broken = feature_rule(meeting, item["Capabilities"])
            if broken:
                raise ServiceError("BadRequestException", validate.message(broken))
    attendee = build_attendee(fake._ids, service=request.service, params=item)
    if fake.attendee_hooks:
        fake.run_hooks(fake.attendee_hooks, attendee, meeting, dict(item))
    attendee_id = attendee["AttendeeId"]
    if item.get("Tags"):  # legacy attendee tags: listed by ListAttendeeTags, never part of the Attendee
        attendee["Tags"] = [dict(tag) for tag in item["Tags"]]
    present[attendee_id] = attendee
    fake._numbers[attendee_id] = next(fake._counter)  # a new attendee: fake._number, without the lookup
    fake._undo.append(lambda: present.pop(attendee_id, None))
    return attendee


def add_many(
    fake: FakeChime, request: Request, meeting: Mapping[str, Any], items: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Add each item as an attendee: (the attendees, the per-attendee errors), in request order."""
    made: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for index, item in enumerate(items, start=1):
        broken = _item_rules(item, f"Attendees.{index}.")
        try:
            if broken:
                raise ServiceError("BadRequestException", validate.message(broken))
            attendee = public(_add(fake, request, meeting, item))
            if all(attendee != other for other in made):  # an ExternalUserId given twice: listed once
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


def find(fake: FakeChime, request: Request) -> dict[str, Any]:
    """The attendee ``request`` names, in the meeting it names, or NotFoundException."""
    meeting = meetings.find(fake, request)
    attendee_id = request.params["AttendeeId"]
    attendee = fake.attendees.get(meeting["MeetingId"], {}).get(attendee_id)
    if attendee is None:
        raise ServiceError("NotFoundException", facts.attendee_not_found(meeting["MeetingId"], attendee_id))
    return attendee


# --- operations -------------------------------------------------------------------------------


@operation("CreateAttendee", rules=(_reserved_rule, _capabilities_rule, validate.tags_rule))
def create_attendee(fake: FakeChime, request: Request) -> dict[str, Any]:
    """An attendee of the meeting (the existing one for an ExternalUserId already there)."""
    meeting = meetings.find(fake, request)
    return {"Attendee": public(_add(fake, request, meeting, request.params))}


@operation("BatchCreateAttendee")
def batch_create_attendee(fake: FakeChime, request: Request) -> dict[str, Any]:
    """Attendees of the meeting; those the service refuses are listed in ``Errors``."""
    meeting = meetings.find(fake, request)
    made, errors = add_many(fake, request, meeting, request.params["Attendees"])
    return {"Attendees": made, "Errors": errors}


@operation("GetAttendee")
def get_attendee(fake: FakeChime, request: Request) -> dict[str, Any]:
    """The attendee, as CreateAttendee returned it."""
    return {"Attendee": public(find(fake, request))}


@operation("ListAttendees")
def list_attendees(fake: FakeChime, request: Request) -> dict[str, Any]:
    """The meeting's attendees, oldest first, a page at a time."""
    meeting_id = meetings.find(fake, request)["MeetingId"]
    present = fake.attendees.get(meeting_id, {})
    numbers = fake._numbers
    numbered = [(numbers.get(key) or fake._number(key), value) for key, value in present.items()]
    numbered.sort(key=_first)  # creation order (already so, unless a test added some by hand)
    found, token = page(numbered, request, scope=f"{request.service}/{meeting_id}/attendees", key="NextToken")
    result: dict[str, Any] = {"Attendees": [public(attendee) for attendee in found]}
    if token is not None:
        result["NextToken"] = token
    return result


@operation("DeleteAttendee")
def delete_attendee(fake: FakeChime, request: Request) -> None:
    """Remove the attendee from the meeting (204); its JoinToken no longer works."""
    attendee = find(fake, request)
    del fake.attendees[request.params["MeetingId"]][attendee["AttendeeId"]]


@operation("UpdateAttendeeCapabilities", rules=(_capabilities_rule,))
def update_attendee_capabilities(fake: FakeChime, request: Request) -> dict[str, Any]:
    """Set one attendee's capabilities; GetAttendee and ListAttendees show them."""
    attendee = find(fake, request)
    _set_capabilities(fake, request, [attendee])
    return {"Attendee": public(attendee)}


@operation("BatchUpdateAttendeeCapabilitiesExcept", rules=(_capabilities_rule,))
def batch_update_attendee_capabilities_except(fake: FakeChime, request: Request) -> None:
    """Set the capabilities of every attendee of the meeting but the excluded ones (200, no body)."""
    meeting = meetings.find(fake, request)
    excluded = {item.get("AttendeeId") for item in request.params["ExcludedAttendeeIds"]}
    present = fake.attendees.get(meeting["MeetingId"], {})
    _set_capabilities(fake, request, [a for key, a in present.items() if key not in excluded])


def _set_capabilities(fake: FakeChime, request: Request, chosen: list[dict[str, Any]]) -> None:
    meeting = meetings.find(fake, request)
    capabilities = request.params["Capabilities"]
    broken = feature_rule(meeting, capabilities)
    if broken:
        raise ServiceError("BadRequestException", validate.message(broken))
    before = [(attendee, attendee.get("Capabilities")) for attendee in chosen]
    for attendee in chosen:
        attendee["Capabilities"] = dict(capabilities)

    def undo() -> None:
        for attendee, previous in before:
            attendee["Capabilities"] = previous

    fake._undo.append(undo)
