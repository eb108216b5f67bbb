"""Queued error injections: which call fails, with what, and why one never fired."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields

from . import caches, facts, model
from .errors import UnknownErrorCodeError, UnknownOperationError
from .options import allows, check_type


@dataclass(kw_only=True)  # all but code: a KW_ONLY marker would break get_type_hints on Python 3.10
class ErrorInjection:
    """One queued error: ``code`` fails ``times`` matching calls after letting ``after`` through.

    Its keywords are those of :meth:`FakeChime.fail() <pytest_chime.FakeChime.fail>` and of
    the ``chime_error`` marker (this class is where they are declared). Each is checked
    when it is made, against the installed botocore: a wrong type raises TypeError, a code,
    operation, service or count that cannot work :class:`~pytest_chime.UnknownErrorCodeError`
    or :class:`~pytest_chime.UnknownOperationError`.
    """

    #: A modelled exception name, such as ``"ThrottlingException"``.
    code: str = field(kw_only=False)
    #: How many matching calls fail; None fails every one from then on.
    times: int | None = 1
    #: How many matching calls succeed first.
    after: int = 0
    #: The operation whose calls it fails.
    operation: str = "CreateMeeting"
    #: ``"chime"`` or ``"chime-sdk-meetings"``; None: every Chime service that models ``code``.
    service: str | None = None
    #: The error message (None: the service's own wording).
    message: str | None = None
    #: True lets it go unused without failing the test.
    optional: bool = False
    #: Where it was declared (``fail()`` or a marker), for messages.
    origin: str = field(default="fail()", init=False)
    #: The services it applies to, resolved against the installed botocore.
    services: tuple[str, ...] = field(default=(), init=False)
    #: Matching calls let through because of ``after``.
    passed: int = field(default=0, init=False)
    #: Times it failed a call.
    fired: int = field(default=0, init=False)
    #: How many calls the fake had answered when this was queued (earlier ones cannot match).
    queued_at: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        for name, hint in ARGUMENT_TYPES.items():
            check_type(name, getattr(self, name), hint)
        _check_count("times", self.times, minimum=1)
        _check_count("after", self.after, minimum=0)
        if self.service is not None and self.service not in facts.SERVICES:
            raise UnknownErrorCodeError(
                f"service={self.service!r} is not a Chime service pytest-chime serves; "
                f"use one of {', '.join(facts.SERVICES)} or None (any)."
            )
        check_operation(self.operation, self.service)
        candidates = (self.service,) if self.service else facts.SERVICES
        self.services = tuple(
            s
            for s in candidates
            if (spec := model.operation(s, self.operation)) is not None and self.code in spec.errors
        )
        if not self.services:
            raise UnknownErrorCodeError(_unknown_code_message(self.code, self.operation, self.service))

    def matches(self, service: str, operation: str) -> bool:
        """Whether a call to ``service``'s ``operation`` is one this injection can fail."""
        return operation == self.operation and service in self.services

    @property
    def exhausted(self) -> bool:
        """True once it has failed ``times`` calls (never for ``times=None``)."""
        return self.times is not None and self.fired >= self.times

    @property
    def owed(self) -> int:
        """How many more failures it must produce for the unused-injection check."""
        return max((self.times or 1) - self.fired, 0)

    def describe(self) -> str:
        """``ThrottlingException (times=2, after=0, service=any, operation=CreateMeeting)``."""
        return (
            f"{self.code} (times={self.times}, after={self.after}, "
            f"service={self.service or 'any'}, operation={self.operation}) from {self.origin}"
        )


def _argument_types() -> dict[str, object]:
    hints = typing.get_type_hints(ErrorInjection)
    return {f.name: hints[f.name] for f in fields(ErrorInjection) if f.init}


#: The arguments an injection is made with, and their types: the fields of ErrorInjection.
ARGUMENT_TYPES = _argument_types()


def _check_count(name: str, value: int | None, *, minimum: int) -> None:
    if value is not None and value < minimum:
        allowed = f"an integer >= {minimum}" + (" or None" if allows(ARGUMENT_TYPES[name], None) else "")
        raise UnknownErrorCodeError(f"{name}={value!r} is not valid: {name} must be {allowed}.")


def arguments_text() -> str:
    """``(code, *, times=1, after=0, ...)``: the arguments of ``fail()`` and of the ``chime_error`` marker."""
    signature = inspect.signature(ErrorInjection)
    plain = [p.replace(annotation=inspect.Parameter.empty) for p in signature.parameters.values()]
    return str(signature.replace(parameters=plain, return_annotation=inspect.Signature.empty))


def make(
    args: Sequence[object], kwargs: Mapping[str, object], *, origin: str = "fail()", name: str = "fail"
) -> ErrorInjection:
    """An injection from ``fail()``'s or a marker's arguments, bound as :class:`ErrorInjection` takes them.

    Arguments that do not bind, or have the wrong type, raise TypeError saying what ``origin``
    got wrong and listing ``name``'s arguments.
    """
    try:
        inspect.signature(ErrorInjection).bind(*args, **kwargs)
        made = ErrorInjection(*args, **kwargs)  # type: ignore[arg-type]  # checked by its __post_init__
    except TypeError as error:
        raise TypeError(f"{origin}: {error}. Use {name}{arguments_text()}") from None
    made.origin = origin
    return made


def valid_codes_text(operation: str) -> str:
    """``chime-sdk-meetings: BadRequestException, ...`` for every served service."""
    parts = []
    for service in model.services(operation):
        parts.append(f"{service}: {', '.join(model.error_codes(service, operation))}")
    return "; ".join(parts) or "none (no served service models this operation)"


def _unknown_code_message(code: object, operation: str, service: str | None) -> str:
    available = model.services(operation)
    where = f"{service!r} {operation}" if service else f"{operation} on any served Chime service"
    lines = [f"{code!r} is not an error botocore {model.botocore_version()} models for {where}."]
    if isinstance(code, str):
        other = facts.EQUIVALENT_CODES.get(code)
        legacy_missing = facts.LEGACY not in available
        if other is not None:
            owners = [s for s in available if other in model.error_codes(s, operation)]
            if owners:
                lines.append(f"{code} is the other Chime service's name; {'/'.join(owners)} calls it {other}.")
        if legacy_missing and code in _LEGACY_ONLY_CODES:
            lines.append(
                f"{code} belongs to the legacy 'chime' CreateMeeting, which this botocore does not have "
                "(removed in botocore 1.37.2; install botocore==1.37.1 to test it)."
            )
        from . import operations

        candidates = (service,) if service else facts.SERVICES
        owners = [
            name
            for name in operations.implemented(service)
            if any((spec := model.operation(s, name)) is not None and code in spec.errors for s in candidates)
        ]
        if owners:
            lines.append(f"{code} is modelled for {', '.join(owners)}: pass operation= one of them.")
        else:
            pool = {c for s in available for c in model.error_codes(s, operation)}
            import difflib

            close = difflib.get_close_matches(code, sorted(pool), n=1)
            if close and close[0] != other:
                lines.append(f"Did you mean {close[0]}?")
    lines.append(f"Valid codes: {valid_codes_text(operation)}.")
    return " ".join(lines)


_LEGACY_ONLY_CODES = frozenset(
    {"ThrottledClientException", "UnauthorizedClientException", "ResourceLimitExceededException"}
)


_LEGACY_GONE = (
    "the legacy 'chime' meeting operations were removed in botocore 1.37.2 "
    "(install botocore==1.37.1 and boto3==1.37.1 to test them)"
)


def check_operation(operation: object, service: str | None) -> None:
    """Refuse an operation the fake does not implement (on ``service``), listing those it does."""
    from . import operations  # the operation table, on first use: the plugin reads this module at start-up

    implemented = operations.implemented(service)
    if isinstance(operation, str) and operation in implemented:
        return
    where = f" on {service!r}" if service else ""
    listed = f"Implemented{where}: {', '.join(implemented) or 'none'}."
    legacy_gone = (
        isinstance(operation, str)
        and operations.find(operation) is not None
        and service in (facts.LEGACY, None)
        and model.operation(facts.LEGACY, operation) is None
        and (service == facts.LEGACY or model.operation(facts.MODERN, operation) is None)
    )
    if legacy_gone:
        why = f"is not served on 'chime' by botocore {model.botocore_version()}: {_LEGACY_GONE}"
    elif isinstance(operation, str) and any(model.operation(s, operation) for s in facts.SERVICES):
        why = "is modelled by botocore but not implemented by pytest-chime's fake"
    else:
        why = "is not an operation of pytest-chime's fake"
    raise UnknownOperationError(
        service or "any", str(operation), (), message=f"operation={operation!r} {why}{where}. {listed}"
    )


def error_codes(service: str, operation: str = "CreateMeeting") -> tuple[str, ...]:
    """The exception codes the installed botocore models for ``service``'s ``operation``, one the fake serves.

    Use it to parametrize a test over every exception::

        @pytest.mark.parametrize("code", error_codes("chime-sdk-meetings", operation="GetMeeting"))
    """
    if service not in facts.SERVICES:
        raise UnknownOperationError(service, str(operation), model.services(str(operation)))
    check_operation(operation, service)
    return model.error_codes(service, operation)


@caches.cached(maxsize=64)  # two services' operations
def chaos_codes(service: str, operation: str) -> tuple[str, ...]:
    """The retryable errors ``--chime-chaos`` may answer ``service``'s ``operation`` with."""
    spec = model.operation(service, operation)
    return tuple(code for code in facts.CHAOS_CODES[service] if spec is not None and code in spec.errors)


def select(queue: list[ErrorInjection], service: str, operation: str) -> ErrorInjection | None:
    """The injection that decides this call (in queue order), or None to let it through."""
    for injection in queue:
        if injection.exhausted or not injection.matches(service, operation):
            continue
        if injection.passed < injection.after:
            injection.passed += 1
            return None
        injection.fired += 1
        return injection
    return None


def why_unused(injection: ErrorInjection, matching_calls: int, answered: int) -> str:
    """A sentence on why ``injection`` fired fewer times than it should have."""
    fired = f"it fired {injection.fired} of {injection.times or 1} time(s)"
    where = f"{'/'.join(injection.services)} {injection.operation}"
    if matching_calls == 0:
        return f"{fired}: no {where} call reached the fake (it answered {answered} call(s) in all)."
    if injection.passed < injection.after:
        return (
            f"{fired}: only {matching_calls} {where} call(s) reached the fake, "
            f"and after={injection.after} lets the first {injection.after} through."
        )
    return (
        f"{fired}: {matching_calls} {where} call(s) reached the fake, "
        "but earlier injections in the queue took them or the calls stopped."
    )
