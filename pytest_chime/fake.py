"""FakeChime: the in-memory Chime service, its state and its answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, MutableMapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple

from . import injection, lifecycle, options
from .engine import Engine
from .errors import (
    EventDeliveryError,
    HookError,
    InternalFakeError,
    UnsupportedOperationError,
    UnusedErrorInjectionError,
)
from .injection import ErrorInjection

if TYPE_CHECKING:
    from .calls import CallFilter
    from .server import LoopbackServer
    from .state import MeetingAttendees, Record, Tags

#: How to silence the unused-injection check.
UNUSED_HINT = "(pass optional=True to fail() or chime_error, or set chime_assert_all_errors_used = false)"

#: ``hook(meeting, params)``: called for every meeting created; may change ``meeting``.
MeetingHook = Callable[[dict[str, Any], dict[str, Any]], None]
#: ``hook(attendee, meeting, params)``: called for every attendee created; may change ``attendee``.
AttendeeHook = Callable[[dict[str, Any], Mapping[str, Any], dict[str, Any]], None]
#: ``hook(event)``: called for every meeting event emitted, before it is delivered.
EventHook = Callable[[dict[str, Any]], None]


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


class FakeChime:
    """A fake Amazon Chime service answering the meetings API on botocore's wire path.

    Active inside ``with FakeChime() as fake:`` (or between ``start()`` and ``stop()``,
    or for a test through the ``fake_chime`` fixture): every botocore client's Chime
    calls are answered by it. ``meetings``, ``attendees``, ``calls`` and ``sleeps`` show
    what happened.
    """

    # The options (see docs/configuration.rst), each checked when set.
    seed = options.SEED
    chaos = options.CHAOS
    real_sleep = options.REAL_SLEEP
    quota = options.QUOTA
    region = options.REGION
    media_region = options.MEDIA_REGION
    account_id = options.ACCOUNT_ID
    assert_all_errors_used = options.ASSERT_ALL_ERRORS_USED
    deliver_events = options.DELIVER_EVENTS
    deliver_artifacts = options.DELIVER_ARTIFACTS
    empty_meeting_timeout = options.EMPTY_MEETING_TIMEOUT
    max_meeting_duration = options.MAX_MEETING_DURATION

    def __init__(
        self,
        *,
        scope: str = "",
        on_meeting_created: MeetingHook | None = None,
        on_attendee_created: AttendeeHook | None = None,
        on_event: EventHook | None = None,
        **settings: Any,
    ) -> None:
        """``settings``: the options as keywords (``seed=``, ``quota=``...), each checked; an unknown
        one raises TypeError listing the valid ones. ``scope``: what the ids are drawn for."""
        given = options.check(settings, where="FakeChime")
        for option in options.OPTIONS.values():
            setattr(self, option.name, given.get(option.name, option.default))
        #: What the ids are drawn for (the fixture uses the test's node id); with ``seed`` it
        #: fixes every id, URL and chaos draw.
        self.scope = scope
        #: Called as ``hook(meeting, params)`` for every meeting created, before it is stored.
        self.meeting_hooks: list[MeetingHook] = [on_meeting_created] if on_meeting_created else []
        #: Called as ``hook(attendee, meeting, params)`` for every attendee created, before it is stored.
        self.attendee_hooks: list[AttendeeHook] = [on_attendee_created] if on_attendee_created else []
        #: Called as ``hook(event)`` for every event emitted; an exception undoes what emitted it.
        self.event_hooks: list[EventHook] = [on_event] if on_event else []
        self._engine = Engine(self)
        self._lock = self._engine.lock
        self._errors = self._engine.errors
        self._active = False
        self._server: LoopbackServer | None = None

    def __repr__(self) -> str:
        active = "active" if self._active else "stopped"
        return f"<FakeChime seed={self.seed!r} scope={self.scope!r} {active}: {len(self.meetings)} meeting(s)>"

    # --- state and records ------------------------------------------------------------------

    @property
    def meetings(self) -> MutableMapping[str, Record]:
        """MeetingId -> the Meeting as GetMeeting answers it. Removing one (``del``, ``pop``,
        ``popitem``, ``clear``) ends it as DeleteMeeting does, with all it holds."""
        return self._engine.state.meetings

    @property
    def attendees(self) -> Mapping[str, MeetingAttendees]:
        """MeetingId -> AttendeeId -> the Attendee as GetAttendee answers it (``del`` removes one)."""
        return self._engine.state.attendees

    @property
    def tags(self) -> Mapping[str, Tags]:
        """Resource ARN -> its tags, as ListTagsForResource (legacy: ListMeetingTags, ListAttendeeTags) answers them."""
        return self._engine.state.tags

    @property
    def transcriptions(self) -> Mapping[str, Record]:
        """MeetingId -> the transcription running: ``TranscriptionConfiguration`` as started, and
        ``TranscriptFailed`` (None, or the message of the TranscriptFailed event Transcribe sent)."""
        return self._engine.state.transcriptions

    @property
    def media_pipelines(self) -> Mapping[str, Record]:
        """MediaPipelineId -> the media pipeline as its Get answers it (read-only; timestamps as
        sent on the wire, ISO 8601 text)."""
        return self._engine.state.pipelines

    @property
    def dial_outs(self) -> list[Record]:
        """Every CreateMeetingDialOut made (legacy chime): TransactionId, MeetingId, AttendeeId, numbers."""
        return self._engine.state.dial_outs

    @property
    def calls(self) -> list[Call]:
        """Every HTTP attempt answered or refused, in order, retries included."""
        return self._engine.calls

    @property
    def sleeps(self) -> list[float]:
        """Delays botocore asked to sleep (retry backoff, rate-limiter waits) for calls the fake answered."""
        return self._engine.sleeps

    @property
    def chaos_faults(self) -> int:
        """How many answers ``chaos`` turned into faults."""
        return self._engine.chaos_faults

    @property
    def events(self) -> list[dict[str, Any]]:
        """Every meeting event emitted so far, in order, each shaped as Chime sends it to EventBridge."""
        with self._lock:
            return self._engine.events()

    # --- time -------------------------------------------------------------------------------

    @property
    def clock(self) -> dt.datetime:
        """The fake's time (UTC): it starts at a moment drawn from the seed and moves only by :meth:`advance`."""
        return self._engine.state.now

    def advance(self, *, seconds: float = 0, minutes: float = 0, hours: float = 0) -> None:
        """Move the clock forward, ending every meeting Chime would end in that time
        (``empty_meeting_timeout`` without a joined attendee, ``max_meeting_duration`` after its
        creation, a replica with its primary), each with ``chime:MeetingEnded`` at its moment."""
        with self._lock:
            lifecycle.advance(self._engine, seconds + 60 * minutes + 3600 * hours)

    # --- presence: what the client SDK does -------------------------------------------------

    def join(self, meeting_id: str, attendee_id: str, *, network: str = "Voip") -> None:
        """The attendee joins the meeting (``chime:AttendeeJoined``): it is no longer empty."""
        self._presence(lifecycle.join, meeting_id, attendee_id, network)

    def leave(self, meeting_id: str, attendee_id: str) -> None:
        """The attendee leaves (``chime:AttendeeLeft``); its video and content share stop first."""
        self._presence(lifecycle.leave, meeting_id, attendee_id, dropped=False)

    def drop(self, meeting_id: str, attendee_id: str) -> None:
        """The attendee's connection drops (``chime:AttendeeDropped``); its video and content share stop first."""
        self._presence(lifecycle.leave, meeting_id, attendee_id, dropped=True)

    def rejoin(self, meeting_id: str, attendee_id: str) -> None:
        """A joined attendee joins again with its join token from a new device (``chime:AttendeeAuthorized``)."""
        self._presence(lifecycle.rejoin, meeting_id, attendee_id)

    def start_video(self, meeting_id: str, attendee_id: str) -> None:
        """The attendee's camera starts (``chime:AttendeeVideoStarted``)."""
        self._presence(lifecycle.video, meeting_id, attendee_id, on=True)

    def stop_video(self, meeting_id: str, attendee_id: str) -> None:
        """The attendee's camera stops (``chime:AttendeeVideoStopped``)."""
        self._presence(lifecycle.video, meeting_id, attendee_id, on=False)

    def start_content(self, meeting_id: str, attendee_id: str) -> None:
        """The attendee shares its screen: ``chime:AttendeeContentJoined``, then ``ContentVideoStarted``."""
        self._presence(lifecycle.content, meeting_id, attendee_id, on=True)

    def stop_content(self, meeting_id: str, attendee_id: str) -> None:
        """The attendee stops sharing: ``chime:AttendeeContentVideoStopped``, then ``ContentLeft``."""
        self._presence(lifecycle.content, meeting_id, attendee_id, on=False)

    def _presence(self, change: Callable[..., None], meeting_id: str, attendee_id: str, *args: Any, **kw: Any) -> None:
        with self._lock:
            self._engine.atomically(lambda: change(self._engine, meeting_id, attendee_id, *args, **kw))

    # --- life cycle ---------------------------------------------------------------------

    def start(self) -> FakeChime:
        """Start answering Chime calls (the innermost active fake answers)."""
        from . import wire

        wire.activate(self, self._engine)
        self._active = True
        return self

    def stop(self) -> None:
        """Stop answering (and serving, see :meth:`serve`); the fake's state stays readable."""
        from . import wire

        wire.deactivate(self)
        self._active = False
        server, self._server = self._server, None
        if server is not None:
            server.close()

    # --- other processes: the loopback server -------------------------------------------

    def serve(self, *, port: int = 0) -> FakeChime:
        """Also answer over HTTP on 127.0.0.1 (``port`` 0: a free one) until the fake stops: other
        processes and languages reach the same state, records and injections. See :doc:`processes`."""
        from .errors import FakeChimeStateError

        if not self._active:
            raise FakeChimeStateError("start the FakeChime before serving it (with FakeChime() as fake: fake.serve())")
        if self._server is None:
            from .server import LoopbackServer

            self._server = LoopbackServer(self._engine, port)
        elif port and port != self._server.port:
            raise FakeChimeStateError(f"this FakeChime is already served on port {self._server.port}, not {port}")
        return self

    def endpoint_url(self, service: str) -> str:
        """``service``'s base URL on the loopback server (``http://127.0.0.1:<port>/<service>``)."""
        return self._serving().url(service)

    @property
    def environ(self) -> dict[str, str]:
        """What another process needs to reach the served fake: each service's ``AWS_ENDPOINT_URL_...``,
        dummy keys and a region where none are set, ``AWS_EC2_METADATA_DISABLED``."""
        return self._serving().environ(str(self.region))

    def _serving(self) -> LoopbackServer:
        if self._server is None:
            from .errors import FakeChimeStateError

            raise FakeChimeStateError("this FakeChime is not served: call fake.serve() (or use fake_chime_server)")
        return self._server

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
        """Forget meetings, attendees, tags, calls, sleeps and queued errors; restart the id sequence."""
        self._engine.reset()

    # --- error injection ----------------------------------------------------------------

    def fail(self, code: str, **arguments: Any) -> ErrorInjection:
        """Queue an injected error: the next matching calls answer ``code``.

        The keywords are the fields of :class:`~pytest_chime.ErrorInjection`, where they are
        declared: ``after=N`` lets the first N matching calls succeed; ``times=None`` fails every
        matching call from then on; ``service=None`` matches every Chime service whose
        model lists ``code`` for ``operation``. An injection that never fires fails the
        test at teardown unless ``optional=True``. Unknown codes and arguments raise at once.
        """
        return self._queue(injection.make((code,), arguments))

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
            return [item.text for item in self._engine.internal]

    def refused_calls(self) -> list[Call]:
        """The calls the fake refused (operations it does not implement), in order."""
        with self._lock:
            return [call for call in self.calls if call.refused is not None]

    def delivery_errors(self) -> list[str]:
        """Why events could not be delivered where Chime sends them (``deliver_events=True``)."""
        with self._lock:
            return list(self._engine.delivery_errors)

    def hook_errors(self) -> list[str]:
        """What the hooks shaping the fake got wrong (an exception, or an answer the model refuses)."""
        with self._lock:
            return list(self._engine.hook_errors)

    # --- queries ------------------------------------------------------------------------

    def calls_of(self, operation: str | None = None, **query: Any) -> list[Call]:
        """The calls matching a query, in order (``[]`` when none does).

        - ``operation``: ``"CreateAttendee"``, ...; None matches every operation;
        - request members as CamelCase keywords (``MeetingId=meeting_id``) or as
          ``params={...}``, matched partially (see :doc:`reporting`);
        - ``service``, ``region``, ``status``, ``error_code``: compared with the call's;
        - ``succeeded``: True keeps the calls answered with success (200, or 201 and
          204 as the operation's model says), False those answered with an error or
          refused;
        - ``retries=False`` leaves out botocore's retries, so that each request counts
          once.

        The keywords are the fields of :class:`pytest_chime.calls.CallFilter`; one of the wrong
        type, or neither a field nor a member, raises TypeError. An operation or member name
        no Chime service models raises :class:`~pytest_chime.UnknownOperationError` at once
        (a typo would match nothing).
        """
        return self._select(operation, query)[1]

    def _select(self, operation: str | None, query: Mapping[str, Any]) -> tuple[CallFilter, list[Call]]:
        """The query built from a query method's arguments, and the calls it matches."""
        from . import calls as call_queries  # on first query: start-up stays light

        wanted = call_queries.make_filter(operation, query)
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

    def last_call_of(self, operation: str | None = None, **query: Any) -> Call:
        """The last call matching the query of :meth:`calls_of`.

        Raises AssertionError, listing the calls to ``operation`` and what differs in
        each, when no call matches.
        """
        wanted, found = self._select(operation, query)
        if not found:
            raise AssertionError(self._mismatch(wanted, 0, None))
        return found[-1]

    def assert_called(self, operation: str | None = None, *, times: int | None = None, **query: Any) -> list[Call]:
        """Assert that calls matching the query of :meth:`calls_of` were made: at least once,
        or exactly ``times`` times (each HTTP attempt counts; ``retries=False`` counts
        requests). Returns the matching calls.

        The AssertionError lists every call to ``operation`` with the members, status or
        code that did not match, e.g. ``ExternalUserId: expected 'bob', got 'alice'``.
        """
        if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 0):
            raise ValueError(f"times={times!r} is not valid: use an integer >= 0 or None (at least once)")
        wanted, found = self._select(operation, query)
        if (not found) if times is None else len(found) != times:
            raise AssertionError(self._mismatch(wanted, len(found), times))
        return found

    def assert_not_called(self, operation: str | None = None, **query: Any) -> None:
        """Assert that no call matches the query of :meth:`calls_of`; the AssertionError lists those that do."""
        self.assert_called(operation, times=0, **query)

    def summary(self, *, full: bool = False) -> str:
        """What the fake saw and holds, as the "chime fake" section of a test's report shows it:
        each call (key members, answer, attempt, request id), the injected errors and how
        often each fired, the meetings and attendees left, the sleeps, the events and the
        clock. ``full=True`` shows every call and every request member, uncut (pytest's ``-vv``)."""
        from . import report

        with self._lock:  # a snapshot: threads the test started may still be calling
            return report.render(self, self._engine.state, full=full)

    def problems(self, *, check_unused: bool = True) -> str:
        """What ``verify`` would complain about, as text ("" when nothing)."""
        internal = self.internal_errors()
        if internal:
            return "the fake failed while answering a call:\n" + "\n".join(internal)
        # A hook error, like a refused call, was raised in the caller: checked only for a test
        # that passed all the same (the code swallowed it); a failed test reported it already.
        lines = [f"a hook failed: {text}" for text in self.hook_errors()] if check_unused else []
        lines += [f"an event was not delivered: {text}" for text in self.delivery_errors()]
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
        if self.delivery_errors():
            raise EventDeliveryError(problem)
        if self.refused_calls():
            raise UnsupportedOperationError(problem)
        if problem:
            raise UnusedErrorInjectionError(problem)
