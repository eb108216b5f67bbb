"""Strategies from botocore shapes: strings from patterns and lengths, lists, dicts, structures."""

from __future__ import annotations

import copy
import functools
import re
import string
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from .. import caches, facts

if TYPE_CHECKING:
    from botocore.model import Shape


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
#: Items drawn for a list; a longer list repeats them (renamed where items must differ).
_DRAWN_ITEMS: Final = 5


def _snake(name: str) -> str:
    """A member's name as a keyword argument: boto3's own spelling (``ResourceARN``: ``resource_arn``)."""
    from botocore import xform_name

    return str(xform_name(name))


# --- strings --------------------------------------------------------------------------------


class _Unspellable(ValueError):
    """A model pattern that is not one character class repeated: no alphabet can be read off it."""


@caches.cached(maxsize=256)
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


@caches.cached(maxsize=256)
def _bad_chars(pattern: str) -> str:
    regex = re.compile(pattern, re.ASCII)
    return "".join(c for c in _ASCII if not regex.fullmatch(c))


def _max_run_of(regex: re.Pattern[str], alphabet: str) -> int | None:
    for size in range(2, 9):
        if regex.fullmatch(alphabet[0] * size) is None:
            return size - 1
    return None


@caches.cached(maxsize=256)
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


@caches.cached(maxsize=256)
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
    drawn: int = _DRAWN_ITEMS,
) -> SearchStrategy[list[Any]]:
    """Lists of ``element``, sized by :func:`_sizes`; with ``key``, items are distinct by it.

    A size is drawn, then up to ``drawn`` elements (no Hypothesis collection, whose
    mutations overrun); longer lists repeat those, so a full list costs little more than a
    short one. Lists of large items (meetings, attendees with tags) draw fewer, or five of
    them would now and then outgrow Hypothesis's buffer. An item whose key was seen is
    replaced by ``renamed(item, n)`` for n = 1, 2, ... until its key is new, so nothing is
    ever rejected. ``name`` tells unlike lists apart in Hypothesis's labels (see
    :func:`_dicts`).
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
    def build(draw: st.DrawFn, _name: str = f"{name}[{min_size}:{max_size}]/{drawn}") -> list[Any]:
        # _name's default makes this composite's label differ from other lists'.
        size = draw(st.sampled_from(_sizes(min_size, max_size)))
        seen: set[Any] = set()
        out = [distinct(draw(element), seen) for _ in range(min(size, drawn))]
        for index in range(len(out), size):
            out.append(distinct(copy.deepcopy(out[index % drawn]), seen))
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


def _with(params: Mapping[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """A copy of ``params`` with ``value`` at ``path`` (dicts along the way copied, or made)."""
    head, *rest = path
    if not rest:
        return {**params, head: value}
    inner = params.get(head)
    return {**params, head: _with(inner if isinstance(inner, dict) else {}, tuple(rest), value)}
