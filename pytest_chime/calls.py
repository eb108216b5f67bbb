"""Queries over a fake's calls (``calls_of`` and the assertions): what they ask, which calls
match, and why an expected one did not."""

from __future__ import annotations

import difflib
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from . import facts, model
from .errors import UnknownOperationError
from .options import check_type

if TYPE_CHECKING:
    from .fake import Call

#: Longest a value is shown in a message or a report before it is cut.
VALUE_LIMIT = 60


def cut(value: Any, limit: int = VALUE_LIMIT) -> str:
    """``repr(value)``, cut to ``limit`` characters and saying how long it was."""
    if isinstance(value, str):
        return repr(value) if len(value) <= limit else f"{value[:limit]!r}... ({len(value)} characters)"
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters as text)"


def attempts(calls: Sequence[Call]) -> list[int]:
    """The attempt number of each call: 1, or one more than the call before it when that call
    was the same request (service, operation, region and params) and was answered an error.

    botocore sends a retried request again at once, with the same members (its
    ``ClientRequestToken`` included), so a run of such calls is one request and its retries.
    """
    numbers: list[int] = []
    previous: Call | None = None
    for call in calls:
        retry = (
            previous is not None
            and previous.error_code is not None
            and call.refused is None
            and (call.service, call.operation, call.region) == (previous.service, previous.operation, previous.region)
            and call.params == previous.params
        )
        numbers.append(numbers[-1] + 1 if retry else 1)
        previous = call
    return numbers


def mismatches(actual: Any, expected: Any, where: str = "params") -> list[str]:
    """Why ``actual`` does not match ``expected`` partially, one line per difference ([] when it does)."""
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            return [f"{where}: expected a structure {cut(dict(expected))}, got {cut(actual)}"]
        found: list[str] = []
        for key, wanted in expected.items():
            path = f"{where}.{key}" if where != "params" else str(key)
            if key not in actual:
                found.append(f"{path}: missing (expected {cut(wanted)})")
            else:
                found += mismatches(actual[key], wanted, path)
        return found
    if isinstance(expected, (list, tuple)) and isinstance(actual, (list, tuple)):
        if len(expected) != len(actual):
            return [f"{where}: expected {len(expected)} item(s) {cut(list(expected))}, got {len(actual)} {cut(actual)}"]
        found = []
        for index, (got, wanted) in enumerate(zip(actual, expected, strict=True)):
            found += mismatches(got, wanted, f"{where}[{index}]")
        return found
    if expected == actual:
        return []
    return [f"{where}: expected {cut(expected)}, got {cut(actual)}"]


@dataclass(frozen=True)
class CallFilter:
    """What a query asks of a call; every field left at its default matches any call.

    Its fields are the query keywords of ``calls_of``, ``last_call_of``, ``assert_called`` and
    ``assert_not_called`` (declared here only), each checked against its type.
    """

    #: ``"CreateAttendee"``, ...; None: any operation.
    operation: str | None = None
    #: ``"chime"`` or ``"chime-sdk-meetings"``.
    service: str | None = None
    #: The control region the call was sent to.
    region: str | None = None
    #: The HTTP status answered.
    status: int | None = None
    #: The error code answered.
    error_code: str | None = None
    #: True: answered with success; False: answered with an error, or refused.
    succeeded: bool | None = None
    #: False leaves out botocore's retries (each request counts once).
    retries: bool = True
    #: Request members, matched partially (see :func:`mismatches`).
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, hint in FILTER_TYPES.items():
            check_type(name, getattr(self, name), hint)
        if self.operation is not None:
            check_operation(self.operation)
            check_members(self.operation, self.params)
        if self.service is not None and self.service not in facts.SERVICES:
            raise UnknownOperationError(
                self.service,
                str(self.operation),
                (),
                message=f"service={self.service!r} is not a Chime service; use one of {', '.join(facts.SERVICES)}",
            )

    def reasons(self, call: Call, attempt: int = 1) -> list[str]:
        """Why ``call`` (its ``attempt``-th try) does not match, one line each ([] when it does)."""
        found: list[str] = []
        for name, wanted, got in (
            ("operation", self.operation, call.operation),
            ("service", self.service, call.service),
            ("region", self.region, call.region),
            ("status", self.status, call.status),
            ("error_code", self.error_code, call.error_code),
        ):
            if wanted is not None and wanted != got:
                found.append(f"{name}: expected {wanted!r}, got {got!r}")
        if self.succeeded is not None and self.succeeded != (call.error_code is None and call.refused is None):
            found.append(f"succeeded: expected {self.succeeded}, got {answer_text(call)}")
        if not self.retries and attempt > 1:
            found.append(f"retries=False: attempt {attempt} is a retry")
        if self.params:
            found += mismatches(call.params, self.params)
        return found

    def describe(self) -> str:
        """``CreateAttendee(MeetingId='...', status=200)``: the query as the user wrote it."""
        parts = [f"{key}={cut(value)}" for key, value in self.params.items()]
        for name in ("service", "region", "status", "error_code"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name}={value!r}")
        if self.succeeded is not None:
            parts.append(f"succeeded={self.succeeded}")
        if not self.retries:
            parts.append("retries=False")
        return f"{self.operation or 'any operation'}({', '.join(parts)})"


def _filter_types() -> dict[str, Any]:
    hints = typing.get_type_hints(CallFilter)
    return {f.name: hints[f.name] for f in fields(CallFilter)}


#: The query keywords and their types: the fields of CallFilter.
FILTER_TYPES = _filter_types()


def make_filter(operation: str | None, query: Mapping[str, Any]) -> CallFilter:
    """A :class:`CallFilter` from a query method's keywords.

    A CallFilter field (snake_case: ``status=``, ``params=``...) filters on the call; a CamelCase
    keyword is a request member, merged over ``params``; anything else raises TypeError.
    """
    filters: dict[str, Any] = {}
    members: dict[str, Any] = {}
    for key, value in query.items():
        if key in FILTER_TYPES and key != "operation":
            filters[key] = value
        elif key[:1].isupper():
            members[key] = value
        else:
            valid = ", ".join(name for name in FILTER_TYPES if name != "operation")
            raise TypeError(
                f"{key}={cut(value)} is not a query keyword: use {valid}, or request members (MeetingId=...)"
            )
    params = filters.pop("params", None)
    if params is None:
        params = {}
    if members and isinstance(params, Mapping):
        params = {**params, **members}
    return CallFilter(operation, params=params, **filters)


def select(calls: Sequence[Call], query: CallFilter) -> list[Call]:
    """The calls ``query`` matches, in order."""
    numbers = attempts(calls) if not query.retries else None
    return [
        call
        for index, call in enumerate(calls)
        if not query.reasons(call, numbers[index] if numbers is not None else 1)
    ]


def check_operation(operation: object) -> None:
    """Refuse a name no Chime service of the installed botocore models (a typo would match nothing)."""
    if isinstance(operation, str) and any(operation in model.operation_names(s) for s in facts.SERVICES):
        return
    known = sorted({name for s in facts.SERVICES for name in model.operation_names(s)})
    close = difflib.get_close_matches(str(operation), known, n=3)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise UnknownOperationError(
        "any",
        str(operation),
        (),
        message=f"{operation!r} is not an operation of any Chime service botocore {model.botocore_version()} "
        f"models, so no call could match it.{hint}",
    )


def check_members(operation: str, params: Mapping[str, Any]) -> None:
    """Refuse a top-level member that ``operation``'s request has on no Chime service."""
    members: dict[str, None] = {}
    for service in facts.SERVICES:
        spec = model.operation(service, operation)
        if spec is not None and spec.model.input_shape is not None:
            members.update(dict.fromkeys(spec.input_shape.members))
    unknown = [key for key in params if key not in members]
    if unknown:
        close = difflib.get_close_matches(str(unknown[0]), list(members), n=1)
        hint = f" Did you mean {close[0]}?" if close else ""
        raise UnknownOperationError(
            "any",
            operation,
            (),
            message=f"{', '.join(map(repr, unknown))} is not a member of the {operation} request, so no call "
            f"could match it.{hint} Members: {', '.join(members) or 'none'}.",
        )


def assertion_message(calls: Sequence[Call], query: CallFilter, matched: int, times: int | None) -> str:
    """Why an ``assert_called`` failed: what was asked, and each call of that operation with what differs."""
    expected = "at least once" if times is None else f"{times} time(s)"
    lines = [f"expected {query.describe()} to be called {expected}, but {matched} call(s) matched."]
    numbers = attempts(calls)
    related = [i for i, call in enumerate(calls) if query.operation in (None, call.operation)]
    if query.operation is not None and not related:
        made = ", ".join(operations_called(calls)) or "none"
        lines.append(f"No {query.operation} call was made; operations called: {made}.")
        return "\n".join(lines)
    retried = [i for i in related if numbers[i] > 1 and not query.reasons(calls[i], numbers[i])]
    if times is not None and retried:
        lines.append(
            f"Each HTTP attempt counts, and {len(retried)} of the matching calls are botocore's retries; "
            "pass retries=False to count each request once."
        )
    lines.append(f"{query.operation or 'Calls'} made ({len(related)}):")
    window = related if len(related) <= MESSAGE_CALLS else [*related[:10], -1, *related[-(MESSAGE_CALLS - 10) :]]
    for index in window:
        if index < 0:
            lines.append(f"  ... {len(related) - MESSAGE_CALLS} more call(s)")
            continue
        call = calls[index]
        why = query.reasons(call, numbers[index])
        lines.append(f"  {index + 1}. {call_line(call, numbers[index])}")
        lines.append(f"       {'; '.join(why) if why else 'matches'}")
    return "\n".join(lines)


#: Calls an assertion message lists at most (the first ten and the last ones).
MESSAGE_CALLS = 40


#: The request members a call line shows by default, in this order.
KEY_MEMBERS = (
    "MeetingId",
    "AttendeeId",
    "ExternalMeetingId",
    "ExternalUserId",
    "ClientRequestToken",
    "MediaRegion",
)


def call_line(call: Call, attempt: int = 1, *, full: bool = False) -> str:
    """One call on one line: service, operation, attempt number (from the second), key members
    (every member when ``full``), region, request id, and the answer: status, or error code
    and message, or why the fake refused it."""
    if full:
        request = f"params={call.params!r}"
    else:
        shown = [f"{key}={cut(call.params[key])}" for key in KEY_MEMBERS if key in call.params]
        others = [key for key in call.params if key not in KEY_MEMBERS]
        if others:
            shown.append(f"+{_cut_text(', '.join(others))}")
        request = " ".join(shown)
    retry = f" (attempt {attempt})" if attempt > 1 else ""
    head = " ".join(filter(None, [f"{call.service} {call.operation}{retry}", request, f"region={call.region}"]))
    if call.refused is not None:
        answer = f"refused: {call.refused if full else _cut_text(call.refused)}"
    elif call.error_code is not None:
        message = call.message or ""
        answer = f"{call.status} {call.error_code}: {message if full else _cut_text(message)}"
    else:
        answer = str(call.status)
    return f"{head} request_id={call.request_id} -> {answer}"


def answer_text(call: Call) -> str:
    """``200``, ``429 ThrottlingException`` or ``refused``."""
    if call.refused is not None:
        return "refused"
    return f"{call.status} {call.error_code}" if call.error_code else str(call.status)


def _cut_text(text: str, limit: int = VALUE_LIMIT) -> str:
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def operations_called(calls: Iterable[Call]) -> list[str]:
    """Each operation called, once, in the order of its first call."""
    return list(dict.fromkeys(call.operation for call in calls))
