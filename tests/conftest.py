"""Shared test set-up: no network, no real credentials, clients for every served service."""

from __future__ import annotations

import gc
import os
import socket
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.config
import botocore.loaders
import botocore.session
import pytest

from pytest_chime import model

os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

SERVICES = model.services()
LEGACY_AVAILABLE = "chime" in SERVICES
legacy_only = pytest.mark.skipif(not LEGACY_AVAILABLE, reason="this botocore has no legacy chime CreateMeeting")


class NetworkBlocked(AssertionError):
    """A test tried to open a connection."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "network_probe: the test makes a connection attempt on purpose")
    config.addinivalue_line("markers", "loopback: the test may connect to 127.0.0.1 (the fake's server), nowhere else")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--run-evidence",
        action="store_true",
        default=False,
        help="also run the slow evidence tests (marked evidence), as .ci/run does",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the evidence tests unless asked for: --run-evidence, or an -m expression naming them."""
    if config.getoption("--run-evidence") or "evidence" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="evidence test: run with --run-evidence")
    for item in items:
        if item.get_closest_marker("evidence") is not None:
            item.add_marker(skip)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Freeze what start-up and collection made: the garbage collector's full passes skip it from now on.

    Those passes over botocore's, Hypothesis's and moto's modules cost the default run several seconds.
    """
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[list[tuple[Any, ...]]]:
    """The socket guard: resolving or connecting raises, and fails every test not marked network_probe."""
    attempts: list[tuple[Any, ...]] = []
    loopback = request.node.get_closest_marker("loopback") is not None

    def guarded(owner: Any, name: str, where: int) -> None:
        original = getattr(owner, name)

        def refuse(*args: Any, **kwargs: Any) -> Any:
            # A loopback test may reach 127.0.0.1 (args[where]: the address, or getaddrinfo's host).
            target = args[where] if len(args) > where else None
            if loopback and (target == "127.0.0.1" or (isinstance(target, tuple) and target[:1] == ("127.0.0.1",))):
                return original(*args, **kwargs)
            attempts.append(args)
            raise NetworkBlocked(f"a test tried to open a connection: {args!r}")

        monkeypatch.setattr(owner, name, refuse)

    guarded(socket.socket, "connect", 1)
    guarded(socket.socket, "connect_ex", 1)
    guarded(socket, "create_connection", 0)
    guarded(socket, "getaddrinfo", 0)
    yield attempts
    if request.node.get_closest_marker("network_probe") is None:
        assert attempts == [], f"the test tried to open connections: {attempts!r}"


#: The botocore data loader of every session ``make_client`` makes. A loader per session would
#: parse endpoints.json (over a megabyte) and the service model again for each client; the
#: garbage collector's walks over those copies took about a third of the suite's time.
DATA_LOADER = botocore.loaders.create_loader()


def make_client(service: str, region: str = "us-east-1", **config: Any) -> Any:
    """A boto3 client with dummy credentials (nothing real is ever used), in a new session."""
    botocore_session = botocore.session.Session()
    botocore_session.register_component("data_loader", DATA_LOADER)
    session = boto3.session.Session(botocore_session=botocore_session)
    paths = DATA_LOADER.search_paths
    if paths.count(paths[-1]) > 1:  # boto3 appends its data directory for every session
        paths.pop()
    return session.client(
        service,
        region_name=region,
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="not-a-secret",
        config=botocore.config.Config(**config) if config else None,
    )


def valid_request(service: str, **overrides: Any) -> dict[str, Any]:
    """The smallest request the service accepts, with ``overrides`` applied."""
    params: dict[str, Any] = {"ClientRequestToken": "token-0001"}
    if service == "chime-sdk-meetings":
        params |= {"MediaRegion": "us-east-1", "ExternalMeetingId": "standup"}
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


@pytest.fixture(params=SERVICES)
def service(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def client(service: str) -> Iterator[Any]:
    yield make_client(service)
