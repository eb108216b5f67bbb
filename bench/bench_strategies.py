"""How fast pytest_chime.strategies generates requests, and how many examples Hypothesis discards.

Run it: ``python bench/bench_strategies.py [--examples N] [--service NAME]``. Another
benchmark imports :func:`measure`, which returns the figures as a flat dict.

Each strategy drives a ``@given`` test of ``N`` examples (``database=None``, derandomized,
generate phase only) whose body does nothing, so the time is Hypothesis's generation
alone; the fastest of three runs counts. Hypothesis's own ``integers()``, measured the
same way, is printed beside the figures as the machine's yardstick. Discards are counted
two ways: draws that started but never reached the test body (a wrapper around the
strategy), and the invalid and overrun test cases of Hypothesis's own statistics.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any, cast

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from pytest_chime import facts, model
from pytest_chime import strategies as chime_st

#: Targets the figures are judged against.
TARGET_SECONDS_PER_500 = 1.0
TARGET_DISCARDED_SHARE = 0.01
#: Runs per strategy; the fastest counts.
REPEATS = 3


def _hypothesis_discards(run: Callable[[], None]) -> tuple[int, int]:
    """Run ``run`` and read (valid, discarded) test cases off Hypothesis's statistics."""
    try:
        from hypothesis.statistics import collector
    except ImportError:  # the statistics hook moved: only the wrapper's count remains
        run()
        return -1, -1
    found: list[Any] = []
    with cast(Any, collector).with_value(found.append):  # typed for None only
        run()
    cases = [
        case
        for stats in found
        for phase in stats.values()
        if isinstance(phase, dict)
        for case in phase.get("test-cases", ())
    ]
    valid = sum(1 for case in cases if case.get("status") == "valid")
    discarded = sum(1 for case in cases if case.get("status") in ("invalid", "overrun"))
    return valid, discarded


def generate(strategy: SearchStrategy[Any], examples: int) -> dict[str, float]:
    """Generate ``examples`` values through ``@given``; the time, rate and discards."""
    counts = {"started": 0, "finished": 0}

    @st.composite
    def counted(draw: st.DrawFn) -> Any:
        counts["started"] += 1
        value = draw(strategy)
        counts["finished"] += 1
        return value

    seen: list[Any] = []

    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(counted())
    def consume(value: Any) -> None:
        seen.append(value)

    started, cpu_started = time.perf_counter(), time.process_time()
    valid, discarded = _hypothesis_discards(consume)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    attempts = max(counts["started"], 1)
    return {
        "examples": float(len(seen)),
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "per_second": len(seen) / seconds if seconds else float("inf"),
        "per_cpu_second": len(seen) / cpu_seconds if cpu_seconds else float("inf"),
        "discarded_share": (counts["started"] - counts["finished"]) / attempts,
        "hypothesis_valid": float(valid),
        "hypothesis_discarded_share": discarded / (valid + discarded) if valid + discarded > 0 else 0.0,
    }


def measure(examples: int = 500, service: str = facts.MODERN, repeats: int = REPEATS) -> dict[str, float]:
    """The figures, flat: ``<strategy>.<figure>`` (e.g. ``create_meeting_requests.per_cpu_second``).

    Each strategy generates the same ``examples`` (derandomized) ``repeats`` times and the
    fastest run counts, as :mod:`timeit` reports the best of its repeats: a slower run
    measures the machine's other work, not the strategy. ``hypothesis.integers`` is
    Hypothesis's own ``integers()`` measured the same way, the machine's yardstick: no
    strategy drawn through ``@given`` can be faster than that.
    """
    strategies: dict[str, SearchStrategy[Any]] = {
        "create_meeting_requests": chime_st.create_meeting_requests(service=service),
        "invalid_create_meeting_requests": chime_st.invalid_create_meeting_requests(service=service),
        "hypothesis.integers": st.integers(),
    }
    out: dict[str, float] = {}
    for name, strategy in strategies.items():
        generate(strategy, min(examples, 20))  # warm up: strategies build lazily, botocore's model loads once
        runs = [generate(strategy, examples) for _ in range(max(repeats, 1))]
        for figure, value in min(runs, key=lambda run: run["cpu_seconds"]).items():
            out[f"{name}.{figure}"] = value
    return out


def main(argv: list[str] | None = None) -> int:
    """Print the figures for every service the installed botocore models; 1 if a target is missed.

    Speed is judged on CPU time, which other work on the machine does not inflate; the
    wall-clock time is printed beside it.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=500)
    parser.add_argument("--service", choices=model.services(), action="append")
    args = parser.parse_args(argv)
    missed = False
    print(f"botocore {model.botocore_version()}; {args.examples} examples per strategy, best of {REPEATS} runs")
    for service in args.service or model.services():
        figures = measure(args.examples, service)
        print(f"\n{service} (Hypothesis's own integers() here: {figures['hypothesis.integers.per_cpu_second']:.0f}/s)")
        for name in ("create_meeting_requests", "invalid_create_meeting_requests"):
            examples = max(figures[f"{name}.examples"], 1)
            cpu_per_500 = figures[f"{name}.cpu_seconds"] * 500 / examples
            wall_per_500 = figures[f"{name}.seconds"] * 500 / examples
            share = figures[f"{name}.discarded_share"]
            hyp_share = figures[f"{name}.hypothesis_discarded_share"]
            ok = cpu_per_500 < TARGET_SECONDS_PER_500 and share < TARGET_DISCARDED_SHARE
            missed |= not ok
            print(
                f"  {name:<32} {examples:>5.0f} examples  {figures[f'{name}.per_cpu_second']:>6.0f}/s"
                f"  {cpu_per_500:.3f} s CPU per 500 ({wall_per_500:.3f} s wall)"
                f"  discarded {share:6.2%} (Hypothesis's count: {hyp_share:6.2%})  {'ok' if ok else 'MISSED'}"
            )
    print(
        f"\ntargets: 500 examples in under {TARGET_SECONDS_PER_500:.0f} s, under {TARGET_DISCARDED_SHARE:.0%} discarded"
    )
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
