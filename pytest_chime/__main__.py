"""``python -m pytest_chime serve``: the fake on 127.0.0.1 outside pytest, until interrupted (docs/processes.rst)."""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pytest_chime", description="pytest-chime's fake Amazon Chime.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve",
        help="serve the fake on 127.0.0.1 until interrupted (SIGINT, SIGTERM)",
        description="Serve the fake on 127.0.0.1 until interrupted; print the variables to export, "
        "and a summary of the calls on exit.",
    )
    serve.add_argument("--port", type=int, default=0, help="the port (default: a free one)")
    serve.add_argument("--seed", default=None, help="the seed of every id, URL and chaos draw")
    serve.add_argument("--region", default=None, help="the control region assumed (default: us-east-1)")
    return parser


def serve(port: int, seed: str | None, region: str | None) -> int:
    """Serve until SIGINT or SIGTERM; 1 when the fake saw problems (refused calls, internal errors)."""
    from .fake import FakeChime

    settings: dict[str, Any] = {name: value for name, value in (("seed", seed), ("region", region)) if value}
    fake = FakeChime(scope="serve", **settings).start()
    try:
        stopping = threading.Event()

        def stop(signum: int, frame: Any) -> None:
            stopping.set()

        previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}
        try:
            fake.serve(port=port)
            print("# pytest-chime is serving on 127.0.0.1; export these in the processes that call Chime:")
            for name, value in fake.environ.items():
                print(f"export {name}={shlex.quote(value)}")
            sys.stdout.flush()
            while not stopping.wait(0.2):
                pass
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
    finally:
        fake.stop()
    print(fake.summary())
    problems = fake.problems(check_unused=False) or "\n".join(f"refused: {c.refused}" for c in fake.refused_calls())
    if problems:
        print(problems, file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return serve(args.port, args.seed, args.region)


if __name__ == "__main__":
    sys.exit(main())
