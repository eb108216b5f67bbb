"""The meetings lifecycle through boto3 clients, on every served service: create, join, list, leave, end."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from pytest_chime import FakeChime
from tests.conftest import LEGACY_AVAILABLE, legacy_only, make_client, valid_request

QUOTA_ERROR = {"chime": "ResourceLimitExceededException", "chime-sdk-meetings": "LimitExceededException"}
ABSENT = "0b9c5a5e-1f2d-4c3b-9a8e-7d6c5b4a3f2e"


def create(client: Any, service: str, **overrides: Any) -> dict[str, Any]:
    return dict(client.create_meeting(**valid_request(service, **overrides))["Meeting"])


def walk(client: Any, meeting_id: str, page_size: int) -> list[str]:
    """Every AttendeeId, page by page."""
    seen: list[str] = []
    token: str | None = None
    while True:
        extra = {"NextToken": token} if token else {}
        page = client.list_attendees(MeetingId=meeting_id, MaxResults=page_size, **extra)
        seen += [attendee["AttendeeId"] for attendee in page["Attendees"]]
        token = page.get("NextToken")
        if not token:
            return seen


def test_the_whole_lifecycle_walks_through_boto3(fake_chime: FakeChime, client: Any, service: str) -> None:
    meeting = create(client, service)
    meeting_id = meeting["MeetingId"]
    assert client.get_meeting(MeetingId=meeting_id)["Meeting"] == meeting

    one = client.create_attendee(MeetingId=meeting_id, ExternalUserId="alice")["Attendee"]
    batch = client.batch_create_attendee(
        MeetingId=meeting_id, Attendees=[{"ExternalUserId": f"user-{i}"} for i in range(5)]
    )
    assert batch["Errors"] == []
    assert client.get_attendee(MeetingId=meeting_id, AttendeeId=one["AttendeeId"])["Attendee"] == one

    listed = walk(client, meeting_id, 2)
    assert listed == [one["AttendeeId"], *(a["AttendeeId"] for a in batch["Attendees"])]

    left = client.delete_attendee(MeetingId=meeting_id, AttendeeId=one["AttendeeId"])
    assert left["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert len(walk(client, meeting_id, 2)) == 5

    ended = client.delete_meeting(MeetingId=meeting_id)
    assert ended["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert meeting_id not in fake_chime.meetings
    assert meeting_id not in fake_chime.attendees

    calls = [
        lambda: client.get_meeting(MeetingId=meeting_id),
        lambda: client.delete_meeting(MeetingId=meeting_id),
        lambda: client.create_attendee(MeetingId=meeting_id, ExternalUserId="late"),
        lambda: client.batch_create_attendee(MeetingId=meeting_id, Attendees=[{"ExternalUserId": "late"}]),
        lambda: client.get_attendee(MeetingId=meeting_id, AttendeeId=batch["Attendees"][0]["AttendeeId"]),
        lambda: client.list_attendees(MeetingId=meeting_id),
        lambda: client.delete_attendee(MeetingId=meeting_id, AttendeeId=batch["Attendees"][0]["AttendeeId"]),
    ]
    for call in calls:
        with pytest.raises(client.exceptions.NotFoundException, match=f"Meeting {meeting_id} not found"):
            call()


def test_create_meeting_with_attendees_returns_the_meeting_its_attendees_and_errors(
    fake_chime: FakeChime, client: Any, service: str
) -> None:
    answer = client.create_meeting_with_attendees(
        **valid_request(service), Attendees=[{"ExternalUserId": "alice"}, {"ExternalUserId": "aws:bob"}]
    )
    meeting_id = answer["Meeting"]["MeetingId"]
    assert [a["ExternalUserId"] for a in answer["Attendees"]] == ["alice"]
    assert answer["Errors"] == [
        {
            "ExternalUserId": "aws:bob",
            "ErrorCode": "BadRequest",
            "ErrorMessage": "1 validation error detected: Attendees.2.ExternalUserId values starting with 'aws:' "
            "are reserved for AWS use",
        }
    ]
    assert fake_chime.meetings[meeting_id] == answer["Meeting"]
    assert list(fake_chime.attendees[meeting_id].values()) == answer["Attendees"]


def test_create_meeting_with_attendees_shares_the_token_idempotency(
    fake_chime: FakeChime, client: Any, service: str
) -> None:
    first = client.create_meeting(**valid_request(service, ClientRequestToken="same"))["Meeting"]
    again = client.create_meeting_with_attendees(
        **valid_request(service, ClientRequestToken="same"), Attendees=[{"ExternalUserId": "alice"}]
    )
    assert again["Meeting"] == first
    assert list(fake_chime.attendees[first["MeetingId"]]) == [again["Attendees"][0]["AttendeeId"]]


def test_create_meeting_with_attendees_shares_the_meeting_quota(
    fake_chime: FakeChime, client: Any, service: str
) -> None:
    fake_chime.quota = 1
    create(client, service)
    with pytest.raises(ClientError) as caught:
        client.create_meeting_with_attendees(
            **valid_request(service, ClientRequestToken="another"), Attendees=[{"ExternalUserId": "alice"}]
        )
    assert caught.value.response["Error"]["Code"] == QUOTA_ERROR[service]


def test_create_meeting_with_attendees_shares_the_validation(fake_chime: FakeChime, client: Any, service: str) -> None:
    with pytest.raises(client.exceptions.BadRequestException, match="MediaRegion 'mars-1'"):
        client.create_meeting_with_attendees(
            **valid_request(service, MediaRegion="mars-1"), Attendees=[{"ExternalUserId": "alice"}]
        )
    assert fake_chime.meetings == {}


def test_an_attendee_has_an_id_a_join_token_and_its_external_user_id(
    fake_chime: FakeChime, client: Any, service: str
) -> None:
    meeting_id = create(client, service)["MeetingId"]
    attendee = client.create_attendee(MeetingId=meeting_id, ExternalUserId="alice")["Attendee"]
    assert attendee["ExternalUserId"] == "alice"
    assert attendee["AttendeeId"] != meeting_id
    assert 2 <= len(attendee["JoinToken"]) <= 2048
    assert attendee["JoinToken"].isascii() and "=" not in attendee["JoinToken"]
    assert fake_chime.attendees[meeting_id] == {attendee["AttendeeId"]: attendee}


def test_capabilities_default_to_send_and_receive_everywhere(fake_chime: FakeChime) -> None:
    client = make_client("chime-sdk-meetings")
    meeting_id = create(client, "chime-sdk-meetings")["MeetingId"]
    attendee = client.create_attendee(MeetingId=meeting_id, ExternalUserId="alice")["Attendee"]
    assert attendee["Capabilities"] == {"Audio": "SendReceive", "Video": "SendReceive", "Content": "SendReceive"}


def test_capabilities_asked_for_are_kept(fake_chime: FakeChime) -> None:
    client = make_client("chime-sdk-meetings")
    meeting_id = create(client, "chime-sdk-meetings")["MeetingId"]
    wanted = {"Audio": "Send", "Video": "None", "Content": "None"}
    attendee = client.create_attendee(MeetingId=meeting_id, ExternalUserId="alice", Capabilities=wanted)["Attendee"]
    assert attendee["Capabilities"] == wanted


def test_receiving_content_without_receiving_video_is_a_bad_request(fake_chime: FakeChime) -> None:
    client = make_client("chime-sdk-meetings")
    meeting_id = create(client, "chime-sdk-meetings")["MeetingId"]
    with pytest.raises(client.exceptions.BadRequestException, match=r"Capabilities\.Content Receive needs"):
        client.create_attendee(
            MeetingId=meeting_id,
            ExternalUserId="alice",
            Capabilities={"Audio": "SendReceive", "Video": "Send", "Content": "Receive"},
        )


def test_the_same_external_user_id_gets_the_same_attendee(fake_chime: FakeChime, client: Any, service: str) -> None:
    meeting_id = create(client, service)["MeetingId"]
    first = client.create_attendee(MeetingId=meeting_id, ExternalUserId="alice")["Attendee"]
    again = client.create_attendee(MeetingId=meeting_id, ExternalUserId="alice")["Attendee"]
    assert again == first
    assert len(fake_chime.attendees[meeting_id]) == 1


def test_a_reserved_external_user_id_is_a_bad_request(fake_chime: FakeChime, client: Any, service: str) -> None:
    meeting_id = create(client, service)["MeetingId"]
    with pytest.raises(client.exceptions.BadRequestException, match="ExternalUserId values starting with 'aws:'"):
        client.create_attendee(MeetingId=meeting_id, ExternalUserId="AWS:alice")


def test_a_malformed_meeting_id_is_a_bad_request_naming_the_pattern(
    fake_chime: FakeChime, client: Any, service: str
) -> None:
    with pytest.raises(client.exceptions.BadRequestException, match="'MeetingId' failed to satisfy constraint"):
        client.get_meeting(MeetingId="not-a-meeting")


def test_an_absent_attendee_is_not_found(fake_chime: FakeChime, client: Any, service: str) -> None:
    meeting_id = create(client, service)["MeetingId"]
    with pytest.raises(client.exceptions.NotFoundException, match=f"Attendee {ABSENT} not found"):
        client.get_attendee(MeetingId=meeting_id, AttendeeId=ABSENT)


def test_the_meeting_attendee_limit_is_its_max_count(fake_chime: FakeChime) -> None:
    client = make_client("chime-sdk-meetings")
    meeting = create(client, "chime-sdk-meetings", MeetingFeatures={"Attendee": {"MaxCount": 2}})
    for name in ("alice", "bob"):
        client.create_attendee(MeetingId=meeting["MeetingId"], ExternalUserId=name)
    with pytest.raises(client.exceptions.LimitExceededException, match="limit of 2 attendees"):
        client.create_attendee(MeetingId=meeting["MeetingId"], ExternalUserId="carol")


def test_the_default_attendee_limit_is_the_documented_quota(fake_chime: FakeChime, client: Any, service: str) -> None:
    meeting_id = create(client, service)["MeetingId"]
    for start in range(0, 250, 100):
        items = [{"ExternalUserId": f"user-{i}"} for i in range(start, min(start + 100, 250))]
        assert client.batch_create_attendee(MeetingId=meeting_id, Attendees=items)["Errors"] == []
    with pytest.raises(ClientError) as caught:
        client.create_attendee(MeetingId=meeting_id, ExternalUserId="one-too-many")
    assert caught.value.response["Error"]["Code"] == QUOTA_ERROR[service]


def test_batch_attendees_over_the_meeting_limit_are_reported_in_errors(fake_chime: FakeChime) -> None:
    client = make_client("chime-sdk-meetings")
    meeting = create(client, "chime-sdk-meetings", MeetingFeatures={"Attendee": {"MaxCount": 2}})
    answer = client.batch_create_attendee(
        MeetingId=meeting["MeetingId"], Attendees=[{"ExternalUserId": f"user-{i}"} for i in range(3)]
    )
    assert [a["ExternalUserId"] for a in answer["Attendees"]] == ["user-0", "user-1"]
    assert [(e["ExternalUserId"], e["ErrorCode"]) for e in answer["Errors"]] == [("user-2", "ResourceLimitExceeded")]


def test_a_batch_of_more_than_100_attendees_is_a_bad_request(fake_chime: FakeChime, client: Any, service: str) -> None:
    meeting_id = create(client, service)["MeetingId"]
    items = [{"ExternalUserId": f"user-{i}"} for i in range(101)]
    with pytest.raises(client.exceptions.BadRequestException, match="'Attendees' failed to satisfy constraint"):
        client.batch_create_attendee(MeetingId=meeting_id, Attendees=items)
    assert fake_chime.attendees[meeting_id] == {}


def test_walking_every_page_yields_each_attendee_once_while_attendees_come_and_go(
    fake_chime: FakeChime, client: Any, service: str
) -> None:
    meeting_id = create(client, service)["MeetingId"]
    ids = [
        client.create_attendee(MeetingId=meeting_id, ExternalUserId=f"user-{i}")["Attendee"]["AttendeeId"]
        for i in range(7)
    ]
    first = client.list_attendees(MeetingId=meeting_id, MaxResults=3)
    client.delete_attendee(MeetingId=meeting_id, AttendeeId=ids[3])  # on a later page
    late = client.create_attendee(MeetingId=meeting_id, ExternalUserId="late")["Attendee"]["AttendeeId"]
    seen = [a["AttendeeId"] for a in first["Attendees"]]
    token = first["NextToken"]
    while token:
        page = client.list_attendees(MeetingId=meeting_id, MaxResults=3, NextToken=token)
        seen += [a["AttendeeId"] for a in page["Attendees"]]
        token = page.get("NextToken")
    assert seen == [*ids[:3], *ids[4:], late]


def test_the_last_page_has_no_next_token(fake_chime: FakeChime, client: Any, service: str) -> None:
    meeting_id = create(client, service)["MeetingId"]
    client.create_attendee(MeetingId=meeting_id, ExternalUserId="alice")
    page = client.list_attendees(MeetingId=meeting_id, MaxResults=1)
    assert "NextToken" not in page
    assert len(page["Attendees"]) == 1


def test_a_forged_next_token_is_a_bad_request(fake_chime: FakeChime, client: Any, service: str) -> None:
    meeting_id = create(client, service)["MeetingId"]
    with pytest.raises(client.exceptions.BadRequestException, match="Invalid NextToken"):
        client.list_attendees(MeetingId=meeting_id, NextToken="not-a-token")


def test_a_next_token_of_another_meeting_is_a_bad_request(fake_chime: FakeChime, client: Any, service: str) -> None:
    meetings = [create(client, service, ClientRequestToken=f"token-{i}")["MeetingId"] for i in range(2)]
    for name in ("alice", "bob"):
        client.create_attendee(MeetingId=meetings[0], ExternalUserId=name)
    token = client.list_attendees(MeetingId=meetings[0], MaxResults=1)["NextToken"]
    with pytest.raises(client.exceptions.BadRequestException, match="Invalid NextToken"):
        client.list_attendees(MeetingId=meetings[1], NextToken=token)


def test_max_results_outside_the_model_range_is_a_bad_request(fake_chime: FakeChime, client: Any, service: str) -> None:
    meeting_id = create(client, service)["MeetingId"]
    with pytest.raises(client.exceptions.BadRequestException, match="'MaxResults' failed to satisfy constraint"):
        client.list_attendees(MeetingId=meeting_id, MaxResults=1000)


def test_calls_keep_their_operation(fake_chime: FakeChime, client: Any, service: str) -> None:
    meeting_id = create(client, service)["MeetingId"]
    client.get_meeting(MeetingId=meeting_id)
    client.delete_meeting(MeetingId=meeting_id)
    assert [(c.operation, c.status) for c in fake_chime.calls][1:] == [("GetMeeting", 200), ("DeleteMeeting", 204)]
    assert fake_chime.calls[1].params == {"MeetingId": meeting_id}


def test_meetings_left_by_hand_are_ended_too(fake_chime: FakeChime, client: Any, service: str) -> None:
    meeting_id = create(client, service)["MeetingId"]
    del fake_chime.meetings[meeting_id]
    with pytest.raises(client.exceptions.NotFoundException):
        client.create_attendee(MeetingId=meeting_id, ExternalUserId="alice")


def test_reset_forgets_attendees(client: Any, service: str) -> None:
    with FakeChime() as fake:
        meeting_id = create(client, service)["MeetingId"]
        client.create_attendee(MeetingId=meeting_id, ExternalUserId="alice")
        fake.reset()
        assert fake.attendees == {}
        assert fake.meetings == {}


@legacy_only
def test_legacy_list_meetings_pages_through_the_legacy_meetings_only(fake_chime: FakeChime) -> None:
    legacy, modern = make_client("chime"), make_client("chime-sdk-meetings")
    ids = [create(legacy, "chime", ClientRequestToken=f"token-{i}")["MeetingId"] for i in range(5)]
    create(modern, "chime-sdk-meetings")
    seen: list[str] = []
    token = None
    while True:
        page = legacy.list_meetings(MaxResults=2, **({"NextToken": token} if token else {}))
        seen += [m["MeetingId"] for m in page["Meetings"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == ids


@legacy_only
def test_a_meeting_belongs_to_the_service_that_created_it(fake_chime: FakeChime) -> None:
    legacy, modern = make_client("chime"), make_client("chime-sdk-meetings")
    legacy_id = create(legacy, "chime")["MeetingId"]
    modern_id = create(modern, "chime-sdk-meetings", ClientRequestToken="other")["MeetingId"]
    with pytest.raises(modern.exceptions.NotFoundException):
        modern.get_meeting(MeetingId=legacy_id)
    with pytest.raises(legacy.exceptions.NotFoundException):
        legacy.create_attendee(MeetingId=modern_id, ExternalUserId="alice")
    assert set(fake_chime.meetings) == {legacy_id, modern_id}


@legacy_only
def test_legacy_attendee_tags_follow_the_tag_rules(fake_chime: FakeChime) -> None:
    client = make_client("chime")
    meeting_id = create(client, "chime")["MeetingId"]
    with pytest.raises(client.exceptions.BadRequestException, match=r"Tags\.1\.Key"):
        client.create_attendee(MeetingId=meeting_id, ExternalUserId="alice", Tags=[{"Key": "aws:x", "Value": "v"}])


@pytest.mark.skipif(LEGACY_AVAILABLE, reason="the legacy chime meeting operations are in this botocore")
def test_the_chime_client_of_a_newer_botocore_serves_only_the_dial_out_it_kept() -> None:
    from pytest_chime import operations

    assert operations.implemented("chime") == ("CreateMeetingDialOut",)


@legacy_only
def test_legacy_create_meeting_with_attendees_may_leave_the_attendees_out(fake_chime: FakeChime) -> None:
    client = make_client("chime")
    answer = client.create_meeting_with_attendees(ClientRequestToken="no-attendees")
    assert answer["Attendees"] == [] and answer["Errors"] == []
    assert answer["Meeting"]["MeetingId"] in fake_chime.meetings
