"""Invalid requests: a valid request with exactly one rule broken, and the rule named.

A breaker is a strategy of :class:`InvalidRequest` for one (member, rule): a valid request
with that member replaced. CreateMeeting's members have breakers written for the service's
rules; any other member's are read off its shape (``max``, ``pattern``, enums), down
through lists and structures.
"""

from __future__ import annotations

import functools
import random
import re
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from .. import facts, model
from ..attendees import capability_rule
from .shapes import (
    _DEFAULT_MAX,
    _FREE,
    _OVERSHOOT,
    _dicts,
    _limits,
    _lists,
    _mismatched,
    _not_in,
    _outside,
    _renamer,
    _spellable,
    _text,
    _too_long,
    _with,
)
from .valid import (
    _ARN_RESOURCES,
    _HIGH_RESOLUTION,
    _QUALIFIER_MAX,
    HIGH_RESOLUTION_MAX_ATTENDEES,
    _arn_format,
    _arns,
    _attendee_lists,
    _features_of,
    _list_limits,
    _meeting_arns,
    _pinned,
    _request_dicts,
    _same,
    _spec,
    _structure,
    _tags,
    _tenant_ids_of,
    _value_of,
    meeting_ids,
)

if TYPE_CHECKING:
    from botocore.model import Shape


#: The rules :func:`invalid_requests` and :func:`invalid_create_meeting_requests` break, named as
#: :class:`pytest_chime.validate.Violation` names them.
INVALID_RULES: Final = (
    "media-region",
    "media-region-partition",
    "max-length",
    "pattern",
    "enum",
    "max-value",
    "max-items",
    "tag-key-reserved",
    "reserved-prefix",
    "high-resolution-attendees",
    "duplicate-tag-key",
    "arn-target",
    "meeting-id",
    "capabilities-content-video",
)
#: Members whose values must not start with the reserved prefix.
_UNRESERVED: Final = frozenset(facts.RESERVED_PREFIX_MEMBERS)
#: Members a service rule checks besides the model (a too-long value would break two rules).
_SERVICE_CHECKED: Final = frozenset({"MediaRegion", "PrimaryMeetingId", "NotificationsConfiguration"})


@dataclass(frozen=True)
class InvalidRequest:
    """A request that breaks exactly one server-side rule.

    ``params`` passes botocore's client-side validation (types, required members, ``min``)
    but the service rejects it with BadRequestException. ``member`` and ``rule`` name what
    it breaks exactly as the fake's :class:`pytest_chime.validate.Violation` does: ``member``
    is a path such as ``"MediaRegion"`` or ``"Tags.2.Key"`` (list positions count from 1),
    ``rule`` one of :data:`INVALID_RULES`. So
    ``operations.check(service, operation, params, region)`` is exactly one Violation with
    that member and rule, and the BadRequestException's message names the member.
    """

    params: dict[str, Any]
    member: str
    rule: str


def _replacing(
    base: SearchStrategy[dict[str, Any]], path: tuple[str, ...], values: SearchStrategy[Any], rule: str
) -> SearchStrategy[InvalidRequest]:
    member = ".".join(path)
    return st.builds(lambda params, value: InvalidRequest(_with(params, path, value), member, rule), base, values)


def _list_item_broken(
    base: SearchStrategy[dict[str, Any]],
    name: str,
    items: SearchStrategy[list[Any]],
    broken: Callable[[Any, Any], Any],
    values: SearchStrategy[Any],
    suffix: str,
    rule: str,
) -> SearchStrategy[InvalidRequest]:
    """Requests whose list ``name`` has one item replaced by ``broken(item, drawn value)``."""

    @st.composite
    def build(draw: st.DrawFn) -> InvalidRequest:
        params = draw(base)
        found = draw(items)
        index = draw(st.integers(0, len(found) - 1))
        found[index] = broken(found[index], draw(values))
        return InvalidRequest({**params, name: found}, f"{name}.{index + 1}{suffix}", rule)

    return build()


def _duplicated(
    base: SearchStrategy[dict[str, Any]], items: SearchStrategy[list[dict[str, str]]]
) -> SearchStrategy[InvalidRequest]:
    @st.composite
    def build(draw: st.DrawFn) -> InvalidRequest:
        params = draw(base)
        found = draw(items)
        later = draw(st.integers(1, len(found) - 1))
        earlier = draw(st.integers(0, later - 1))
        found[later] = {**found[later], "Key": found[earlier]["Key"]}
        return InvalidRequest({**params, "Tags": found}, f"Tags.{later + 1}.Key", "duplicate-tag-key")

    return build()


def _reserved(shape: Shape) -> SearchStrategy[str]:
    """Values of ``shape`` that start with the reserved ``aws:`` prefix (any case), valid otherwise."""
    prefix = facts.RESERVED_TAG_PREFIX
    return st.builds(
        lambda start, rest: start + rest,
        st.sampled_from([prefix, prefix.upper()]),
        _text(shape, min_size=0, max_size=_limits(shape)[1] - len(prefix)),
    )


def _tag_breakers(
    shape: Shape, base: SearchStrategy[dict[str, Any]]
) -> list[tuple[str, SearchStrategy[InvalidRequest]]]:
    low, high = _limits(shape)
    key_shape, value_shape = shape.member.members["Key"], shape.member.members["Value"]
    some = _tags(shape, min_size=max(low, 1), max_size=high)
    out: list[tuple[str, SearchStrategy[InvalidRequest]]] = []

    def key_broken(values: SearchStrategy[str], rule: str) -> SearchStrategy[InvalidRequest]:
        return _list_item_broken(base, "Tags", some, lambda tag, key: {**tag, "Key": key}, values, ".Key", rule)

    def value_broken(values: SearchStrategy[str], rule: str) -> SearchStrategy[InvalidRequest]:
        return _list_item_broken(base, "Tags", some, lambda tag, value: {**tag, "Value": value}, values, ".Value", rule)

    if "max" in shape.metadata:
        many = _tags(shape, min_size=high + 1, max_size=high + 4)
        out.append(("max-items", _replacing(base, ("Tags",), many, "max-items")))
    if "max" in key_shape.metadata:
        out.append(("max-length", key_broken(_too_long(key_shape, unreserved=True), "max-length")))
    if "pattern" in key_shape.metadata:
        out.append(("pattern", key_broken(_mismatched(key_shape, unreserved=True), "pattern")))
    if "max" in value_shape.metadata:
        out.append(("max-length", value_broken(_too_long(value_shape), "max-length")))
    if "pattern" in value_shape.metadata:
        out.append(("pattern", value_broken(_mismatched(value_shape), "pattern")))
    out.append(("tag-key-reserved", key_broken(_reserved(key_shape), "tag-key-reserved")))
    if high >= 2:
        pairs = _tags(shape, min_size=max(low, 2), max_size=high)
        out.append(("duplicate-tag-key", _duplicated(base, pairs)))
    return out


def _tenant_breakers(
    shape: Shape, base: SearchStrategy[dict[str, Any]]
) -> list[tuple[str, SearchStrategy[InvalidRequest]]]:
    high = _limits(shape)[1]
    item = shape.member
    out: list[tuple[str, SearchStrategy[InvalidRequest]]] = []
    if "max" in shape.metadata:
        many = _lists(
            _text(item), name=shape.name, min_size=high + 1, max_size=high + 3, key=_same, renamed=_renamer(item)
        )
        out.append(("max-items", _replacing(base, ("TenantIds",), many, "max-items")))
    some = _tenant_ids_of(shape)

    def replace(_: str, new: str) -> str:
        return new

    if "max" in item.metadata:
        out.append(
            ("max-length", _list_item_broken(base, "TenantIds", some, replace, _too_long(item), "", "max-length"))
        )
    if "pattern" in item.metadata:
        out.append(("pattern", _list_item_broken(base, "TenantIds", some, replace, _mismatched(item), "", "pattern")))
    return out


def _unsupported_regions(service: str, shape: Shape) -> SearchStrategy[str]:
    known = frozenset(facts.MEDIA_REGIONS[service])
    low, high = _limits(shape)
    near = sorted({f"{r.rsplit('-', 1)[0]}-9" for r in known} - known)
    elsewhere = sorted({"cn-north-1", "cn-northwest-1", "me-south-1", "ap-east-1"} - known)
    made_up = st.text(_FREE, min_size=max(low, 1), max_size=min(high, _DEFAULT_MAX) - 1).map(
        functools.partial(_outside, known=known)
    )
    return st.sampled_from(near + elsewhere) | made_up


def _undashed(meeting: str) -> str:
    return meeting.replace("-", "")


def _not_meeting_ids() -> SearchStrategy[str]:
    ids = meeting_ids()
    size = len(facts.meeting_id(random.Random(0)))
    return st.one_of(
        st.builds(
            lambda m, i, c: m[:i] + c + m[i + 1 :],
            ids,
            st.integers(0, size - 1),
            st.sampled_from("ghijklmnopqrstuvwxyz_"),
        ),
        st.builds(_undashed, ids),
        st.builds(lambda m, n: m[:n], ids, st.integers(2, size - 1)),
    )


def _feature_breakers(
    shape: Shape, base: SearchStrategy[dict[str, Any]]
) -> list[tuple[str, SearchStrategy[InvalidRequest]]]:
    features = _features_of(shape)
    out: list[tuple[str, SearchStrategy[InvalidRequest]]] = []
    for group, group_shape in shape.members.items():
        if group_shape.type_name != "structure":
            continue
        for name, member in group_shape.members.items():
            path = ("MeetingFeatures", group, name)
            enum = getattr(member, "enum", None)
            if enum:
                out.append(("enum", _features_replacing(base, features, path, _not_in(enum), "enum")))
            elif member.type_name in ("integer", "long") and "max" in member.metadata:
                too_big = st.integers(int(member.metadata["max"]) + 1, 2**31 - 1)
                out.append(("max-value", _features_replacing(base, features, path, too_big, "max-value")))
    attendee = shape.members.get("Attendee")
    count = getattr(attendee, "members", {}).get("MaxCount")
    high = [
        (group, name, value)
        for (group, name), value in _HIGH_RESOLUTION.items()
        if value in (getattr(getattr(shape.members.get(group), "members", {}).get(name), "enum", None) or ())
    ]
    if count is not None and high:
        crowd = st.integers(HIGH_RESOLUTION_MAX_ATTENDEES + 1, int(count.metadata.get("max", 250)))
        out.append(("high-resolution-attendees", st.builds(_crowded, base, st.sampled_from(high), crowd)))
    return out


def _crowded(params: dict[str, Any], high: tuple[str, str, str], count: int) -> InvalidRequest:
    """A request with FHD video or UHD content and more attendees than that allows."""
    group, name, value = high
    features = {group: {name: value}, "Attendee": {"MaxCount": count}}
    return InvalidRequest(
        {**params, "MeetingFeatures": features}, "MeetingFeatures.Attendee.MaxCount", "high-resolution-attendees"
    )


def _standard_resolution(features: Mapping[str, Any]) -> dict[str, Any]:
    return {
        group: value
        for group, value in features.items()
        if not any(
            isinstance(value, dict) and value.get(n) == v for (g, n), v in _HIGH_RESOLUTION.items() if g == group
        )
    }


def _features_replacing(
    base: SearchStrategy[dict[str, Any]],
    features: SearchStrategy[dict[str, Any]],
    path: tuple[str, str, str],
    values: SearchStrategy[Any],
    rule: str,
) -> SearchStrategy[InvalidRequest]:
    """Requests whose MeetingFeatures break one member (the rest at standard resolution, valid alone)."""

    def build(params: dict[str, Any], found: dict[str, Any], value: Any) -> InvalidRequest:
        broken = _with(_standard_resolution(found), path[1:], value)
        return InvalidRequest({**params, "MeetingFeatures": broken}, ".".join(path), rule)

    return st.builds(build, base, features, values)


def _notification_breakers(
    service: str, region: str, shape: Shape, base: SearchStrategy[dict[str, Any]]
) -> list[tuple[str, SearchStrategy[InvalidRequest]]]:
    control = facts.control_region(service, region)
    out: list[tuple[str, SearchStrategy[InvalidRequest]]] = []
    for name, member in shape.members.items():
        if name not in facts.NOTIFICATION_ARN_PATTERNS or name not in _ARN_RESOURCES:
            continue
        path = ("NotificationsConfiguration", name)
        others = [
            _arns(o, control, member) for o in facts.NOTIFICATION_ARN_PATTERNS if o != name and o in _ARN_RESOURCES
        ]
        out.append(("arn-target", _replacing(base, path, st.one_of(others), "arn-target")))
        form = _arn_format(name, member.metadata.get("pattern"))
        if form.qualifier_foreign:
            qualifier = st.builds(
                lambda c, rest: c + rest,
                st.sampled_from(form.qualifier_foreign),
                st.text(string.ascii_uppercase, max_size=_QUALIFIER_MAX - 1),
            )
            foreign = st.builds(lambda arn, q: f"{arn}:{q}", _arns(name, control, member, qualified=False), qualifier)
            out.append(("pattern", _replacing(base, path, foreign, "pattern")))
    return out


#: A breaker: the rule it breaks, the request member it replaces, and its requests.
_Breaker = tuple[str, str, SearchStrategy[InvalidRequest]]
#: Operations that create a meeting: the media-region, tag, notification and other meeting rules.
_MEETING_CREATORS: Final = frozenset({"CreateMeeting", "CreateMeetingWithAttendees"})
#: Operations whose Capabilities obey the capability rule (content received only with video).
_CAPABILITY_SETTERS: Final = frozenset(
    {"CreateAttendee", "UpdateAttendeeCapabilities", "BatchUpdateAttendeeCapabilitiesExcept"}
)
#: Operations whose Tags obey the tag-key rules (reserved ``aws:`` prefix, no key twice).
_TAGGERS: Final = frozenset({"CreateAttendee", "TagResource", "TagMeeting", "TagAttendee"})


def _bases(
    service: str, region: str, operation: str, pinned: frozenset[str]
) -> Callable[[str | None], SearchStrategy[dict[str, Any]]]:
    """``base(name)``: valid requests without the pinned members, nor ``name`` when it is optional."""
    required = set(_spec(service, operation).input_shape.required_members)

    def base(without: str | None = None) -> SearchStrategy[dict[str, Any]]:
        # The member about to be replaced is not drawn at all when it is optional.
        left_out = pinned | {without} if without is not None and without not in required else pinned
        return _request_dicts(service, region, operation, left_out)

    return base


def _meeting_breakers(service: str, region: str, operation: str, pinned: frozenset[str]) -> list[_Breaker]:
    """Breakers of a new meeting's members (CreateMeeting's, and CreateMeetingWithAttendees' alike)."""
    members = {name: shape for name, shape in _spec(service, operation).input_shape.members.items()}
    base = _bases(service, region, operation, pinned)
    out: list[_Breaker] = []
    if "MediaRegion" in members:
        out.append(
            (
                "media-region",
                "MediaRegion",
                _replacing(
                    base("MediaRegion"),
                    ("MediaRegion",),
                    _unsupported_regions(service, members["MediaRegion"]),
                    "media-region",
                ),
            )
        )
        control = facts.control_region(service, region)
        foreign = [r for r in facts.MEDIA_REGIONS[service] if facts.partition(r) != facts.partition(control)]
        if foreign:
            out.append(
                (
                    "media-region-partition",
                    "MediaRegion",
                    _replacing(
                        base("MediaRegion"), ("MediaRegion",), st.sampled_from(foreign), "media-region-partition"
                    ),
                )
            )
    for name, member in members.items():
        if member.type_name != "string" or name in _SERVICE_CHECKED or not _spellable(member):
            continue
        enum = getattr(member, "enum", None)
        if enum:
            out.append(("enum", name, _replacing(base(name), (name,), _not_in(enum), "enum")))
            continue
        unreserved = name in _UNRESERVED
        if "max" in member.metadata:
            too_long = _too_long(member, unreserved=unreserved)
            out.append(("max-length", name, _replacing(base(name), (name,), too_long, "max-length")))
        if "pattern" in member.metadata:
            mismatched = _mismatched(member, unreserved=unreserved)
            out.append(("pattern", name, _replacing(base(name), (name,), mismatched, "pattern")))
    if "PrimaryMeetingId" in members:
        out.append(
            (
                "meeting-id",
                "PrimaryMeetingId",
                _replacing(base("PrimaryMeetingId"), ("PrimaryMeetingId",), _not_meeting_ids(), "meeting-id"),
            )
        )
    for name in facts.RESERVED_PREFIX_MEMBERS:
        if name in members:
            reserved = _replacing(base(name), (name,), _reserved(members[name]), "reserved-prefix")
            out.append(("reserved-prefix", name, reserved))
    if "Tags" in members:
        out += [(rule, "Tags", found) for rule, found in _tag_breakers(members["Tags"], base("Tags"))]
    if "TenantIds" in members:
        out += [(rule, "TenantIds", found) for rule, found in _tenant_breakers(members["TenantIds"], base("TenantIds"))]
    if "MeetingFeatures" in members:
        features = _feature_breakers(members["MeetingFeatures"], base("MeetingFeatures"))
        out += [(rule, "MeetingFeatures", found) for rule, found in features]
    if "NotificationsConfiguration" in members:
        notifications = _notification_breakers(service, region, members["NotificationsConfiguration"], base(None))
        out += [(rule, "NotificationsConfiguration", found) for rule, found in notifications]
    return [item for item in out if item[1] not in pinned]


@functools.cache
def _breakers(service: str, region: str) -> tuple[tuple[str, SearchStrategy[InvalidRequest]], ...]:
    return tuple((rule, found) for rule, _, found in _meeting_breakers(service, region, "CreateMeeting", frozenset()))


def _chosen(
    found: Iterable[tuple[str, SearchStrategy[InvalidRequest]]], rules: Iterable[str] | None, where: str
) -> SearchStrategy[InvalidRequest]:
    """One of the breakers, those of ``rules`` only if given (InvalidArgument for a rule none breaks)."""
    found = tuple(found)
    if rules is not None:
        wanted = set(rules)
        available = {rule for rule, _ in found}
        missing = sorted(wanted - available)
        if missing:
            raise InvalidArgument(
                f"rules {', '.join(missing)} cannot be broken on {where} with botocore "
                f"{model.botocore_version()}; available: {', '.join(sorted(available))}"
            )
        found = tuple(item for item in found if item[0] in wanted)
        if not found:
            raise InvalidArgument("rules=[] leaves no rule to break: name at least one")
    if not found:
        raise InvalidArgument(f"{where} has no rule left to break: every member it could break is pinned")
    return st.one_of([strategy for _, strategy in found])


def invalid_create_meeting_requests(
    *, service: str = facts.MODERN, region: str = facts.DEFAULT_REGION, rules: Iterable[str] | None = None
) -> SearchStrategy[InvalidRequest]:
    """Generates :class:`InvalidRequest`\\ s: requests the service rejects for exactly one rule.

    Each ``params`` is a request from :func:`create_meeting_requests` with one member
    broken: it still passes botocore's client-side validation (types, required members,
    ``min``), but breaks one rule only the server checks: a ``max`` length, count or value,
    a pattern, an enum, the media-region list or partition, a reserved or duplicate tag
    key, a notification ARN's target, or PrimaryMeetingId's format. Which rules exist
    follows the installed model. ``member`` and ``rule`` name the broken rule as the fake's
    :class:`pytest_chime.validate.Violation` does; ``rules`` keeps only some of
    :data:`INVALID_RULES`.
    """
    return _chosen(_breakers(service, region), rules, repr(service))


# --- any operation: the model's constraints, read off the shapes ------------------------------

#: A value with one rule broken, and the path below the member to the broken part ("" for the value).
_Broken = tuple[Any, str]
#: Breaks a member's valid value (None when the request left it out), drawing only what it needs.
#: Breaking the drawn request's own value, rather than drawing a second one to break, keeps a
#: label from appearing twice with different structures in one example, which Hypothesis's
#: mutations would turn into overruns.
_Breaking = Callable[[st.DrawFn, Any], _Broken]
#: Members (at any depth) whose values must not start with ``aws:``: a service rule besides the model's.
_NEVER_RESERVED: Final = frozenset({*facts.RESERVED_PREFIX_MEMBERS, "ExternalUserId", "Key"})


def _below(name: str, sub: str) -> str:
    return f"{name}.{sub}" if sub else name


def _is_id(shape: Shape) -> bool:
    """Whether ``shape``'s pattern is an id's: not one character class, and a MeetingId matches it."""
    pattern = shape.metadata.get("pattern")
    return (
        pattern is not None
        and not _spellable(shape)
        and re.fullmatch(pattern, facts.meeting_id(random.Random(0))) is not None
    )


def _string_breakers(name: str | None, shape: Shape) -> list[tuple[str, SearchStrategy[Any]]]:
    if name == "ResourceARN":
        return _arn_breakers(shape)
    if name in ("FromPhoneNumber", "ToPhoneNumber"):
        return [("pattern", _not_phone_numbers())]
    if _is_id(shape):
        return [("pattern", _not_meeting_ids())]
    enum = getattr(shape, "enum", None)
    if enum:
        return [("enum", _not_in(enum))]
    if not _spellable(shape):  # a pattern no alphabet spells (none in today's models): nothing to break with
        return []
    unreserved = name in _NEVER_RESERVED
    out: list[tuple[str, SearchStrategy[Any]]] = []
    if "max" in shape.metadata:
        out.append(("max-length", _too_long(shape, unreserved=unreserved)))
    if "pattern" in shape.metadata:
        out.append(("pattern", _mismatched(shape, unreserved=unreserved)))
    return out


def _arn_breakers(shape: Shape) -> list[tuple[str, SearchStrategy[Any]]]:
    """A meeting ARN that does not start ``arn`` (every model's pattern asks it to), or one too long."""
    arns = _meeting_arns(facts.MODERN, facts.DEFAULT_REGION)
    out: list[tuple[str, SearchStrategy[Any]]] = [("pattern", st.builds(_upper_scheme, arns))]
    if "max" in shape.metadata:
        high = int(shape.metadata["max"])
        tail = st.text(string.ascii_lowercase + string.digits, min_size=high - 3, max_size=high - 4 + _OVERSHOOT)
        out.append(("max-length", st.builds("arn:{}".format, tail)))
    return out


def _upper_scheme(arn: str) -> str:
    return "ARN" + arn[3:]


def _not_phone_numbers() -> SearchStrategy[str]:
    """Numbers E.164 refuses: over 15 digits, a leading 0, or a letter among the digits."""
    digits = st.text(string.digits, min_size=1, max_size=13)
    return st.one_of(
        st.builds("+1{}".format, st.text(string.digits, min_size=15, max_size=20)),
        st.builds("+0{}".format, digits),
        st.builds("+1{}x{}".format, digits, digits),
    )


def _sized(
    service: str, region: str, operation: str, name: str | None, shape: Shape, min_size: int, max_size: int
) -> SearchStrategy[list[Any]] | None:
    """Valid-item lists of ``shape`` with ``min_size`` to ``max_size`` items (items distinct where they must be)."""
    if name == "Tags":
        return _tags(shape, min_size=min_size, max_size=max_size)
    if name == "Attendees":
        return _attendee_lists(service, region, operation, shape, min_size=min_size, max_size=max_size)
    item = _value_of(service, region, operation, None, shape.member)
    if item is None:
        return None
    return _lists(item, name=shape.name, min_size=min_size, max_size=max_size)


def _replaced_by(values: SearchStrategy[Any]) -> _Breaking:
    """The value replaced by one drawn from ``values``."""

    def breaking(draw: st.DrawFn, old: Any) -> _Broken:
        return draw(values), ""

    return breaking


def _item_broken(some: SearchStrategy[list[Any]], inner: _Breaking) -> _Breaking:
    """The list (a drawn one where there is none) with one item broken by ``inner``."""

    def breaking(draw: st.DrawFn, old: Any) -> _Broken:
        found = list(old) if isinstance(old, list) and old else draw(some)
        index = draw(st.integers(0, len(found) - 1))
        found[index], sub = inner(draw, found[index])
        return found, _below(str(index + 1), sub)

    return breaking


def _fix_capabilities(shape: Shape) -> Callable[[dict[str, Any], str], dict[str, Any]]:
    """A Capabilities dict with one channel broken, its Content made not to break the capability rule too."""
    allowed = [v for v in getattr(shape.members.get("Content"), "enum", None) or () if v not in facts.RECEIVING]

    def fixed(found: dict[str, Any], name: str) -> dict[str, Any]:
        if allowed and capability_rule(found):
            return {**found, "Content": allowed[0]}
        return found

    return fixed


def _one_engine(found: dict[str, Any], name: str) -> dict[str, Any]:
    """A TranscriptionConfiguration with the broken engine alone (two would break the one-engine rule)."""
    return {name: found[name]}


def _member_broken(
    structures: SearchStrategy[dict[str, Any]],
    name: str,
    inner: _Breaking,
    fixed: Callable[[dict[str, Any], str], dict[str, Any]] | None,
) -> _Breaking:
    """The structure (a drawn one where there is none) with member ``name`` broken by ``inner``.

    ``fixed(structure, name)`` undoes what the broken member would break besides.
    """

    def breaking(draw: st.DrawFn, old: Any) -> _Broken:
        found = old if isinstance(old, dict) else draw(structures)
        value, sub = inner(draw, found.get(name))
        out = {**found, name: value}
        return (fixed(out, name) if fixed is not None else out), _below(name, sub)

    return breaking


def _value_breakers(
    service: str, region: str, operation: str, name: str | None, shape: Shape, *, top: bool = False
) -> list[tuple[str, _Breaking]]:
    """How member ``name`` (None: a list item) of ``shape`` breaks each model constraint it has."""
    kind = shape.type_name
    if kind == "string":
        return [(rule, _replaced_by(values)) for rule, values in _string_breakers(name, shape)]
    if kind in ("integer", "long") and "max" in shape.metadata:
        return [("max-value", _replaced_by(st.integers(int(shape.metadata["max"]) + 1, 2**31 - 1)))]
    if kind == "list":
        low, high = _list_limits(shape, operation, name if top else None)
        out: list[tuple[str, _Breaking]] = []
        if high is not None:
            many = _sized(service, region, operation, name, shape, high + 1, high + 3)
            if many is not None:
                out.append(("max-items", _replaced_by(many)))
        few = max(low, 1)
        some = _sized(service, region, operation, name, shape, few, max(few, min(5, high if high is not None else 5)))
        if some is not None:
            for rule, inner in _value_breakers(service, region, operation, None, shape.member):
                out.append((rule, _item_broken(some, inner)))
        return out
    if kind == "structure":
        structures = _structure(service, region, operation, shape)
        fixed = _fix_capabilities(shape) if name == "Capabilities" else None
        if name == "TranscriptionConfiguration":
            fixed = _one_engine
        return [
            (rule, _member_broken(structures, member, inner, fixed))
            for member, member_shape in shape.members.items()
            for rule, inner in _value_breakers(service, region, operation, member, member_shape)
        ]
    return []


def _broken_requests(
    base: SearchStrategy[dict[str, Any]], name: str, rule: str, breaking: _Breaking
) -> SearchStrategy[InvalidRequest]:
    """Valid requests with member ``name`` broken by ``breaking``."""

    @st.composite
    def build(draw: st.DrawFn, _name: str = f"{name}/{rule}") -> InvalidRequest:
        # _name's default gives each member's and rule's composite a label of its own.
        params = draw(base)
        value, sub = breaking(draw, params.get(name))
        return InvalidRequest({**params, name: value}, _below(name, sub), rule)

    return build()


def _model_breakers(
    service: str, region: str, operation: str, names: Iterable[str], pinned: frozenset[str]
) -> list[_Breaker]:
    """Breakers of the model's constraints on the request members ``names``."""
    members = _spec(service, operation).input_shape.members
    out: list[_Breaker] = []
    for name in names:
        for rule, breaking in _value_breakers(service, region, operation, name, members[name], top=True):
            # A list made too long is drawn whole: the request's own one is not drawn as well.
            left_out = pinned | {name} if rule == "max-items" else pinned
            out.append(
                (
                    rule,
                    name,
                    _broken_requests(_request_dicts(service, region, operation, left_out), name, rule, breaking),
                )
            )
    return out


def _service_rule_breakers(
    service: str, region: str, operation: str, base: Callable[[str | None], SearchStrategy[dict[str, Any]]]
) -> tuple[list[_Breaker], set[str]]:
    """Breakers of the service rules of operations that create no meeting, and the members they cover.

    CreateAttendee's reserved ``aws:`` prefix; the capability rule of every operation that
    sets capabilities; the tag-key rules of every operation that tags (the tag breakers
    break the tags' model constraints too); StartMeetingTranscription's one engine.
    """
    members = _spec(service, operation).input_shape.members
    out: list[_Breaker] = []
    covered: set[str] = set()
    if operation == "CreateAttendee" and "ExternalUserId" in members:
        reserved = _reserved(members["ExternalUserId"])
        out.append(
            (
                "reserved-prefix",
                "ExternalUserId",
                _replacing(base("ExternalUserId"), ("ExternalUserId",), reserved, "reserved-prefix"),
            )
        )
    capabilities = members.get("Capabilities")
    if operation in _CAPABILITY_SETTERS and capabilities is not None:
        refused = _refused_capabilities(capabilities)
        if refused is not None:
            broken = st.builds(
                functools.partial(_with_capabilities, "capabilities-content-video"), base("Capabilities"), refused
            )
            out.append(("capabilities-content-video", "Capabilities", broken))
    if operation in _TAGGERS and "Tags" in members:
        out += [(rule, "Tags", found) for rule, found in _tag_breakers(members["Tags"], base("Tags"))]
        covered.add("Tags")
    configuration = members.get("TranscriptionConfiguration")
    if operation == "StartMeetingTranscription" and configuration is not None:
        engines = {
            name: _structure(service, region, operation, member, at_least_one=True)
            for name, member in configuration.members.items()
            if member.type_name == "structure"
        }
        not_one = st.one_of(st.just({}), _dicts(engines, {}))  # no engine, or every one
        broken = st.builds(functools.partial(_with_configuration, "one-engine"), base(configuration.name), not_one)
        out.append(("one-engine", "TranscriptionConfiguration", broken))
    return out, covered


def _refused_capabilities(shape: Shape) -> SearchStrategy[dict[str, str]] | None:
    """Capabilities that receive content without receiving video (each value in its enum)."""
    enums = {name: list(getattr(member, "enum", None) or ()) for name, member in shape.members.items()}
    video = [v for v in enums.get("Video", []) if v not in facts.RECEIVING]
    content = [v for v in enums.get("Content", []) if v in facts.RECEIVING]
    if not video or not content:
        return None
    channels = {name: st.sampled_from(values) for name, values in enums.items() if values}
    channels |= {"Video": st.sampled_from(video), "Content": st.sampled_from(content)}
    return st.fixed_dictionaries(channels)


def _with_capabilities(rule: str, params: dict[str, Any], capabilities: dict[str, str]) -> InvalidRequest:
    return InvalidRequest({**params, "Capabilities": capabilities}, "Capabilities.Content", rule)


def _with_configuration(rule: str, params: dict[str, Any], configuration: dict[str, Any]) -> InvalidRequest:
    return InvalidRequest({**params, "TranscriptionConfiguration": configuration}, "TranscriptionConfiguration", rule)


@functools.cache
def _operation_breakers(
    service: str, region: str, operation: str, pinned: frozenset[str]
) -> tuple[tuple[str, SearchStrategy[InvalidRequest]], ...]:
    """Every breaker of ``operation``'s members but the pinned ones: its service rules' and its model's."""
    members = _spec(service, operation).input_shape.members

    def base(without: str | None) -> SearchStrategy[dict[str, Any]]:
        # The member about to be replaced is not drawn, required or not.
        return _request_dicts(service, region, operation, pinned | ({without} if without is not None else set()))

    out: list[_Breaker] = []
    handled: set[str] = set()
    if operation in _MEETING_CREATORS:
        out += _meeting_breakers(service, region, operation, pinned)
        handled |= set(_spec(service).input_shape.members)  # CreateMeeting's members, broken as above
    else:
        found, covered = _service_rule_breakers(service, region, operation, base)
        out += found
        handled |= covered
    names = [name for name in members if name not in handled and name not in pinned]
    out += _model_breakers(service, region, operation, names, pinned)
    return tuple((rule, found) for rule, member, found in out if member not in pinned)


def _pins_applied(values: dict[str, Any], found: InvalidRequest) -> InvalidRequest:
    return InvalidRequest({**found.params, **values}, found.member, found.rule) if values else found


@st.composite
def invalid_requests(
    draw: st.DrawFn,
    /,
    operation: str,
    *,
    service: str = facts.MODERN,
    region: str = facts.DEFAULT_REGION,
    rules: Iterable[str] | None = None,
    **pinned: Any,
) -> InvalidRequest:
    """Generates :class:`InvalidRequest`\\ s for ``operation``: requests the service rejects for exactly one rule.

    Each ``params`` is a request from :func:`requests` with one member broken so that it
    still passes botocore's client-side validation but the fake, like the service, answers
    BadRequestException naming ``member``. Broken are the model's constraints the server
    checks (``max`` lengths, counts and values, patterns such as a MeetingId's, an ARN's or
    a phone number's, enums) and the operation's service rules: CreateMeeting's and
    CreateMeetingWithAttendees' as :func:`invalid_create_meeting_requests` breaks them,
    CreateAttendee's reserved ``aws:`` prefix, the capability combination wherever
    capabilities are set, the tag-key rules wherever tags are added, and
    StartMeetingTranscription's one engine. In BatchCreateAttendee and
    CreateMeetingWithAttendees a per-attendee service rule fails that attendee only (in
    ``Errors``), so only the model's constraints are broken inside ``Attendees``.

    Pins work as in :func:`requests`; a pinned member is never the broken one. ``rules``
    keeps only some of :data:`INVALID_RULES`. Bad arguments raise
    :class:`~hypothesis.errors.InvalidArgument` when the test runs.
    """
    left_out, values = _pinned("invalid_requests", operation, service, pinned)
    wanted = None if rules is None else tuple(rules)
    found = draw(_invalid_strategy(service, region, operation, left_out, wanted))
    return _pins_applied(values, found)


@functools.cache
def _invalid_strategy(
    service: str, region: str, operation: str, pinned: frozenset[str], rules: tuple[str, ...] | None
) -> SearchStrategy[InvalidRequest]:
    return _chosen(_operation_breakers(service, region, operation, pinned), rules, f"{service} {operation}")
