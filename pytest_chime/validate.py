"""Server-side validation: the model's constraints plus the service's own rules.

botocore checks types, required members and ``min`` only; the service also enforces
``max``, ``pattern``, enums, the media-region list, tag rules and notification ARNs.
Validators are compiled once per operation from the installed model.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from . import facts

if TYPE_CHECKING:
    from botocore.model import Shape

    from .model import OperationSpec


class Violation(NamedTuple):
    """One broken rule: the member (a path such as ``Tags.2.Key``), the rule and the message."""

    member: str
    rule: str
    message: str


_Check = Callable[[Any, str, list[Violation]], None]


def _value_part(value: Any, shape: Shape) -> str:
    if shape.metadata.get("sensitive") or not isinstance(value, (str, int)):
        return "Value"
    return f"Value {value!r}"


def _fail(out: list[Violation], value: Any, shape: Shape, path: str, rule: str, constraint: str) -> None:
    message = f"{_value_part(value, shape)} at '{path}' failed to satisfy constraint: {constraint}"
    out.append(Violation(path, rule, message))


def _compile(shape: Shape, cache: dict[str, _Check]) -> _Check:
    key = shape.name
    if key in cache:
        return cache[key]
    kind = shape.type_name
    meta = shape.metadata
    check: _Check
    if kind == "structure":
        members: dict[str, _Check] = {}
        # Registered before the members compile, so a recursive shape finds itself.
        cache[key] = lambda v, p, o: members_check(v, p, o)
        required = tuple(shape.required_members)
        for name, member in shape.members.items():
            members[name] = _compile(member, cache)

        def members_check(value: Any, path: str, out: list[Violation]) -> None:
            if not isinstance(value, dict):
                _fail(out, value, shape, path or shape.name, "type", "Member must be a structure")
                return
            prefix = f"{path}." if path else ""
            for name in required:
                if value.get(name) is None:
                    _fail(out, None, shape, prefix + name, "required", "Member must not be null")
            for name, item in value.items():
                sub = members.get(name)
                if sub is not None and item is not None:
                    sub(item, prefix + name, out)

        check = members_check
    elif kind == "list":
        item_check = _compile(shape.member, cache)
        lo, hi = meta.get("min"), meta.get("max")

        def list_check(value: Any, path: str, out: list[Violation]) -> None:
            if not isinstance(value, list):
                _fail(out, value, shape, path, "type", "Member must be a list")
                return
            if lo is not None and len(value) < lo:
                _fail(out, None, shape, path, "min-items", f"Member must have length greater than or equal to {lo}")
            if hi is not None and len(value) > hi:
                _fail(out, None, shape, path, "max-items", f"Member must have length less than or equal to {hi}")
            for index, item in enumerate(value, start=1):
                item_check(item, f"{path}.{index}", out)

        check = list_check
    elif kind == "string":
        lo, hi = meta.get("min"), meta.get("max")
        pattern = meta.get("pattern")
        regex = re.compile(pattern, re.ASCII) if pattern else None
        enum = tuple(getattr(shape, "enum", ()) or ())

        def string_check(value: Any, path: str, out: list[Violation]) -> None:
            if not isinstance(value, str):
                _fail(out, value, shape, path, "type", "Member must be a string")
                return
            if lo is not None and len(value) < lo:
                _fail(out, value, shape, path, "min-length", f"Member must have length greater than or equal to {lo}")
            if hi is not None and len(value) > hi:
                _fail(out, value, shape, path, "max-length", f"Member must have length less than or equal to {hi}")
            if regex is not None and regex.fullmatch(value) is None:
                _fail(out, value, shape, path, "pattern", f"Member must satisfy regular expression pattern: {pattern}")
            if enum and value not in enum:
                _fail(out, value, shape, path, "enum", f"Member must satisfy enum value set: [{', '.join(enum)}]")

        check = string_check
    elif kind in ("integer", "long"):
        lo, hi = meta.get("min"), meta.get("max")

        def int_check(value: Any, path: str, out: list[Violation]) -> None:
            if isinstance(value, bool) or not isinstance(value, int):
                _fail(out, value, shape, path, "type", "Member must be an integer")
                return
            if lo is not None and value < lo:
                _fail(out, value, shape, path, "min-value", f"Member must have value greater than or equal to {lo}")
            if hi is not None and value > hi:
                _fail(out, value, shape, path, "max-value", f"Member must have value less than or equal to {hi}")

        check = int_check
    elif kind == "boolean":

        def bool_check(value: Any, path: str, out: list[Violation]) -> None:
            if not isinstance(value, bool):
                _fail(out, value, shape, path, "type", "Member must be a boolean")

        check = bool_check
    else:  # types CreateMeeting does not use are accepted as they come

        def any_check(value: Any, path: str, out: list[Violation]) -> None:
            return None

        check = any_check
    cache[key] = check
    return check


@functools.cache
def _compiled(service: str, operation: str) -> _Check:
    from .model import operation as spec_of

    spec = spec_of(service, operation)
    assert spec is not None
    return _compile(spec.input_shape, {})


@functools.cache
def _regex(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled on first use (compiling at import would slow pytest's start-up)."""
    return re.compile(pattern)


def _service_rules(service: str, params: Mapping[str, Any], control_region: str, out: list[Violation]) -> None:
    region = params.get("MediaRegion")
    if isinstance(region, str):
        allowed = facts.MEDIA_REGIONS[service]
        if region not in allowed:
            out.append(
                Violation(
                    "MediaRegion",
                    "media-region",
                    f"MediaRegion {region!r} is not a supported media region. "
                    f"Supported media regions: {', '.join(allowed)}",
                )
            )
        elif facts.partition(region) != facts.partition(control_region):
            out.append(
                Violation(
                    "MediaRegion",
                    "media-region-partition",
                    f"MediaRegion {region!r} is not in the partition of the control region "
                    f"{control_region!r}: a meeting's media region must be in its control region's partition",
                )
            )
    for name in facts.RESERVED_PREFIX_MEMBERS:
        value = params.get(name)
        if isinstance(value, str) and value.lower().startswith(facts.RESERVED_TAG_PREFIX):
            out.append(
                Violation(
                    name,
                    "reserved-prefix",
                    f"{name} values starting with '{facts.RESERVED_TAG_PREFIX}' are reserved for AWS use",
                )
            )
    features = params.get("MeetingFeatures")
    if features is not None:
        _high_resolution_rule(features, out)
    tags = params.get("Tags")
    if isinstance(tags, list):
        seen: set[str] = set()
        for index, tag in enumerate(tags, start=1):
            key = tag.get("Key") if isinstance(tag, dict) else None
            if not isinstance(key, str):
                continue
            if key.lower().startswith(facts.RESERVED_TAG_PREFIX):
                out.append(
                    Violation(
                        f"Tags.{index}.Key",
                        "tag-key-reserved",
                        f"Tag keys starting with '{facts.RESERVED_TAG_PREFIX}' are reserved for AWS use "
                        f"(Tags.{index}.Key)",
                    )
                )
            if key in seen:
                out.append(
                    Violation(
                        f"Tags.{index}.Key",
                        "duplicate-tag-key",
                        f"Duplicate tag key {key!r} at Tags.{index}.Key: each tag key must be unique",
                    )
                )
            seen.add(key)
    notifications = params.get("NotificationsConfiguration")
    if isinstance(notifications, dict):
        for name, pattern in facts.NOTIFICATION_ARN_PATTERNS.items():
            regex = _regex(pattern)
            arn = notifications.get(name)
            if isinstance(arn, str) and regex.fullmatch(arn) is None:
                out.append(
                    Violation(
                        f"NotificationsConfiguration.{name}",
                        "arn-target",
                        f"NotificationsConfiguration.{name} is not a valid ARN for its target: "
                        f"it must match {regex.pattern}",
                    )
                )
    primary = params.get("PrimaryMeetingId")
    if isinstance(primary, str) and _regex(facts.MEETING_ID_PATTERN).fullmatch(primary) is None:
        out.append(
            Violation(
                "PrimaryMeetingId",
                "meeting-id",
                f"PrimaryMeetingId must be a meeting ID matching {facts.MEETING_ID_PATTERN}",
            )
        )


def _high_resolution_rule(features: Any, out: list[Violation]) -> None:
    if not isinstance(features, dict):
        return
    attendee = features.get("Attendee")
    count = attendee.get("MaxCount") if isinstance(attendee, dict) else None
    if isinstance(count, bool) or not isinstance(count, int) or count <= facts.HIGH_RESOLUTION_MAX_ATTENDEES:
        return
    for (group, member), value in facts.HIGH_RESOLUTION_FEATURES.items():
        chosen = features.get(group)
        if isinstance(chosen, dict) and chosen.get(member) == value:
            out.append(
                Violation(
                    "MeetingFeatures.Attendee.MaxCount",
                    "high-resolution-attendees",
                    f"MeetingFeatures.Attendee.MaxCount {count} is over {facts.HIGH_RESOLUTION_MAX_ATTENDEES}: "
                    f"a meeting with MeetingFeatures.{group}.{member} {value} allows at most "
                    f"{facts.HIGH_RESOLUTION_MAX_ATTENDEES} attendees",
                )
            )
            return


def violations(spec: OperationSpec, params: Mapping[str, Any], control_region: str) -> list[Violation]:
    """Every rule ``params`` breaks, model constraints first, in member order."""
    out: list[Violation] = []
    _compiled(spec.service, spec.name)(params, "", out)
    _service_rules(spec.service, params, control_region, out)
    return out


def message(found: list[Violation]) -> str:
    """The BadRequestException message for ``found``, naming each member and rule."""
    count = len(found)
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun} detected: " + "; ".join(v.message for v in found)
