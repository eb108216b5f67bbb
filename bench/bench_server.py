"""The loopback server's per-call cost against the in-process fake, in one run (issue 22's target: at most 2.5x).

Run it from the repository root with the environment under test::

    python bench/bench_server.py            # about twenty seconds
    python bench/bench_server.py --quick    # a few seconds, rougher

The same boto3 client code makes the same calls (CreateMeeting then DeleteMeeting with a fresh
token, so the meeting quota never fills) two ways, in short alternating batches:

- in process: a ``FakeChime`` started in this process answers at botocore's ``before-send``;
- through the server: ``python -m pytest_chime serve`` runs in a child process and the client,
  with no fake active here, sends real HTTP to ``127.0.0.1`` (signing, a keep-alive
  connection, the server's routing and ``respond``, the same engine).

A third side, the floor, is the same client against a loopback server that only replays the
fake's answers (recorded in process, byte for byte) with no routing, reading or engine: what any
HTTP answer costs this client. The server's own cost is what it takes beyond the floor.

Every side is wall-clock time per call (the server's work happens in another process); the
ratio is the median of the per-round ratios, so a noisy machine slows both alike. Nothing but
127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import itertools
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import boto3
import botocore.config

from pytest_chime import FakeChime

_tokens = itertools.count()


def make_client(endpoint_url: str | None = None) -> Any:
    return boto3.session.Session().client(
        "chime-sdk-meetings",
        region_name="us-east-1",
        endpoint_url=endpoint_url,
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="not-a-secret",
        config=botocore.config.Config(retries={"mode": "standard"}),
    )


def calls(client: Any, count: int) -> float:
    """Seconds per call for ``count`` CreateMeeting + DeleteMeeting pairs (2 calls each)."""
    start = time.perf_counter()
    for _ in range(count):
        token = f"bench-{next(_tokens):08d}"
        meeting = client.create_meeting(ClientRequestToken=token, MediaRegion="us-east-1", ExternalMeetingId=token)
        client.delete_meeting(MeetingId=meeting["Meeting"]["MeetingId"])
    return (time.perf_counter() - start) / (2 * count)


def in_process(count: int) -> Callable[[], float]:
    client = make_client()

    def run() -> float:
        with FakeChime(seed="bench"):
            return calls(client, count)

    return run


def through_server(url: str, count: int) -> Callable[[], float]:
    client = make_client(url)
    return lambda: calls(client, count)


#: The floor's server (a child process): reads each request, answers the canned bytes for its method.
FLOOR = """
import socket, sys, threading
answers = {b"POST": bytes.fromhex(sys.argv[1]), b"DELETE": bytes.fromhex(sys.argv[2])}
listener = socket.create_server(("127.0.0.1", 0))
print(listener.getsockname()[1], flush=True)

def serve(connection):
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    reader = connection.makefile("rb")
    while True:
        method = reader.readline().split(b" ", 1)[0]
        if not method:
            return
        length = 0
        for line in iter(reader.readline, b"\\r\\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        reader.read(length)
        connection.sendall(answers[method])

while True:
    threading.Thread(target=serve, args=(listener.accept()[0],), daemon=True).start()
"""


def recorded_answers() -> list[bytes]:
    """The fake's CreateMeeting and DeleteMeeting answers as HTTP bytes, recorded in process."""
    answers: list[bytes] = []
    client = make_client()
    client.meta.events.register("after-call", lambda http_response, **_: answers.append(_raw(http_response)))
    with FakeChime(seed="bench"):
        calls(client, 1)
    return answers


def _raw(http_response: Any) -> bytes:
    lines = [f"HTTP/1.1 {http_response.status_code} {'OK' if http_response.status_code == 200 else 'No Content'}"]
    lines += [f"{name}: {value}" for name, value in http_response.headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + http_response.content


def start_floor() -> tuple[subprocess.Popen[str], str]:
    create, delete = recorded_answers()
    child = subprocess.Popen(
        [sys.executable, "-c", FLOOR, create.hex(), delete.hex()], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    return child, f"http://127.0.0.1:{int(child.stdout.readline())}/chime-sdk-meetings"


def start_server() -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "AWS_EC2_METADATA_DISABLED": "true"}
    child = subprocess.Popen(
        [sys.executable, "-m", "pytest_chime", "serve", "--seed", "bench"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stdout is not None
    for line in child.stdout:
        if "AWS_ENDPOINT_URL_CHIME_SDK_MEETINGS=" in line:
            return child, line.strip().split("=", 1)[1].strip("'\"")
    raise RuntimeError("the server printed no endpoint")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter rounds")
    args = parser.parse_args()
    rounds, count = (5, 20) if args.quick else (15, 50)
    child, url = start_server()
    floor, floor_url = start_floor()
    try:
        modes = {
            "in process": in_process(count),
            "server": through_server(url, count),
            "floor": through_server(floor_url, count),
        }
        for run in modes.values():  # warm up: caches, the connection
            run()
        samples: dict[str, list[float]] = {name: [] for name in modes}
        names = list(modes)
        for round_ in range(rounds):
            for name in names[round_ % 3 :] + names[: round_ % 3]:
                samples[name].append(modes[name]())
        ratios = [s / i for s, i in zip(samples["server"], samples["in process"], strict=True)]
        floors = [s / i for s, i in zip(samples["floor"], samples["in process"], strict=True)]
    finally:
        floor.kill()
        floor.communicate(timeout=30)
        child.send_signal(signal.SIGINT)
        child.communicate(timeout=30)
    best = {name: min(values) * 1e6 for name, values in samples.items()}
    ratio = statistics.median(ratios)
    print("| row | what | per call | ratio | target |")
    print("|---|---|---|---|---|")
    print(
        f"| 7 | boto3 through the loopback server vs in process (CreateMeeting, DeleteMeeting) "
        f"| {best['server']:.0f} us vs {best['in process']:.0f} us | {ratio:.2f}x | at most 2.5x "
        f"{'(met)' if ratio <= 2.5 else '(NOT met)'} |"
    )
    print(
        f"| 7a | the same client against a loopback replay of the fake's answers (the floor) vs in process "
        f"| {best['floor']:.0f} us vs {best['in process']:.0f} us | {statistics.median(floors):.2f}x | - |"
    )


if __name__ == "__main__":
    main()
