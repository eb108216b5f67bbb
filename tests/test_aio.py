"""Async clients (aiobotocore, aioboto3) answered as sync ones are: state, errors, retries, guard."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from pytest_chime import FakeChime, FakeChimeStateError, UnsupportedOperationError, wire
from tests.conftest import LEGACY_AVAILABLE, legacy_only, valid_request

MODERN = "chime-sdk-meetings"


aiobotocore_session = pytest.importorskip(
    "aiobotocore.session", reason="aiobotocore is not installed (pytest-chime[aio])"
)
pytest_asyncio = pytest.importorskip("pytest_asyncio", reason="the async tests run with pytest-asyncio")


def make_client(service: str = MODERN, **config: Any) -> Any:
    from aiobotocore.config import AioConfig

    return aiobotocore_session.get_session().create_client(
        service,
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="not-a-secret",
        config=AioConfig(**config) if config else None,
    )


@pytest_asyncio.fixture
async def client(service: str) -> AsyncIterator[Any]:
    async with make_client(service) as made:
        yield made


@pytest.mark.asyncio
async def test_the_lifecycle_through_an_async_client(fake_chime: FakeChime, client: Any, service: str) -> None:
    meeting = (await client.create_meeting(**valid_request(service)))["Meeting"]
    meeting_id = meeting["MeetingId"]
    assert (await client.get_meeting(MeetingId=meeting_id))["Meeting"] == meeting
    attendee = (await client.create_attendee(MeetingId=meeting_id, ExternalUserId="alice"))["Attendee"]
    assert (await client.list_attendees(MeetingId=meeting_id))["Attendees"] == [attendee]
    assert fake_chime.attendees[meeting_id] == {attendee["AttendeeId"]: attendee}
    ended = await client.delete_meeting(MeetingId=meeting_id)
    assert ended["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(client.exceptions.NotFoundException):
        await client.get_meeting(MeetingId=meeting_id)


@pytest.mark.asyncio
async def test_a_thousand_concurrent_calls_make_a_thousand_meetings(fake_chime: FakeChime) -> None:
    fake_chime.quota = 2000
    async with make_client(max_pool_connections=50) as client:
        answers = await asyncio.gather(
            *(client.create_meeting(**valid_request(MODERN, ClientRequestToken=f"gather-{n}")) for n in range(1000))
        )
    assert len({answer["Meeting"]["MeetingId"] for answer in answers}) == 1000
    assert len(fake_chime.meetings) == 1000
    assert len(fake_chime.calls) == 1000


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", ["legacy", "standard", "adaptive"])
async def test_retries_are_recorded_not_slept(fake_chime: FakeChime, mode: str) -> None:
    fake_chime.fail("ThrottlingException", times=2)
    async with make_client(retries={"mode": mode, "total_max_attempts": 3}) as client:
        await client.create_meeting(**valid_request(MODERN))
    assert [call.status for call in fake_chime.calls] == [429, 429, 200]
    assert len(fake_chime.sleeps) >= 2
    assert all(seconds > 0 for seconds in fake_chime.sleeps)


@pytest.mark.asyncio
async def test_the_adaptive_rate_limiter_wait_is_recorded_not_waited(fake_chime: FakeChime) -> None:
    fake_chime.fail("ThrottlingException", times=10)
    async with make_client(retries={"mode": "adaptive", "total_max_attempts": 11}) as client:
        await client.create_meeting(**valid_request(MODERN))
    assert len(fake_chime.calls) == 11
    assert len(fake_chime.sleeps) > 10  # backoff and the token bucket's waits


@pytest.mark.asyncio
async def test_injected_errors_are_the_clients_modelled_exceptions(fake_chime: FakeChime) -> None:
    fake_chime.fail("NotFoundException", operation="GetMeeting")
    async with make_client() as client:
        meeting_id = (await client.create_meeting(**valid_request(MODERN)))["Meeting"]["MeetingId"]
        with pytest.raises(client.exceptions.NotFoundException):
            await client.get_meeting(MeetingId=meeting_id)


@pytest.mark.asyncio
async def test_each_task_keeps_the_fake_of_its_own_call() -> None:
    seen: list[Any] = []

    async def call(fake: FakeChime) -> None:
        async with make_client() as client:
            client.meta.events.register("before-send", lambda **_: seen.append(wire._answering.get()))
            await client.create_meeting(**valid_request(MODERN, ClientRequestToken=f"task-{id(fake)}"))

    with FakeChime() as fake:
        await asyncio.gather(call(fake), call(fake))
        fake.reset()
    assert {answering.activation.fake for answering in seen} == {fake}
    assert all(answering.aio for answering in seen)
    assert wire._answering.get() is None


@pytest.mark.asyncio
async def test_chaos_and_seeds_work_as_for_sync_clients() -> None:
    import boto3

    sync = boto3.client(MODERN, region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    with FakeChime(seed=7) as fake:
        sync_id = sync.create_meeting(**valid_request(MODERN))["Meeting"]["MeetingId"]
        fake.reset()
    async with make_client(retries={"mode": "standard", "total_max_attempts": 10}) as client:
        with FakeChime(seed=7) as fake:
            async_id = (await client.create_meeting(**valid_request(MODERN)))["Meeting"]["MeetingId"]
            fake.reset()
            fake.chaos = 0.5
            for n in range(10):
                await client.create_meeting(**valid_request(MODERN, ClientRequestToken=f"chaos-{n}"))
            assert fake.chaos_faults > 0
            fake.reset()
    assert async_id == sync_id


@pytest.mark.asyncio
async def test_an_async_client_with_static_keys_signs_as_against_aws(fake_chime: FakeChime) -> None:
    seen: list[Any] = []
    async with make_client() as client:
        client.meta.events.register("before-send", lambda request, **_: seen.append(request))
        await client.create_meeting(**valid_request(MODERN))
    assert seen[0].headers["Authorization"].decode().startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")


@pytest.mark.asyncio
async def test_a_refused_async_call_is_recorded_and_raised() -> None:
    async with make_client("chime") as client:
        with FakeChime() as fake:
            with pytest.raises(UnsupportedOperationError, match="does not implement chime ListAccounts"):
                await client.list_accounts()
            assert [call.operation for call in fake.refused_calls()] == ["ListAccounts"]
            fake.reset()


@pytest.mark.asyncio
async def test_a_pre_import_async_session_is_stopped_before_the_network(
    fake_chime: FakeChime, no_network: list[Any]
) -> None:
    session = aiobotocore_session.get_session()
    for event, handler in wire._handler_specs():  # as if created before pytest_chime was imported
        session.unregister(event, handler)
    async with session.create_client(
        MODERN, region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    ) as client:
        with pytest.raises(FakeChimeStateError, match="created before pytest_chime was imported"):
            await client.create_meeting(**valid_request(MODERN))
    assert no_network == []


@pytest.mark.asyncio
async def test_a_validation_error_is_the_services_bad_request(fake_chime: FakeChime, client: Any, service: str) -> None:
    with pytest.raises(client.exceptions.BadRequestException, match="MediaRegion 'mars-1'"):
        await client.create_meeting(**valid_request(service, MediaRegion="mars-1"))


@legacy_only
@pytest.mark.asyncio
async def test_legacy_meetings_through_aiobotocore(fake_chime: FakeChime) -> None:
    async with make_client("chime") as client:
        response = await client.create_meeting(ClientRequestToken="legacy-1")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert response["Meeting"]["MeetingId"] in fake_chime.meetings


@pytest.mark.asyncio
async def test_aioboto3_clients_are_answered(fake_chime: FakeChime) -> None:
    aioboto3 = pytest.importorskip("aioboto3")
    service = "chime" if LEGACY_AVAILABLE else MODERN
    async with aioboto3.Session().client(
        service, region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    ) as client:
        meeting = (await client.create_meeting(**valid_request(service)))["Meeting"]
    assert meeting["MeetingId"] in fake_chime.meetings


def test_a_marker_injects_an_error_into_an_async_test(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(
        """
        import pytest
        from aiobotocore.session import get_session

        @pytest.mark.asyncio
        @pytest.mark.chime_error("ServiceUnavailableException", times=1)
        async def test_retried(fake_chime):
            async with get_session().create_client(
                "chime-sdk-meetings", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
            ) as client:
                await client.create_meeting(ClientRequestToken="t1", MediaRegion="us-east-1", ExternalMeetingId="xy")
            assert [call.status for call in fake_chime.calls] == [503, 200]
            assert len(fake_chime.sleeps) == 1
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)
