"""Where the fake's time goes, per operation: the pieces of its answer, timed inside real calls.

Run it from the repository root::

    python bench/profile_ops.py                                  # every row-1 operation
    python bench/profile_ops.py --ops BatchCreateAttendee --cprofile 25

For each case of bench/bench.py's row 1, the case's prepared calls are made through a
client twice over: interleaved batches through the fake and through the case's floor (CPU
time per call, as row 1 measures them), then batches through the fake with wrappers
around its pieces: reading the request (``protocol.read``), the engine's answer
(``Engine.answer``) and within it the validation (``operations.violations``), the
transaction (``Engine._run``: the handler, then ``protocol.success``), each attendee
added (``attendees._add``, ``build_attendee``) and each event emitted (``Engine.emit``),
and the response object (``protocol.encode``). A piece's figure per call is the median
of one run of it (wall clock, so a preempted run does not count) times its runs per call.
The model's compiled check, the documented limits and each service rule are also timed
alone on the calls' recorded parameters (they are pure).

A Markdown table closes the run, one row per operation, in µs per call: ``handler`` is
the transaction less the body's encoding; ``engine per call`` is ``Engine.answer`` less
the validation and the transaction (the request id, the call record, the lock);
``response object`` is built by the floor too. ``outside before-send`` is what the fake
costs beyond its ``before-send`` pieces: the ``before-call``, ``choose-signer`` and
``_send_request`` hooks (about 1 µs together, timed alone), and what separates the two
measurements (medians of different runs, the processor's caches after the fake's work):
read it as noise of a few µs either way.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import pstats
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import botocore
from botocore.awsrequest import AWSResponse

import bench  # sets up the environment, the socket guard and the import path
from pytest_chime import FakeChime, attendees, engine, operations, protocol

#: Piece -> durations in seconds, one per run of it, filled by the wrappers.
_times: dict[str, list[float]] = defaultdict(list)
#: Whether the wrappers record: only during the measured calls, not while a batch is prepared.
_recording = [False]
#: The pieces in the order printed, nested ones indented under their caller.
_ORDER = (
    "  decode: protocol.read",
    "  Engine.answer",
    "    validate: operations.violations",
    "    transaction: Engine._run (handler + success)",
    "      encode body: protocol.success",
    "      attendees._add (each attendee)",
    "        attendees.build_attendee",
    "      events: Engine.emit",
    "  response: protocol.encode",
)
#: The functions timed: (module or class, attribute, label).
_WRAPPED = (
    (protocol, "read", _ORDER[0]),
    (engine.Engine, "answer", _ORDER[1]),
    (operations, "violations", _ORDER[2]),
    (engine.Engine, "_run", _ORDER[3]),
    (protocol, "success", _ORDER[4]),
    (attendees, "_add", _ORDER[5]),
    (attendees, "build_attendee", _ORDER[6]),
    (engine.Engine, "emit", _ORDER[7]),
    (protocol, "encode", _ORDER[8]),
)


@contextlib.contextmanager
def wrapped(owner: Any, name: str, label: str) -> Iterator[None]:
    """Time every run of ``owner.name`` under ``label`` (while recording) while inside."""
    original = getattr(owner, name)

    def timing(*args: Any, **kwargs: Any) -> Any:
        if not _recording[0]:
            return original(*args, **kwargs)
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            _times[label].append(time.perf_counter() - start)

    setattr(owner, name, timing)
    try:
        yield
    finally:
        setattr(owner, name, original)


def us(seconds: float) -> str:
    return f"{seconds * 1e6:7.1f}"


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def whole_calls(case: bench.Case, client: Any, fake: FakeChime, rounds: int, batch: int) -> tuple[float, float]:
    """(fake, floor): medians of interleaved batches, seconds of CPU time per call, as bench row 1 times them."""
    method = getattr(client, botocore.xform_name(case.operation))
    event = f"before-send.{bench.SERVICE}.{case.operation}"
    answer = bench.canned(fake, client, case)

    def floor_handler(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, answer.status, answer.headers, bench._Raw(answer.body))

    samples: dict[str, list[float]] = {"fake": [], "floor": []}
    for round_ in range(rounds):
        for mode in ("fake", "floor") if round_ % 2 == 0 else ("floor", "fake"):
            fake.reset()
            with fake:
                params = case.prepare(client, batch)
            if mode == "fake":
                fake.start()
                try:
                    samples[mode].append(bench.timed(client, method, params, f"{event}.bench"))
                finally:
                    fake.stop()
            else:
                client.meta.events.register(event, floor_handler, unique_id="profile-floor")
                try:
                    samples[mode].append(bench.timed(client, method, params, f"{event}.bench"))
                finally:
                    client.meta.events.unregister(event, unique_id="profile-floor")
    return median(samples["fake"]), median(samples["floor"])


def pieces(case: bench.Case, client: Any, fake: FakeChime, rounds: int, batch: int) -> list[dict[str, Any]]:
    """Time the fake's pieces over ``rounds`` batches of the case's calls; the parameters the fake recorded."""
    method = getattr(client, botocore.xform_name(case.operation))
    recorded: list[dict[str, Any]] = []
    with contextlib.ExitStack() as stack:
        for owner, name, label in _WRAPPED:
            if hasattr(owner, name):  # a piece the package no longer has is left out
                stack.enter_context(wrapped(owner, name, label))
        for _ in range(rounds):
            fake.reset()
            with fake:
                params = case.prepare(client, batch)
                before = len(fake.calls)
                gc.collect()
                _recording[0] = True
                try:
                    for item in params:
                        method(**item)
                finally:
                    _recording[0] = False
                recorded = [call.params for call in fake.calls[before:]]
    return recorded


def validation_parts(case: bench.Case, recorded: list[dict[str, Any]], repeats: int) -> list[tuple[str, float]]:
    """The compiled model check, the documented limits and each service rule, timed alone on ``recorded``."""
    route = operations.route(bench.SERVICE, case.operation)
    assert route is not None
    requests = [operations.Request(bench.SERVICE, case.operation, params, "us-east-1") for params in recorded]
    check = route.check
    parts: list[tuple[str, Callable[[operations.Request], object]]] = [
        ("validate.compiled check (model)", lambda request: check(request.params, "", []))
    ]
    if route.limits is not None:
        limits = route.limits
        parts.append(("documented limits", lambda request: limits(request.params, [])))
    for _members, rule in route.rules:
        parts.append((f"rule {getattr(rule, '__name__', rule)}", rule))
    found = []
    for label, part in parts:
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            for request in requests:
                part(request)
            best = min(best, (time.perf_counter() - start) / len(requests))
        found.append((label, best))
    return found


def profile(case: bench.Case, client: Any, fake: FakeChime, batch: int, lines: int) -> None:
    """cProfile of one batch through the fake: the pytest_chime functions by their own time."""
    fake.reset()
    with fake:
        params = case.prepare(client, batch)
    method = getattr(client, botocore.xform_name(case.operation))
    profiler = cProfile.Profile()
    with fake:
        profiler.enable()
        for item in params:
            method(**item)
        profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats("pytest_chime", lines)


def report(case: bench.Case, rounds: int, batch: int, lines: int) -> str:
    """Print where ``case``'s calls spend the fake's time; its row of the summary table."""
    _times.clear()
    client = bench.make_client()
    fake = FakeChime(quota=10**9)
    fake_s, floor_s = whole_calls(case, client, fake, rounds, batch)
    recorded = pieces(case, client, fake, rounds, batch)
    calls = len(_times[_ORDER[1]])
    per_call = {label: median(each) * len(each) / calls for label, each in _times.items()}
    before_send = sum(value for label, value in per_call.items() if not label.startswith("   "))
    print(f"\n## {case.operation} ({case.what})")
    print(f"{us(fake_s)}  call through the fake (CPU)")
    print(f"{us(floor_s)}  call through the floor (CPU)")
    print(f"{us(fake_s - floor_s)}  fake - floor ({fake_s / floor_s:.3f}x)")
    print(f"{us(before_send)}  before-send: decode + answer + response")
    for label in sorted(_times, key=_ORDER.index):
        runs = len(_times[label]) / calls
        print(f"{us(per_call[label])}  {label}" + (f" (x{runs:g})" if runs != 1 else ""))
    print(f"{us(fake_s - floor_s - before_send)}  outside before-send (hooks, dispatch, collections)")
    for label, seconds in validation_parts(case, recorded, 5):
        print(f"{us(seconds)}      alone: {label}")
    if lines:
        profile(case, client, fake, batch, lines)
    fake.verify()

    def piece(label: str) -> float:
        return per_call.get(label, 0.0)

    decode, answer, validate, run, body = (piece(label) for label in _ORDER[:5])
    built, emitted, response = piece(_ORDER[6]), piece(_ORDER[7]), piece(_ORDER[8])
    figures = (
        decode,
        validate,
        run - body,
        built,
        emitted,
        body,
        response,
        answer - validate - run,
        fake_s - floor_s - before_send,
    )
    return (
        f"| {case.operation} | {(fake_s - floor_s) * 1e6:.0f} ({fake_s / floor_s:.3f}x) | "
        + " | ".join(f"{value * 1e6:.1f}" for value in figures)
        + " |"
    )


#: The summary table's header: µs per call.
SUMMARY = (
    "| Operation | fake - floor | decode | validate | handler | of which build_attendee | of which events "
    "| encode body | response object | engine per call | outside before-send |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--ops", default=None, help="comma-separated operations (default: every row-1 case)")
    parser.add_argument("--rounds", type=int, default=10, help="batches per measurement")
    parser.add_argument("--batch", type=int, default=40, help="calls per batch")
    parser.add_argument("--cprofile", type=int, default=0, metavar="N", help="also a cProfile, its top N lines")
    args = parser.parse_args(argv)
    print(f"botocore {botocore.__version__}; per call, µs")
    rows = [report(case, args.rounds, args.batch, args.cprofile) for case in bench.chosen_cases(args.ops)]
    print(f"\nbotocore {botocore.__version__}; µs per call (the response object is built by the floor too)\n")
    print(SUMMARY)
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
