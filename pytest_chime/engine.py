"""The answering engine of one fake: a decoded request in, the state changed and a Reply out."""

from __future__ import annotations

import random
import threading
import traceback
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from . import events, facts, injection, model, operations, protocol, validate
from .errors import HookError, ServiceError
from .state import Record, State

if TYPE_CHECKING:
    from .fake import Call, FakeChime
    from .injection import ErrorInjection
    from .protocol import Reply


_T = TypeVar("_T")


class _Internal(NamedTuple):
    error: BaseException
    text: str


class Engine:
    """Answers one fake's calls from its state, and records them; what the wire talks to."""

    def __init__(self, fake: FakeChime) -> None:
        from .fake import Call

        self._call = Call
        #: The fake whose options (quota, region, account...) and hooks apply.
        self.fake = fake
        self.lock = threading.RLock()
        self.state = self._new_state()
        #: Every HTTP attempt answered or refused, in order.
        self.calls: list[Call] = []
        #: Delays botocore asked for (retry backoff, rate-limiter waits).
        self.sleeps: list[float] = []
        #: The queued injections.
        self.errors: list[ErrorInjection] = []
        self.internal: list[_Internal] = []
        self.hook_errors: list[str] = []
        #: Why events could not be delivered where Chime sends them.
        self.delivery_errors: list[str] = []
        self.chaos_faults = 0
        #: Events emitted by what is under way, with where they go, not yet announced and delivered.
        self._pending: list[tuple[events.Emitted, Mapping[str, Any]]] = []
        #: Work for once what is under way holds (writes to other services), innermost last.
        self._later: list[Callable[[], None]] = []
        #: How many of the state's events are built (from the start).
        self._built = 0
        #: Hooks run during the call being answered, innermost call last (a hook may call the API).
        self._hooked: list[object] = []
        self.seed()

    def seed(self) -> None:
        """Draw ids, request ids and chaos from the fake's seed and scope, from the start."""
        base = f"{self.fake.seed}/{self.fake.scope}"
        #: MeetingIds, AttendeeIds, JoinTokens, URLs: drawn from here.
        self.ids = random.Random(f"{base}/ids")
        self._request_ids = random.Random(f"{base}/requests")
        self._chaos = random.Random(f"{base}/chaos")
        self._event_ids = random.Random(f"{base}/events")

    def reset(self) -> None:
        """Forget the state and records; restart every sequence."""
        with self.lock:
            self.state = self._new_state()
            for records in (
                self.calls,
                self.sleeps,
                self.errors,
                self.internal,
                self.hook_errors,
                self.delivery_errors,
            ):
                records.clear()
            self.chaos_faults = 0
            self._built = 0
            self.seed()

    def _new_state(self) -> State:
        state = State(events.start_time(f"{self.fake.seed}/{self.fake.scope}"))
        state.ender = self._end_by_hand
        return state

    def _end_by_hand(self, meeting_id: str) -> None:
        """A test removes a meeting from ``fake.meetings``: it ends as DeleteMeeting ends it, events and all."""
        from . import lifecycle

        with self.lock:
            self.atomically(lambda: lifecycle.end_meeting(self, meeting_id))

    # --- what the wire calls ----------------------------------------------------------------

    @property
    def real_sleep(self) -> bool:
        """Whether botocore's sleeps for this fake's calls are slept for real."""
        return bool(self.fake.real_sleep)

    @property
    def region(self) -> str:
        """The control region assumed when a request does not show one."""
        return str(self.fake.region)

    def answer(self, route: operations.Route, params: dict[str, Any], region: str, decode_error: str | None) -> Reply:
        """The answer to one decoded request: an injected error, a validation error or the operation's result."""
        spec = route.spec
        service, operation = spec.service, spec.name
        with self.lock:
            request_id = facts.request_id(self._request_ids)
            try:
                if self.errors or self.fake.chaos or decode_error is not None:
                    self._reject_early(service, operation, decode_error)
                request = operations.Request(service, operation, params, region)
                found = operations.violations(route, request)
                if found:
                    raise ServiceError("BadRequestException", validate.message(found))
                reply = self._run(route, request, request_id)
                self.calls.append(self._call(service, operation, params, reply.status, None, request_id, region))
            except ServiceError as err:
                reply = protocol.error(spec, err.code, err.message, request_id, body_code=facts.body_code(err.code))
                self.calls.append(
                    self._call(service, operation, params, reply.status, err.code, request_id, region, err.message)
                )
            return reply

    def _run(self, route: operations.Route, request: operations.Request, request_id: str) -> Reply:
        """Run the handler, and encode its answer, all or nothing (:meth:`atomically`)."""

        def answer() -> Reply:
            hooked = len(self._hooked)
            result = route.implementation.handler(self, request)
            if len(self._hooked) > hooked:
                self._check_output(route.spec, result, self._hooked[-1])
            return protocol.success(route.output, result, request_id)  # encodes: may fail on what a hook added

        return self.atomically(answer)

    def atomically(self, change: Callable[[], _T]) -> _T:
        """Make ``change`` to the state all or nothing: if it raises, the state is as it was and no
        event is emitted; its events are announced to the event hooks before it holds (a hook's
        error undoes it), and delivered once it does."""
        hooked, pending, later, state = len(self._hooked), len(self._pending), len(self._later), self.state
        state.begin()
        try:
            result = change()
            if len(self._pending) > pending:
                self._announce(pending)
        except BaseException:
            state.rollback()
            del self._pending[pending:]
            del self._later[later:]
            raise
        finally:
            del self._hooked[hooked:]
        state.commit()
        if len(self._pending) > pending:
            self._deliver(pending)
        if len(self._later) > later:
            work, self._later[later:] = self._later[later:], []
            for item in work:
                item()
        return result

    def afterwards(self, work: Callable[[], None]) -> None:
        """Do ``work`` once the change under way holds (never, if it is undone); now, outside one."""
        if self.state.in_transaction():
            self._later.append(work)
        else:
            work()

    def emit(
        self, event_type: str, meeting: Mapping[str, Any], attendee: Mapping[str, Any] | None = None, **details: Any
    ) -> None:
        """Emit the event ``event_type`` about ``meeting`` (and ``attendee``) now, as Chime would.

        Its dict is built when first needed (``fake.events``, a hook, a delivery), in order.
        """
        self.emit_each(event_type, meeting, (attendee,), **details)

    def emit_each(
        self,
        event_type: str,
        meeting: Mapping[str, Any],
        attendees: Sequence[Mapping[str, Any] | None],
        **details: Any,
    ) -> None:
        """Emit the event ``event_type`` about ``meeting`` for each of ``attendees``, in order."""
        state, meeting_id = self.state, meeting["MeetingId"]
        now, owner = state.now, state.owner(meeting_id)
        made = [events.Emitted(event_type, meeting, attendee, now, owner, details) for attendee in attendees]
        self._built = min(self._built, len(state.events))  # a rollback may have dropped built ones
        for emitted in made:
            state.add_event(emitted)
        fake = self.fake
        if fake.event_hooks or fake.deliver_events:
            notifications = state.notifications(meeting_id)
            self._pending += [(emitted, notifications) for emitted in made]

    def events(self) -> list[Record]:
        """Every event emitted, built (each once, in order, so their ids follow the seed)."""
        emitted = self.state.events
        start = min(self._built, len(emitted))
        account, region = self.fake.account_id, self.fake.region
        for item in emitted[start:]:
            item.build(self._event_ids, account, region)
        self._built = len(emitted)
        return [item.build(self._event_ids, account, region) for item in emitted]

    def _announce(self, pending: int) -> None:
        hooks = self.fake.event_hooks
        if not hooks:
            return
        self.events()  # built in order: then each build() below gives the event already built
        for emitted, _ in self._pending[pending:]:
            self.run_hooks(hooks, emitted.build(self._event_ids, self.fake.account_id, self.fake.region))

    def _deliver(self, pending: int) -> None:
        try:
            if not self.fake.deliver_events:
                return
            from . import delivery

            self.events()  # built in order: then each build() below gives the event already built
            for emitted, notifications in self._pending[pending:]:
                event = emitted.build(self._event_ids, self.fake.account_id, self.fake.region)
                self.delivery_errors += delivery.deliver(event, notifications)
        finally:
            del self._pending[pending:]

    def refuse(self, service: str, operation: str, reason: str, *, region: str) -> None:
        """Record a call the fake will not answer (it fails the test at teardown)."""
        with self.lock:
            request_id = facts.request_id(self._request_ids)
            self.calls.append(self._call(service, operation, {}, 0, None, request_id, region, None, reason))

    def internal_failure(self, service: str, operation: str, error: BaseException) -> Reply:
        """Record a failure inside the fake and answer it as ServiceFailureException (500)."""
        with self.lock:
            text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
            self.internal.append(_Internal(error, text))
            request_id = facts.request_id(self._request_ids)
            code, message = "ServiceFailureException", f"pytest-chime internal error: {error!r}"
            spec = model.operation(service, operation)
            reply = protocol.error(spec, code, message, request_id, body_code=facts.body_code(code))
            self.calls.append(self._call(service, operation, {}, reply.status, code, request_id, self.region, message))
            return reply

    def record_sleep(self, seconds: float) -> None:
        """Note a delay botocore asked for while this fake answered the call."""
        with self.lock:
            self.sleeps.append(seconds)

    # --- what the handlers call ---------------------------------------------------------------

    def run_hooks(self, hooks: Sequence[Callable[..., object]], *args: Any) -> None:
        """Call user hooks on a new resource; an exception is the hook's error (:class:`HookError`)."""
        for hook in hooks:
            self._hooked.append(hook)
            try:
                hook(*args)
            except Exception as error:
                raise self._hook_error(f"{_hook_name(hook)} raised {error!r} inside the fake") from error

    def hook_broke(self, what: str) -> HookError:
        """The error for a hook that left a resource the fake cannot keep (``what`` says how)."""
        return self._hook_error(f"{_hook_name(self._hooked[-1] if self._hooked else None)} {what}")

    def default_message(self, code: str) -> str:
        """The message the service sends with ``code`` when none was asked for."""
        return default_message(code, self.fake.account_id)

    # --- inside -----------------------------------------------------------------------------

    def _hook_error(self, text: str) -> HookError:
        self.hook_errors.append(text)
        return HookError(text)

    def _check_output(self, spec: model.OperationSpec, result: dict[str, Any] | None, hook: object) -> None:
        """A hook changed the answer: check it against the output shape (types and members), as the Stubber does."""
        found = validate.output_problems(result or {}, spec.output_shape)
        if found:
            raise self._hook_error(
                f"{_hook_name(hook)} made the {spec.name} answer one the model cannot carry: " + "; ".join(found)
            )

    def _reject_early(self, service: str, operation: str, decode_error: str | None) -> None:
        chosen = injection.select(self.errors, service, operation)
        if chosen is not None:
            raise ServiceError(chosen.code, chosen.message or self.default_message(chosen.code))
        chaos = self.fake.chaos
        if chaos and self._chaos.random() < chaos:
            codes = injection.chaos_codes(service, operation)
            if codes:
                self.chaos_faults += 1
                code = self._chaos.choice(codes)
                raise ServiceError(code, self.default_message(code))
        if decode_error is not None:
            raise ServiceError("BadRequestException", decode_error)


def _control_region(meeting: Mapping[str, Any], service: str | None, default: str) -> str:
    """The region a meeting's API calls go to: the legacy service's, else the one in its MeetingArn."""
    if service == facts.LEGACY:
        return facts.LEGACY_CONTROL_REGION
    arn = meeting.get("MeetingArn")
    return arn.split(":")[3] if isinstance(arn, str) and arn.count(":") >= 5 else default


def default_message(code: str, account_id: str) -> str:
    """The message the service sends with ``code`` when none was asked for, for ``account_id``."""
    return facts.DEFAULT_MESSAGES.get(code, "The request failed.").format(account_id=account_id)


def _hook_name(hook: object) -> str:
    name = getattr(hook, "__name__", None) or repr(hook)
    return f"the hook {name}"
