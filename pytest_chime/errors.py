"""Errors: the service's answers, and the plugin's own complaints about misuse.

A ``ServiceError`` is what the fake answers on the wire (botocore turns it into the
client's modelled exception). Every other class here is raised to the test author: the
plugin was asked for something it cannot do, and the message lists what it can.
"""

from __future__ import annotations

from collections.abc import Iterable


class ServiceError(Exception):
    """The fake service rejects a request with a modelled error (raised inside the fake)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class ChimeFakeError(Exception):
    """Base class of every error pytest-chime raises for misuse of the plugin."""


class UnknownOperationError(ChimeFakeError, ValueError):
    """The installed botocore does not model this service or operation, or the fake does not implement it."""

    def __init__(self, service: str, operation: str, available: Iterable[str], *, message: str | None = None) -> None:
        if message is None:
            from .model import botocore_version

            listed = ", ".join(available) or "none"
            message = (
                f"botocore {botocore_version()} does not model {operation} on {service!r}. "
                f"Services with {operation} here: {listed}."
            )
        super().__init__(message)


class UnknownErrorCodeError(ChimeFakeError, ValueError):
    """An error code that no served service models for the operation."""


class UnsupportedOperationError(ChimeFakeError, NotImplementedError):
    """A call to an operation of a Chime service that the fake does not implement.

    Raised in the caller, and again at teardown (``verify()``) so that code which
    swallowed it still fails its test.
    """


class UnusedErrorInjectionError(ChimeFakeError, AssertionError):
    """An injected error was never raised (and was not marked ``optional=True``)."""


class FakeChimeStateError(ChimeFakeError, RuntimeError):
    """A FakeChime was started or stopped out of order."""


class PresenceError(ChimeFakeError, ValueError):
    """A presence method (``join``, ``leave``, ``start_video``...) asked for what the client SDK could not do:
    an unknown or deleted attendee, an ended meeting, leaving without having joined."""


class EventDeliveryError(ChimeFakeError, RuntimeError):
    """An event could not be delivered where Chime sends it (``deliver_events=True``): nothing in
    the process answered the SQS, SNS or EventBridge call (start moto's ``mock_aws``), or it refused it."""


class HookError(ChimeFakeError, RuntimeError):
    """A hook that shapes the fake (``pytest_chime_meeting_created``, ``on_meeting_created``...)
    raised, or made an answer the model refuses: the call was not answered, and its test fails."""


class InternalFakeError(ChimeFakeError, RuntimeError):
    """The fake itself failed while answering a call (a pytest-chime bug: please report it)."""
