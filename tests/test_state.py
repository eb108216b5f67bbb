"""The fake's state: idempotency, quota, calls, determinism and reset."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from botocore.exceptions import ClientError

from pytest_chime import FakeChime
from tests.conftest import make_client, valid_request

QUOTA_ERROR = {"chime": "ResourceLimitExceededException", "chime-sdk-meetings": "LimitExceededException"}


def test_repeated_client_request_token_returns_the_first_meeting(
    fake_chime: FakeChime, client: Any, service: str
) -> None:
    first = client.create_meeting(**valid_request(service, ClientRequestToken="same-token"))["Meeting"]
    again = client.create_meeting(
        **valid_request(service, ClientRequestToken="same-token", ExternalMeetingId="other-name")
    )["Meeting"]
    assert again == first
    assert len(fake_chime.meetings) == 1


def test_different_tokens_make_different_meetings(fake_chime: FakeChime, client: Any, service: str) -> None:
    ids = {
        client.create_meeting(**valid_request(service, ClientRequestToken=f"token-{i}"))["Meeting"]["MeetingId"]
        for i in range(5)
    }
    assert len(ids) == 5


def test_botocore_autofilled_tokens_make_distinct_meetings(fake_chime: FakeChime, client: Any, service: str) -> None:
    params = valid_request(service)
    del params["ClientRequestToken"]
    ids = {client.create_meeting(**params)["Meeting"]["MeetingId"] for _ in range(3)}
    assert len(ids) == 3


@pytest.mark.fake_chime(quota=2)
def test_quota_answers_the_services_limit_error_saying_how_to_raise_it(
    fake_chime: FakeChime, client: Any, service: str
) -> None:
    for i in range(2):
        client.create_meeting(**valid_request(service, ClientRequestToken=f"token-{i}"))
    with pytest.raises(ClientError) as info:
        client.create_meeting(**valid_request(service, ClientRequestToken="token-over"))
    error = info.value.response["Error"]
    assert error["Code"] == QUOTA_ERROR[service]
    assert "quota of 2 active meetings" in error["Message"]
    assert "@pytest.mark.fake_chime(quota=N)" in error["Message"]
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_default_quota_is_250(fake_chime: FakeChime) -> None:
    assert fake_chime.quota == 250


@pytest.mark.fake_chime(quota=1)
def test_repeated_token_at_the_quota_still_returns_the_meeting(
    fake_chime: FakeChime, client: Any, service: str
) -> None:
    first = client.create_meeting(**valid_request(service))["Meeting"]
    assert client.create_meeting(**valid_request(service))["Meeting"] == first


@pytest.mark.fake_chime(quota=1)
def test_ending_a_meeting_frees_quota(fake_chime: FakeChime, client: Any, service: str) -> None:
    first = client.create_meeting(**valid_request(service, ClientRequestToken="token-a"))["Meeting"]
    del fake_chime.meetings[first["MeetingId"]]
    assert client.create_meeting(**valid_request(service, ClientRequestToken="token-b"))["Meeting"]


def test_quota_can_be_raised_during_a_test(fake_chime: FakeChime, client: Any, service: str) -> None:
    fake_chime.quota = 0
    with pytest.raises(ClientError):
        client.create_meeting(**valid_request(service))
    fake_chime.quota = 1
    assert client.create_meeting(**valid_request(service))["Meeting"]


def test_calls_record_service_operation_params_status_and_error(
    fake_chime: FakeChime, client: Any, service: str
) -> None:
    params = valid_request(service, MediaRegion="eu-west-1")
    client.create_meeting(**params)
    with pytest.raises(ClientError):
        client.create_meeting(**valid_request(service, MediaRegion="nowhere-1"))
    ok, bad = fake_chime.calls
    assert (ok.service, ok.operation, ok.status, ok.error_code) == (
        service,
        "CreateMeeting",
        201 if service == "chime" else 200,
        None,
    )
    assert ok.params == params
    assert (bad.status, bad.error_code) == (400, "BadRequestException")
    assert "nowhere-1" in (bad.message or "")


def test_reset_forgets_meetings_calls_and_queued_errors(fake_chime: FakeChime, client: Any, service: str) -> None:
    client.create_meeting(**valid_request(service))
    fake_chime.fail("BadRequestException")
    fake_chime.reset()
    assert (fake_chime.meetings, fake_chime.calls, fake_chime.errors) == ({}, [], [])
    assert client.create_meeting(**valid_request(service))["Meeting"]


def test_reset_restarts_the_id_sequence(fake_chime: FakeChime, client: Any, service: str) -> None:
    first = client.create_meeting(**valid_request(service))["Meeting"]["MeetingId"]
    fake_chime.reset()
    assert client.create_meeting(**valid_request(service))["Meeting"]["MeetingId"] == first


def test_ids_are_deterministic_from_seed_and_scope(service: str) -> None:
    client = make_client(service)

    def first_meeting(seed: int, scope: str) -> str:
        with FakeChime(seed=seed, scope=scope):
            return str(client.create_meeting(**valid_request(service))["Meeting"]["MeetingId"])

    assert first_meeting(1, "test_a") == first_meeting(1, "test_a")
    assert first_meeting(1, "test_a") != first_meeting(2, "test_a")
    assert first_meeting(1, "test_a") != first_meeting(1, "test_b")


def test_fixture_scope_is_the_test_node_id(fake_chime: FakeChime, request: pytest.FixtureRequest) -> None:
    assert fake_chime.scope == request.node.nodeid


def test_concurrent_calls_lose_and_duplicate_nothing(fake_chime: FakeChime, client: Any, service: str) -> None:
    def work(thread: int) -> None:
        for i in range(25):
            client.create_meeting(**valid_request(service, ClientRequestToken=f"t{thread}-{i}"))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(fake_chime.meetings) == 100
    assert len(fake_chime.calls) == 100
    assert len({call.request_id for call in fake_chime.calls}) == 100


def test_fake_is_a_context_manager_outside_fixtures(service: str) -> None:
    client = make_client(service)
    with FakeChime() as fake:
        meeting = client.create_meeting(**valid_request(service))["Meeting"]
    assert fake.meetings == {meeting["MeetingId"]: meeting}


def test_bad_fake_options_are_rejected_with_the_valid_range() -> None:
    with pytest.raises(ValueError, match=r"chaos=2 is not valid: use a number from 0 to 1"):
        FakeChime(chaos=2)
    with pytest.raises(ValueError, match=r"quota=-1 is not valid"):
        FakeChime(quota=-1)
