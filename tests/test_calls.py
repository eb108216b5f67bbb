"""Call queries: calls_of, last_call, last_call_of, assert_called and assert_not_called."""

from __future__ import annotations

import re
from typing import Any
from unittest import mock

import pytest
from botocore.exceptions import ClientError

from pytest_chime import FakeChime, UnknownOperationError
from tests.conftest import LEGACY_AVAILABLE, make_client, valid_request


def start(client: Any, service: str, name: str = "standup", **extra: Any) -> str:
    params = valid_request(service, ClientRequestToken=f"{name}-token", **extra)
    return str(client.create_meeting(**params)["Meeting"]["MeetingId"])


def test_calls_of_one_operation_in_order(fake_chime: FakeChime, client: Any, service: str) -> None:
    meeting = start(client, service)
    client.create_attendee(MeetingId=meeting, ExternalUserId="alice")
    client.get_meeting(MeetingId=meeting)
    client.create_attendee(MeetingId=meeting, ExternalUserId="bob")

    joined = fake_chime.calls_of("CreateAttendee")
    assert [call.params["ExternalUserId"] for call in joined] == ["alice", "bob"]
    assert [call.operation for call in fake_chime.calls_of()] == [call.operation for call in fake_chime.calls]
    assert fake_chime.calls_of("DeleteMeeting") == []


def test_members_match_partially_as_keywords_or_params(fake_chime: FakeChime, client: Any, service: str) -> None:
    first = start(client, service, "one")
    second = start(client, service, "two")
    client.create_attendee(MeetingId=first, ExternalUserId="alice")
    client.create_attendee(MeetingId=second, ExternalUserId="alice")
    client.create_attendee(MeetingId=second, ExternalUserId="bob")

    assert len(fake_chime.calls_of("CreateAttendee", MeetingId=second)) == 2
    assert len(fake_chime.calls_of("CreateAttendee", params={"ExternalUserId": "alice"})) == 2
    both = fake_chime.calls_of("CreateAttendee", params={"MeetingId": second}, ExternalUserId="alice")
    assert [(call.params["MeetingId"], call.params["ExternalUserId"]) for call in both] == [(second, "alice")]
    assert len(fake_chime.calls_of("CreateAttendee", ExternalUserId=mock.ANY)) == 3
    assert fake_chime.calls_of("CreateAttendee", MeetingId=second, ExternalUserId="carol") == []


def test_nested_structures_and_lists_match_partially(fake_chime: FakeChime) -> None:
    client = make_client("chime-sdk-meetings")
    client.create_meeting(
        **valid_request(
            "chime-sdk-meetings",
            Tags=[{"Key": "team", "Value": "web"}, {"Key": "cost", "Value": "42"}],
            MeetingFeatures={"Audio": {"EchoReduction": "AVAILABLE"}},
        )
    )

    assert fake_chime.calls_of("CreateMeeting", MeetingFeatures={"Audio": {}})
    assert fake_chime.calls_of("CreateMeeting", MeetingFeatures={"Audio": {"EchoReduction": "AVAILABLE"}})
    assert not fake_chime.calls_of("CreateMeeting", MeetingFeatures={"Audio": {"EchoReduction": "UNAVAILABLE"}})
    assert fake_chime.calls_of("CreateMeeting", Tags=[{"Key": "team"}, {"Key": "cost"}])
    assert not fake_chime.calls_of("CreateMeeting", Tags=[{"Key": "team"}])  # a list matches item by item


def test_status_error_code_succeeded_and_retries(fake_chime: FakeChime, client: Any, service: str) -> None:
    meeting = start(client, service)
    fake_chime.fail("ServiceUnavailableException", operation="CreateAttendee", times=2)
    client.create_attendee(MeetingId=meeting, ExternalUserId="alice")  # two 503s, then retried to success
    with pytest.raises(ClientError):
        client.get_meeting(MeetingId="00000000-0000-0000-0000-000000000000")

    success = 201 if service == "chime" else 200  # as each service's model says
    assert [call.status for call in fake_chime.calls_of("CreateAttendee")] == [503, 503, success]
    assert len(fake_chime.calls_of("CreateAttendee", status=success)) == 1
    succeeded = fake_chime.calls_of("CreateAttendee", succeeded=True)
    assert succeeded == fake_chime.calls_of("CreateAttendee", status=success)
    assert len(fake_chime.calls_of(error_code="ServiceUnavailableException")) == 2
    assert [call.error_code for call in fake_chime.calls_of(succeeded=False)] == [
        "ServiceUnavailableException",
        "ServiceUnavailableException",
        "NotFoundException",
    ]
    # retries=False: each request once, however many attempts botocore made.
    assert [call.operation for call in fake_chime.calls_of(retries=False)] == [
        "CreateMeeting",
        "CreateAttendee",
        "GetMeeting",
    ]
    assert fake_chime.calls_of("CreateAttendee", retries=False)[0].status == 503


def test_service_and_region_filters(fake_chime: FakeChime, service: str) -> None:
    client = make_client(service, region="us-east-1")
    start(client, service)
    other = "chime" if service == "chime-sdk-meetings" else "chime-sdk-meetings"

    assert len(fake_chime.calls_of("CreateMeeting", service=service)) == 1
    assert fake_chime.calls_of("CreateMeeting", service=other) == []
    assert len(fake_chime.calls_of(region="us-east-1")) == 1
    assert fake_chime.calls_of(region="eu-west-2") == []


@pytest.mark.skipif(not LEGACY_AVAILABLE, reason="this botocore has no legacy chime meetings")
def test_service_tells_the_two_services_apart(fake_chime: FakeChime) -> None:
    start(make_client("chime"), "chime")
    start(make_client("chime-sdk-meetings"), "chime-sdk-meetings")

    assert [call.service for call in fake_chime.calls_of("CreateMeeting", service="chime")] == ["chime"]
    assert [call.service for call in fake_chime.calls_of(service="chime-sdk-meetings")] == ["chime-sdk-meetings"]


def test_last_call_and_last_call_of(fake_chime: FakeChime, client: Any, service: str) -> None:
    with pytest.raises(AssertionError, match="the fake has had no call"):
        fake_chime.last_call  # noqa: B018
    meeting = start(client, service)
    client.create_attendee(MeetingId=meeting, ExternalUserId="alice")
    client.create_attendee(MeetingId=meeting, ExternalUserId="bob")
    client.get_meeting(MeetingId=meeting)

    assert fake_chime.last_call.operation == "GetMeeting"
    assert fake_chime.last_call_of("CreateAttendee").params["ExternalUserId"] == "bob"
    assert fake_chime.last_call_of("CreateAttendee", ExternalUserId="alice") == fake_chime.calls[1]
    with pytest.raises(AssertionError) as info:
        fake_chime.last_call_of("CreateAttendee", ExternalUserId="carol")
    assert "ExternalUserId: expected 'carol', got 'alice'" in str(info.value)
    assert "ExternalUserId: expected 'carol', got 'bob'" in str(info.value)


def test_assert_called_counts_and_returns_the_calls(fake_chime: FakeChime, client: Any, service: str) -> None:
    meeting = start(client, service)
    client.create_attendee(MeetingId=meeting, ExternalUserId="alice")

    found = fake_chime.assert_called("CreateAttendee", MeetingId=meeting, times=1)
    assert found == fake_chime.calls_of("CreateAttendee")
    fake_chime.assert_called("CreateMeeting")
    fake_chime.assert_not_called("DeleteMeeting")
    fake_chime.assert_not_called("CreateAttendee", succeeded=False)


def test_assert_called_lists_the_calls_and_what_differs(fake_chime: FakeChime, client: Any, service: str) -> None:
    meeting = start(client, service)
    client.create_attendee(MeetingId=meeting, ExternalUserId="alice")
    client.create_attendee(MeetingId=meeting, ExternalUserId="bob")

    with pytest.raises(AssertionError) as info:
        fake_chime.assert_called("CreateAttendee", ExternalUserId="carol", times=1)
    text = str(info.value)
    assert text.startswith("expected CreateAttendee(ExternalUserId='carol') to be called 1 time(s), but 0 call(s)")
    assert "CreateAttendee made (2):" in text
    assert re.search(r"2\. \S+ CreateAttendee MeetingId='[^']+' ExternalUserId='alice'", text)
    assert "ExternalUserId: expected 'carol', got 'alice'" in text
    assert "ExternalUserId: expected 'carol', got 'bob'" in text

    with pytest.raises(AssertionError, match=r"to be called 1 time\(s\), but 2 call\(s\) matched"):
        fake_chime.assert_called("CreateAttendee", MeetingId=meeting, times=1)
    with pytest.raises(AssertionError, match=r"No DeleteMeeting call was made; operations called: CreateMeeting, Cre"):
        fake_chime.assert_called("DeleteMeeting")
    with pytest.raises(AssertionError, match=r"to be called 0 time\(s\), but 1 call\(s\) matched"):
        fake_chime.assert_not_called("CreateAttendee", ExternalUserId="bob")


def test_assert_called_says_retries_count_and_how_not_to(fake_chime: FakeChime, client: Any, service: str) -> None:
    meeting = start(client, service)
    fake_chime.fail("ServiceUnavailableException", operation="CreateAttendee")
    client.create_attendee(MeetingId=meeting, ExternalUserId="alice")

    with pytest.raises(AssertionError) as info:
        fake_chime.assert_called("CreateAttendee", times=1)
    assert "1 of the matching calls are botocore's retries; pass retries=False" in str(info.value)
    assert "CreateAttendee (attempt 2)" in str(info.value)
    fake_chime.assert_called("CreateAttendee", times=1, retries=False)
    fake_chime.assert_called("CreateAttendee", times=1, succeeded=True)


def test_nested_differences_are_named_by_their_path(fake_chime: FakeChime) -> None:
    client = make_client("chime-sdk-meetings")
    client.create_meeting(
        **valid_request(
            "chime-sdk-meetings",
            Tags=[{"Key": "team", "Value": "web"}],
            MeetingFeatures={"Audio": {"EchoReduction": "AVAILABLE"}},
        )
    )
    with pytest.raises(AssertionError) as info:
        fake_chime.assert_called(
            "CreateMeeting",
            MeetingFeatures={"Audio": {"EchoReduction": "UNAVAILABLE"}},
            Tags=[{"Key": "team", "Value": "ops"}],
        )
    text = str(info.value)
    assert "MeetingFeatures.Audio.EchoReduction: expected 'UNAVAILABLE', got 'AVAILABLE'" in text
    assert "Tags[0].Value: expected 'ops', got 'web'" in text


def test_a_misspelt_operation_or_member_raises_at_once(fake_chime: FakeChime) -> None:
    with pytest.raises(UnknownOperationError, match=r"'CreateAtendee' is not an operation .* mean CreateAttendee"):
        fake_chime.calls_of("CreateAtendee")
    with pytest.raises(UnknownOperationError, match=r"'MeetingID' is not a member of the GetMeeting .*MeetingId"):
        fake_chime.assert_called("GetMeeting", MeetingID="x")
    with pytest.raises(UnknownOperationError, match="service='chime-sdk'"):
        fake_chime.calls_of(service="chime-sdk")
    with pytest.raises(ValueError, match="times=-1"):
        fake_chime.assert_called("GetMeeting", times=-1)


def test_queries_work_on_a_fake_outside_pytest(service: str) -> None:
    with FakeChime() as fake:
        start(make_client(service), service)
    assert fake.last_call_of("CreateMeeting").error_code is None
    fake.assert_called("CreateMeeting", times=1, ClientRequestToken="standup-token")
