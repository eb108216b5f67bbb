"""pytest-chime's benchmark: what the fake costs, as ratios measured in one run.

Run it from the repository root with the environment under test::

    python bench/bench.py            # about a minute and a half
    python bench/bench.py --quick    # a few seconds per row, rougher figures

Every ratio compares two things measured in the same process, interleaved in short
alternating batches (the order rotating each round): it is the median of the per-round
ratios, so a noisy machine slows both sides of a ratio alike. Absolute times beside a
ratio are the best batch. Subprocess rows (2b, 4) count the child's CPU time, not wall
time. The table it prints is Markdown, ready for the README.

Rows:

1. Fake-answered CreateMeeting, GetMeeting, CreateAttendee and ListAttendees (a meeting
   of ten attendees), each against its floor: the same client (same signing, same
   credentials, same parameters) with a ``before-send`` handler that returns a canned
   ``AWSResponse`` carrying the fake's own response bytes for that operation, so botocore
   parses the same JSON. The floor builds a fresh response object per call (a response
   body is a stream, read once), which is all any ``before-send`` answer can cost; the
   fake is inactive while the floor runs (its handlers are registered but return at
   once), so it does none of its work for the floor's calls. CreateMeeting is also
   measured against botocore's ``Stubber`` (``add_response`` per call), which answers
   earlier, at ``before-call``, and so skips signing, sending and HTTP parsing; and (row
   1c) against its essential work alone: a ``before-send`` handler that reads the
   request's JSON, builds the meeting with the fake's own ``build_meeting``, keeps it and
   encodes the answer, with no validation, routing, call records or error injection. What
   the fake costs beyond row 1c is those.
2. Set-up and teardown: ``FakeChime()`` + ``start()`` + ``stop()`` + ``verify()``, and
   the ``fake_chime`` fixture's whole per-test cost in a pytest run (tests requesting
   it against the same tests without it), both in units of one fake-answered call.
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
   'pytest-chime[aio]'``).

Nothing here opens a connection: a socket guard refuses any, and every call is
answered before the network.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import inspect
import io
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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

from pytest_chime import FakeChime, protocol  # noqa: E402


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
    lifecycle: int
    fixture_tests: int
    fixture_runs: int
    startup_runs: int
    strategy_examples: int


FULL = Plan(
    rounds=60, batch=50, lifecycle=2000, fixture_tests=1000, fixture_runs=5, startup_runs=40, strategy_examples=500
)
QUICK = Plan(
    rounds=12, batch=25, lifecycle=300, fixture_tests=300, fixture_runs=3, startup_runs=5, strategy_examples=200
)


class _Raw(io.BytesIO):
    """A response body as botocore reads urllib3's."""

    def stream(self, amt: int = 1024, decode_content: bool | None = None) -> Iterator[bytes]:
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


def call(client: Any) -> dict[str, Any]:
    """One CreateMeeting with a fresh ClientRequestToken (so each call creates a meeting)."""
    result: dict[str, Any] = client.create_meeting(
        ClientRequestToken=f"bench-{next(_counter):012d}",
        MediaRegion="us-east-1",
        ExternalMeetingId="bench-meeting",
    )
    return result


def interleave(modes: dict[str, Callable[[], float]], rounds: int) -> dict[str, list[float]]:
    """Run each mode once per round, rotating the order; the samples of each mode."""
    names = list(modes)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(rounds):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            gc.collect()
            samples[name].append(modes[name]())
    return samples


def ratio(samples: dict[str, list[float]], top: str, bottom: str) -> float:
    """The median over rounds of ``top / bottom``."""
    return statistics.median(a / b for a, b in zip(samples[top], samples[bottom], strict=True))


def us(seconds: float) -> str:
    return f"{seconds * 1e6:.0f} µs"


# --- row 1: per-call cost --------------------------------------------------------------------

MEETING_ID = "0b9c5a5e-1f2d-4c3b-9a8e-7d6c5b4a3f2e"  # replaced by the prepared meeting's id


@dataclass(frozen=True)
class Case:
    """One operation measured in row 1: how to prepare the fake, and each call's parameters."""

    operation: str
    #: Attendees the meeting has before a batch (None: no meeting is prepared).
    attendees: int | None
    params: Callable[[str, int], dict[str, Any]]


CASES = (
    Case(
        "CreateMeeting",
        None,
        lambda meeting, i: {
            "ClientRequestToken": f"bench-{i:012d}",
            "MediaRegion": "us-east-1",
            "ExternalMeetingId": "bench-meeting",
        },
    ),
    Case("GetMeeting", 0, lambda meeting, i: {"MeetingId": meeting}),
    Case("CreateAttendee", 0, lambda meeting, i: {"MeetingId": meeting, "ExternalUserId": f"bench-user-{i:06d}"}),
    Case("ListAttendees", 10, lambda meeting, i: {"MeetingId": meeting}),
)


def prepare(fake: FakeChime, case: Case) -> str:
    """Reset ``fake`` and give it the meeting (and attendees) ``case`` calls on; the MeetingId."""
    fake.reset()
    if case.attendees is None:
        return MEETING_ID
    made = fake.handle(
        SERVICE,
        "CreateMeeting",
        {"ClientRequestToken": "bench-setup", "MediaRegion": "us-east-1", "ExternalMeetingId": "bench-meeting"},
        region="us-east-1",
    )
    assert made.body is not None
    meeting: str = made.body["Meeting"]["MeetingId"]
    for n in range(case.attendees):
        fake.handle(SERVICE, "CreateAttendee", {"MeetingId": meeting, "ExternalUserId": f"u-{n}"}, region="us-east-1")
    return meeting


def timed(client: Any, case: Case, meeting: str, calls: int) -> float:
    """Seconds per call over ``calls`` calls of ``case``."""
    method = getattr(client, botocore.xform_name(case.operation))
    params = [case.params(meeting, next(_counter)) for _ in range(calls)]
    start = time.perf_counter()
    for item in params:
        method(**item)
    return (time.perf_counter() - start) / calls


def per_call(plan: Plan, case: Case) -> tuple[list[Row], float]:
    """Rows for ``case`` through the fake against the floor (and, for CreateMeeting, the Stubber)."""
    client = make_client()
    fake = FakeChime(quota=10**9)
    meeting = prepare(fake, case)
    first = case.params(meeting, 0)
    with fake:  # the canned answer is the fake's own response, byte for byte
        url = "https://meetings-chime.us-east-1.amazonaws.com/"
        reply = fake.handle(SERVICE, case.operation, dict(first), region="us-east-1")
        canned = protocol.encode(reply, url)
        body = canned.content
        headers = dict(canned.headers.items())
    event = f"before-send.{SERVICE}.{case.operation}"

    def floor_handler(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, reply.status, headers, _Raw(body))

    def run_floor() -> float:  # the fake is inactive: its idle handler returns at once
        client.meta.events.register(event, floor_handler, unique_id="bench-floor")
        try:
            return timed(client, case, meeting, plan.batch)
        finally:
            client.meta.events.unregister(event, unique_id="bench-floor")

    def run_fake() -> float:
        prepare(fake, case)
        with fake:
            return timed(client, case, meeting, plan.batch)

    modes = {"floor": run_floor, "fake": run_fake}
    if case.operation == "CreateMeeting":
        stubber = Stubber(client)
        assert reply.body is not None
        # The Stubber validates answers against the model, which real ones break ("TenantIds": []).
        answer = {"Meeting": {k: v for k, v in reply.body["Meeting"].items() if k != "TenantIds"}}

        def run_stubber() -> float:
            with stubber:
                start = time.perf_counter()
                for _ in range(plan.batch):
                    stubber.add_response("create_meeting", answer)
                    client.create_meeting(**case.params(meeting, next(_counter)))
                elapsed = time.perf_counter() - start
                stubber.assert_no_pending_responses()
            return elapsed / plan.batch

        modes["stubber"] = run_stubber
        modes["essential"] = essential_floor(client, case, meeting, plan, event, reply.status)
    for run in modes.values():  # warm every path once
        run()
    samples = interleave(modes, plan.rounds)
    fake_s = min(samples["fake"])  # absolute figures: the best batch; ratios: medians of rounds
    floor_s = min(samples["floor"])
    vs_floor = ratio(samples, "fake", "floor")
    rows = [
        Row(
            f"1. per call, {case.operation}: fake vs before-send floor",
            f"{vs_floor:.3f}x ({us(fake_s)} vs {us(floor_s)})",
            "<= 1.10x",
            vs_floor <= 1.10,
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
                "1c. per call, CreateMeeting: its essential work alone vs before-send floor",
                f"{vs_essential:.3f}x ({us(min(samples['essential']))} vs {us(floor_s)}; decode, "
                "build_meeting, a dict, encode: no validation, routing, records or injection)",
                "-",
                None,
            )
        )
    return rows, fake_s


def essential_floor(client: Any, case: Case, meeting: str, plan: Plan, event: str, status: int) -> Callable[[], float]:
    """A ``before-send`` handler doing only what any faithful CreateMeeting answer must: read the
    request's JSON, build the meeting (the fake's own builder), keep it, encode the answer. What
    the fake costs beyond this is its validation, routing, call records and error injection."""
    import json
    import random

    from pytest_chime import meetings

    rng = random.Random(0)
    kept: dict[str, Any] = {}
    url = "https://meetings-chime.us-east-1.amazonaws.com/meetings"

    def handler(request: Any, **_: Any) -> AWSResponse:
        params = json.loads(request.body)
        made = meetings.build_meeting(rng, service=SERVICE, params=params, region="us-east-1")
        kept[made["MeetingId"]] = made
        reply = protocol.reply(status, {"x-amzn-RequestId": made["MeetingId"]}, {"Meeting": made})
        return protocol.encode(reply, url)

    def run() -> float:
        kept.clear()
        client.meta.events.register(event, handler, unique_id="bench-essential")
        try:
            return timed(client, case, meeting, plan.batch)
        finally:
            client.meta.events.unregister(event, unique_id="bench-essential")

    return run


# --- row 2: set-up and teardown ----------------------------------------------------------------


def lifecycle(plan: Plan, call_s: float) -> Row:
    """FakeChime() + start + stop + verify, in calls."""

    def one_round() -> float:
        start = time.perf_counter()
        for _ in range(plan.lifecycle):
            fake = FakeChime(seed=1, scope="tests/test_x.py::test_y")
            fake.start()
            fake.stop()
            fake.verify()
        return (time.perf_counter() - start) / plan.lifecycle

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
                start = time.perf_counter()
                if throttles:
                    fake.fail("ThrottlingException", times=throttles)
                call(client)
                elapsed += time.perf_counter() - start
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

    case = CASES[0]
    fake = FakeChime(quota=10**9)
    with fake:
        reply = fake.handle(SERVICE, case.operation, dict(case.params(MEETING_ID, 0)), region="us-east-1")
        fake.reset()
    canned = protocol.encode(reply, "https://meetings-chime.us-east-1.amazonaws.com/meetings")
    headers = dict(canned.headers.items())
    body = canned.content

    def floor_handler(request: Any, **_: Any) -> Any:
        return AioAWSResponse(request.url, reply.status, headers, aio.Body(body))

    async def measure() -> dict[str, list[float]]:
        async with get_session().create_client(
            SERVICE, region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="x"
        ) as client:

            async def timed_async() -> float:
                params = [case.params(MEETING_ID, next(_counter)) for _ in range(plan.batch)]
                start = time.perf_counter()
                for item in params:
                    await client.create_meeting(**item)
                return (time.perf_counter() - start) / plan.batch

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
        "<= 1.15x",
        vs_floor <= 1.15,
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer rounds: seconds, not minutes; rougher figures")
    parser.add_argument(
        "--rows", default="1,2,3,4,5,6", help="comma-separated rows to run (row 2 measures row 1 too, for its unit)"
    )
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    wanted = {part.strip() for part in args.rows.split(",")}
    began = time.perf_counter()
    rows: list[Row] = []
    call_s = 0.0
    if wanted & {"1", "2"}:
        for case in CASES if "1" in wanted else CASES[:1]:
            case_rows, case_s = per_call(plan, case)
            call_s = call_s or case_s  # CreateMeeting's: the unit of row 2
            if "1" in wanted:
                rows += case_rows
    if "2" in wanted:
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
