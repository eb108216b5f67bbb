"""pytest-chime's benchmark: what the fake costs, as ratios measured in one run.

Run it from the repository root with the environment under test::

    python bench/bench.py                       # about three minutes
    python bench/bench.py --quick               # a few seconds per row, rougher figures
    python bench/bench.py --rows 1              # row 1 only (about two minutes)
    python bench/bench.py --rows 1 --ops CreateAttendee,BatchCreateAttendee

Every ratio compares two things measured in the same process, interleaved in short
alternating batches (the order rotating each round): it is the median of the per-round
ratios, so a noisy machine slows both sides of a ratio alike. In-process times are this
process's CPU time (``time.process_time``): on a shared machine a batch may wait for a
core, and that wait is nobody's cost. Absolute times beside a ratio are the best batch.
Subprocess rows (2b, 4) count the child's CPU time. The table it prints is Markdown,
ready for the README.

Rows:

1. Every operation the fake answers on chime-sdk-meetings
   (``pytest_chime.operations.implemented``), each with realistic parameters (``CASES``),
   against its own floor: the same client (same signing, same credentials, the same
   calls with the same parameters) with a ``before-send`` handler that returns a canned
   ``AWSResponse`` carrying the fake's own answer to that operation, byte for byte (status,
   headers and body, read at ``before-parse`` from a call the fake answered), so botocore
   parses the same bytes. The floor builds a fresh response object per call (a response
   body is a stream, read once), which is all any ``before-send`` answer can cost; the
   fake is inactive while the floor runs (its handlers are registered but return at
   once), so it does none of its work for the floor's calls. Every batch, through the
   fake or the floor, starts from a fresh fake whose state is made by client calls
   outside the timing (``Case.prepare``): an operation that ends or toggles something
   (DeleteMeeting, DeleteAttendee, UntagResource, Start/StopMeetingTranscription) acts
   on a fresh one each call. The target: at most 1.20x (issue 19). An operation the fake
   answers that has no case here is a failing row. CreateMeeting is also measured
   against botocore's ``Stubber`` (1b: ``add_response`` per call), which answers earlier,
   at ``before-call``, and so skips signing, sending and HTTP parsing. CreateMeeting,
   CreateMeetingWithAttendees and BatchCreateAttendee are also measured (1c) against
   their essential work alone: a ``before-send`` handler that reads the request's JSON,
   builds what the call makes with the fake's own builders (``build_meeting``,
   ``build_attendee``), keeps it in a dict and encodes the answer, with no validation,
   routing, call records, events or error injection: the least a faithful answer costs.
   What the fake costs beyond row 1c is those. ``bench/profile_ops.py`` shows where each
   operation's time goes.
2. Set-up and teardown: ``FakeChime()`` + ``start()`` + ``stop()`` + ``verify()``, and
   the ``fake_chime`` fixture's whole per-test cost in a pytest run (tests requesting
   it against the same tests without it), both in units of one fake-answered
   CreateMeeting.
3. A four-throttle test (legacy retry mode: four ThrottlingException answers, then a
   meeting) against one clean call; the backoff is recorded, never slept.
4. Plugin start-up: ``pytest --co -q`` of a small suite that never touches AWS, with
   the plugin against ``-p no:chime``, in subprocesses, interleaved; the difference of
   the medians.
5. Strategy generation rate, from ``bench/bench_strategies.py``'s ``measure()`` when
   that file exists.
6. An aiobotocore CreateMeeting through the fake against an aiobotocore ``before-send``
   floor returning the same bytes as an ``AioAWSResponse``, in one event loop, the fake
   inactive while the floor runs (skipped without aiobotocore: ``pip install
   'pytest-chime[aio]'``); the target of row 1.

Nothing here opens a connection: a socket guard refuses any, and every call is
answered before the network.
"""

from __future__ import annotations

import argparse
import copy
import gc
import importlib.util
import inspect
import io
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
SERVICE = "chime-sdk-meetings"
EVENT = f"before-send.{SERVICE}.CreateMeeting"

os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
for _name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
    os.environ.pop(_name, None)


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError(f"the benchmark tried to open a connection: {args!r}")


socket.socket.connect = _refuse  # type: ignore[method-assign]
socket.socket.connect_ex = _refuse  # type: ignore[method-assign]
socket.create_connection = _refuse

if importlib.util.find_spec("pytest_chime") is None:  # not installed: use the checkout
    sys.path.insert(0, str(ROOT))

import boto3  # noqa: E402
import botocore  # noqa: E402
from botocore.awsrequest import AWSResponse  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.stub import Stubber  # noqa: E402

from pytest_chime import FakeChime, attendees, meetings, protocol  # noqa: E402


@dataclass
class Row:
    """One line of the table."""

    name: str
    figure: str
    target: str
    passed: bool | None  # None: no target, information only

    @property
    def verdict(self) -> str:
        return {True: "pass", False: "FAIL", None: "info"}[self.passed]


@dataclass(frozen=True)
class Plan:
    """How much to measure: rounds of interleaved batches, calls per batch."""

    rounds: int
    batch: int
    #: Row 1: rounds of interleaved batches per operation, and calls per batch.
    op_rounds: int
    op_batch: int
    lifecycle: int
    fixture_tests: int
    fixture_runs: int
    startup_runs: int
    strategy_examples: int


FULL = Plan(
    rounds=60,
    batch=50,
    op_rounds=40,
    op_batch=50,
    lifecycle=2000,
    fixture_tests=1000,
    fixture_runs=5,
    startup_runs=40,
    strategy_examples=500,
)
QUICK = Plan(
    rounds=12,
    batch=25,
    op_rounds=8,
    op_batch=20,
    lifecycle=300,
    fixture_tests=300,
    fixture_runs=3,
    startup_runs=5,
    strategy_examples=200,
)


class _Raw(io.BytesIO):
    """A response body as botocore reads urllib3's (whose chunks are 64 KiB: one read for a Chime answer)."""

    def stream(self, amt: int = 2**16, decode_content: bool | None = None) -> Iterator[bytes]:
        while chunk := self.read(amt):
            yield chunk


def make_client(**config: Any) -> Any:
    """A chime-sdk-meetings client with dummy credentials."""
    return boto3.session.Session().client(
        SERVICE,
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="not-a-secret",
        config=Config(**config) if config else None,
    )


_counter = iter(range(10**12))

#: The clock of every in-process figure: this process's CPU time. On a shared machine a batch
#: may wait for a core; that wait is nobody's cost, and wall time would count it.
clock = time.process_time


def call(client: Any) -> dict[str, Any]:
    """One CreateMeeting with a fresh ClientRequestToken (so each call creates a meeting)."""
    result: dict[str, Any] = client.create_meeting(**meeting_params())
    return result


def interleave(modes: dict[str, Callable[[], float]], rounds: int, *, collect: bool = True) -> dict[str, list[float]]:
    """Run each mode once per round, rotating the order; the samples of each mode.

    ``collect``: a garbage collection before each mode's batch (False: the modes collect
    themselves, after their untimed preparation)."""
    names = list(modes)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(rounds):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            if collect:
                gc.collect()
            samples[name].append(modes[name]())
    return samples


def ratio(samples: dict[str, list[float]], top: str, bottom: str) -> float:
    """The median over rounds of ``top / bottom``."""
    return statistics.median(a / b for a, b in zip(samples[top], samples[bottom], strict=True))


def us(seconds: float) -> str:
    return f"{seconds * 1e6:.0f} µs"


# --- row 1: per-call cost --------------------------------------------------------------------

#: The most an answered operation may cost, as a multiple of its before-send floor (issue 19).
TARGET = 1.20
#: Tags as an application puts them on a meeting.
TAGS = (
    {"Key": "team", "Value": "video-platform"},
    {"Key": "cost-center", "Value": "cc-1234"},
    {"Key": "env", "Value": "test"},
)
#: Two valid capability sets (Content is received only where Video is), alternated so each call changes something.
CAPABILITIES = (
    {"Audio": "SendReceive", "Video": "Send", "Content": "Send"},
    {"Audio": "SendReceive", "Video": "SendReceive", "Content": "Receive"},
)
TRANSCRIPTION = {"EngineTranscribeSettings": {"LanguageCode": "en-US", "Region": "auto"}}

Params = dict[str, Any]


def meeting_params(**extra: Any) -> Params:
    """A CreateMeeting request as an application sends it; a fresh ClientRequestToken, so a new meeting."""
    return {
        "ClientRequestToken": f"bench-{next(_counter):012d}",
        "MediaRegion": "us-east-1",
        "ExternalMeetingId": "bench-meeting",
        **extra,
    }


def users(count: int) -> list[dict[str, str]]:
    """``count`` attendee items, each with an ExternalUserId not used before."""
    return [{"ExternalUserId": f"bench-user-{next(_counter):08d}"} for _ in range(count)]


def tags() -> list[dict[str, str]]:
    return [dict(tag) for tag in TAGS]


def new_meeting(client: Any, attendees: int = 0, **extra: Any) -> tuple[dict[str, Any], list[str]]:
    """A meeting made by client calls (the fake active), with ``attendees`` attendees: it and their AttendeeIds."""
    meeting: dict[str, Any] = client.create_meeting(**meeting_params(**extra))["Meeting"]
    if not attendees:
        return meeting, []
    made = client.batch_create_attendee(MeetingId=meeting["MeetingId"], Attendees=users(attendees))
    return meeting, [attendee["AttendeeId"] for attendee in made["Attendees"]]


# Each case's ``prepare(client, calls)`` runs with the fake active and empty, outside the timing:
# it makes the state the calls act on, and returns each call's parameters. An operation that
# ends or toggles something gets a fresh something per call.


def _create_meeting(client: Any, calls: int) -> list[Params]:
    return [meeting_params() for _ in range(calls)]


def _create_meeting_with_attendees(client: Any, calls: int) -> list[Params]:
    return [meeting_params(Attendees=users(5)) for _ in range(calls)]


def _get_meeting(client: Any, calls: int) -> list[Params]:
    meeting, _ = new_meeting(client)
    return [{"MeetingId": meeting["MeetingId"]} for _ in range(calls)]


def _delete_meeting(client: Any, calls: int) -> list[Params]:
    return [{"MeetingId": new_meeting(client, attendees=2)[0]["MeetingId"]} for _ in range(calls)]


def _create_attendee(client: Any, calls: int) -> list[Params]:
    meeting, _ = new_meeting(client)
    return [{"MeetingId": meeting["MeetingId"], **user} for user in users(calls)]


def _batch_create_attendee(client: Any, calls: int) -> list[Params]:
    return [{"MeetingId": new_meeting(client)[0]["MeetingId"], "Attendees": users(10)} for _ in range(calls)]


def _get_attendee(client: Any, calls: int) -> list[Params]:
    meeting, ids = new_meeting(client, attendees=10)
    return [{"MeetingId": meeting["MeetingId"], "AttendeeId": ids[i % len(ids)]} for i in range(calls)]


def _list_attendees(client: Any, calls: int) -> list[Params]:
    meeting, _ = new_meeting(client, attendees=10)
    return [{"MeetingId": meeting["MeetingId"]} for _ in range(calls)]


def _delete_attendee(client: Any, calls: int) -> list[Params]:
    params: list[Params] = []
    while len(params) < calls:
        meeting, ids = new_meeting(client, attendees=10)
        params += [{"MeetingId": meeting["MeetingId"], "AttendeeId": attendee} for attendee in ids]
    return params[:calls]


def _tag_resource(client: Any, calls: int) -> list[Params]:
    arn = new_meeting(client)[0]["MeetingArn"]
    return [{"ResourceARN": arn, "Tags": [*tags()[:2], {"Key": "run", "Value": f"run-{i}"}]} for i in range(calls)]


def _untag_resource(client: Any, calls: int) -> list[Params]:
    keys = [tag["Key"] for tag in TAGS]
    return [{"ResourceARN": new_meeting(client, Tags=tags())[0]["MeetingArn"], "TagKeys": keys} for _ in range(calls)]


def _list_tags_for_resource(client: Any, calls: int) -> list[Params]:
    arn = new_meeting(client, Tags=tags())[0]["MeetingArn"]
    return [{"ResourceARN": arn} for _ in range(calls)]


def _start_transcription(client: Any, calls: int) -> list[Params]:
    return [
        {"MeetingId": new_meeting(client)[0]["MeetingId"], "TranscriptionConfiguration": copy.deepcopy(TRANSCRIPTION)}
        for _ in range(calls)
    ]


def _stop_transcription(client: Any, calls: int) -> list[Params]:
    params: list[Params] = []
    for _ in range(calls):
        meeting_id = new_meeting(client)[0]["MeetingId"]
        client.start_meeting_transcription(MeetingId=meeting_id, TranscriptionConfiguration=TRANSCRIPTION)
        params.append({"MeetingId": meeting_id})
    return params


def _update_capabilities(client: Any, calls: int) -> list[Params]:
    meeting, ids = new_meeting(client, attendees=10)
    return [
        {
            "MeetingId": meeting["MeetingId"],
            "AttendeeId": ids[i % len(ids)],
            "Capabilities": dict(CAPABILITIES[i // len(ids) % 2]),  # each pass over the attendees flips them
        }
        for i in range(calls)
    ]


def _update_capabilities_except(client: Any, calls: int) -> list[Params]:
    meeting, ids = new_meeting(client, attendees=10)
    return [
        {
            "MeetingId": meeting["MeetingId"],
            "ExcludedAttendeeIds": [{"AttendeeId": ids[0]}],
            "Capabilities": dict(CAPABILITIES[i % 2]),
        }
        for i in range(calls)
    ]


@dataclass(frozen=True)
class Case:
    """One operation measured in row 1: what a call does, and how to prepare a batch of calls."""

    operation: str
    #: What one call does (the row's name says it).
    what: str
    #: ``prepare(client, calls)``: the state the calls act on, made by client calls; each call's parameters.
    prepare: Callable[[Any, int], list[Params]]


CASES = (
    Case("CreateMeeting", "a new meeting", _create_meeting),
    Case("CreateMeetingWithAttendees", "a new meeting, 5 attendees", _create_meeting_with_attendees),
    Case("GetMeeting", "one meeting", _get_meeting),
    Case("DeleteMeeting", "a meeting of 2 attendees each call", _delete_meeting),
    Case("CreateAttendee", "into a meeting of 0 to batch-1 attendees", _create_attendee),
    Case("BatchCreateAttendee", "10 attendees into a new meeting each call", _batch_create_attendee),
    Case("GetAttendee", "in a meeting of 10", _get_attendee),
    Case("ListAttendees", "a meeting of 10 attendees", _list_attendees),
    Case("DeleteAttendee", "a new attendee each call", _delete_attendee),
    Case("TagResource", "3 tags on one meeting", _tag_resource),
    Case("UntagResource", "3 keys, a tagged meeting each call", _untag_resource),
    Case("ListTagsForResource", "a meeting of 3 tags", _list_tags_for_resource),
    Case("StartMeetingTranscription", "a new meeting each call", _start_transcription),
    Case("StopMeetingTranscription", "a transcribed meeting each call", _stop_transcription),
    Case("UpdateAttendeeCapabilities", "one of 10 attendees", _update_capabilities),
    Case("BatchUpdateAttendeeCapabilitiesExcept", "10 attendees, 1 excluded", _update_capabilities_except),
)
CASE = {case.operation: case for case in CASES}


class Canned(NamedTuple):
    """An answer as botocore received it: what a floor sends back."""

    status: int
    headers: dict[str, str]
    body: bytes


def canned(fake: FakeChime, client: Any, case: Case) -> Canned:
    """The fake's answer to ``case``'s first call, byte for byte: read at ``before-parse``, where botocore
    hands its handlers the raw response (status, headers, body) it is about to parse."""
    seen: list[Canned] = []

    def record(response_dict: dict[str, Any], **_: Any) -> None:
        headers = dict(response_dict["headers"].items())
        seen.append(Canned(response_dict["status_code"], headers, bytes(response_dict["body"])))

    event = f"before-parse.{SERVICE}.{case.operation}"
    fake.reset()
    with fake:
        first = case.prepare(client, 1)[0]
        client.meta.events.register(event, record, unique_id="bench-canned")
        try:
            getattr(client, botocore.xform_name(case.operation))(**first)
        finally:
            client.meta.events.unregister(event, unique_id="bench-canned")
    fake.reset()
    if len(seen) != 1 or not 200 <= seen[0].status < 300:
        raise AssertionError(f"{case.operation}: expected one successful answer, got {seen!r}")
    return seen[0]


def _noop(**_: Any) -> None:
    return None


def timed(client: Any, method: Callable[..., Any], params: list[Params], event: str) -> float:
    """Seconds per call over one call per item of ``params``, after a collection and with the client's
    handler lookups rebuilt from scratch (as after a floor's ``register``), so every mode starts alike."""
    client.meta.events.register(event, _noop, unique_id="bench-lookups")
    client.meta.events.unregister(event, unique_id="bench-lookups")
    gc.collect()
    start = clock()
    for item in params:
        method(**item)
    return (clock() - start) / len(params)


def per_call(plan: Plan, case: Case) -> tuple[list[Row], float]:
    """Rows for ``case`` through the fake against its floor (and, for CreateMeeting, the Stubber and row 1c).

    Every batch, whichever mode answers it, starts from a fresh fake prepared by the same
    client calls, so the floor's calls carry the same parameters as the fake's.
    """
    client = make_client()
    fake = FakeChime(quota=10**9)
    method = getattr(client, botocore.xform_name(case.operation))
    event = f"before-send.{SERVICE}.{case.operation}"
    answer = canned(fake, client, case)

    def prepared() -> list[Params]:
        fake.reset()
        with fake:
            return case.prepare(client, plan.op_batch)

    def floor_handler(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, answer.status, answer.headers, _Raw(answer.body))

    def run_floor() -> float:  # the fake is inactive: its idle handler returns at once
        params = prepared()
        client.meta.events.register(event, floor_handler, unique_id="bench-floor")
        try:
            return timed(client, method, params, f"{event}.bench")
        finally:
            client.meta.events.unregister(event, unique_id="bench-floor")

    def run_fake() -> float:
        params = prepared()
        before = len(fake.calls)
        fake.start()
        try:
            seconds = timed(client, method, params, f"{event}.bench")
        finally:
            fake.stop()
        if len(fake.calls) - before != len(params):  # each call answered once by the fake, no retry
            raise AssertionError(f"{case.operation}: {len(fake.calls) - before} answers for {len(params)} calls")
        return seconds

    modes = {"floor": run_floor, "fake": run_fake}
    if case.operation == "CreateMeeting":
        stubber = Stubber(client)
        # The Stubber validates answers against the model, which real ones break ("TenantIds": []).
        meeting = json.loads(answer.body)["Meeting"]
        stub_answer = {"Meeting": {k: v for k, v in meeting.items() if k != "TenantIds"}}

        def run_stubber() -> float:
            params = prepared()
            with stubber:
                gc.collect()
                start = clock()
                for item in params:
                    stubber.add_response("create_meeting", stub_answer)
                    method(**item)
                elapsed = clock() - start
                stubber.assert_no_pending_responses()
            return elapsed / len(params)

        modes["stubber"] = run_stubber
    if case.operation in ESSENTIAL:
        modes["essential"] = essential_floor(case, client, method, prepared, answer.status)
    for run in modes.values():  # warm every path once
        run()
    fake.verify()
    samples = interleave(modes, plan.op_rounds, collect=False)
    fake.verify()  # nothing failed inside the fake while it answered
    fake_s = min(samples["fake"])  # absolute figures: the best batch; ratios: medians of rounds
    floor_s = min(samples["floor"])
    vs_floor = ratio(samples, "fake", "floor")
    rows = [
        Row(
            f"1. per call, {case.operation} ({case.what}): fake vs before-send floor",
            f"{vs_floor:.3f}x ({us(fake_s)} vs {us(floor_s)})",
            f"<= {TARGET:.2f}x",
            vs_floor <= TARGET,
        )
    ]
    if "stubber" in samples:
        vs_stub = ratio(samples, "fake", "stubber")
        rows.append(
            Row(
                "1b. per call, CreateMeeting: fake vs botocore Stubber",
                f"{vs_stub:.2f}x ({us(fake_s)} vs {us(min(samples['stubber']))}; the Stubber skips signing and HTTP)",
                "-",
                None,
            )
        )
    if "essential" in samples:
        vs_essential = ratio(samples, "essential", "floor")
        rows.append(
            Row(
                f"1c. per call, {case.operation}: its essential work alone vs before-send floor",
                f"{vs_essential:.3f}x ({us(min(samples['essential']))} vs {us(floor_s)}; "
                f"{ESSENTIAL[case.operation][1]}: no validation, routing, records, events or injection)",
                "-",
                None,
            )
        )
    return rows, fake_s


def _essential_meeting(rng: random.Random, kept: dict[str, Any], request: Any) -> dict[str, Any]:
    params = json.loads(request.body)
    made = meetings.build_meeting(rng, service=SERVICE, params=params, region="us-east-1")
    kept[made["MeetingId"]] = made
    return {"Meeting": made}


def _essential_attendees(rng: random.Random, kept: dict[str, Any], request: Any) -> dict[str, Any]:
    meeting_id = request.url.split("/meetings/", 1)[1].split("/", 1)[0]
    present = kept.setdefault(meeting_id, {})
    made = [
        attendees.build_attendee(rng, service=SERVICE, params=item) for item in json.loads(request.body)["Attendees"]
    ]
    for attendee in made:
        present[attendee["AttendeeId"]] = attendee
    return {"Attendees": made, "Errors": []}


def _essential_meeting_with_attendees(rng: random.Random, kept: dict[str, Any], request: Any) -> dict[str, Any]:
    params = json.loads(request.body)
    meeting = meetings.build_meeting(rng, service=SERVICE, params=params, region="us-east-1")
    made = [attendees.build_attendee(rng, service=SERVICE, params=item) for item in params["Attendees"]]
    kept[meeting["MeetingId"]] = (meeting, {attendee["AttendeeId"]: attendee for attendee in made})
    return {"Meeting": meeting, "Attendees": made, "Errors": []}


#: Operation -> what any faithful answer to it must do (read the request's JSON, build what it
#: makes with the fake's own builders, keep it in a dict), and the row's words for it.
ESSENTIAL: dict[str, tuple[Callable[[random.Random, dict[str, Any], Any], dict[str, Any]], str]] = {
    "CreateMeeting": (_essential_meeting, "decode, build_meeting, a dict, encode"),
    "CreateMeetingWithAttendees": (
        _essential_meeting_with_attendees,
        "decode, build_meeting, build_attendee x5, a dict, encode",
    ),
    "BatchCreateAttendee": (_essential_attendees, "decode, build_attendee x10, a dict, encode"),
}


def essential_floor(
    case: Case, client: Any, method: Callable[..., Any], prepared: Callable[[], list[Params]], status: int
) -> Callable[[], float]:
    """A ``before-send`` handler doing only what any faithful answer to ``case`` must (``ESSENTIAL``),
    then encoding the answer. What the fake costs beyond this is its validation, routing, call
    records, events and error injection."""
    work = ESSENTIAL[case.operation][0]
    rng = random.Random(0)
    kept: dict[str, Any] = {}
    event = f"before-send.{SERVICE}.{case.operation}"

    def handler(request: Any, **_: Any) -> AWSResponse:
        body = work(rng, kept, request)
        reply = protocol.reply(status, {"x-amzn-RequestId": f"{rng.getrandbits(128):032x}"}, body)
        return protocol.encode(reply, request.url)

    def run() -> float:
        params = prepared()
        kept.clear()
        client.meta.events.register(event, handler, unique_id="bench-essential")
        try:
            return timed(client, method, params, f"{event}.bench")
        finally:
            client.meta.events.unregister(event, unique_id="bench-essential")

    return run


def unmeasured() -> list[Row]:
    """A failing row for each operation the fake answers on chime-sdk-meetings that row 1 has no case for."""
    from pytest_chime import operations

    missing = [name for name in operations.implemented(SERVICE) if name not in CASE]
    return [
        Row(f"1. per call, {name}", "not measured: bench/bench.py has no case for it", "-", False) for name in missing
    ]


# --- row 2: set-up and teardown ----------------------------------------------------------------


def lifecycle(plan: Plan, call_s: float) -> Row:
    """FakeChime() + start + stop + verify, in calls."""

    def one_round() -> float:
        start = clock()
        for _ in range(plan.lifecycle):
            fake = FakeChime(seed=1, scope="tests/test_x.py::test_y")
            fake.start()
            fake.stop()
            fake.verify()
        return (clock() - start) / plan.lifecycle

    one_round()
    per = min(one_round() for _ in range(5))
    calls = per / call_s
    return Row("2. fake set-up + teardown (direct)", f"{calls:.2f} calls ({us(per)})", "<= 1 call", calls <= 1.0)


_FIXTURE_SUITE = """
import boto3  # code under test imports botocore in both suites: its import is not the fixture's cost
import pytest

@pytest.mark.parametrize("n", range({count}))
def test_one(n{argument}):
    assert n >= 0
"""


def _pytest_run(directory: Path, *args: str) -> float:
    """CPU seconds (user + system) of one ``python -m pytest`` subprocess.

    CPU time, not wall time: on a busy machine a child waits for a core, and that wait
    is not start-up cost. Bytecode is cached (under ``directory``), as it is for an
    installed plugin, even where PYTHONDONTWRITEBYTECODE is set.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(directory / ".pycache")
    child = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", *args],
        cwd=directory,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"pytest {' '.join(args)} in {directory} exited with {child.returncode}")
    return float(usage.ru_utime + usage.ru_stime)


def fixture_cost(plan: Plan, call_s: float) -> Row:
    """The fake_chime fixture's per-test cost inside pytest, in calls."""
    with tempfile.TemporaryDirectory(prefix="chime-bench-") as tmp:
        root = Path(tmp)
        (root / "pytest.ini").write_text("[pytest]\n")
        (root / "with_fixture").mkdir()
        (root / "without").mkdir()
        (root / "with_fixture" / "test_suite.py").write_text(
            _FIXTURE_SUITE.format(count=plan.fixture_tests, argument=", fake_chime")
        )
        (root / "without" / "test_suite.py").write_text(_FIXTURE_SUITE.format(count=plan.fixture_tests, argument=""))
        runs: dict[str, list[float]] = {"with": [], "without": []}
        _pytest_run(root, "with_fixture")  # warm the caches
        for _ in range(plan.fixture_runs):
            runs["with"].append(_pytest_run(root, "with_fixture"))
            runs["without"].append(_pytest_run(root, "without"))
    per_test = (statistics.median(runs["with"]) - statistics.median(runs["without"])) / plan.fixture_tests
    calls = per_test / call_s
    return Row(
        "2b. fake_chime fixture per test (pytest)",
        f"{calls:.2f} calls ({us(per_test)} per test)",
        "-",
        None,
    )


# --- row 3: four throttles then success ---------------------------------------------------------


def four_throttles(plan: Plan) -> Row:
    """fail(ThrottlingException, times=4) + one call (five attempts) against one clean call."""
    client = make_client(retries={"mode": "legacy"})
    fake = FakeChime(quota=10**9)

    def run(throttles: int) -> float:
        elapsed = 0.0
        with fake:
            for _ in range(plan.batch):
                fake.reset()  # each test starts with an empty fake; not timed
                start = clock()
                if throttles:
                    fake.fail("ThrottlingException", times=throttles)
                call(client)
                elapsed += clock() - start
                if len(fake.calls) != throttles + 1 or len(fake.sleeps) != throttles:
                    raise AssertionError(f"expected {throttles + 1} attempts, got {len(fake.calls)}")
        return elapsed / plan.batch

    def run_clean() -> float:
        return run(0)

    def run_throttled() -> float:
        return run(4)

    run_clean()
    run_throttled()
    samples = interleave({"clean": run_clean, "throttled": run_throttled}, max(plan.rounds // 2, 4))
    factor = ratio(samples, "throttled", "clean")
    return Row(
        "3. four throttles then success vs one call",
        f"{factor:.2f}x ({us(min(samples['throttled']))}, no real sleep)",
        "<= 5x",
        factor <= 5.0,
    )


# --- row 4: plugin start-up ----------------------------------------------------------------------

_PLAIN_SUITE = """
import pytest

@pytest.mark.parametrize("n", range(20))
def test_plain(n):
    assert n + 1 > n

def test_other():
    assert "chime"
"""


def startup(plan: Plan) -> Row:
    """``pytest --co -q`` CPU time with the plugin minus with ``-p no:chime``: the median of paired runs."""
    with tempfile.TemporaryDirectory(prefix="chime-bench-") as tmp:
        root = Path(tmp)
        (root / "pytest.ini").write_text("[pytest]\n")
        (root / "test_plain.py").write_text(_PLAIN_SUITE)
        _pytest_run(root, "--co")  # warm the file and bytecode caches
        _pytest_run(root, "--co", "-p", "no:chime")
        runs: dict[str, list[float]] = {"on": [], "off": []}
        for index in range(plan.startup_runs):
            order = ("on", "off") if index % 2 == 0 else ("off", "on")
            for mode in order:
                runs[mode].append(_pytest_run(root, "--co", *(["-p", "no:chime"] if mode == "off" else [])))
    # Each pair ran back to back, under the same load: the median of their differences.
    added = statistics.median(on - off for on, off in zip(runs["on"], runs["off"], strict=True)) * 1000
    fastest = (min(runs["on"]) - min(runs["off"])) * 1000  # a second estimate: load only ever adds time
    return Row(
        "4. plugin start-up (pytest --co) vs -p no:chime",
        f"{added:+.1f} ms CPU (median of {plan.startup_runs} pairs; fastest runs {fastest:+.1f} ms; "
        f"{min(runs['off']) * 1000:.0f} ms without)",
        "<= 20 ms",
        added <= 20.0,
    )


# --- row 6: async clients --------------------------------------------------------------------------


def async_per_call(plan: Plan) -> Row:
    """An aiobotocore CreateMeeting through the fake against an aiobotocore before-send floor."""
    if importlib.util.find_spec("aiobotocore") is None:
        return Row("6. per call, async CreateMeeting: fake vs aiobotocore floor", "skipped: no aiobotocore", "-", None)
    import asyncio

    from aiobotocore.awsrequest import AioAWSResponse
    from aiobotocore.session import get_session

    from pytest_chime import aio

    fake = FakeChime(quota=10**9)
    answer = canned(fake, make_client(), CASE["CreateMeeting"])  # the same bytes an async client gets

    def floor_handler(request: Any, **_: Any) -> Any:
        return AioAWSResponse(request.url, answer.status, answer.headers, aio.Body(answer.body))

    async def measure() -> dict[str, list[float]]:
        async with get_session().create_client(
            SERVICE, region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="x"
        ) as client:

            async def timed_async() -> float:
                params = [meeting_params() for _ in range(plan.batch)]
                start = clock()
                for item in params:
                    await client.create_meeting(**item)
                return (clock() - start) / plan.batch

            async def run_floor() -> float:
                client.meta.events.register(EVENT, floor_handler, unique_id="bench-aio-floor")
                try:
                    return await timed_async()
                finally:
                    client.meta.events.unregister(EVENT, unique_id="bench-aio-floor")

            async def run_fake() -> float:
                fake.reset()
                with fake:
                    return await timed_async()

            await run_floor()
            await run_fake()
            samples: dict[str, list[float]] = {"floor": [], "fake": []}
            for round_ in range(plan.rounds):
                order = [("floor", run_floor), ("fake", run_fake)]
                for name, run in order if round_ % 2 == 0 else order[::-1]:
                    gc.collect()
                    samples[name].append(await run())
            return samples

    samples = asyncio.run(measure())
    fake.reset()
    vs_floor = ratio(samples, "fake", "floor")
    return Row(
        "6. per call, async CreateMeeting: fake vs aiobotocore before-send floor",
        f"{vs_floor:.3f}x ({us(min(samples['fake']))} vs {us(min(samples['floor']))})",
        f"<= {TARGET:.2f}x",
        vs_floor <= TARGET,
    )


# --- row 5: strategies ---------------------------------------------------------------------------


def strategies(plan: Plan) -> list[Row]:
    """Rows from bench/bench_strategies.py's measure(), or a note when it is absent."""
    path = Path(__file__).with_name("bench_strategies.py")
    if not path.exists():
        return [Row("5. strategy generation rate", "skipped: bench/bench_strategies.py is absent", "-", None)]
    spec = importlib.util.spec_from_file_location("bench_strategies", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    measure = module.measure
    parameters = inspect.signature(measure).parameters
    if "quick" in parameters:
        result = measure(quick=plan is QUICK)
    elif "examples" in parameters:
        result = measure(examples=plan.strategy_examples)
    else:
        result = measure()
    if isinstance(result, dict) and any(key.endswith(".per_second") for key in result):
        return _strategy_rows(module, result)
    return [_as_row(item) for item in (result if isinstance(result, list) else [result])]


def _strategy_rows(module: Any, figures: dict[str, float]) -> list[Row]:
    """One row per strategy from measure()'s flat ``<strategy>.<figure>`` dict."""
    seconds_target = getattr(module, "TARGET_SECONDS_PER_500", None)
    share_target = getattr(module, "TARGET_DISCARDED_SHARE", None)
    rows = []
    names = {key.rsplit(".", 1)[0] for key in figures if key.endswith(".per_second")}
    for name in sorted(names, key=lambda name: (name.startswith("hypothesis."), name)):  # the yardstick last
        rate = figures.get(f"{name}.per_cpu_second", figures[f"{name}.per_second"])  # CPU time where measured
        share = figures.get(f"{name}.discarded_share")
        if name.startswith("hypothesis."):  # Hypothesis's own strategy: the machine's yardstick, no target
            rows.append(
                Row(f"5. for scale: Hypothesis's own {name.split('.', 1)[1]}()", f"{rate:,.0f} examples/s", "-", None)
            )
            continue
        figure = f"{rate:,.0f} examples/s" + (f", {share:.1%} discarded" if share is not None else "")
        passed: bool | None = None
        target = "-"
        if seconds_target is not None and share_target is not None and share is not None:
            target = f"500 in < {seconds_target:g} s, < {share_target:.0%} discarded"
            passed = 500 / rate < seconds_target and share < share_target
        rows.append(Row(f"5. strategy {name}", figure, target, passed))
    return rows


def _as_row(item: Any) -> Row:
    if isinstance(item, Row):
        return item
    if isinstance(item, dict):
        passed = item.get("passed", item.get("pass", item.get("ok")))
        return Row(
            str(item.get("name", item.get("row", "5. strategy generation rate"))),
            str(item.get("figure", item)),
            str(item.get("target", "-")),
            None if passed is None else bool(passed),
        )
    return Row("5. strategy generation rate", str(item), "-", None)


# --- main ------------------------------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table."""
    lines = ["| Row | Figure | Target | Result |", "|---|---|---|---|"]
    lines += [f"| {r.name} | {r.figure} | {r.target} | {r.verdict} |" for r in rows]
    return "\n".join(lines)


def chosen_cases(names: str | None) -> tuple[Case, ...]:
    """The row-1 cases named in ``names`` (comma-separated operations; None: all of them)."""
    if names is None:
        return CASES
    wanted = [name.strip() for name in names.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in CASE]
    if unknown:
        raise SystemExit(f"--ops: no case for {', '.join(unknown)}; the cases: {', '.join(CASE)}")
    return tuple(CASE[name] for name in wanted)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer rounds: seconds, not minutes; rougher figures")
    parser.add_argument(
        "--rows", default="1,2,3,4,5,6", help="comma-separated rows to run (row 2 measures CreateMeeting, its unit)"
    )
    parser.add_argument(
        "--ops", default=None, help="row 1 for these operations only, comma-separated (e.g. CreateAttendee,GetMeeting)"
    )
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    wanted = {part.strip() for part in args.rows.split(",")}
    cases = chosen_cases(args.ops)
    began = time.perf_counter()
    rows: list[Row] = []
    call_s = 0.0
    if "1" in wanted:
        for case in cases:
            case_began = time.perf_counter()
            case_rows, case_s = per_call(plan, case)
            print(
                f"{case_rows[0].name}: {case_rows[0].figure} ({time.perf_counter() - case_began:.0f} s)",
                file=sys.stderr,
            )
            if case.operation == "CreateMeeting":
                call_s = case_s
            rows += case_rows
        if args.ops is None:
            rows += unmeasured()
    if "2" in wanted:
        if not call_s:  # CreateMeeting through the fake: the unit of row 2
            call_s = per_call(plan, CASE["CreateMeeting"])[1]
        rows.append(lifecycle(plan, call_s))
        rows.append(fixture_cost(plan, call_s))
    if "3" in wanted:
        rows.append(four_throttles(plan))
    if "4" in wanted:
        rows.append(startup(plan))
    if "5" in wanted:
        rows += strategies(plan)
    if "6" in wanted:
        rows.append(async_per_call(plan))
    print(
        f"pytest-chime benchmark{' (--quick)' if args.quick else ''}: Python {platform.python_version()}, "
        f"botocore {botocore.__version__}, {platform.machine()}, {time.perf_counter() - began:.0f} s"
    )
    print()
    print(table(rows))
    return 0 if all(r.passed is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
