"""FakeChime: the in-memory Chime service, its state and its answers."""

from __future__ import annotations

import itertools
import random
import threading
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple

from . import facts, injection, model, operations, protocol, validate
from .errors import HookError, InternalFakeError, ServiceError, UnsupportedOperationError, UnusedErrorInjectionError
from .injection import ErrorInjection
from .options import check_options
from .protocol import Reply

if TYPE_CHECKING:
    from .calls import CallFilter

#: A request id drawn from an rng; drawn ``_REQUEST_ID_BATCH`` at a time.
_request_id = facts.request_id
_REQUEST_ID_BATCH = 32

#: How to silence the unused-injection check.
UNUSED_HINT = "(pass optional=True to fail() or chime_error, or set chime_assert_all_errors_used = false)"

#: ``hook(meeting, params)``: called for every meeting created; may change ``meeting``.
MeetingHook = Callable[[dict[str, Any], dict[str, Any]], None]
#: ``hook(attendee, meeting, params)``: called for every attendee created; may change ``attendee``.
AttendeeHook = Callable[[dict[str, Any], Mapping[str, Any], dict[str, Any]], None]


class Call(NamedTuple):
    """One HTTP attempt the fake answered or refused (retries are separate calls); immutable."""

    service: str
    operation: str
    #: The request as the service received it, decoded from the wire.
    params: dict[str, Any]
    #: The HTTP status of the answer.
    status: int
    #: The error code answered, or None on success.
    error_code: str | None
    request_id: str
    #: The control region the request was sent to.
    region: str
    #: The error message answered, or None on success.
    message: str | None = None
    #: Why the fake refused the call (an operation it does not implement), or None. A
    #: refused call was not answered (``status`` 0) and fails the test at teardown.
    refused: str | None = None


class _Internal(NamedTuple):
    error: BaseException
    text: str


class FakeChime:
    """A fake Amazon Chime service answering the meetings API on botocore's wire path.

    Active inside ``with FakeChime() as fake:`` (or between ``start()`` and ``stop()``,
    or for a test through the ``fake_chime`` fixture): every botocore client's Chime
    calls are answered by it. ``meetings``, ``attendees``, ``calls`` and ``sleeps`` show
    what happened.
    """

    def __init__(
        self,
        *,
        seed: int | str = 0,
        scope: str = "",
        quota: int = facts.DEFAULT_QUOTA,
        region: str = facts.DEFAULT_REGION,
        media_region: str = facts.LEGACY_DEFAULT_MEDIA_REGION,
        account_id: str = facts.DEFAULT_ACCOUNT_ID,
        real_sleep: bool = False,
        chaos: float = 0.0,
        assert_all_errors_used: bool = True,
        on_meeting_created: MeetingHook | None = None,
        on_attendee_created: AttendeeHook | None = None,
    ) -> None:
        check_options(
            {
                "seed": seed,
                "quota": quota,
                "region": region,
                "media_region": media_region,
                "account_id": account_id,
                "real_sleep": real_sleep,
                "chaos": chaos,
                "assert_all_errors_used": assert_all_errors_used,
            },
            where="FakeChime",
        )
        #: MeetingId -> the Meeting as GetMeeting returns it (a deleted meeting leaves; ``del``
        #: ends a meeting as DeleteMeeting does, attendees included).
        self.meetings: dict[str, dict[str, Any]] = _Meetings(self)
        #: MeetingId -> AttendeeId -> the Attendee as GetAttendee returns it.
        self.attendees: dict[str, dict[str, dict[str, Any]]] = {}
        #: MeetingId -> the transcription running: ``TranscriptionConfiguration`` as started, and
        #: ``TranscriptFailed`` (None, or the message of the TranscriptFailed event Transcribe sent).
        self.transcriptions: dict[str, dict[str, Any]] = {}
        #: Every CreateMeetingDialOut made (legacy chime): TransactionId, MeetingId, AttendeeId, numbers.
        self.dial_outs: list[dict[str, Any]] = []
        #: Every HTTP attempt answered, in order, retries included.
        self.calls: list[Call] = []
        #: Delays botocore asked to sleep (retry backoff and rate-limiter waits) for calls the fake answered.
        self.sleeps: list[float] = []
        #: How many answers ``chaos`` turned into faults.
        self.chaos_faults = 0
        #: The run's seed; with ``scope`` it fixes every id, URL and chaos draw.
        self.seed = seed
        #: What the ids are drawn for (the fixture uses the test's node id).
        self.scope = scope
        #: Active meetings allowed at once; over it the service's limit error.
        self.quota = quota
        #: Control region assumed when a request does not show one.
        self.region = region
        #: MediaRegion of a legacy ``chime`` meeting whose request leaves it out.
        self.media_region = media_region
        #: The account in MeetingArns and ForbiddenException messages.
        self.account_id = account_id
        #: Sleep botocore's backoff for real (default: record it and return at once).
        self.real_sleep = real_sleep
        #: Fraction of calls failed with a retryable modelled error.
        self.chaos = chaos
        #: Fail ``verify()`` (and the test) when an injected error never fired.
        self.assert_all_errors_used = assert_all_errors_used
        #: Called as ``hook(meeting, params)`` for every meeting created, before it is stored.
        self.meeting_hooks: list[MeetingHook] = [on_meeting_created] if on_meeting_created else []
        #: Called as ``hook(attendee, meeting, params)`` for every attendee created, before it is stored.
        self.attendee_hooks: list[AttendeeHook] = [on_attendee_created] if on_attendee_created else []
        self._lock = threading.RLock()
        self._tokens: dict[tuple[str, str], str] = {}
        #: MeetingId -> the service that created it.
        self._owners: dict[str, str] = {}
        #: Meeting or attendee id -> its creation number (listings page in that order).
        self._numbers: dict[str, int] = {}
        self._counter = itertools.count(1)
        self._errors: list[ErrorInjection] = []
        self._internal: list[_Internal] = []
        self._hook_errors: list[str] = []
        #: Undo steps of the call being answered (run if its answer cannot be sent).
        self._undo: list[Callable[[], object]] = []
        #: The last hook run for the call being answered (None: none ran).
        self._hooked: object = None
        #: What answers the wire for this fake (this fake itself until engine.py lands).
        self._engine = self
        self._seed_rngs()

    def __repr__(self) -> str:
        active = "active" if self in _active_fakes() else "stopped"
        return f"<FakeChime seed={self.seed!r} scope={self.scope!r} {active}: {len(self.meetings)} meeting(s)>"

    def _seed_rngs(self) -> None:
        base = f"{self.seed}/{self.scope}"
        self._ids = random.Random(f"{base}/ids")
        self._request_ids = random.Random(f"{base}/requests")
        #: The next request ids, drawn ahead in batches (last first): the same sequence, drawn cheaper.
        self._request_pool: list[str] = []
        self._chaos_rng = random.Random(f"{base}/chaos")

    # --- life cycle ---------------------------------------------------------------------

    def start(self) -> FakeChime:
        """Start answering Chime calls (the innermost active fake answers)."""
        from . import wire

        wire.activate(self, self._engine)
        return self

    def stop(self) -> None:
        """Stop answering; the fake's state stays readable."""
        from . import wire

        wire.deactivate(self)

    def __enter__(self) -> FakeChime:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        if exc_type is None:
            self.verify()

    def reset(self) -> None:
        """Forget meetings, attendees, calls, sleeps and queued errors; restart the id sequence."""
        with self._lock:
            dict.clear(self.meetings)
            self.attendees.clear()
            self.transcriptions.clear()
            self.dial_outs.clear()
            self._owners.clear()
            self._numbers.clear()
            self._counter = itertools.count(1)
            self.calls.clear()
            self.sleeps.clear()
            self.chaos_faults = 0
            self._tokens.clear()
            self._errors.clear()
            self._internal.clear()
            self._hook_errors.clear()
            self._seed_rngs()

    # --- error injection ----------------------------------------------------------------

    def fail(
        self,
        code: str,
        *,
        times: int | None = 1,
        after: int = 0,
        operation: str = "CreateMeeting",
        service: str | None = None,
        message: str | None = None,
        optional: bool = False,
    ) -> ErrorInjection:
        """Queue an injected error: the next matching calls answer ``code``.

        ``after=N`` lets the first N matching calls succeed; ``times=None`` fails every
        matching call from then on; ``service=None`` matches every Chime service whose
        model lists ``code`` for ``operation``. An injection that never fires fails the
        test at teardown unless ``optional=True``. Unknown codes raise at once.
        """
        return self._queue(
            injection.resolve(
                code,
                times=times,
                after=after,
                operation=operation,
                service=service,
                message=message,
                optional=optional,
            )
        )

    def _queue(self, item: ErrorInjection) -> ErrorInjection:
        with self._lock:
            item.queued_at = len(self.calls)
            self._errors.append(item)
        return item

    @property
    def errors(self) -> list[ErrorInjection]:
        """The queued injections, in order, with how often each fired."""
        with self._lock:
            return list(self._errors)

    def unused_errors(self) -> list[str]:
        """One line per non-optional injection that fired fewer times than asked."""
        with self._lock:
            answered = len(self.calls)
            return [
                f"{item.describe()} never fired as asked: "
                + injection.why_unused(item, self._matching_calls(item), answered)
                for item in self._errors
                if not item.optional and item.owed
            ]

    def _matching_calls(self, item: ErrorInjection) -> int:
        """Calls answered since ``item`` was queued that it could have failed."""
        later = self.calls[item.queued_at :]
        return sum(1 for call in later if call.operation == item.operation and call.service in item.services)

    def internal_errors(self) -> list[str]:
        """Tracebacks of failures inside the fake itself (answered as ServiceFailureException)."""
        with self._lock:
            return [item.text for item in self._internal]

    def refused_calls(self) -> list[Call]:
        """The calls the fake refused (operations it does not implement), in order."""
        with self._lock:
            return [call for call in self.calls if call.refused is not None]

    def hook_errors(self) -> list[str]:
        """What the hooks shaping the fake got wrong (an exception, or an answer the model refuses)."""
        with self._lock:
            return list(self._hook_errors)

    # --- queries ------------------------------------------------------------------------

    def calls_of(
        self,
        operation: str | None = None,
        *,
        service: str | None = None,
        region: str | None = None,
        status: int | None = None,
        error_code: str | None = None,
        succeeded: bool | None = None,
        retries: bool = True,
        params: Mapping[str, Any] | None = None,
        **members: Any,
    ) -> list[Call]:
        """The calls matching a query, in order (``[]`` when none does).

        - ``operation``: ``"CreateAttendee"``, ...; None matches every operation;
        - request members as keywords (``MeetingId=meeting_id``) or as ``params={...}``,
          matched partially (see :mod:`pytest_chime.calls`);
        - ``service``, ``region``, ``status``, ``error_code``: compared with the call's;
        - ``succeeded``: True keeps the calls answered with success (200, or 201 and
          204 as the operation's model says), False those answered with an error or
          refused;
        - ``retries=False`` leaves out botocore's retries, so that each request counts
          once.

        An operation or member name no Chime service models raises
        :class:`~pytest_chime.UnknownOperationError` at once (a typo would match nothing).
        """
        _, found = self._select(
            operation,
            service=service,
            region=region,
            status=status,
            error_code=error_code,
            succeeded=succeeded,
            retries=retries,
            params=params,
            members=members,
        )
        return found

    def _select(self, operation: str | None, **query: Any) -> tuple[CallFilter, list[Call]]:
        """The query built from a query method's arguments, and the calls it matches."""
        from . import calls as call_queries  # on first query: start-up stays light

        wanted = call_queries.make_filter(operation, **query)
        with self._lock:
            return wanted, call_queries.select(self.calls, wanted)

    def _mismatch(self, query: CallFilter, found: int, times: int | None) -> str:
        from . import calls as call_queries

        with self._lock:
            return call_queries.assertion_message(self.calls, query, found, times)

    @property
    def last_call(self) -> Call:
        """The last call the fake answered or refused; AssertionError when it had none."""
        with self._lock:
            if not self.calls:
                raise AssertionError("the fake has had no call")
            return self.calls[-1]

    def last_call_of(
        self,
        operation: str | None = None,
        *,
        service: str | None = None,
        region: str | None = None,
        status: int | None = None,
        error_code: str | None = None,
        succeeded: bool | None = None,
        retries: bool = True,
        params: Mapping[str, Any] | None = None,
        **members: Any,
    ) -> Call:
        """The last call matching the query of :meth:`calls_of`.

        Raises AssertionError, listing the calls to ``operation`` and what differs in
        each, when no call matches.
        """
        query, found = self._select(
            operation,
            service=service,
            region=region,
            status=status,
            error_code=error_code,
            succeeded=succeeded,
            retries=retries,
            params=params,
            members=members,
        )
        if not found:
            raise AssertionError(self._mismatch(query, 0, None))
        return found[-1]

    def assert_called(
        self,
        operation: str | None = None,
        *,
        times: int | None = None,
        service: str | None = None,
        region: str | None = None,
        status: int | None = None,
        error_code: str | None = None,
        succeeded: bool | None = None,
        retries: bool = True,
        params: Mapping[str, Any] | None = None,
        **members: Any,
    ) -> list[Call]:
        """Assert that calls matching the query of :meth:`calls_of` were made: at least once,
        or exactly ``times`` times (each HTTP attempt counts; ``retries=False`` counts
        requests). Returns the matching calls.

        The AssertionError lists every call to ``operation`` with the members, status or
        code that did not match, e.g. ``ExternalUserId: expected 'bob', got 'alice'``.
        """
        if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 0):
            raise ValueError(f"times={times!r} is not valid: use an integer >= 0 or None (at least once)")
        query, found = self._select(
            operation,
            service=service,
            region=region,
            status=status,
            error_code=error_code,
            succeeded=succeeded,
            retries=retries,
            params=params,
            members=members,
        )
        if (not found) if times is None else len(found) != times:
            raise AssertionError(self._mismatch(query, len(found), times))
        return found

    def assert_not_called(
        self,
        operation: str | None = None,
        *,
        service: str | None = None,
        region: str | None = None,
        status: int | None = None,
        error_code: str | None = None,
        succeeded: bool | None = None,
        retries: bool = True,
        params: Mapping[str, Any] | None = None,
        **members: Any,
    ) -> None:
        """Assert that no call matches the query of :meth:`calls_of`; the AssertionError lists those that do."""
        self.assert_called(
            operation,
            times=0,
            service=service,
            region=region,
            status=status,
            error_code=error_code,
            succeeded=succeeded,
            retries=retries,
            params=params,
            **members,
        )

    def summary(self, *, full: bool = False) -> str:
        """What the fake saw and holds, as the "chime fake" section of a test's report shows it:
        each call (key members, answer, attempt, request id), the injected errors and how
        often each fired, the meetings and attendees left, and the sleeps. ``full=True``
        shows every call and every request member, uncut (pytest's ``-vv``)."""
        from . import report

        return report.render(self, full=full)

    def problems(self, *, check_unused: bool = True) -> str:
        """What ``verify`` would complain about, as text ("" when nothing)."""
        internal = self.internal_errors()
        if internal:
            return "the fake failed while answering a call:\n" + "\n".join(internal)
        # A hook error, like a refused call, was raised in the caller: checked only for a test
        # that passed all the same (the code swallowed it); a failed test reported it already.
        lines = [f"a hook failed: {text}" for text in self.hook_errors()] if check_unused else []
        refused = self.refused_calls() if check_unused else []
        if refused:
            lines.append(f"the fake refused {len(refused)} call(s), which the code under test may have swallowed:")
            lines += [f"  {call.service} {call.operation}: {call.refused}" for call in refused]
        unused = self.unused_errors() if check_unused and self.assert_all_errors_used else []
        if unused:
            lines += [*unused, UNUSED_HINT]
        return "\n".join(lines)

    def verify(self) -> None:
        """Raise if the fake failed internally, refused a call, or (unless disabled) an injection never fired."""
        problem = self.problems()
        if self.internal_errors():
            raise InternalFakeError(problem)
        if self.hook_errors():
            raise HookError(problem)
        if self.refused_calls():
            raise UnsupportedOperationError(problem)
        if problem:
            raise UnusedErrorInjectionError(problem)

    # --- answering ----------------------------------------------------------------------

    def handle(
        self,
        service: str,
        operation: str,
        params: dict[str, Any],
        *,
        region: str,
        decode_error: str | None = None,
    ) -> Reply:
        """Answer one decoded request: an injected error, a validation error or the operation's result."""
        route = operations.route(service, operation)
        if route is None:  # the wire only routes implemented operations here
            raise InternalFakeError(f"{service} {operation} is not implemented")
        return self.answer(route, params, region, decode_error)

    def answer(self, route: operations.Route, params: dict[str, Any], region: str, decode_error: str | None) -> Reply:
        """:meth:`handle` with the operation's route in hand (the wire's path: it looks routes up once)."""
        spec = route.spec
        service, operation = spec.service, spec.name
        with self._lock:
            request_id = self._next_request_id()
            try:
                if self._errors or self.chaos or decode_error is not None:
                    self._reject_early(service, operation, decode_error)
                # tuple.__new__: a NamedTuple's own __new__ is a Python function (this is the hot path)
                request = tuple.__new__(operations.Request, (service, operation, params, region))
                found = operations.violations(route, request)
                if found:
                    raise ServiceError("BadRequestException", validate.message(found))
                if self._undo:
                    self._undo.clear()
                self._hooked = None
                try:
                    result = route.implementation.handler(self, request)
                    if self._hooked is not None:
                        self._check_output(spec, result)
                    reply = protocol.success(route.output, result, request_id)  # encodes: may fail on what a hook added
                except BaseException:
                    self._rollback()  # what could not be answered leaves no trace in the state
                    raise
                fields = (service, operation, params, reply.status, None, request_id, region, None, None)
                self.calls.append(tuple.__new__(Call, fields))
            except ServiceError as err:
                reply = protocol.error(spec, err.code, err.message, request_id, body_code=facts.body_code(err.code))
                self.calls.append(
                    Call(service, operation, params, reply.status, err.code, request_id, region, err.message)
                )
            return reply

    def _next_request_id(self) -> str:
        """The next request id of the sequence, drawn ahead in batches."""
        if not self._request_pool:
            rng = self._request_ids
            self._request_pool = [_request_id(rng) for _ in range(_REQUEST_ID_BATCH)][::-1]
        return self._request_pool.pop()

    def _rollback(self) -> None:
        while self._undo:
            self._undo.pop()()

    def run_hooks(self, hooks: list[Any], *args: Any) -> None:
        """Call user hooks on a new resource; an exception is the hook's error (:class:`HookError`)."""
        for hook in hooks:
            self._hooked = hook
            try:
                hook(*args)
            except Exception as error:
                problem = HookError(f"{_hook_name(hook)} raised {error!r} while the fake answered a call")
                self._hook_errors.append(str(problem))
                raise problem from error

    def _check_output(self, spec: model.OperationSpec, result: dict[str, Any] | None) -> None:
        """A hook changed the answer: check it against the output shape (types and members), as the Stubber does."""
        found = validate.output_problems(result or {}, spec.output_shape)
        if found:
            problem = HookError(
                f"{_hook_name(self._hooked)} made the {spec.name} answer one the model cannot carry: "
                + "; ".join(found)
            )
            self._hook_errors.append(str(problem))
            raise problem

    def refuse(self, service: str, operation: str, reason: str, *, region: str) -> None:
        """Record a call the fake will not answer (it fails the test at teardown)."""
        with self._lock:
            request_id = self._next_request_id()
            self.calls.append(Call(service, operation, {}, 0, None, request_id, region, None, reason))

    def _reject_early(self, service: str, operation: str, decode_error: str | None) -> None:
        chosen = injection.select(self._errors, service, operation)
        if chosen is not None:
            raise ServiceError(chosen.code, chosen.message or self.default_message(chosen.code))
        if self.chaos and self._chaos_rng.random() < self.chaos:
            codes = injection.chaos_codes(service, operation)
            if codes:
                self.chaos_faults += 1
                code = self._chaos_rng.choice(codes)
                raise ServiceError(code, self.default_message(code))
        if decode_error is not None:
            raise ServiceError("BadRequestException", decode_error)

    def default_message(self, code: str) -> str:
        """The message the service sends with ``code`` when none was asked for."""
        return facts.DEFAULT_MESSAGES.get(code, "The request failed.").format(account_id=self.account_id)

    def record_sleep(self, seconds: float) -> None:
        """Note a delay botocore asked for while this fake answered the call."""
        with self._lock:
            self.sleeps.append(seconds)

    def internal_failure(self, service: str, operation: str, error: BaseException) -> Reply:
        """Record a failure inside the fake and answer it as ServiceFailureException (500)."""
        with self._lock:
            import traceback

            text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
            self._internal.append(_Internal(error, text))
            request_id = self._next_request_id()
            code, message = "ServiceFailureException", f"pytest-chime internal error: {error!r}"
            reply = protocol.error(
                model.operation(service, operation), code, message, request_id, body_code=facts.body_code(code)
            )
            self.calls.append(Call(service, operation, {}, reply.status, code, request_id, self.region, message))
            return reply

    # --- state shared by the resource modules -----------------------------------------------

    def _number(self, key: str) -> int:
        """The creation number of a meeting or attendee (one is given to those added by hand)."""
        number = self._numbers.get(key)
        if number is None:
            number = self._numbers[key] = next(self._counter)
        return number

    def _forget_meeting(self, meeting_id: str) -> None:
        """A meeting ends: it and its attendees are gone."""
        dict.pop(self.meetings, meeting_id, None)
        self._ended(meeting_id)

    def _ended(self, meeting_id: str) -> None:
        """What a meeting leaves behind when it goes: its attendees, owner and creation number."""
        for attendee_id in self.attendees.pop(meeting_id, {}):
            self._numbers.pop(attendee_id, None)
        self.transcriptions.pop(meeting_id, None)
        self._owners.pop(meeting_id, None)
        self._numbers.pop(meeting_id, None)


class _Meetings(dict[str, dict[str, Any]]):
    """``FakeChime.meetings``: removing a meeting (``del``, ``pop``) ends it, attendees included."""

    def __init__(self, fake: FakeChime) -> None:
        super().__init__()
        self._fake = fake

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self._fake._ended(key)

    def pop(self, key: str, *default: Any) -> Any:
        found = key in self
        value = super().pop(key, *default)
        if found:
            self._fake._ended(key)
        return value


def _hook_name(hook: object) -> str:
    name = getattr(hook, "__name__", None) or repr(hook)
    return f"the hook {name}"


def _active_fakes() -> tuple[FakeChime, ...]:
    from . import wire

    return wire._stack
