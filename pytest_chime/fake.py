"""FakeChime: the in-memory Chime service, its state and its answers."""

from __future__ import annotations

import functools
import random
import threading
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple

from . import facts, injection, model, validate
from .errors import InternalFakeError, ServiceError, UnusedErrorInjectionError
from .injection import ErrorInjection

if TYPE_CHECKING:
    from botocore.model import Shape

#: How to silence the unused-injection check.
UNUSED_HINT = "(pass optional=True to fail() or chime_error, or set chime_assert_all_errors_used = false)"

#: ``hook(meeting, params)``: called for every meeting created; may change ``meeting``.
MeetingHook = Callable[[dict[str, Any], dict[str, Any]], None]


class Call(NamedTuple):
    """One HTTP attempt the fake answered (retries are separate calls); immutable."""

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


class Reply(NamedTuple):
    """An answer before encoding: status, headers and the JSON body as a dict."""

    status: int
    headers: dict[str, str]
    body: dict[str, Any]


class _Internal(NamedTuple):
    error: BaseException
    text: str


class FakeChime:
    """A fake Amazon Chime service answering CreateMeeting on botocore's wire path.

    Active inside ``with FakeChime() as fake:`` (or between ``start()`` and ``stop()``,
    or for a test through the ``fake_chime`` fixture): every botocore client's Chime
    calls are answered by it. ``meetings``, ``calls`` and ``sleeps`` show what happened.
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
    ) -> None:
        if not 0.0 <= chaos <= 1.0:
            raise ValueError(f"chaos={chaos!r} is not a rate: use a number from 0.0 to 1.0")
        if isinstance(quota, bool) or not isinstance(quota, int) or quota < 0:
            raise ValueError(f"quota={quota!r} is not valid: use an integer >= 0")
        #: MeetingId -> the Meeting as returned.
        self.meetings: dict[str, dict[str, Any]] = {}
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
        self._lock = threading.RLock()
        self._tokens: dict[tuple[str, str], str] = {}
        self._errors: list[ErrorInjection] = []
        self._internal: list[_Internal] = []
        self._seed_rngs()

    def _seed_rngs(self) -> None:
        base = f"{self.seed}/{self.scope}"
        self._ids = random.Random(f"{base}/ids")
        self._request_ids = random.Random(f"{base}/requests")
        self._chaos_rng = random.Random(f"{base}/chaos")

    # --- life cycle ---------------------------------------------------------------------

    def start(self) -> FakeChime:
        """Start answering Chime calls (the innermost active fake answers)."""
        from . import wire

        wire.activate(self)
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
        """Forget meetings, calls, sleeps and queued errors; restart the id sequence."""
        with self._lock:
            self.meetings.clear()
            self.calls.clear()
            self.sleeps.clear()
            self.chaos_faults = 0
            self._tokens.clear()
            self._errors.clear()
            self._internal.clear()
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

    def problems(self, *, check_unused: bool = True) -> str:
        """What ``verify`` would complain about, as text ("" when nothing)."""
        internal = self.internal_errors()
        if internal:
            return "the fake failed while answering a call:\n" + "\n".join(internal)
        unused = self.unused_errors() if check_unused and self.assert_all_errors_used else []
        if unused:
            return "\n".join([*unused, UNUSED_HINT])
        return ""

    def verify(self) -> None:
        """Raise if the fake failed internally, or (unless disabled) an injection never fired."""
        problem = self.problems()
        if self.internal_errors():
            raise InternalFakeError(problem)
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
        """Answer one decoded request: an injected error, a validation error or a meeting."""
        spec = model.operation(service, operation)
        if spec is None:  # the wire only routes modelled operations here
            raise InternalFakeError(f"{service} {operation} is not modelled")
        with self._lock:
            request_id = facts.request_id(self._request_ids)
            try:
                if self._errors or self.chaos or decode_error is not None:
                    self._reject_early(service, operation, decode_error)
                found = validate.violations(spec, params, region)
                if found:
                    raise ServiceError("BadRequestException", validate.message(found))
                meeting = self._create_meeting(service, params, region)
                reply = Reply(spec.success_status, {"x-amzn-RequestId": request_id}, {"Meeting": meeting})
                self.calls.append(Call(service, operation, params, reply.status, None, request_id, region))
            except ServiceError as err:
                reply = self._error_reply(spec, err, request_id)
                self.calls.append(
                    Call(service, operation, params, reply.status, err.code, request_id, region, err.message)
                )
            return reply

    def _reject_early(self, service: str, operation: str, decode_error: str | None) -> None:
        chosen = injection.select(self._errors, service, operation)
        if chosen is not None:
            raise ServiceError(chosen.code, chosen.message or self.default_message(chosen.code))
        if self.chaos and self._chaos_rng.random() < self.chaos:
            self.chaos_faults += 1
            code = self._chaos_rng.choice(facts.CHAOS_CODES[service])
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

    def internal_failure(
        self, service: str, operation: str, error: BaseException, *, replaces: str | None = None
    ) -> Reply:
        """Record a failure inside the fake and answer it as ServiceFailureException (500).

        ``replaces``: the request id of an answer already recorded for this attempt, which
        could not be sent after all (its Call is replaced by the failure's).
        """
        with self._lock:
            if replaces is not None and self.calls and self.calls[-1].request_id == replaces:
                self.calls.pop()
            import traceback

            text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
            self._internal.append(_Internal(error, text))
            request_id = facts.request_id(self._request_ids)
            err = ServiceError("ServiceFailureException", f"pytest-chime internal error: {error!r}")
            spec = model.operation(service, operation)
            status = spec.errors.get(err.code, 500) if spec else 500
            reply = Reply(
                status,
                {"x-amzn-RequestId": request_id, "x-amzn-ErrorType": err.code},
                {"Code": facts.body_code(err.code), "Message": err.message, "RequestId": request_id},
            )
            self.calls.append(Call(service, operation, {}, status, err.code, request_id, self.region, err.message))
            return reply

    def _error_reply(self, spec: model.OperationSpec, err: ServiceError, request_id: str) -> Reply:
        headers = {"x-amzn-RequestId": request_id, "x-amzn-ErrorType": err.code}
        for member in spec.error_shape(err.code).members.values():
            if member.serialization.get("location") == "header":
                headers[member.serialization["name"]] = facts.RETRY_AFTER_SECONDS
        body = {"Code": facts.body_code(err.code), "Message": err.message, "RequestId": request_id}
        return Reply(spec.errors[err.code], headers, body)

    def _create_meeting(self, service: str, params: Mapping[str, Any], region: str) -> dict[str, Any]:
        token = params["ClientRequestToken"]
        existing = self._tokens.get((service, token))
        if existing is not None and existing in self.meetings:
            return self.meetings[existing]
        if len(self.meetings) >= self.quota:
            raise ServiceError(
                facts.QUOTA_CODES[service],
                f"The account has reached its quota of {self.quota} active meetings. "
                "Raise it with fake_chime.quota = N, @pytest.mark.fake_chime(quota=N) "
                "or the chime_quota ini option, or end meetings (del fake_chime.meetings[id]).",
            )
        legacy = service == facts.LEGACY
        meeting_id = facts.meeting_id(self._ids)
        media_region = params.get("MediaRegion") or self.media_region
        control_region = facts.LEGACY_CONTROL_REGION if legacy else region
        made = {
            "MeetingId": meeting_id,
            "MediaRegion": media_region,
            "MediaPlacement": facts.media_placement(
                self._ids,
                meeting=meeting_id,
                media_region=media_region,
                control_region=control_region,
                legacy=legacy,
            ),
        }
        meeting: dict[str, Any] = {}
        for name, shape in _meeting_members(service):  # the model's order; echoed members only when sent
            if name in made:
                meeting[name] = made[name]
            elif name == "MeetingArn":
                meeting[name] = facts.meeting_arn(control_region, self.account_id, meeting_id)
            elif (value := params.get(name)) is not None:
                meeting[name] = value if shape is None else _modelled(value, shape)
        for hook in self.meeting_hooks:
            hook(meeting, dict(params))
        self.meetings[meeting["MeetingId"]] = meeting
        self._tokens[(service, token)] = meeting["MeetingId"]
        return meeting


@functools.cache
def _meeting_members(service: str) -> tuple[tuple[str, Shape | None], ...]:
    """The Meeting's members in the installed model's order, with the shape of each structure."""
    spec = model.operation(service, "CreateMeeting")
    assert spec is not None
    members = spec.output_shape.members["Meeting"].members
    return tuple((name, shape if shape.type_name == "structure" else None) for name, shape in members.items())


def _modelled(value: Any, shape: Shape) -> Any:
    """``value`` as the response model has it: members the model lacks are not echoed."""
    if shape.type_name == "structure" and isinstance(value, dict):
        return {k: _modelled(v, shape.members[k]) for k, v in value.items() if k in shape.members}
    return value
