"""Invalid requests: a valid request with exactly one rule broken, and the rule named."""

from __future__ import annotations

import functools
import random
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from .. import facts, model
from .shapes import (
    _DEFAULT_MAX,
    _FREE,
    _limits,
    _lists,
    _mismatched,
    _not_in,
    _outside,
    _renamer,
    _snake,
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
    _control_region,
    _member,
    _same,
    _spec,
    _tags,
    create_meeting_requests,
    meeting_features,
    meeting_ids,
    tenant_ids,
)

if TYPE_CHECKING:
    from botocore.model import Shape


#: The rules :func:`invalid_create_meeting_requests` breaks, named as
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
)
#: Members whose values must not start with the reserved prefix.
_UNRESERVED: Final = frozenset(facts.RESERVED_PREFIX_MEMBERS)
#: Members a service rule checks besides the model (a too-long value would break two rules).
_SERVICE_CHECKED: Final = frozenset({"MediaRegion", "PrimaryMeetingId", "NotificationsConfiguration"})


@dataclass(frozen=True)
class InvalidRequest:
    """A CreateMeeting request that breaks exactly one server-side rule.

    ``params`` passes botocore's client-side validation (types, required members, ``min``)
    but the service rejects it with BadRequestException. ``member`` and ``rule`` name what
    it breaks exactly as the fake's :class:`pytest_chime.validate.Violation` does: ``member``
    is a path such as ``"MediaRegion"`` or ``"Tags.2.Key"`` (list positions count from 1),
    ``rule`` one of :data:`INVALID_RULES`. So
    ``validate.violations(spec, params, region)`` is exactly one Violation with that member
    and rule, and the BadRequestException's message names the member.
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
    service: str, base: SearchStrategy[dict[str, Any]]
) -> list[tuple[str, SearchStrategy[InvalidRequest]]]:
    shape = _member(service, "Tags")
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
    service: str, base: SearchStrategy[dict[str, Any]]
) -> list[tuple[str, SearchStrategy[InvalidRequest]]]:
    shape = _member(service, "TenantIds")
    high = _limits(shape)[1]
    item = shape.member
    out: list[tuple[str, SearchStrategy[InvalidRequest]]] = []
    if "max" in shape.metadata:
        many = _lists(
            _text(item), name=shape.name, min_size=high + 1, max_size=high + 3, key=_same, renamed=_renamer(item)
        )
        out.append(("max-items", _replacing(base, ("TenantIds",), many, "max-items")))
    some = tenant_ids(service=service)

    def replace(_: str, new: str) -> str:
        return new

    if "max" in item.metadata:
        out.append(
            ("max-length", _list_item_broken(base, "TenantIds", some, replace, _too_long(item), "", "max-length"))
        )
    if "pattern" in item.metadata:
        out.append(("pattern", _list_item_broken(base, "TenantIds", some, replace, _mismatched(item), "", "pattern")))
    return out


def _unsupported_regions(service: str) -> SearchStrategy[str]:
    known = frozenset(facts.MEDIA_REGIONS[service])
    low, high = _limits(_member(service, "MediaRegion"))
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
    service: str, base: SearchStrategy[dict[str, Any]]
) -> list[tuple[str, SearchStrategy[InvalidRequest]]]:
    shape = _member(service, "MeetingFeatures")
    features = meeting_features(service=service)
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
    service: str, region: str, base: SearchStrategy[dict[str, Any]]
) -> list[tuple[str, SearchStrategy[InvalidRequest]]]:
    shape = _member(service, "NotificationsConfiguration")
    control = _control_region(service, region)
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


@functools.cache
def _breakers(service: str, region: str) -> tuple[tuple[str, SearchStrategy[InvalidRequest]], ...]:
    shape = _spec(service).input_shape
    members = shape.members
    required = set(shape.required_members)

    def base(without: str | None = None) -> SearchStrategy[dict[str, Any]]:
        # The member about to be replaced is not drawn at all when it is optional.
        pins = {_snake(without): None} if without is not None and without not in required else {}
        return create_meeting_requests(service=service, region=region, **pins)

    out: list[tuple[str, SearchStrategy[InvalidRequest]]] = []
    if "MediaRegion" in members:
        out.append(
            (
                "media-region",
                _replacing(base("MediaRegion"), ("MediaRegion",), _unsupported_regions(service), "media-region"),
            )
        )
        control = _control_region(service, region)
        foreign = [r for r in facts.MEDIA_REGIONS[service] if facts.partition(r) != facts.partition(control)]
        if foreign:
            out.append(
                (
                    "media-region-partition",
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
            out.append(("enum", _replacing(base(name), (name,), _not_in(enum), "enum")))
            continue
        unreserved = name in _UNRESERVED
        if "max" in member.metadata:
            out.append(
                ("max-length", _replacing(base(name), (name,), _too_long(member, unreserved=unreserved), "max-length"))
            )
        if "pattern" in member.metadata:
            out.append(
                ("pattern", _replacing(base(name), (name,), _mismatched(member, unreserved=unreserved), "pattern"))
            )
    if "PrimaryMeetingId" in members:
        out.append(
            (
                "meeting-id",
                _replacing(base("PrimaryMeetingId"), ("PrimaryMeetingId",), _not_meeting_ids(), "meeting-id"),
            )
        )
    for name in facts.RESERVED_PREFIX_MEMBERS:
        if name in members:
            out.append(
                ("reserved-prefix", _replacing(base(name), (name,), _reserved(members[name]), "reserved-prefix"))
            )
    if "Tags" in members:
        out += _tag_breakers(service, base("Tags"))
    if "TenantIds" in members:
        out += _tenant_breakers(service, base("TenantIds"))
    if "MeetingFeatures" in members:
        out += _feature_breakers(service, base("MeetingFeatures"))
    if "NotificationsConfiguration" in members:
        out += _notification_breakers(service, region, base())
    return tuple(out)


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
    found = _breakers(service, region)
    if rules is not None:
        wanted = set(rules)
        available = {rule for rule, _ in found}
        missing = sorted(wanted - available)
        if missing:
            raise InvalidArgument(
                f"rules {', '.join(missing)} cannot be broken on {service!r} with botocore "
                f"{model.botocore_version()}; available: {', '.join(sorted(available))}"
            )
        found = tuple(item for item in found if item[0] in wanted)
        if not found:
            raise InvalidArgument("rules=[] leaves no rule to break: name at least one")
    return st.one_of([strategy for _, strategy in found])
