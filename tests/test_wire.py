"""The wire path: which clients the fake catches, signing, and what it leaves alone."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.stub import Stubber

from pytest_chime import FakeChime, UnsupportedOperationError, facts
from tests.conftest import make_client, valid_request

MODERN = "chime-sdk-meetings"
LEGACY = "chime"


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[None]:
    """An environment with no AWS credentials anywhere."""
    for name in list(os.environ):
        if name.startswith("AWS_") and name != "AWS_EC2_METADATA_DISABLED":
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    yield


def capture_requests(client: Any) -> list[Any]:
    """Every request the client hands to before-send (handlers after the fake's still run)."""
    seen: list[Any] = []
    client.meta.events.register("before-send", lambda request, **_: seen.append(request))
    return seen


def test_client_made_before_the_fake_started_is_answered(service: str) -> None:
    client = make_client(service)
    with FakeChime() as fake:
        client.create_meeting(**valid_request(service))
    assert len(fake.meetings) == 1


def test_boto3_default_session_client_is_answered(fake_chime: FakeChime, service: str) -> None:
    client = boto3.client(service, region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    client.create_meeting(**valid_request(service))
    assert len(fake_chime.calls) == 1


def test_botocore_session_client_is_answered(fake_chime: FakeChime, service: str) -> None:
    session = botocore.session.get_session()
    client = session.create_client(service, region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    client.create_meeting(**valid_request(service))
    assert len(fake_chime.calls) == 1


def test_client_without_any_credentials_still_gets_the_answer(no_credentials: None, service: str) -> None:
    client = boto3.session.Session().client(service, region_name="us-east-1")  # before any fake: no keys
    requests = capture_requests(client)
    with FakeChime() as fake:
        client.create_meeting(**valid_request(service))
        assert "Authorization" not in requests[0].headers
        assert len(fake.meetings) == 1
        fake.reset()


def test_a_client_created_while_a_fake_is_active_gets_dummy_keys(no_credentials: None, service: str) -> None:
    with FakeChime() as fake:
        client = boto3.session.Session().client(service, region_name="us-east-1")
        requests = capture_requests(client)
        client.create_meeting(**valid_request(service))
        assert (
            requests[0]
            .headers["Authorization"]
            .decode()
            .startswith(f"AWS4-HMAC-SHA256 Credential={facts.DUMMY_ACCESS_KEY_ID}/")
        )
        fake.reset()
    assert "AWS_ACCESS_KEY_ID" not in os.environ


def test_client_with_credentials_signs_as_against_aws(fake_chime: FakeChime, service: str) -> None:
    client = make_client(service)
    requests = capture_requests(client)
    client.create_meeting(**valid_request(service))
    authorization = requests[0].headers["Authorization"].decode()
    assert authorization.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/chime/aws4_request" in authorization


def test_request_reaches_the_fake_serialized_by_botocore(fake_chime: FakeChime, service: str) -> None:
    client = make_client(service)
    requests = capture_requests(client)
    client.create_meeting(**valid_request(service))
    assert requests[0].method == "POST"
    assert requests[0].url.endswith("/meetings")


def test_unimplemented_operation_fails_loudly_without_network() -> None:
    client = make_client(LEGACY)
    with FakeChime() as fake:
        with pytest.raises(UnsupportedOperationError, match=r"does not implement chime ListAccounts"):
            client.list_accounts()
        assert [(call.operation, call.status) for call in fake.calls] == [("ListAccounts", 0)]
        assert "Implemented on chime:" in (fake.calls[0].refused or "")
        with pytest.raises(UnsupportedOperationError, match="refused 1 call"):
            fake.verify()
        fake.reset()


@pytest.mark.network_probe
def test_other_services_are_left_alone(fake_chime: FakeChime, no_network: list[Any]) -> None:
    sts = make_client("sts", retries={"total_max_attempts": 1})
    with pytest.raises(Exception):  # noqa: B017 - whatever botocore wraps the guard's refusal in
        sts.get_caller_identity()
    assert no_network, "the sts call should have gone to the (blocked) network"
    assert fake_chime.calls == []


def test_a_stubber_on_another_client_keeps_working(fake_chime: FakeChime) -> None:
    s3 = make_client("s3")
    with Stubber(s3) as stub:
        stub.add_response("list_buckets", {"Buckets": []})
        assert s3.list_buckets()["Buckets"] == []
        make_client(MODERN).create_meeting(**valid_request(MODERN))
    assert len(fake_chime.meetings) == 1


@pytest.mark.network_probe
def test_socket_guard_blocks_chime_calls_when_no_fake_is_active(no_network: list[Any]) -> None:
    with pytest.raises(Exception):  # noqa: B017 - whatever botocore wraps the guard's refusal in
        make_client(MODERN, retries={"total_max_attempts": 1}).create_meeting(**valid_request(MODERN))
    assert no_network


def test_control_region_comes_from_the_client(fake_chime: FakeChime) -> None:
    make_client(MODERN, region="ap-southeast-2").create_meeting(**valid_request(MODERN))
    assert fake_chime.calls[0].region == "ap-southeast-2"


def test_unsigned_client_region_comes_from_the_endpoint(no_credentials: None, fake_chime: FakeChime) -> None:
    client = boto3.session.Session().client(MODERN, region_name="eu-central-1")
    client.create_meeting(**valid_request(MODERN))
    assert fake_chime.calls[0].region == "eu-central-1"


def test_an_internal_failure_answers_500_and_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    client = make_client(MODERN, retries={"total_max_attempts": 1})

    def broken(*args: Any, **kwargs: Any) -> None:
        raise KeyError("boom")

    with FakeChime() as fake:
        monkeypatch.setattr("pytest_chime.protocol.success", broken)
        with pytest.raises(client.exceptions.ServiceFailureException, match="pytest-chime internal error"):
            client.create_meeting(**valid_request(MODERN))
        fake.assert_all_errors_used = False
        assert "KeyError: 'boom'" in fake.internal_errors()[0]
        fake.reset()


def test_entry_point_serves_a_fresh_project(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3

        def test_meeting(fake_chime):
            client = boto3.client(
                "chime-sdk-meetings", region_name="us-east-1",
                aws_access_key_id="a", aws_secret_access_key="b",
            )
            meeting = client.create_meeting(
                ClientRequestToken="t-1", MediaRegion="us-east-1", ExternalMeetingId="e-1"
            )["Meeting"]
            assert meeting["MeetingId"] in fake_chime.meetings
        """
    )
    pytester.runpytest("-p", "no:cacheprovider", "-p", "no:asyncio").assert_outcomes(passed=1)


def test_clients_made_at_import_and_in_session_fixtures_are_answered(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import boto3, pytest

        @pytest.fixture(scope="session")
        def session_client():
            return boto3.client(
                "chime-sdk-meetings", region_name="us-east-1",
                aws_access_key_id="a", aws_secret_access_key="b",
            )
        """
    )
    pytester.makepyfile(
        """
        import boto3

        IMPORT_TIME_CLIENT = boto3.client(
            "chime-sdk-meetings", region_name="us-east-1",
            aws_access_key_id="a", aws_secret_access_key="b",
        )
        PARAMS = dict(ClientRequestToken="t-1", MediaRegion="us-east-1", ExternalMeetingId="e-1")

        def test_import_time_client(fake_chime):
            assert IMPORT_TIME_CLIENT.create_meeting(**PARAMS)["Meeting"]["MeetingId"] in fake_chime.meetings

        def test_session_fixture_client(session_client, fake_chime):
            assert session_client.create_meeting(**PARAMS)["Meeting"]["MeetingId"] in fake_chime.meetings
        """
    )
    pytester.runpytest("-p", "no:cacheprovider", "-p", "no:asyncio").assert_outcomes(passed=2)


def test_a_session_made_before_the_import_is_stopped_before_the_network(
    fake_chime: FakeChime, no_network: list[Any]
) -> None:
    from pytest_chime import FakeChimeStateError, wire

    session = botocore.session.get_session()
    for event, handler in wire._handler_specs():  # as if created before pytest_chime was imported
        session.unregister(event, handler)
    client = session.create_client(MODERN, region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    with pytest.raises(FakeChimeStateError, match="created before pytest_chime was imported"):
        client.create_meeting(**valid_request(MODERN))
    assert no_network == []


def test_without_aiobotocore_nothing_async_is_imported() -> None:
    code = (
        "import sys, boto3, pytest_chime\n"
        "from pytest_chime import FakeChime\n"
        "client = boto3.client('chime-sdk-meetings', region_name='us-east-1', aws_access_key_id='a',"
        " aws_secret_access_key='b')\n"
        "with FakeChime() as fake:\n"
        "    client.create_meeting(ClientRequestToken='t1', MediaRegion='us-east-1', ExternalMeetingId='xy')\n"
        "print(sorted(m for m in sys.modules if m.startswith(('aiobotocore', 'aiohttp', 'pytest_chime.aio'))))\n"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert found.strip() == "[]"
