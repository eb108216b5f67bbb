"""Valid requests: each member's strategy (by its name, else read off its shape), and whole requests."""

from __future__ import annotations

import functools
import itertools
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from .. import caches, facts, model, operations
from ..attendees import capability_rule
from ..errors import UnknownOperationError
from .shapes import (
    _ASCII,
    _DRAWN_ITEMS,
    _dicts,
    _limits,
    _lists,
    _renamer,
    _snake,
    _some_members,
    _text,
    _valid,
)

if TYPE_CHECKING:
    from botocore.model import Shape


#: Attendees a meeting with FHD video or UHD content may have (re-exported from the facts).
HIGH_RESOLUTION_MAX_ATTENDEES: Final = facts.HIGH_RESOLUTION_MAX_ATTENDEES
_HIGH_RESOLUTION: Final = facts.HIGH_RESOLUTION_FEATURES
#: What each notification target's ARN names: (service in the ARN, resource prefix).
_ARN_RESOURCES: Final = {
    "SnsTopicArn": ("sns", ""),
    "SqsQueueArn": ("sqs", ""),
    "LambdaFunctionArn": ("lambda", "function:"),
}
#: Longest Lambda qualifier (version or alias) generated.
_QUALIFIER_MAX: Final = 32
#: Items drawn for a list of large items (attendees with their tags, meetings); the rest repeat them.
_LARGE_ITEMS_DRAWN: Final = 1
#: Capability channels a meeting's MeetingFeatures can switch off (MaxResolution ``None``): an
#: attendee may then have no capability but None on them (API reference, AttendeeCapabilities).
_SWITCHABLE: Final = ("Video", "Content")
#: Members never generated: a made-up page token is one the service refuses.
_NOT_GENERATED: Final = frozenset({"NextToken"})


# --- the model ----------------------------------------------------------------------------


def _spec(service: str, operation: str = "CreateMeeting") -> model.OperationSpec:
    if service not in facts.SERVICES:
        raise InvalidArgument(f"service={service!r} is not a Chime service: use one of {', '.join(facts.SERVICES)}")
    spec = model.operation(service, operation)
    if spec is None:
        raise UnknownOperationError(service, operation, model.services(operation))
    return spec


@caches.cached(maxsize=256)
def _implemented(service: str, operation: str) -> model.OperationSpec:
    """The spec of an operation the fake implements, or InvalidArgument listing those it does."""
    if service not in facts.SERVICES:
        raise InvalidArgument(f"service={service!r} is not a Chime service: use one of {', '.join(facts.SERVICES)}")
    served = operations.implemented(service)
    spec = model.operation(service, operation)
    if operation not in served or spec is None:
        if served:
            raise InvalidArgument(
                f"{operation!r} is not an operation pytest-chime implements on {service!r} "
                f"(botocore {model.botocore_version()}); implemented: {', '.join(served)}"
            )
        raise InvalidArgument(
            f"botocore {model.botocore_version()} models none of pytest-chime's operations on {service!r}; "
            f"services with {operation} here: {', '.join(model.services(operation)) or 'none'}"
        )
    return spec


def _member(service: str, *path: str, operation: str = "CreateMeeting") -> Shape:
    shape = _spec(service, operation).input_shape
    for depth, name in enumerate(path):
        if name not in shape.members:
            where = ".".join(path[:depth]) or f"the {operation} request"
            raise InvalidArgument(
                f"botocore {model.botocore_version()} models no member {name!r} in {where} of {service!r}; "
                f"it has: {', '.join(shape.members)}"
            )
        shape = shape.members[name]
    return shape


# --- the request's members --------------------------------------------------------------------


@caches.cached(maxsize=256)
def _media_regions(service: str, region: str | None) -> tuple[str, ...]:
    if service not in facts.SERVICES:
        raise InvalidArgument(f"service={service!r} is not a Chime service: use one of {', '.join(facts.SERVICES)}")
    regions = facts.MEDIA_REGIONS[service]
    if region is None:
        return regions
    control = facts.control_region(service, region)
    usable = tuple(r for r in regions if facts.partition(r) == facts.partition(control))
    if not usable:
        raise InvalidArgument(f"{service!r} has no media region in the partition of region={region!r}")
    return tuple(sorted(usable, key=lambda r: r != control))


def media_regions(*, service: str = facts.MODERN, region: str | None = facts.DEFAULT_REGION) -> SearchStrategy[str]:
    """Generates the media regions ``service`` accepts from a client in ``region``.

    A meeting's media region must be in its control region's partition, so from
    ``us-east-1`` the GovCloud media regions are left out (``region=None`` gives every media
    region of the service). The legacy ``chime`` service's control region is always
    ``us-east-1``. Examples shrink towards ``region`` itself.
    """
    return st.sampled_from(_media_regions(service, region))


def client_request_tokens(*, service: str = facts.MODERN) -> SearchStrategy[str]:
    """Generates ClientRequestTokens: the model's alphabet (``[-_a-zA-Z0-9]``) and length (2 to 64)."""
    return _text(_member(service, "ClientRequestToken"))


def external_meeting_ids(*, service: str = facts.MODERN) -> SearchStrategy[str]:
    """Generates ExternalMeetingIds of 2 to 64 characters, never starting with ``aws:``."""
    return _text(_member(service, "ExternalMeetingId"), unreserved=True)


def meeting_host_ids(*, service: str = facts.MODERN) -> SearchStrategy[str]:
    """Generates MeetingHostIds of 2 to 64 characters, never starting with ``aws:``."""
    return _text(_member(service, "MeetingHostId"), unreserved=True)


def meeting_ids() -> SearchStrategy[str]:
    """Generates MeetingIds as the service writes them (lowercase UUID4s), e.g. for PrimaryMeetingId.

    Built by :func:`pytest_chime.facts.meeting_id` from a Hypothesis-drawn random, so they
    shrink to ``00000000-0000-4000-8000-000000000000``.
    """
    return st.builds(facts.meeting_id, st.randoms(use_true_random=False))


def tenant_ids(*, service: str = facts.MODERN) -> SearchStrategy[list[str]]:
    """Generates lists of distinct TenantIds, as many as the model allows (1 to 5).

    Each id uses the model's alphabet (``[-_!@#$a-zA-Z0-9]``), has 2 to 256 characters and
    no character four times in a row (the model's pattern forbids it).
    """
    return _tenant_ids_of(_member(service, "TenantIds"))


def _tenant_ids_of(shape: Shape) -> SearchStrategy[list[str]]:
    low, high = _limits(shape)
    return _lists(
        _text(shape.member), name=shape.name, min_size=low, max_size=high, key=_same, renamed=_renamer(shape.member)
    )


def _same(value: str) -> str:
    return value


def _tag_key(tag: Mapping[str, str]) -> str:
    return tag["Key"].lower()


def tags(*, service: str = facts.MODERN) -> SearchStrategy[list[dict[str, str]]]:
    """Generates Tags lists: ``[{"Key": ..., "Value": ...}, ...]``.

    As many tags as the model allows (0 to 50 for ``chime-sdk-meetings``, 1 to 50 for
    ``chime``), keys and values sized and spelled by the model's limits and patterns, keys
    unique (ignoring case) and never starting with the reserved ``aws:``.
    """
    return _tags_of(_member(service, "Tags"))


def _tags_of(shape: Shape) -> SearchStrategy[list[dict[str, str]]]:
    return _tags(shape, **_tag_sizes(shape))


def _tag_sizes(shape: Shape) -> dict[str, int]:
    low, high = _limits(shape)
    return {"min_size": low, "max_size": high}


def _tags(
    shape: Shape, *, min_size: int, max_size: int, drawn: int = _DRAWN_ITEMS
) -> SearchStrategy[list[dict[str, str]]]:
    """Tag lists of ``shape`` with distinct keys (ignoring case); ``drawn`` as in :func:`_lists`."""
    item = shape.member.members
    tag = _dicts({"Key": _text(item["Key"], unreserved=True), "Value": _text(item["Value"])}, {})
    rename = _renamer(item["Key"], unreserved=True)

    def renamed(found: dict[str, str], attempt: int) -> dict[str, str]:
        return {**found, "Key": rename(found["Key"], attempt)}

    return _lists(
        tag, name=shape.name, min_size=min_size, max_size=max_size, key=_tag_key, renamed=renamed, drawn=drawn
    )


@dataclass(frozen=True)
class _ArnFormat:
    service: str
    resource: str
    name_alphabet: str
    name_max: int
    qualifier_alphabet: str
    #: Qualifier characters the target's rule allows but the model's pattern does not.
    qualifier_foreign: str


@caches.cached(maxsize=256)
def _arn_format(target: str, model_pattern: str | None) -> _ArnFormat:
    """Read the name and qualifier rules of ``target``'s ARNs off facts' pattern and the model's."""
    service, resource = _ARN_RESOURCES[target]
    rule = re.compile(facts.NOTIFICATION_ARN_PATTERNS[target])
    modelled = re.compile(model_pattern, re.ASCII) if model_pattern else None
    head = f"arn:aws:{service}:{facts.DEFAULT_REGION}:{facts.DEFAULT_ACCOUNT_ID}:{resource}"

    def ok(arn: str) -> bool:
        return rule.fullmatch(arn) is not None and (modelled is None or modelled.fullmatch(arn) is not None)

    names = "".join(c for c in _ASCII if ok(head + c))
    if not names:
        raise InvalidArgument(f"no {target} name satisfies both {rule.pattern!r} and the model's {model_pattern!r}")
    size = 1
    while size < 1024 and ok(head + names[0] * (size + 1)):
        size += 1
    qualifiers = "".join(c for c in _ASCII if ok(f"{head}{names[0]}:{c}"))
    foreign = "".join(c for c in _ASCII if rule.fullmatch(f"{head}{names[0]}:{c}") and c not in qualifiers)
    return _ArnFormat(service, resource, names, size, qualifiers, foreign)


def _arn(head: str, account: str, resource: str, name: str, qualifier: str | None) -> str:
    return f"{head}{account}:{resource}{name}" + (f":{qualifier}" if qualifier else "")


def _arns(target: str, control_region: str, arn_shape: Shape, *, qualified: bool = True) -> SearchStrategy[str]:
    form = _arn_format(target, arn_shape.metadata.get("pattern"))
    head = f"arn:{facts.partition(control_region)}:{form.service}:{control_region}:"
    qualifier: SearchStrategy[str | None] = st.none()
    if qualified and form.qualifier_alphabet:
        qualifier = st.none() | st.text(form.qualifier_alphabet, min_size=1, max_size=_QUALIFIER_MAX)
    return st.builds(
        functools.partial(_arn, head, resource=form.resource),
        account=st.text(string.digits, min_size=12, max_size=12),
        name=st.text(form.name_alphabet, min_size=1, max_size=form.name_max),
        qualifier=qualifier,
    )


def notification_arns(
    *, target: str = "SnsTopicArn", service: str = facts.MODERN, region: str = facts.DEFAULT_REGION
) -> SearchStrategy[str]:
    """Generates ARNs the service accepts for ``target`` (a NotificationsConfiguration member).

    Valid per the model's pattern and per the target's rule in
    :data:`pytest_chime.facts.NOTIFICATION_ARN_PATTERNS`: e.g.
    ``arn:aws:sqs:us-east-1:000000000000:0``. They name the control region.
    """
    shape = _member(service, "NotificationsConfiguration", target)
    if target not in _ARN_RESOURCES or target not in facts.NOTIFICATION_ARN_PATTERNS:
        raise InvalidArgument(f"pytest-chime knows no rule for {target} ARNs; it knows {', '.join(_ARN_RESOURCES)}")
    return _arns(target, facts.control_region(service, region), shape)


def notifications_configurations(
    *, service: str = facts.MODERN, region: str = facts.DEFAULT_REGION
) -> SearchStrategy[dict[str, str]]:
    """Generates NotificationsConfiguration dicts with at least one target ARN the service accepts."""
    return _notifications_of(_member(service, "NotificationsConfiguration"), facts.control_region(service, region))


def _notifications_of(shape: Shape, control: str) -> SearchStrategy[dict[str, str]]:
    known = {name: member for name, member in shape.members.items() if name in _ARN_RESOURCES}
    return _some_members({name: _arns(name, control, member) for name, member in known.items()})


def _is_high_resolution(features: Mapping[str, Any]) -> bool:
    return any(
        isinstance(features.get(group), dict) and features[group].get(name) == value
        for (group, name), value in _HIGH_RESOLUTION.items()
    )


def _limit_attendees(features: dict[str, Any], count: int) -> dict[str, Any]:
    if not _is_high_resolution(features):
        return features
    attendee = dict(features.get("Attendee") or {})
    current = attendee.get("MaxCount")
    if not isinstance(current, int) or current > HIGH_RESOLUTION_MAX_ATTENDEES:
        attendee["MaxCount"] = count
    return {**features, "Attendee": attendee}


def meeting_features(*, service: str = facts.MODERN) -> SearchStrategy[dict[str, Any]]:
    """Generates MeetingFeatures dicts with at least one feature set, each from the model.

    FHD video or UHD content comes with ``Attendee.MaxCount`` of at most 25, which the API
    reference requires; where the model has no ``Attendee`` feature, those values are not
    generated.
    """
    return _features_of(_member(service, "MeetingFeatures"))


def _features_of(shape: Shape) -> SearchStrategy[dict[str, Any]]:
    groups: dict[str, SearchStrategy[Any]] = {}
    has_attendee = "MaxCount" in getattr(shape.members.get("Attendee"), "members", {})
    for group, group_shape in shape.members.items():
        if group_shape.type_name != "structure":
            continue
        members: dict[str, SearchStrategy[Any]] = {}
        for name, member in group_shape.members.items():
            enum = list(getattr(member, "enum", None) or ())
            high = _HIGH_RESOLUTION.get((group, name))
            if enum and high in enum and not has_attendee:
                enum.remove(high)
            strategy = st.sampled_from(enum) if enum else _valid(member)
            if strategy is not None:
                members[name] = strategy
        if members:
            groups[group] = _some_members(members)
    features = _some_members(groups)
    if not has_attendee:
        return features
    return st.builds(_limit_attendees, features, st.integers(1, HIGH_RESOLUTION_MAX_ATTENDEES))


def media_placement_network_types(*, service: str = facts.MODERN) -> SearchStrategy[str]:
    """Generates the MediaPlacementNetworkType values the model lists."""
    return st.sampled_from(list(_member(service, "MediaPlacementNetworkType").enum))


# --- attendees' members -----------------------------------------------------------------------


def attendee_ids() -> SearchStrategy[str]:
    """Generates AttendeeIds as the fake writes them, e.g. to pin ``attendee_id=``.

    Built by :func:`pytest_chime.facts.attendee_id` from a Hypothesis-drawn random.
    """
    return st.builds(facts.attendee_id, st.randoms(use_true_random=False))


@st.composite
def external_user_ids(draw: st.DrawFn, *, service: str = facts.MODERN) -> str:
    """Generates ExternalUserIds of 2 to 64 characters, never starting with ``aws:``."""
    return draw(_external_user_ids(service))


@caches.cached(maxsize=256)
def _external_user_ids(service: str) -> SearchStrategy[str]:
    return _text(_implemented(service, "CreateAttendee").input_shape.members["ExternalUserId"], unreserved=True)


@st.composite
def attendee_capabilities(draw: st.DrawFn, *, service: str = facts.MODERN) -> dict[str, str]:
    """Generates an attendee's Capabilities: every combination the service accepts.

    Content is SendReceive or Receive only where Video is too (the API reference's rule,
    the fake's :func:`pytest_chime.attendees.capability_rule`). Shrinks to SendReceive on
    every channel, what the service grants when Capabilities are left out. Only
    ``chime-sdk-meetings`` attendees have Capabilities.
    """
    return draw(_capabilities(service))


@caches.cached(maxsize=256)
def _capabilities(service: str) -> SearchStrategy[dict[str, str]]:
    shape = _implemented(service, "CreateAttendee").input_shape.members.get("Capabilities")
    if shape is None:
        raise InvalidArgument(
            f"{service!r} attendees have no Capabilities (botocore {model.botocore_version()}): "
            f"use service={facts.MODERN!r}"
        )
    return _capabilities_of(shape)


def _capabilities_of(shape: Shape) -> SearchStrategy[dict[str, str]]:
    """Every valid combination of ``shape``'s channels, in enum order (all SendReceive first)."""
    channels = list(shape.members)
    values = [list(getattr(shape.members[name], "enum", None) or ()) for name in channels]
    combinations = [dict(zip(channels, chosen, strict=True)) for chosen in itertools.product(*values)]
    return st.sampled_from([found for found in combinations if not capability_rule(found)])


def _user_key(item: Mapping[str, Any]) -> Any:
    return item["ExternalUserId"]


def _attendee_lists(
    service: str, region: str, operation: str, shape: Shape, *, min_size: int | None = None, max_size: int | None = None
) -> SearchStrategy[list[dict[str, Any]]]:
    """Lists of CreateAttendee items (``shape`` is the list's) with distinct ExternalUserIds.

    At least one item unless told otherwise: the legacy model allows an empty batch, which
    asks for nothing.
    """
    item = shape.member
    rename = _renamer(item.members["ExternalUserId"], unreserved=True)

    def renamed(found: dict[str, Any], attempt: int) -> dict[str, Any]:
        return {**found, "ExternalUserId": rename(found["ExternalUserId"], attempt)}

    low, high = _list_limits(shape, operation, "Attendees")
    # An attendee's own tags (legacy) draw one tag too: lists of varying lists overrun.
    tags = item.members.get("Tags")
    overrides = {} if tags is None else {"Tags": _tags(tags, **_tag_sizes(tags), drawn=_LARGE_ITEMS_DRAWN)}
    return _lists(
        _structure(service, region, operation, item, overrides=overrides),
        name=shape.name,
        min_size=max(low, 1) if min_size is None else min_size,
        max_size=(high if high is not None else low + 5) if max_size is None else max_size,
        key=_user_key,
        renamed=renamed,
        drawn=_LARGE_ITEMS_DRAWN,
    )


def _fit_attendees(params: dict[str, Any]) -> dict[str, Any]:
    """A CreateMeetingWithAttendees request whose attendees its meeting allows: no more than
    ``MaxCount``, and capabilities only on the channels its MeetingFeatures leave on."""
    features = params.get("MeetingFeatures") or {}
    count = (features.get("Attendee") or {}).get("MaxCount")
    attendees = params.get("Attendees")
    if not isinstance(attendees, list):
        return params
    if isinstance(count, int) and len(attendees) > count:
        attendees = attendees[:count]
    off = [channel for channel in _SWITCHABLE if (features.get(channel) or {}).get("MaxResolution") == "None"]
    if off:
        attendees = [_switched_off(item, off) for item in attendees]
    return {**params, "Attendees": attendees}


def _switched_off(item: dict[str, Any], channels: list[str]) -> dict[str, Any]:
    """An attendee item with no capability on ``channels`` (content not received without video)."""
    capabilities = item.get("Capabilities")
    if not isinstance(capabilities, dict):
        return item
    fitted = {**capabilities, **dict.fromkeys(channels, "None")}
    if capability_rule(fitted):
        fitted["Content"] = "None"
    return {**item, "Capabilities": fitted}


def _phone_numbers() -> SearchStrategy[str]:
    """E.164 numbers, as the model's pattern ``^\\+?[1-9]\\d{1,14}$`` asks: an optional ``+``, 2 to 15 digits."""
    return st.builds(
        "{}{}{}".format,
        st.sampled_from(("+", "")),
        st.sampled_from("123456789"),
        st.text(string.digits, min_size=1, max_size=14),
    )


def _meeting_arns(service: str, region: str) -> SearchStrategy[str]:
    """Meeting ARNs as the fake writes them, of no meeting in particular (pin ``resource_arn=``)."""
    return st.builds(
        functools.partial(facts.meeting_arn, facts.control_region(service, region), facts.DEFAULT_ACCOUNT_ID),
        meeting_ids(),
    )


def _pipeline_arns(region: str) -> SearchStrategy[str]:
    """Media pipeline ARNs as the fake writes them, of no pipeline in particular (pin ``resource_arn=``)."""
    return st.builds(functools.partial(facts.media_pipeline_arn, region, facts.DEFAULT_ACCOUNT_ID), meeting_ids())


def _stream_configurations(shape: Shape, region: str) -> SearchStrategy[dict[str, Any]]:
    """A pool's StreamConfiguration: a Kinesis Video Streams region (where the model asks for one), and
    sometimes a retention of hours within the model's minimum and a year."""
    required: dict[str, SearchStrategy[Any]] = {}
    if "Region" in shape.members:
        required["Region"] = st.sampled_from((region, "us-east-1", "eu-west-2"))
    retention = shape.members.get("DataRetentionInHours")
    optional = {}
    if retention is not None:
        optional["DataRetentionInHours"] = st.integers(int(retention.metadata.get("min", 0)), 8760)
    return _dicts(required, optional, at_least_one=not required)


def _pool_names() -> SearchStrategy[str]:
    return st.text(string.ascii_letters + string.digits + "._-", min_size=1, max_size=40)


def _pool_arns(region: str) -> SearchStrategy[str]:
    """Kinesis Video Stream pool ARNs as the fake writes them, of no pool in particular (pin ``sinks=``)."""
    return st.builds(functools.partial(facts.kvs_pool_arn, region, facts.DEFAULT_ACCOUNT_ID), _pool_names())


def s3_sink_arns() -> SearchStrategy[str]:
    """S3 sink ARNs a capture pipeline accepts: ``arn:aws:s3:::<bucket>``, sometimes with ``/<prefix>``."""
    edge = st.sampled_from(string.ascii_lowercase + string.digits)
    middle = st.text(string.ascii_lowercase + string.digits + "-", min_size=1, max_size=20)
    buckets = st.builds("{}{}{}".format, edge, middle, edge)
    prefixes = st.sampled_from(("", "/recordings", "/meetings/2025", "/a_b-c.d"))
    return st.builds("arn:aws:s3:::{}{}".format, buckets, prefixes)


def _transcription_configurations(
    service: str, region: str, operation: str, shape: Shape
) -> SearchStrategy[dict[str, Any]]:
    """TranscriptionConfiguration dicts naming exactly one engine, as the service requires."""
    engines = [
        _dicts({name: _structure(service, region, operation, member, at_least_one=True)}, {})
        for name, member in shape.members.items()
        if member.type_name == "structure"
    ]
    return st.one_of(engines)


# --- any member, any request ------------------------------------------------------------------

#: A member's strategy from (service, control region, operation, the member's shape).
_MemberStrategy = Callable[[str, str, str, "Shape"], "SearchStrategy[Any] | None"]

#: Members whose values a service rule constrains, by name; any other is read off its shape.
_MEMBER_STRATEGIES: Final[dict[str, _MemberStrategy]] = {
    "ClientRequestToken": lambda service, region, operation, shape: _text(shape),
    "MediaRegion": lambda service, region, operation, shape: media_regions(service=service, region=region),
    "ExternalMeetingId": lambda service, region, operation, shape: _text(shape, unreserved=True),
    "MeetingHostId": lambda service, region, operation, shape: _text(shape, unreserved=True),
    "Tags": lambda service, region, operation, shape: _tags_of(shape),
    "NotificationsConfiguration": lambda service, region, operation, shape: _notifications_of(
        shape, facts.control_region(service, region)
    ),
    "MeetingFeatures": lambda service, region, operation, shape: _features_of(shape),
    "TenantIds": lambda service, region, operation, shape: _tenant_ids_of(shape),
    "PrimaryMeetingId": lambda service, region, operation, shape: meeting_ids(),
    "MediaPlacementNetworkType": lambda service, region, operation, shape: st.sampled_from(list(shape.enum)),
    "MeetingId": lambda service, region, operation, shape: meeting_ids(),
    "AttendeeId": lambda service, region, operation, shape: attendee_ids(),
    "ExternalUserId": lambda service, region, operation, shape: _text(shape, unreserved=True),
    "Capabilities": lambda service, region, operation, shape: _capabilities_of(shape),
    "Attendees": lambda service, region, operation, shape: _attendee_lists(service, region, operation, shape),
    "ResourceARN": lambda service, region, operation, shape: (
        _pipeline_arns(region) if service == facts.MEDIA_PIPELINES else _meeting_arns(service, region)
    ),
    "SourceArn": lambda service, region, operation, shape: _meeting_arns(facts.MODERN, region),
    "SinkArn": lambda service, region, operation, shape: (
        _pool_arns(region) if operation == "CreateMediaStreamPipeline" else s3_sink_arns()
    ),
    "Destination": lambda service, region, operation, shape: s3_sink_arns(),
    "Arn": lambda service, region, operation, shape: _meeting_arns(facts.MODERN, region),
    "Url": lambda service, region, operation, shape: st.builds(
        "{}://{}.example.com/live/{}".format,
        st.sampled_from(("rtmp", "rtmps")),
        st.sampled_from(("a", "live", "ingest-1")),
        st.text(string.ascii_letters + string.digits, min_size=1, max_size=20),
    ),
    "MediaPipelineArn": lambda service, region, operation, shape: _pipeline_arns(region),
    "PoolName": lambda service, region, operation, shape: _pool_names(),
    "Identifier": lambda service, region, operation, shape: _pool_names(),
    "StreamConfiguration": lambda service, region, operation, shape: _stream_configurations(shape, region),
    "Region": lambda service, region, operation, shape: (
        st.sampled_from(list(shape.enum)) if shape.enum else st.sampled_from((region, "us-east-1", "eu-west-2"))
    ),
    "MediaPipelineId": lambda service, region, operation, shape: meeting_ids(),
    "TranscriptionConfiguration": _transcription_configurations,
    "FromPhoneNumber": lambda service, region, operation, shape: _phone_numbers(),
    "ToPhoneNumber": lambda service, region, operation, shape: _phone_numbers(),
    "TransactionId": lambda service, region, operation, shape: meeting_ids(),
}


def _list_limits(shape: Shape, operation: str, name: str | None) -> tuple[int, int | None]:
    """A list's ``min`` and ``max`` items: the model's, else the documented limit of a request member."""
    low = int(shape.metadata.get("min", 0))
    high = shape.metadata.get("max")
    if high is None and name is not None:
        high = facts.DOCUMENTED_MAX_ITEMS.get(operation, {}).get(name)
    return low, None if high is None else int(high)


def _value_of(service: str, region: str, operation: str, name: str | None, shape: Shape) -> SearchStrategy[Any] | None:
    """Valid values of member ``name`` (None: a list item) of ``shape``; None where none can be built."""
    if name in _NOT_GENERATED:
        return None
    build = _MEMBER_STRATEGIES.get(name) if name is not None else None
    if build is not None:
        return build(service, region, operation, shape)
    if shape.type_name == "structure":
        try:
            return _structure(service, region, operation, shape, at_least_one=True)
        except InvalidArgument:  # a required member no strategy can build: leave the structure out
            return None
    if shape.type_name == "list":
        item = _value_of(service, region, operation, None, shape.member)
        if item is None:
            return None
        low, high = _list_limits(shape, operation, name)
        return _lists(item, name=shape.name, min_size=low, max_size=high if high is not None else low + 5)
    return _valid(shape)


def _structure(
    service: str,
    region: str,
    operation: str,
    shape: Shape,
    *,
    at_least_one: bool = False,
    overrides: Mapping[str, SearchStrategy[Any]] | None = None,
) -> SearchStrategy[dict[str, Any]]:
    """Dicts of ``shape``'s members (``overrides``' strategies for some): required ones always, others sometimes."""
    chosen = overrides or {}
    built = {
        name: chosen[name] if name in chosen else _value_of(service, region, operation, name, member)
        for name, member in shape.members.items()
    }
    members = {name: strategy for name, strategy in built.items() if strategy is not None}
    missing = [name for name in shape.required_members if name not in members]
    if missing:
        raise InvalidArgument(
            f"pytest-chime cannot generate {', '.join(missing)} of {shape.name} (botocore {model.botocore_version()})"
        )
    required = {name: members.pop(name) for name in shape.required_members}
    return _dicts(required, members, at_least_one=at_least_one)


@caches.cached(maxsize=256)
def _request_members(service: str, region: str, operation: str = "CreateMeeting") -> dict[str, SearchStrategy[Any]]:
    shape = _spec(service, operation).input_shape
    members: dict[str, SearchStrategy[Any]] = {}
    for name, member in shape.members.items():
        strategy = _value_of(service, region, operation, name, member)
        if strategy is not None:
            members[name] = strategy
    return members


@caches.cached(maxsize=256)
def _request_dicts(
    service: str, region: str, operation: str, left_out: frozenset[str] = frozenset()
) -> SearchStrategy[dict[str, Any]]:
    """Valid requests without the members ``left_out`` (those a caller pins)."""
    shape = _spec(service, operation).input_shape
    members = _request_members(service, region, operation)
    # A batch asks for attendees even where the model leaves them optional (the legacy
    # CreateMeetingWithAttendees), as it asks for one at least where the model allows none.
    required = set(shape.required_members) | ({"Attendees"} & set(members))
    missing = sorted(required - set(members) - left_out)
    if missing:
        raise InvalidArgument(
            f"pytest-chime cannot generate {', '.join(missing)} of {service} {operation} "
            f"(botocore {model.botocore_version()}): pin it"
        )
    fixed = {name: s for name, s in members.items() if name in required and name not in left_out}
    optional = {name: s for name, s in members.items() if name not in required and name not in left_out}
    found = _dicts(fixed, optional)
    if "Attendees" in members and "MeetingFeatures" in members:
        return st.builds(_fit_attendees, found)
    return found


@caches.cached(maxsize=256)
def _snake_names(service: str, operation: str) -> dict[str, str]:
    return {_snake(name): name for name in _implemented(service, operation).input_shape.members}


def _pinned(
    function: str, operation: str, service: str, pinned: Mapping[str, Any]
) -> tuple[frozenset[str], dict[str, Any]]:
    """Check ``pinned`` (snake_case name -> value): the members pinned, and the values of those not left out."""
    names = _snake_names(service, operation)
    unknown = sorted(set(pinned) - set(names))
    if unknown:
        raise InvalidArgument(
            f"{function}({operation!r}) got unknown member(s) {', '.join(unknown)} for {service!r} "
            f"(botocore {model.botocore_version()}); valid names: {', '.join(names)}"
        )
    required = set(_implemented(service, operation).input_shape.required_members)
    values: dict[str, Any] = {}
    for snake, value in pinned.items():
        name = names[snake]
        if isinstance(value, SearchStrategy):
            raise InvalidArgument(
                f"{snake}={value!r} is a strategy: {function}() pins members to values "
                "(draw one first, e.g. with st.data() or .flatmap())"
            )
        if value is None:
            if name in required:
                raise InvalidArgument(f"{snake}=None: {name} is required by {service} {operation}")
            continue
        values[name] = value
    return frozenset(names[snake] for snake in pinned), values


# --- requests ---------------------------------------------------------------------------------


@st.composite
def requests(
    draw: st.DrawFn,
    /,
    operation: str,
    *,
    service: str = facts.MODERN,
    region: str = facts.DEFAULT_REGION,
    **pinned: Any,
) -> dict[str, Any]:
    """Generates keyword arguments for ``operation`` that the service accepts.

    ``operation`` is one the fake implements on ``service`` (``"GetMeeting"``,
    ``"CreateAttendee"``, ... see :func:`pytest_chime.operations.implemented`); each dict is
    built from the installed botocore's input shape and passes botocore's validation and
    every rule the fake checks for a client of ``service`` in the control region
    ``region``. ``"CreateMeeting"`` gives what :func:`create_meeting_requests` gives.

    Pin a member to a value by its snake_case name (boto3's: ``resource_arn``):
    ``meeting_id=``, ``attendee_id=``, ``resource_arn=`` and ``join_token=`` name the
    meeting, attendee or token to act on (otherwise they are well-formed ones of nothing in
    particular, which the fake answers with NotFoundException); ``None`` leaves an optional
    member out. Pins are values, used as they are. ``NextToken`` is never generated;
    ``MaxResults`` is within the model's range. Attendee items never start ExternalUserId
    with ``aws:``, are distinct within a request, and ask only for capability combinations
    the service allows; CreateMeetingWithAttendees asks for no more attendees than its
    ``MeetingFeatures.Attendee.MaxCount``, and for no capability on a channel its features
    switch off (a meeting you pin that switches video or content off refuses those too).
    A TranscriptionConfiguration names exactly one engine; phone numbers are E.164.

    Bad arguments (an unknown or unimplemented operation, an unknown member) raise
    :class:`~hypothesis.errors.InvalidArgument` when the test runs, listing the valid ones.
    """
    left_out, values = _pinned("requests", operation, service, pinned)
    params = draw(_request_dicts(service, region, operation, left_out))
    params.update(values)
    return params


def create_meeting_requests(
    *, service: str = facts.MODERN, region: str = facts.DEFAULT_REGION, **pinned: Any
) -> SearchStrategy[dict[str, Any]]:
    """Generates keyword arguments for ``client.create_meeting`` that the service accepts.

    Each dict passes botocore's validation against the installed model's input shape and
    the service's own rules (:func:`pytest_chime.operations.check` finds nothing), for a
    client of ``service`` in the control region ``region``. Required members are always
    present; every optional member the installed model has (Tags, NotificationsConfiguration,
    MeetingFeatures, TenantIds, MeetingHostId, PrimaryMeetingId, MediaPlacementNetworkType,
    ...) is sometimes present and sometimes absent.

    Pin a member with its snake_case name: ``media_region="eu-west-2"`` is used as is (not
    checked), a :class:`~hypothesis.strategies.SearchStrategy` is drawn from, and ``None``
    leaves an optional member out. An unknown name raises
    :class:`~hypothesis.errors.InvalidArgument` listing the valid ones.

    ``service="chime"`` gives the legacy service's form where the installed botocore models
    it, and raises :class:`pytest_chime.UnknownOperationError` (naming botocore's version)
    where it does not.
    """
    spec = _spec(service)
    shape = spec.input_shape
    names = {_snake(name): name for name in shape.members}
    unknown = sorted(set(pinned) - set(names))
    if unknown:
        raise InvalidArgument(
            f"create_meeting_requests() got unknown member(s) {', '.join(unknown)} for {service!r} "
            f"(botocore {model.botocore_version()}); valid names: {', '.join(names)}"
        )
    required = set(shape.required_members)
    fixed: dict[str, SearchStrategy[Any]] = {}
    optional: dict[str, SearchStrategy[Any]] = {}
    for name, strategy in _request_members(service, region).items():
        snake = _snake(name)
        if snake in pinned:
            value = pinned[snake]
            if value is None:
                if name in required:
                    raise InvalidArgument(f"{snake}=None: {name} is required by {service!r} and cannot be left out")
                continue
            fixed[name] = value if isinstance(value, SearchStrategy) else st.just(value)
        elif name in required:
            fixed[name] = strategy
        else:
            optional[name] = strategy
    return _dicts(fixed, optional)
