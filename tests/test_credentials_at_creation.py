"""A Chime client made while a fake is active gets the dummy keys: no credential provider runs to make it."""

from __future__ import annotations

import asyncio
import os
import socket
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from pytest_chime import FakeChime, facts
from tests.conftest import valid_request

MODERN = "chime-sdk-meetings"

#: The socket functions as they are before the network guard of tests/conftest.py replaces them.
REAL_CONNECT = socket.socket.connect
REAL_GETADDRINFO = socket.getaddrinfo


class Signed(Exception):
    """Raised from a before-send handler: the request's Authorization header, and nothing sent."""


@pytest.fixture
def aws_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No AWS variable but the metadata switch, and config files of the test's own."""
    for name in list(os.environ):
        if name.startswith("AWS_") and name != "AWS_EC2_METADATA_DISABLED":
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    (tmp_path / "credentials").write_text("")
    (tmp_path / "config").write_text("")
    return tmp_path


def access_key_of(client: Any) -> str:
    """The access key a client signs a Chime call with, seen at before-send (the fake answers after)."""
    seen: list[str] = []
    client.meta.events.register(
        "before-send", lambda request, **_: seen.append(request.headers.get("Authorization", b"").decode())
    )
    client.create_meeting(**valid_request(MODERN))
    return seen[0].split("Credential=")[1].split("/")[0]


def process_profile(home: Path) -> Path:
    """A profile whose credential_process writes a marker file when run; the marker's path."""
    marker = home / "credential-process-ran"
    script = home / "credentials.py"
    script.write_text(
        f"import json, pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n"
        'print(json.dumps({"Version": 1, "AccessKeyId": "AKIDPROCESS", "SecretAccessKey": "s"}))\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    (home / "config").write_text(f"[profile process]\ncredential_process = {sys.executable} {script}\n")
    return marker


def test_a_credential_process_is_never_run_for_a_chime_client(aws_home: Path) -> None:
    marker = process_profile(aws_home)
    with FakeChime() as fake:
        client = boto3.session.Session(profile_name="process").client(MODERN, region_name="us-east-1")
        client.create_meeting(**valid_request(MODERN))
        assert len(fake.meetings) == 1
        fake.reset()
    assert not marker.exists()


@pytest.fixture
def loopback_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[socket.socket, str]]:
    """A listening loopback socket (connections to it are let through the network guard) and its URL."""

    def loopback_only_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        assert host in ("127.0.0.1", "localhost"), f"a connection to {host!r} was attempted"
        return REAL_GETADDRINFO(host, *args, **kwargs)

    def loopback_only_connect(self: socket.socket, address: Any) -> None:
        assert address[0] == "127.0.0.1", f"a connection to {address!r} was attempted"
        REAL_CONNECT(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only_getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", loopback_only_connect)
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    try:
        yield server, f"http://127.0.0.1:{server.getsockname()[1]}/credentials"
    finally:
        server.close()


def connections_made(server: socket.socket) -> int:
    """How many connections reached the server (the kernel queues them, accepted or not)."""
    server.setblocking(False)
    count = 0
    while True:
        try:
            connection, _ = server.accept()
        except BlockingIOError:
            return count
        connection.close()
        count += 1


@pytest.mark.parametrize("profile", [None, "empty"], ids=["default-session", "profile-session"])
def test_container_credentials_are_never_fetched_for_a_chime_client(
    aws_home: Path, monkeypatch: pytest.MonkeyPatch, loopback_server: tuple[socket.socket, str], profile: str | None
) -> None:
    server, url = loopback_server
    monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url)
    (aws_home / "config").write_text("[profile empty]\nregion = us-east-1\n")
    with FakeChime() as fake:
        client = boto3.session.Session(profile_name=profile).client(MODERN, region_name="us-east-1")
        client.create_meeting(**valid_request(MODERN))
        assert len(fake.meetings) == 1
        fake.reset()
    assert connections_made(server) == 0


def test_an_ec2_instance_metadata_profile_makes_a_working_chime_client(aws_home: Path) -> None:
    (aws_home / "config").write_text(
        "[profile ec2]\nrole_arn = arn:aws:iam::123456789012:role/tester\ncredential_source = Ec2InstanceMetadata\n"
    )
    with FakeChime() as fake:
        client = boto3.session.Session(profile_name="ec2").client(MODERN, region_name="us-east-1")
        assert access_key_of(client) == facts.DUMMY_ACCESS_KEY_ID
        assert len(fake.meetings) == 1
        fake.reset()


def test_keys_passed_to_the_client_are_used_as_given(aws_home: Path) -> None:
    with FakeChime() as fake:
        client = boto3.session.Session().client(
            MODERN, region_name="us-east-1", aws_access_key_id="AKIDGIVEN", aws_secret_access_key="given"
        )
        assert access_key_of(client) == "AKIDGIVEN"
        fake.reset()


def test_keys_passed_to_the_session_are_used_as_given(aws_home: Path) -> None:
    with FakeChime() as fake:
        session = boto3.session.Session(aws_access_key_id="AKIDSESSION", aws_secret_access_key="given")
        assert access_key_of(session.client(MODERN, region_name="us-east-1")) == "AKIDSESSION"
        fake.reset()


def test_other_services_keep_their_credential_chain(aws_home: Path) -> None:
    (aws_home / "config").write_text("[profile keys]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = s\n")

    def stop(request: Any, **_: Any) -> None:
        raise Signed(request.headers["Authorization"].decode())

    with FakeChime():
        client = boto3.session.Session(profile_name="keys").client("sts", region_name="us-east-1")
        client.meta.events.register("before-send", stop)
        with pytest.raises(Signed, match="Credential=AKIDPROFILE/"):
            client.get_caller_identity()


def test_with_no_fake_active_a_chime_client_keeps_its_credential_chain(aws_home: Path) -> None:
    (aws_home / "config").write_text("[profile keys]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = s\n")
    client = boto3.session.Session(profile_name="keys").client(MODERN, region_name="us-east-1")
    with FakeChime() as fake:
        assert access_key_of(client) == "AKIDPROFILE"
        fake.reset()


def test_an_aiobotocore_client_runs_no_credential_process(aws_home: Path) -> None:
    session = pytest.importorskip("aiobotocore.session", reason="aiobotocore is not installed (pytest-chime[aio])")
    marker = process_profile(aws_home)

    async def create() -> None:
        async with session.AioSession(profile="process").create_client(MODERN, region_name="us-east-1") as client:
            await client.create_meeting(**valid_request(MODERN))

    with FakeChime() as fake:
        asyncio.run(create())
        assert len(fake.meetings) == 1
        fake.reset()
    assert not marker.exists()
