"""Invalid requests: a valid request with exactly one rule broken, the rule named as the fake names it."""

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

from .. import caches, facts, model, operations, validate
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
    _implemented,
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


def _declared(operation: str) -> list[tuple[str, tuple[str, ...] | None]]:
    """The service rules the table declares for ``operation``: (rule name, the members its check reads)."""
    out: list[tuple[str, tuple[str, ...] | None]] = []
    found = operations.find(operation)
    for check in found.rules if found is not None else ():
        info = validate.rule_info(check)
        out += [(name, info.reads) for name in info.names]
    return out


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


def _tag_items_broken(
    site: _Site, name: str, field: str, values: SearchStrategy[str], rule: str, *, min_size: int = 1
) -> SearchStrategy[InvalidRequest]:
    """Requests whose tag list ``name`` has one tag's ``field`` (Key or Value) replaced by one of ``values``."""
    shape = site.members[name]
    low, high = _limits(shape)
    some = _tags(shape, min_size=max(low, min_size), max_size=high)
    return _list_item_broken(
        site.base(name), name, some, lambda tag, value: {**tag, field: value}, values, f".{field}", rule
    )


def _tag_breakers(site: _Site, name: str) -> list[tuple[str, SearchStrategy[InvalidRequest]]]:
    """The model's constraints on a tag list: its length, each key's and value's length and pattern."""
    shape = site.members[name]
    high = _limits(shape)[1]
    key_shape, value_shape = shape.member.members["Key"], shape.member.members["Value"]
    out: list[tuple[str, SearchStrategy[InvalidRequest]]] = []
    if "max" in shape.metadata:
        many = _tags(shape, min_size=high + 1, max_size=high + 4)
        out.append(("max-items", _replacing(site.base(name), (name,), many, "max-items")))
    for field, field_shape, unreserved in (("Key", key_shape, True), ("Value", value_shape, False)):
        if "max" in field_shape.metadata:
            too_long = _too_long(field_shape, unreserved=unreserved)
            out.append(("max-length", _tag_items_broken(site, name, field, too_long, "max-length")))
        if "pattern" in field_shape.metadata:
            mismatched = _mismatched(field_shape, unreserved=unreserved)
            out.append(("pattern", _tag_items_broken(site, name, field, mismatched, "pattern")))
    return out


def _reserved_tag_keys(site: _Site, name: str) -> SearchStrategy[InvalidRequest] | None:
    key_shape = site.members[name].member.members["Key"]
    return _tag_items_broken(site, name, "Key", _reserved(key_shape), "tag-key-reserved")


def _duplicate_tag_keys(site: _Site, name: str) -> SearchStrategy[InvalidRequest] | None:
    shape = site.members[name]
    low, high = _limits(shape)
    if high < 2:
        return None
    return _duplicated(site.base(name), _tags(shape, min_size=max(low, 2), max_size=high))


def _tenant_breakers(site: _Site, name: str) -> list[tuple[str, SearchStrategy[InvalidRequest]]]:
    """The model's constraints on TenantIds: its length, each id's length and pattern."""
    shape, base = site.members[name], site.base(name)
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


def _unsupported_media_regions(site: _Site, name: str) -> SearchStrategy[InvalidRequest] | None:
    return _replacing(site.base(name), (name,), _unsupported_regions(site.service, site.members[name]), "media-region")


def _foreign_media_regions(site: _Site, name: str) -> SearchStrategy[InvalidRequest] | None:
    """Media regions outside the control region's partition (None where the service has none)."""
    control = facts.control_region(site.service, site.region)
    foreign = [r for r in facts.MEDIA_REGIONS[site.service] if facts.partition(r) != facts.partition(control)]
    if not foreign:
        return None
    return _replacing(site.base(name), (name,), st.sampled_from(foreign), "media-region-partition")


def _not_meeting_id(site: _Site, name: str) -> SearchStrategy[InvalidRequest] | None:
    return _replacing(site.base(name), (name,), _not_meeting_ids(), "meeting-id")


def _foreign_sources(site: _Site, name: str) -> SearchStrategy[InvalidRequest] | None:
    """A SourceArn the model's pattern allows that names no meeting: another service's resource, a
    meeting ARN with a region and ``:``, an id that is not a MeetingId."""
    ids = meeting_ids()
    values = st.one_of(
        st.builds("arn:aws:sqs:us-east-1:123456789012:{}".format, st.sampled_from(("queue", "meeting"))),
        st.builds("arn:aws:chime:us-east-1:123456789012:meeting:{}".format, ids),
        st.builds("arn:aws:chime::123456789012:meeting/{}".format, _not_meeting_ids()),
        st.builds("arn:aws:chime::123456789012:attendee/{}".format, ids),
    )
    return _replacing(site.base(name), (name,), values, "source-arn")


def _foreign_sinks(site: _Site, name: str) -> SearchStrategy[InvalidRequest] | None:
    """A SinkArn the model's pattern allows that names no S3 bucket: another service's resource, a bucket
    name S3 refuses."""
    values = st.sampled_from(
        (
            "arn:aws:sns:us-east-1:123456789012:recordings",
            "arn:aws:s3:::Recordings",
            "arn:aws:s3:::ab",
            "arn:aws:s3:::-bucket",
            "arn:aws:s3:::my_bucket/prefix",
            "arn:aws:s3:us-east-1:123456789012:bucket",
        )
    )
    return _replacing(site.base(name), (name,), values, "sink-arn")


_BAD_SOURCES: Final = (
    "arn:aws:sqs:us-east-1:123456789012:meeting",
    "arn:aws:chime:us-east-1:123456789012:meeting:1e6bf4f5-f4b5-4917-b8c9-bda45c340706",
    "arn:aws:chime::123456789012:attendee/1e6bf4f5-f4b5-4917-b8c9-bda45c340706",
    "arn:aws:chime::123456789012:meeting/standup",
)
_BAD_S3_SINKS: Final = ("arn:aws:sns:us-east-1:123456789012:recordings", "arn:aws:s3:::Recordings", "arn:aws:s3:::ab")
#: Rules on a list item's member: (operation, rule) -> (the list member, the path in its first item, values
#: the model's constraints allow that break the rule).
_NESTED: Final[dict[tuple[str, str], tuple[str, tuple[str, ...], tuple[str, ...]]]] = {
    ("CreateMediaConcatenationPipeline", "s3-destination"): (
        "Sinks",
        ("S3BucketSinkConfiguration", "Destination"),
        _BAD_S3_SINKS,
    ),
    ("CreateMediaLiveConnectorPipeline", "meeting-source-arn"): (
        "Sources",
        ("ChimeSdkMeetingLiveConnectorConfiguration", "Arn"),
        _BAD_SOURCES,
    ),
    ("CreateMediaLiveConnectorPipeline", "rtmp-url"): (
        "Sinks",
        ("RTMPConfiguration", "Url"),
        ("https://live.example.com/app", "rtmp://", "srt://live.example.com:9000"),
    ),
    ("CreateMediaStreamPipeline", "meeting-source-arn"): ("Sources", ("SourceArn",), _BAD_SOURCES),
    ("CreateMediaStreamPipeline", "kvs-pool-arn"): (
        "Sinks",
        ("SinkArn",),
        ("arn:aws:kinesisvideo:us-east-1:123456789012:stream/chime/1", "arn:aws:s3:::recordings"),
    ),
}


def _nested_breaker(rule: str) -> Callable[[_Site, str], SearchStrategy[InvalidRequest] | None]:
    """Break ``rule`` in the first item of the list member it reads (per ``_NESTED``)."""

    def make(site: _Site, name: str) -> SearchStrategy[InvalidRequest] | None:
        found = _NESTED.get((site.operation, rule))
        if found is None or found[0] != name:
            return None
        member, path, values = found

        def build(params: dict[str, Any], value: str) -> InvalidRequest:
            items = list(params[member])
            items[0] = _with(items[0], path, value)
            return InvalidRequest({**params, member: items}, ".".join((member, "1", *path)), rule)

        return st.builds(build, site.base(None), st.sampled_from(values))

    return make


def _reserved_values(site: _Site, name: str) -> SearchStrategy[InvalidRequest] | None:
    return _replacing(site.base(name), (name,), _reserved(site.members[name]), "reserved-prefix")


def _feature_breakers(site: _Site, name: str) -> list[tuple[str, SearchStrategy[InvalidRequest]]]:
    """The model's constraints on MeetingFeatures (enums, ``max`` values), the rest at standard resolution."""
    shape, base = site.members[name], site.base(name)
    features = _features_of(shape)
    out: list[tuple[str, SearchStrategy[InvalidRequest]]] = []
    for group, group_shape in shape.members.items():
        if group_shape.type_name != "structure":
            continue
        for member_name, member in group_shape.members.items():
            path = (name, group, member_name)
            enum = getattr(member, "enum", None)
            if enum:
                out.append(("enum", _features_replacing(base, features, path, _not_in(enum), "enum")))
            elif member.type_name in ("integer", "long") and "max" in member.metadata:
                too_big = st.integers(int(member.metadata["max"]) + 1, 2**31 - 1)
                out.append(("max-value", _features_replacing(base, features, path, too_big, "max-value")))
    return out


def _crowded_meetings(site: _Site, name: str) -> SearchStrategy[InvalidRequest] | None:
    """FHD video or UHD content with more attendees than that allows (None where the model has neither)."""
    shape = site.members[name]
    attendee = shape.members.get("Attendee")
    count = getattr(attendee, "members", {}).get("MaxCount")
    high = [
        (group, member, value)
        for (group, member), value in _HIGH_RESOLUTION.items()
        if value in (getattr(getattr(shape.members.get(group), "members", {}).get(member), "enum", None) or ())
    ]
    if count is None or not high:
        return None
    crowd = st.integers(HIGH_RESOLUTION_MAX_ATTENDEES + 1, int(count.metadata.get("max", 250)))
    return st.builds(_crowded, site.base(name), st.sampled_from(high), crowd)


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


def _notification_targets(shape: Shape) -> dict[str, Shape]:
    """The notification targets whose ARNs the fake checks: member name -> shape."""
    return {
        name: member
        for name, member in shape.members.items()
        if name in facts.NOTIFICATION_ARN_PATTERNS and name in _ARN_RESOURCES
    }


def _wrong_targets(site: _Site, name: str) -> SearchStrategy[InvalidRequest] | None:
    """A notification target given another target's ARN (an SQS queue's for the SNS topic)."""
    control = facts.control_region(site.service, site.region)
    targets = _notification_targets(site.members[name])
    broken = []
    for target, member in targets.items():
        others = [_arns(other, control, member) for other in targets if other != target]
        broken.append(_replacing(site.base(None), (name, target), st.one_of(others), "arn-target"))
    return st.one_of(broken) if broken else None


def _notification_breakers(site: _Site, name: str) -> list[tuple[str, SearchStrategy[InvalidRequest]]]:
    """The model's patterns of notification ARNs: a qualifier the target allows but the pattern does not."""
    control = facts.control_region(site.service, site.region)
    out: list[tuple[str, SearchStrategy[InvalidRequest]]] = []
    for target, member in _notification_targets(site.members[name]).items():
        form = _arn_format(target, member.metadata.get("pattern"))
        if form.qualifier_foreign:
            qualifier = st.builds(
                lambda c, rest: c + rest,
                st.sampled_from(form.qualifier_foreign),
                st.text(string.ascii_uppercase, max_size=_QUALIFIER_MAX - 1),
            )
            unqualified = _arns(target, control, member, qualified=False)
            foreign = st.builds(lambda arn, q: f"{arn}:{q}", unqualified, qualifier)
            out.append(("pattern", _replacing(site.base(None), (name, target), foreign, "pattern")))
    return out


#: A breaker: the rule it breaks, the request member it replaces, and its requests.
_Breaker = tuple[str, str, SearchStrategy[InvalidRequest]]


@dataclass(frozen=True)
class _Site:
    """The operation whose requests are broken, for a client of ``service`` in ``region``."""

    service: str
    region: str
    operation: str
    #: The request's members: name -> shape.
    members: Mapping[str, Shape]
    #: ``base(name)``: valid requests without the pinned members nor ``name`` (None: the pinned only).
    base: Callable[[str | None], SearchStrategy[dict[str, Any]]]


@caches.cached(maxsize=256)
def _breakers(service: str, region: str) -> tuple[tuple[str, SearchStrategy[InvalidRequest]], ...]:
    return _operation_breakers(service, region, "CreateMeeting", frozenset())


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
#: Members (at any depth) whose values must not start with ``aws:``: those the table's
#: reserved-prefix rules read, and tag keys.
_NEVER_RESERVED: Final = frozenset(
    {"Key"}
    | {
        member
        for operation in operations.names()
        for rule, reads in _declared(operation)
        if rule == "reserved-prefix"
        for member in reads or ()
    }
)


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


def _refused_capability_sets(site: _Site, name: str) -> SearchStrategy[InvalidRequest] | None:
    refused = _refused_capabilities(site.members[name])
    if refused is None:
        return None
    return st.builds(functools.partial(_with_capabilities, "capabilities-content-video"), site.base(name), refused)


def _engines_not_one(site: _Site, name: str) -> SearchStrategy[InvalidRequest] | None:
    """A TranscriptionConfiguration naming no engine, or every one."""
    engines = {
        engine: _structure(site.service, site.region, site.operation, member, at_least_one=True)
        for engine, member in site.members[name].members.items()
        if member.type_name == "structure"
    }
    not_one = st.one_of(st.just({}), _dicts(engines, {}))
    return st.builds(functools.partial(_with_configuration, "one-engine"), site.base(name), not_one)


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


#: How each service rule is broken on one request member it reads: ``(site, member) -> requests``
#: (None where that member's shape cannot break it). The rules an operation has, and the members
#: each reads, come from the operation table (:func:`pytest_chime.operations.rule_names`).
_RULE_BREAKERS: Final[dict[str, Callable[[_Site, str], SearchStrategy[InvalidRequest] | None]]] = {
    "media-region": _unsupported_media_regions,
    "media-region-partition": _foreign_media_regions,
    "reserved-prefix": _reserved_values,
    "high-resolution-attendees": _crowded_meetings,
    "tag-key-reserved": _reserved_tag_keys,
    "duplicate-tag-key": _duplicate_tag_keys,
    "arn-target": _wrong_targets,
    "meeting-id": _not_meeting_id,
    "capabilities-content-video": _refused_capability_sets,
    "one-engine": _engines_not_one,
    "source-arn": _foreign_sources,
    "sink-arn": _foreign_sinks,
    **{rule: _nested_breaker(rule) for rule in ("s3-destination", "meeting-source-arn", "rtmp-url", "kvs-pool-arn")},
}
#: Members whose model constraints are broken by hand, as values read off their shape would break a
#: service rule too (a tag key too long may start with ``aws:``, a feature at high resolution...).
_MODEL_BREAKERS: Final[dict[str, Callable[[_Site, str], list[tuple[str, SearchStrategy[InvalidRequest]]]]]] = {
    "Tags": _tag_breakers,
    "TenantIds": _tenant_breakers,
    "MeetingFeatures": _feature_breakers,
    "NotificationsConfiguration": _notification_breakers,
}
#: Members whose model constraints are not broken: every value breaking them (too long, or not
#: matching the pattern) breaks the service rule that reads them as well.
_RULE_CHECKED: Final = frozenset({"MediaRegion", "PrimaryMeetingId", "SourceArn", "SinkArn"})
#: Media pipelines' members whose model constraints overlap, so that no value breaks one alone: a pipeline's
#: GuidString (exactly 36 characters, and a pattern of 36), a pool's Identifier (an empty one
#: breaks its pattern and its length), and media pipelines' NextToken (its pattern ``.*`` takes any
#: text, and a token too long is a token the fake refuses anyway).
_OVERLAPPING: Final = frozenset({"MediaPipelineId", "Identifier", "NextToken"})

#: Service rules of the table that no breaker draws, by (service, rule), with the reason.
NOT_DRAWN: Final[dict[tuple[str, str], str]] = {
    (facts.LEGACY, "media-region-partition"): (
        "every media region of the legacy service is in the aws partition of its one control region"
    ),
}


#: The rules :func:`invalid_requests` and :func:`invalid_create_meeting_requests` break, named as
#: :class:`pytest_chime.validate.Violation` names them: the model's constraints only the service
#: checks, then every service rule the operation table declares.
INVALID_RULES: Final = (
    *validate.SERVER_ONLY_MODEL_RULES,
    *dict.fromkeys(name for operation in operations.names() for name in operations.rule_names(operation)),
)


@caches.cached(maxsize=256)
def _operation_breakers(
    service: str, region: str, operation: str, pinned: frozenset[str]
) -> tuple[tuple[str, SearchStrategy[InvalidRequest]], ...]:
    """Every breaker of ``operation``'s members but the pinned ones: its declared service rules' and its model's."""
    members = _spec(service, operation).input_shape.members

    def base(without: str | None) -> SearchStrategy[dict[str, Any]]:
        # The member about to be replaced is not drawn, required or not.
        return _request_dicts(service, region, operation, pinned | ({without} if without is not None else set()))

    site = _Site(service, region, operation, members, base)
    out: list[_Breaker] = []
    for rule, reads in _declared(operation):
        make = _RULE_BREAKERS.get(rule)
        if make is None or (service, rule) in NOT_DRAWN:
            continue
        for name in members if reads is None else reads:
            if name in members and name not in pinned:
                found = make(site, name)
                if found is not None:
                    out.append((rule, name, found))
    for name in members:
        if name in pinned or name in _RULE_CHECKED or (service == facts.MEDIA_PIPELINES and name in _OVERLAPPING):
            continue
        special = _MODEL_BREAKERS.get(name)
        if special is None:
            out += _model_breakers(service, region, operation, [name], pinned)
        else:
            out += [(rule, name, found) for rule, found in special(site, name)]
    return tuple((rule, found) for rule, _, found in out)


def breakable_rules(
    operation: str, *, service: str = facts.MODERN, region: str = facts.DEFAULT_REGION
) -> frozenset[str]:
    """The rules :func:`invalid_requests` breaks for ``operation`` with the installed model."""
    _implemented(service, operation)
    return frozenset(rule for rule, _ in _operation_breakers(service, region, operation, frozenset()))


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


@caches.cached(maxsize=256)
def _invalid_strategy(
    service: str, region: str, operation: str, pinned: frozenset[str], rules: tuple[str, ...] | None
) -> SearchStrategy[InvalidRequest]:
    return _chosen(_operation_breakers(service, region, operation, pinned), rules, f"{service} {operation}")
