"""Server-side validation: the model's constraints, checked as the service does, and the pieces service rules share."""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, NamedTuple, TypeVar

from . import caches, facts

if TYPE_CHECKING:
    from botocore.model import Shape

    from .model import OperationSpec
    from .operations import Request


class Violation(NamedTuple):
    """One broken rule: the member (a path such as ``Tags.2.Key``), the rule and the message."""

    member: str
    rule: str
    message: str


#: The rule names (``Violation.rule``) of the model's constraints, as :func:`compiled`'s checks report them.
MODEL_RULES: Final = (
    "type",
    "required",
    "min-length",
    "max-length",
    "pattern",
    "enum",
    "min-items",
    "max-items",
    "min-value",
    "max-value",
)
#: Those of :data:`MODEL_RULES` that only the service checks: botocore's client-side validation
#: checks types, required members and ``min``, so a request breaking these alone reaches the service.
SERVER_ONLY_MODEL_RULES: Final = ("max-length", "pattern", "enum", "max-items", "max-value")

_Check = Callable[[Any, str, list[Violation]], None]
_Limits = Callable[[Mapping[str, Any], list[Violation]], None]


def shown(value: Any) -> str:
    """``repr(value)``, cut to ``facts.MESSAGE_VALUE_LIMIT`` characters for a message."""
    text = repr(value)
    limit = facts.MESSAGE_VALUE_LIMIT
    if len(text) <= limit:
        return text
    size = f"{len(value)} characters" if isinstance(value, str) else f"{len(text)} characters as text"
    return f"{text[:limit]}... ({size})"


def _value_part(value: Any, shape: Shape) -> str:
    if shape.metadata.get("sensitive") or not isinstance(value, (str, int)):
        return "Value"
    return f"Value {shown(value)}"


def _fail(out: list[Violation], value: Any, shape: Shape, path: str, rule: str, constraint: str) -> None:
    message = f"{_value_part(value, shape)} at '{path}' failed to satisfy constraint: {constraint}"
    out.append(Violation(path, rule, message))


#: What a string member must be: (min length, max length, pattern, enum).
_StringLimits = tuple[int, int, "re.Pattern[str] | None", "frozenset[str] | None"]


def _string_limits(shape: Shape, pattern: str | None) -> _StringLimits:
    """A string shape's limits (``pattern``: the documented one where the model has none)."""
    meta = shape.metadata
    chosen = meta.get("pattern") or pattern
    enum = frozenset(getattr(shape, "enum", ()) or ()) or None
    high = meta.get("max")
    return (meta.get("min", 0), sys.maxsize if high is None else high, _pattern(chosen) if chosen else None, enum)


def _pattern(pattern: str) -> re.Pattern[str]:
    """A model pattern as the service applies it (ASCII classes)."""
    return re.compile(pattern, re.ASCII)


def _compile(shape: Shape, cache: dict[str, _Check], patterns: Mapping[str, str], pattern: str | None = None) -> _Check:
    """A check of ``shape``. ``patterns``: member name -> the pattern the API reference documents
    where the model has none; ``pattern``: the one for ``shape`` itself."""
    key = f"{shape.name}/{pattern}" if pattern else shape.name
    if key in cache:
        return cache[key]
    kind = shape.type_name
    meta = shape.metadata
    check: _Check
    if kind == "structure":
        members: dict[str, _Check] = {}
        # Registered before the members compile, so a recursive shape finds itself.
        cache[key] = lambda v, p, o: members_check(v, p, o)
        #: String members' limits: a string within them passes without a call to its check.
        limits: dict[str, _StringLimits] = {}
        required = tuple(shape.required_members)
        for name, member in shape.members.items():
            documented = patterns.get(name) if member.type_name == "string" else None
            member_pattern = None if member.metadata.get("pattern") else documented
            members[name] = _compile(member, cache, patterns, member_pattern)
            if member.type_name == "string":
                limits[name] = _string_limits(member, member_pattern)

        def members_check(value: Any, path: str, out: list[Violation]) -> None:
            if not isinstance(value, dict):
                _fail(out, value, shape, path or shape.name, "type", "Member must be a structure")
                return
            for name in required:
                if value.get(name) is None:
                    _fail(out, None, shape, f"{path}.{name}" if path else name, "required", "Member must not be null")
            for name, item in value.items():
                if item is None:
                    continue
                within = limits.get(name)
                if within is not None and type(item) is str:
                    lo, hi, regex, enum = within
                    if (
                        lo <= len(item) <= hi
                        and (regex is None or regex.fullmatch(item) is not None)
                        and (enum is None or item in enum)
                    ):
                        continue  # its check would find nothing: it runs only to say what is wrong
                sub = members.get(name)
                if sub is not None:
                    sub(item, f"{path}.{name}" if path else name, out)

        check = members_check
    elif kind == "list":
        item_check = _compile(shape.member, cache, patterns)
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
        pattern = meta.get("pattern") or pattern
        regex = _pattern(pattern) if pattern else None
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
    else:  # types the Chime requests do not use are accepted as they come

        def any_check(value: Any, path: str, out: list[Violation]) -> None:
            return None

        check = any_check
    cache[key] = check
    return check


@caches.cached(maxsize=64)
def regex(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled on first use (compiling at import would slow pytest's start-up)."""
    return re.compile(pattern)


def reserved_prefix(params: Mapping[str, Any], *names: str, path: str = "") -> list[Violation]:
    """Members among ``names`` whose value starts with the prefix AWS reserves (``aws:``, any case)."""
    out = []
    for name in names:
        value = params.get(name)
        if isinstance(value, str) and value.lower().startswith(facts.RESERVED_TAG_PREFIX):
            out.append(
                Violation(
                    path + name,
                    "reserved-prefix",
                    f"{path}{name} values starting with '{facts.RESERVED_TAG_PREFIX}' are reserved for AWS use",
                )
            )
    return out


def tag_rules(tags: Any, path: str = "Tags") -> list[Violation]:
    """Tag keys the service refuses: the reserved ``aws:`` prefix, and a key given twice."""
    out: list[Violation] = []
    if not isinstance(tags, list):
        return out
    seen: set[str] = set()
    for index, tag in enumerate(tags, start=1):
        key = tag.get("Key") if isinstance(tag, dict) else None
        if not isinstance(key, str):
            continue
        where = f"{path}.{index}.Key"
        if key.lower().startswith(facts.RESERVED_TAG_PREFIX):
            out.append(
                Violation(
                    where,
                    "tag-key-reserved",
                    f"Tag keys starting with '{facts.RESERVED_TAG_PREFIX}' are reserved for AWS use ({where})",
                )
            )
        if key in seen:
            out.append(
                Violation(
                    where,
                    "duplicate-tag-key",
                    f"Duplicate tag key {shown(key)} at {where}: each tag key must be unique",
                )
            )
        seen.add(key)
    return out


class RuleInfo(NamedTuple):
    """What a service rule declares: the rule names it reports, and the request members it reads."""

    #: The ``Violation.rule`` names the rule can report.
    names: tuple[str, ...]
    #: The request members it reads: it runs only when one of them is sent (None: always).
    reads: tuple[str, ...] | None


#: Rule -> what it declares (see :func:`rule`).
_RULES: dict[Callable[..., Any], RuleInfo] = {}

_Rule = TypeVar("_Rule", bound=Callable[..., Any])


def rule(*names: str, reads: tuple[str, ...] | None = None) -> Callable[[_Rule], _Rule]:
    """Declare a service rule: the rule ``names`` its violations carry, and the request members it
    ``reads`` (it runs only when one of them is sent; None: on every request of its operations)."""

    def declare(function: _Rule) -> _Rule:
        _RULES[function] = RuleInfo(names, reads)
        return function

    return declare


def rule_info(function: Callable[..., Any]) -> RuleInfo:
    """What ``function`` was declared with by :func:`rule`."""
    found = _RULES.get(function)
    if found is None:
        raise LookupError(f"{function!r} is not declared with @validate.rule(...)")
    return found


@rule("tag-key-reserved", "duplicate-tag-key", reads=("Tags",))
def tags_rule(request: Request) -> list[Violation]:
    """The service rule of a request carrying ``Tags``: :func:`tag_rules` of them."""
    return tag_rules(request.params.get("Tags"))


def _documented_limits(spec: OperationSpec, params: Mapping[str, Any], out: list[Violation]) -> None:
    """Item limits the documentation states where the installed model has no ``max``."""
    for member, limit in facts.DOCUMENTED_MAX_ITEMS.get(spec.name, {}).items():
        value = params.get(member)
        shape = spec.input_shape.members.get(member)
        if shape is None or shape.metadata.get("max") is not None or not isinstance(value, list):
            continue
        if len(value) > limit:
            _fail(out, None, shape, member, "max-items", f"Member must have length less than or equal to {limit}")


@caches.cached(maxsize=256)
def compiled(service: str, operation: str) -> tuple[_Check, _Limits | None]:
    """The model's constraints for one operation, compiled once: ``(check, limits)``.

    ``check(params, "", out)`` appends every constraint the request's members break, in
    member order; ``limits(params, out)`` (None when there are none) the item limits the
    documentation states where the model has no ``max``.
    """
    from .model import operation as spec_of

    spec = spec_of(service, operation)
    assert spec is not None
    check = _compile(spec.input_shape, {}, facts.DOCUMENTED_PATTERNS.get(service, {}))
    if spec.name not in facts.DOCUMENTED_MAX_ITEMS:
        return check, None
    return check, functools.partial(_documented_limits, spec)


#: A line of botocore's validation report that an answer may cause: real answers break ``min``
#: constraints (``"TenantIds": []`` under a ``min`` of 1), so such a line is no problem of an answer.
_ANSWERS_MAY = re.compile(r"Invalid (?:length|value) for parameter .*, value: -?\d+, valid min (?:length|value): \S+")


def output_problems(value: Any, shape: Shape) -> list[str]:
    """What in an answer botocore could not give back as modelled (wrong types, unknown or missing members).

    Checked by botocore's own validator, as its Stubber checks the responses queued on it,
    but ``min`` constraints are not held against an answer: real ones break them. Long
    reports are cut as :func:`message` cuts its list.
    """
    from botocore.validate import ParamValidator

    report = ParamValidator().validate(value, shape)
    if not report.has_errors():
        return []
    found = [line for line in report.generate_report().splitlines() if not _ANSWERS_MAY.fullmatch(line)]
    return _first_few(found, len(found))


def _cut(text: str) -> str:
    limit = facts.MESSAGE_ITEM_LIMIT
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def _first_few(items: list[str], count: int) -> list[str]:
    """The first ``facts.MESSAGE_ITEMS_SHOWN`` of ``items`` (of ``count``), each cut, then "and N more"."""
    shown_items = [_cut(item) for item in items[: facts.MESSAGE_ITEMS_SHOWN]]
    if count > len(shown_items):
        shown_items.append(f"and {count - len(shown_items)} more")
    return shown_items


def message(found: list[Violation]) -> str:
    """The BadRequestException message for ``found``: the count, then the first few (each naming its
    member and rule) and how many more, so a request breaking thousands of rules gets a short answer."""
    count = len(found)
    noun = "error" if count == 1 else "errors"
    listed = _first_few([v.message for v in found[: facts.MESSAGE_ITEMS_SHOWN]], count)
    return f"{count} validation {noun} detected: " + "; ".join(listed)
