"""Hypothesis strategies for Amazon Chime's CreateMeeting: requests, broken requests, answers.

Import this module yourself; the plugin never imports Hypothesis::

    import boto3
    from hypothesis import given
    from pytest_chime import FakeChime, strategies as chime_st

    client = boto3.client("chime-sdk-meetings", region_name="us-east-1")

    @given(chime_st.create_meeting_requests(media_region="eu-west-2"))
    def test_meetings_are_created(params):
        with FakeChime() as fake:  # a fresh fake for each example (or fake.reset())
            meeting = client.create_meeting(**params)["Meeting"]
        assert meeting["MeetingId"] in fake.meetings

Every strategy reads its rules from the installed botocore's model
(:func:`pytest_chime.model.operation`) and the service's own rules
(:mod:`pytest_chime.facts`), so what it generates is what the fake, like the real service,
accepts (or, for :func:`invalid_create_meeting_requests`, rejects). Strings are built from
explicit alphabets read off each member's model pattern and sized by its ``min`` and
``max`` in characters (every character is in the Basic Multilingual Plane, so ``len()`` and
the service's UTF-16 length agree). Nothing is filtered and nothing Hypothesis's mutator
does to an example overruns, so no example is discarded; examples shrink to short,
readable values. Lists are mostly short, sometimes half-full or full: items past the fifth
repeat the first five (tag keys and tenant ids renamed to stay distinct), so a full list
costs little more than a short one.

Chosen where AWS does not say (each tested):

- Strings the model leaves without a pattern (ExternalMeetingId, MeetingHostId, the legacy
  service's tags) use ASCII and Latin-1 letters, digits, space and ``_.:/=+-@``: inside both
  the pattern AWS documents for ExternalMeetingId and AWS's general rules for tags.
- ExternalMeetingId, MeetingHostId and tag keys never start with ``aws:`` (any case), which
  AWS reserves; tag keys are unique, ignoring case.
- Notification ARNs name a target in the control region (``region``).
- PrimaryMeetingId is a well-formed meeting id, of no meeting in particular: the fake does
  not require the primary meeting to exist, the real service would (against a real
  account, pin ``primary_meeting_id`` to a meeting you created, or to ``None``).
- A request asking for FHD video or UHD content also sets ``MeetingFeatures.Attendee.MaxCount``
  to at most 25, as the API reference asks (the fake does not check that rule).
"""

from __future__ import annotations

import copy
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
from ..errors import UnknownOperationError

if TYPE_CHECKING:
    from botocore.model import Shape

__all__ = [
    "HIGH_RESOLUTION_MAX_ATTENDEES",
    "INVALID_RULES",
    "InvalidRequest",
    "client_request_tokens",
    "create_meeting_requests",
    "create_meeting_responses",
    "error_codes",
    "external_meeting_ids",
    "invalid_create_meeting_requests",
    "media_placement_network_types",
    "media_regions",
    "meeting_features",
    "meeting_host_ids",
    "meeting_ids",
    "meetings",
    "notification_arns",
    "notifications_configurations",
    "tags",
    "tenant_ids",
]

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

#: Attendees a meeting with FHD video or UHD content may have (re-exported from the facts).
HIGH_RESOLUTION_MAX_ATTENDEES: Final = facts.HIGH_RESOLUTION_MAX_ATTENDEES
_HIGH_RESOLUTION: Final = facts.HIGH_RESOLUTION_FEATURES

#: Printable ASCII: every pattern's alphabet is the part of it the pattern accepts.
_ASCII: Final = string.ascii_letters + string.digits + string.punctuation + " "
#: Latin-1 letters (U+00C0 to U+00FF but the two signs): lengths count characters, not UTF-8 bytes.
_LATIN1_LETTERS: Final = "".join(chr(c) for c in range(0xC0, 0x100) if chr(c).isalpha())
#: Alphabet of strings whose model gives no pattern.
_FREE: Final = string.ascii_letters + string.digits + " _.:/=+-@" + _LATIN1_LETTERS
#: Length limit assumed for a string the model leaves unbounded.
_DEFAULT_MAX: Final = 64
#: How far past its ``max`` a too-long value goes.
_OVERSHOOT: Final = 16
#: Members whose values must not start with the reserved prefix.
_UNRESERVED: Final = frozenset(facts.RESERVED_PREFIX_MEMBERS)
#: Members a service rule checks besides the model (a too-long value would break two rules).
_SERVICE_CHECKED: Final = frozenset({"MediaRegion", "PrimaryMeetingId", "NotificationsConfiguration"})
#: What each notification target's ARN names: (service in the ARN, resource prefix).
_ARN_RESOURCES: Final = {
    "SnsTopicArn": ("sns", ""),
    "SqsQueueArn": ("sqs", ""),
    "LambdaFunctionArn": ("lambda", "function:"),
}
#: Items drawn for a list; a longer list repeats them (renamed where items must differ).
_DRAWN_ITEMS: Final = 5
#: Longest Lambda qualifier (version or alias) generated.
_QUALIFIER_MAX: Final = 32


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


# --- the model ----------------------------------------------------------------------------


def _spec(service: str) -> model.OperationSpec:
    if service not in facts.SERVICES:
        raise InvalidArgument(f"service={service!r} is not a Chime service: use one of {', '.join(facts.SERVICES)}")
    spec = model.operation(service)
    if spec is None:
        raise UnknownOperationError(service, "CreateMeeting", model.services())
    return spec


def _member(service: str, *path: str) -> Shape:
    shape = _spec(service).input_shape
    for depth, name in enumerate(path):
        if name not in shape.members:
            where = ".".join(path[:depth]) or "the CreateMeeting request"
            raise InvalidArgument(
                f"botocore {model.botocore_version()} models no member {name!r} in {where} of {service!r}; "
                f"it has: {', '.join(shape.members)}"
            )
        shape = shape.members[name]
    return shape


def _control_region(service: str, region: str) -> str:
    return facts.LEGACY_CONTROL_REGION if service == facts.LEGACY else region


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


# --- strings --------------------------------------------------------------------------------


class _Unspellable(ValueError):
    """A model pattern that is not one character class repeated: no alphabet can be read off it."""


@functools.cache
def _alphabet(pattern: str | None) -> str:
    """The characters a one-character-class pattern accepts (Python's ``re`` with ASCII, as the fake)."""
    if pattern is None:
        return _FREE
    regex = re.compile(pattern, re.ASCII)
    chars = "".join(c for c in _ASCII if regex.fullmatch(c))
    if not chars or regex.fullmatch(chars) is None:  # not one character class repeated
        raise _Unspellable(pattern)
    return chars


def _spellable(shape: Shape) -> bool:
    """Whether strings of ``shape`` can be built from an alphabet (members added by a newer model may not)."""
    try:
        _alphabet(shape.metadata.get("pattern"))
    except _Unspellable:
        return False
    return True


@functools.cache
def _bad_chars(pattern: str) -> str:
    regex = re.compile(pattern, re.ASCII)
    return "".join(c for c in _ASCII if not regex.fullmatch(c))


def _max_run_of(regex: re.Pattern[str], alphabet: str) -> int | None:
    for size in range(2, 9):
        if regex.fullmatch(alphabet[0] * size) is None:
            return size - 1
    return None


@functools.cache
def _max_run(pattern: str | None) -> int | None:
    """The longest run of one character ``pattern`` allows (None: no limit seen up to 8)."""
    if pattern is None:
        return None
    return _max_run_of(re.compile(pattern, re.ASCII), _alphabet(pattern))


def _break_runs(text: str, alphabet: str, limit: int) -> str:
    out: list[str] = []
    for char in text:
        if len(out) >= limit and all(c == char for c in out[-limit:]):
            char = alphabet[(alphabet.index(char) + 1) % len(alphabet)]
        out.append(char)
    return "".join(out)


def _unreserve(text: str, alphabet: str) -> str:
    if text[: len(facts.RESERVED_TAG_PREFIX)].lower() == facts.RESERVED_TAG_PREFIX:
        cut = len(facts.RESERVED_TAG_PREFIX) - 1
        return text[:cut] + alphabet[0] + text[cut + 1 :]
    return text


def _insert(text: str, chars: str, position: int) -> str:
    position = min(position, len(text))
    return text[:position] + chars + text[position:]


def _limits(shape: Shape) -> tuple[int, int]:
    low = int(shape.metadata.get("min", 0))
    return low, int(shape.metadata.get("max", max(low, _DEFAULT_MAX)))


def _text(
    shape: Shape, *, min_size: int | None = None, max_size: int | None = None, unreserved: bool = False
) -> SearchStrategy[str]:
    """Strings ``shape``'s pattern accepts, sized by its limits unless told otherwise."""
    pattern = shape.metadata.get("pattern")
    alphabet = _alphabet(pattern)
    low, high = _limits(shape)
    strategy = st.text(
        alphabet, min_size=low if min_size is None else min_size, max_size=high if max_size is None else max_size
    )
    limit = _max_run(pattern)
    if limit is not None:
        strategy = strategy.map(functools.partial(_break_runs, alphabet=alphabet, limit=limit))
    if unreserved:
        strategy = strategy.map(functools.partial(_unreserve, alphabet=alphabet))
    return strategy


def _too_long(shape: Shape, *, unreserved: bool = False) -> SearchStrategy[str]:
    high = _limits(shape)[1]
    return _text(shape, min_size=high + 1, max_size=high + _OVERSHOOT, unreserved=unreserved)


def _mismatched(shape: Shape, *, unreserved: bool = False) -> SearchStrategy[str]:
    """Strings of allowed length that break ``shape``'s pattern (a foreign character, or a long run)."""
    pattern = shape.metadata["pattern"]
    low, high = _limits(shape)
    options = [
        st.builds(
            _insert,
            _text(shape, min_size=max(low - 1, 0), max_size=high - 1, unreserved=unreserved),
            st.sampled_from(_bad_chars(pattern)),
            st.integers(0, high),
        )
    ]
    limit = _max_run(pattern)
    if limit is not None:
        run = limit + 1
        options.append(
            st.builds(
                _insert,
                _text(shape, min_size=max(low - run, 0), max_size=high - run),
                st.sampled_from([char * run for char in _alphabet(pattern)]),
                st.integers(0, high),
            )
        )
    return st.one_of(options)


def _outside(text: str, known: frozenset[str]) -> str:
    while text in known:
        text += "x"
    return text


def _not_in(values: Iterable[str]) -> SearchStrategy[str]:
    allowed = frozenset(values)
    near = sorted(({v.lower() for v in allowed} | {v.upper() for v in allowed}) - allowed)
    made_up = st.text(string.ascii_letters, min_size=1, max_size=12).map(functools.partial(_outside, known=allowed))
    return st.sampled_from(near) | made_up if near else made_up


def _dicts(
    required: Mapping[str, SearchStrategy[Any]],
    optional: Mapping[str, SearchStrategy[Any]],
    *,
    at_least_one: bool = False,
) -> SearchStrategy[dict[str, Any]]:
    """Dicts with every ``required`` member and each ``optional`` one present or absent.

    Each optional member is one two-way choice (absent or present, with a label of its
    own), then its value if present (it shrinks to absent): one draw per member, where
    ``none() | value`` takes four. The composite's
    Hypothesis label names the members: Hypothesis's mutator swaps parts of an example
    that share a label, and swapping unlike dicts (as ``fixed_dictionaries``, which all
    share one label, would allow) overruns and discards the example. ``at_least_one``
    (with no required member) keeps at least one optional member, shrinking to the first
    alone.
    """
    if at_least_one and not required and optional:
        names = list(optional)
        return st.one_of(
            [_dicts({name: optional[name]}, {n: optional[n] for n in names[i + 1 :]}) for i, name in enumerate(names)]
        )
    always = tuple(required.items())
    label = "{" + ", ".join([*required, *(f"{name}?" for name in optional)]) + "}"
    # Each flag's label is its own, or the mutator would copy one member's flag onto another's.
    maybe = tuple((name, st.sampled_from((None, f"{label}.{name}")), strategy) for name, strategy in optional.items())

    @st.composite
    def build(draw: st.DrawFn, _name: str = label) -> dict[str, Any]:
        # _name's default makes this composite's label differ from other dicts'.
        out = {name: draw(strategy) for name, strategy in always}
        for name, flag, strategy in maybe:
            if draw(flag) is not None:
                out[name] = draw(strategy)
        return out

    return build()


def _some_members(members: Mapping[str, SearchStrategy[Any]]) -> SearchStrategy[dict[str, Any]]:
    """Dicts with at least one of ``members`` (shrinking to the first alone)."""
    return _dicts({}, members, at_least_one=True)


@functools.cache
def _sizes(low: int, high: int) -> tuple[int, ...]:
    """List sizes to draw from: mostly ``low`` and a few more, now and then half-full or full.

    Sizes from ``low`` up have weights 16, 8, 4, 2, 1; the middle size and ``high`` have
    weight one each. Drawn with ``sampled_from``, so lists shrink towards ``low`` items.
    """
    table: list[int] = []
    weight = 16
    for size in range(low, high + 1):
        if not weight:
            break
        table += [size] * weight
        weight //= 2
    return (*table, (low + high) // 2, high)


def _bijective(number: int, alphabet: str) -> str:
    """``number`` (from 1) written with ``alphabet`` as digits, no zero: a, b, ..., aa, ab, ..."""
    digits: list[str] = []
    while number:
        number, rest = divmod(number - 1, len(alphabet))
        digits.append(alphabet[rest])
    return "".join(reversed(digits))


def _lists(
    element: SearchStrategy[Any],
    *,
    name: str,
    min_size: int,
    max_size: int,
    key: Callable[[Any], Any] | None = None,
    renamed: Callable[[Any, int], Any] | None = None,
) -> SearchStrategy[list[Any]]:
    """Lists of ``element``, sized by :func:`_sizes`; with ``key``, items are distinct by it.

    A size is drawn, then up to :data:`_DRAWN_ITEMS` elements (no Hypothesis collection,
    whose mutations overrun); longer lists repeat those, so a full list costs little more
    than a short one. An item whose key was seen is replaced by ``renamed(item, n)`` for
    n = 1, 2, ... until its key is new, so nothing is ever rejected. ``name`` tells unlike
    lists apart in Hypothesis's labels (see :func:`_dicts`).
    """

    def distinct(item: Any, seen: set[Any]) -> Any:
        if key is None or renamed is None:
            return item
        candidate, attempt = item, 0
        while key(candidate) in seen:
            attempt += 1
            candidate = renamed(item, attempt)
        seen.add(key(candidate))
        return candidate

    @st.composite
    def build(draw: st.DrawFn, _name: str = f"{name}[{min_size}:{max_size}]") -> list[Any]:
        # _name's default makes this composite's label differ from other lists'.
        size = draw(st.sampled_from(_sizes(min_size, max_size)))
        seen: set[Any] = set()
        out = [distinct(draw(element), seen) for _ in range(min(size, _DRAWN_ITEMS))]
        for index in range(len(out), size):
            out.append(distinct(copy.deepcopy(out[index % _DRAWN_ITEMS]), seen))
        return out

    return build()


def _renamer(shape: Shape, *, unreserved: bool = False) -> Callable[[str, int], str]:
    """``renamed`` for :func:`_lists` of strings of ``shape``: a suffix in its alphabet, within its limits."""
    pattern = shape.metadata.get("pattern")
    alphabet = _alphabet(pattern)
    high = _limits(shape)[1]
    limit = _max_run(pattern)

    def renamed(text: str, attempt: int) -> str:
        suffix = _bijective(attempt, alphabet)
        text = text[: high - len(suffix)] + suffix
        if limit is not None:
            text = _break_runs(text, alphabet, limit)
        return _unreserve(text, alphabet) if unreserved else text

    return renamed


def _valid(shape: Shape, *, at_least_one: bool = False) -> SearchStrategy[Any] | None:
    """Values the model accepts for a shape no service rule covers (None: a type not generated)."""
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        built = {name: _valid(member, at_least_one=True) for name, member in shape.members.items()}
        members = {name: strategy for name, strategy in built.items() if strategy is not None}
        required = {n: members.pop(n) for n in shape.required_members if n in members}
        return _dicts(required, members, at_least_one=at_least_one)
    if kind == "list":
        item = _valid(shape.member)
        if item is None:
            return None
        low = int(meta.get("min", 0))
        return _lists(item, name=shape.name, min_size=low, max_size=int(meta.get("max", low + 5)))
    if kind == "string":
        enum = getattr(shape, "enum", None)
        if enum:
            return st.sampled_from(list(enum))
        return _text(shape) if _spellable(shape) else None
    if kind in ("integer", "long"):
        return st.integers(int(meta.get("min", 0)), int(meta.get("max", 2**31 - 1)))
    if kind == "boolean":
        return st.booleans()
    return None


# --- the request's members --------------------------------------------------------------------


@functools.cache
def _media_regions(service: str, region: str | None) -> tuple[str, ...]:
    if service not in facts.SERVICES:
        raise InvalidArgument(f"service={service!r} is not a Chime service: use one of {', '.join(facts.SERVICES)}")
    regions = facts.MEDIA_REGIONS[service]
    if region is None:
        return regions
    control = _control_region(service, region)
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
    shape = _member(service, "TenantIds")
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
    shape = _member(service, "Tags")
    low, high = _limits(shape)
    return _tags(shape, min_size=low, max_size=high)


def _tags(shape: Shape, *, min_size: int, max_size: int) -> SearchStrategy[list[dict[str, str]]]:
    """Tag lists of ``shape`` with distinct keys (ignoring case)."""
    item = shape.member.members
    tag = _dicts({"Key": _text(item["Key"], unreserved=True), "Value": _text(item["Value"])}, {})
    rename = _renamer(item["Key"], unreserved=True)

    def renamed(found: dict[str, str], attempt: int) -> dict[str, str]:
        return {**found, "Key": rename(found["Key"], attempt)}

    return _lists(tag, name=shape.name, min_size=min_size, max_size=max_size, key=_tag_key, renamed=renamed)


@dataclass(frozen=True)
class _ArnFormat:
    service: str
    resource: str
    name_alphabet: str
    name_max: int
    qualifier_alphabet: str
    #: Qualifier characters the target's rule allows but the model's pattern does not.
    qualifier_foreign: str


@functools.cache
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
    return _arns(target, _control_region(service, region), shape)


def notifications_configurations(
    *, service: str = facts.MODERN, region: str = facts.DEFAULT_REGION
) -> SearchStrategy[dict[str, str]]:
    """Generates NotificationsConfiguration dicts with at least one target ARN the service accepts."""
    shape = _member(service, "NotificationsConfiguration")
    control = _control_region(service, region)
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
    shape = _member(service, "MeetingFeatures")
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


_MEMBER_STRATEGIES: Final[dict[str, Callable[[str, str], SearchStrategy[Any]]]] = {
    "ClientRequestToken": lambda service, region: client_request_tokens(service=service),
    "MediaRegion": lambda service, region: media_regions(service=service, region=region),
    "ExternalMeetingId": lambda service, region: external_meeting_ids(service=service),
    "MeetingHostId": lambda service, region: meeting_host_ids(service=service),
    "Tags": lambda service, region: tags(service=service),
    "NotificationsConfiguration": lambda service, region: notifications_configurations(service=service, region=region),
    "MeetingFeatures": lambda service, region: meeting_features(service=service),
    "TenantIds": lambda service, region: tenant_ids(service=service),
    "PrimaryMeetingId": lambda service, region: meeting_ids(),
    "MediaPlacementNetworkType": lambda service, region: media_placement_network_types(service=service),
}


@functools.cache
def _request_members(service: str, region: str) -> dict[str, SearchStrategy[Any]]:
    shape = _spec(service).input_shape
    members: dict[str, SearchStrategy[Any]] = {}
    for name, member in shape.members.items():
        build = _MEMBER_STRATEGIES.get(name)
        strategy = build(service, region) if build else _valid(member)
        if strategy is not None:
            members[name] = strategy
    return members


# --- requests ---------------------------------------------------------------------------------


def create_meeting_requests(
    *, service: str = facts.MODERN, region: str = facts.DEFAULT_REGION, **pinned: Any
) -> SearchStrategy[dict[str, Any]]:
    """Generates keyword arguments for ``client.create_meeting`` that the service accepts.

    Each dict passes botocore's validation against the installed model's input shape and
    the service's own rules (:func:`pytest_chime.validate.violations` finds nothing), for a
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


def _with(params: Mapping[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """A copy of ``params`` with ``value`` at ``path`` (dicts along the way copied, or made)."""
    head, *rest = path
    if not rest:
        return {**params, head: value}
    inner = params.get(head)
    return {**params, head: _with(inner if isinstance(inner, dict) else {}, tuple(rest), value)}


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


# --- responses ----------------------------------------------------------------------------------


@functools.cache
def _meeting_members(service: str) -> frozenset[str]:
    return frozenset(_spec(service).output_shape.members["Meeting"].members)


def _meeting(
    service: str, region: str, account_id: str, params: Mapping[str, Any], rng: random.Random
) -> dict[str, Any]:
    legacy = service == facts.LEGACY
    meeting_id = facts.meeting_id(rng)
    media_region = params.get("MediaRegion") or facts.LEGACY_DEFAULT_MEDIA_REGION
    control = _control_region(service, region)
    full: dict[str, Any] = {
        "MeetingId": meeting_id,
        "MeetingHostId": params.get("MeetingHostId"),
        "ExternalMeetingId": params.get("ExternalMeetingId"),
        "MediaRegion": media_region,
        "MediaPlacement": facts.media_placement(
            rng, meeting=meeting_id, media_region=media_region, control_region=control, legacy=legacy
        ),
        "MeetingFeatures": params.get("MeetingFeatures"),
        "PrimaryMeetingId": params.get("PrimaryMeetingId"),
        "TenantIds": params.get("TenantIds"),
        "MeetingArn": None if legacy else facts.meeting_arn(control, account_id, meeting_id),
    }
    members = _meeting_members(service)
    return {key: value for key, value in full.items() if value is not None and key in members}


def meetings(
    *,
    service: str = facts.MODERN,
    region: str = facts.DEFAULT_REGION,
    account_id: str = facts.DEFAULT_ACCOUNT_ID,
    requests: SearchStrategy[Mapping[str, Any]] | None = None,
) -> SearchStrategy[dict[str, Any]]:
    """Generates Meeting dicts as ``service`` returns them for a client in ``region``.

    Each answers a request drawn from ``requests`` (default:
    :func:`create_meeting_requests`), echoing what the service echoes, with a MeetingId,
    MediaPlacement URLs and (for ``chime-sdk-meetings``) a MeetingArn made by
    :mod:`pytest_chime.facts` from a Hypothesis-drawn random, exactly as the fake makes
    them. Only members the installed model's Meeting shape has appear.
    """
    _spec(service)
    source = requests if requests is not None else create_meeting_requests(service=service, region=region)
    return st.builds(
        functools.partial(_meeting, service, region, account_id), source, st.randoms(use_true_random=False)
    )


def _body(meeting: dict[str, Any]) -> dict[str, Any]:
    return {"Meeting": meeting}


def create_meeting_responses(
    *,
    service: str = facts.MODERN,
    region: str = facts.DEFAULT_REGION,
    account_id: str = facts.DEFAULT_ACCOUNT_ID,
    requests: SearchStrategy[Mapping[str, Any]] | None = None,
) -> SearchStrategy[dict[str, Any]]:
    """Generates CreateMeeting response bodies, ``{"Meeting": {...}}``, from :func:`meetings`."""
    return st.builds(_body, meetings(service=service, region=region, account_id=account_id, requests=requests))


def error_codes(*, service: str = facts.MODERN) -> SearchStrategy[str]:
    """Generates the exception codes the installed model lists for ``service``'s CreateMeeting."""
    _spec(service)
    return st.sampled_from(model.error_codes(service))
