"""Test set-up for meetingsvc: no network, no real AWS credentials, a client per test.

Environment and socket guard are session-scoped, so Hypothesis tests (which must not
use function-scoped fixtures) get them too.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import meetingsvc
import pytest


@pytest.fixture(scope="session", autouse=True)
def aws_offline() -> Iterator[None]:
    """Dummy credentials and region; never ask the EC2 metadata service for credentials."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_EC2_METADATA_DISABLED", "true")
        mp.setenv("AWS_DEFAULT_REGION", "us-east-1")
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.delenv("AWS_SESSION_TOKEN", raising=False)
        mp.delenv("AWS_PROFILE", raising=False)
        yield


@pytest.fixture(scope="session", autouse=True)
def no_network() -> Iterator[None]:
    """Proof that the fake answers everything: any attempt to open a connection fails."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"a test tried to open a network connection: {args!r}")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", refuse)
        mp.setattr(socket, "create_connection", refuse)
        yield


@pytest.fixture
def client() -> Any:
    """A chime-sdk-meetings client configured as the application configures it."""
    return meetingsvc.make_client("us-east-1")


@pytest.fixture
def slept() -> list[float]:
    """The application's own waits between retry rounds, recorded instead of slept."""
    return []


@pytest.fixture
def meetings(client: Any, slept: list[float]) -> meetingsvc.MeetingService:
    """The service under test, with its sleep recorded rather than slept."""
    return meetingsvc.MeetingService(client, media_region="eu-west-2", fallback_region="us-east-1", sleep=slept.append)
