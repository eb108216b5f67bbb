"""meetingsvc's test suite, written with pytest-chime.

Every test talks to Chime through a real boto3 client: pytest-chime answers on botocore's
wire path, so botocore's retries, parsing and exceptions are the ones production sees,
and nothing leaves the machine.
"""

from __future__ import annotations

import json
from typing import Any

import meetingsvc
import pytest
from hypothesis import given, settings
from meetingsvc import (
    MeetingCapacityReached,
    MeetingEnded,
    MeetingError,
    MeetingFull,
    MeetingNotAllowed,
    MeetingRejected,
    MeetingService,
    MeetingUnavailable,
)

import pytest_chime
from pytest_chime import FakeChime
from pytest_chime import strategies as chime_st

#: What one occurrence of each modelled error leads to (None: the meeting still starts,
#: because botocore or the service retried). A new error in botocore's model fails the
#: parametrized test below with a KeyError until its outcome is decided here.
OUTCOME: dict[str, type[MeetingError] | None] = {
    "BadRequestException": MeetingRejected,
    "ConflictException": None,  # retried by the service with the same token
    "ForbiddenException": MeetingNotAllowed,
    "UnauthorizedException": MeetingNotAllowed,
    "ThrottlingException": None,  # retried by botocore
    "ServiceFailureException": None,  # retried by botocore
    "ServiceUnavailableException": None,  # retried by botocore
    "LimitExceededException": None,  # retried by botocore's standard mode
}


def codes(fake: FakeChime, operation: str | None = None) -> list[str | None]:
    """The error code of every HTTP attempt the fake answered (of ``operation``'s only, if given; None: success)."""
    return [call.error_code for call in fake.calls if operation in (None, call.operation)]


def operations(fake: FakeChime) -> list[str]:
    """The operation of every HTTP attempt the fake answered, in order."""
    return [call.operation for call in fake.calls]


# --- the happy path -----------------------------------------------------------------------


def test_starts_a_meeting_in_the_configured_media_region(fake_chime: FakeChime, meetings: MeetingService) -> None:
    meeting = meetings.start_meeting("standup-2024-06-03")

    assert meeting["MediaRegion"] == "eu-west-2"
    assert meeting["ExternalMeetingId"] == "standup-2024-06-03"
    assert fake_chime.meetings == {meeting["MeetingId"]: meeting}
    assert [call.status for call in fake_chime.calls] == [200]


def test_the_same_key_always_gives_the_same_meeting(fake_chime: FakeChime, meetings: MeetingService) -> None:
    first = meetings.start_meeting("retro")
    again = meetings.start_meeting("retro")
    other = meetings.start_meeting("planning")

    assert again["MeetingId"] == first["MeetingId"] != other["MeetingId"]
    assert len(fake_chime.meetings) == 2
    tokens = [call.params["ClientRequestToken"] for call in fake_chime.calls]
    assert tokens[0] == tokens[1] != tokens[2]


def test_join_info_gives_the_browser_only_what_it_needs(fake_chime: FakeChime, meetings: MeetingService) -> None:
    meeting = meetings.start_meeting("all-hands")

    info = meetingsvc.join_info(meeting)

    assert json.loads(json.dumps(info)) == info
    assert info["Meeting"]["MeetingId"] == meeting["MeetingId"]
    assert sorted(info["Meeting"]["MediaPlacement"]) == sorted(meetingsvc.BROWSER_URLS)
    assert info["Meeting"]["MediaPlacement"]["SignalingUrl"].startswith("wss://")
    assert "MeetingArn" not in info["Meeting"]


def test_join_info_reads_any_realistic_meeting(faker: Any) -> None:
    """No fake service needed: the faker provider makes a Meeting as CreateMeeting returns it."""
    features = {"Audio": {"EchoReduction": "AVAILABLE"}}
    meeting = faker.chime_meeting(MediaRegion="ap-northeast-1", MeetingFeatures=features)

    info = meetingsvc.join_info(meeting)["Meeting"]

    assert info["MeetingId"] == meeting["MeetingId"]
    assert info["MediaRegion"] == "ap-northeast-1"
    assert info["MeetingFeatures"] == features
    assert info["MediaPlacement"]["AudioHostUrl"] == meeting["MediaPlacement"]["AudioHostUrl"]
    assert ".an1.app.chime.aws" in info["MediaPlacement"]["AudioHostUrl"]


@settings(max_examples=50, deadline=None)
@given(chime_st.create_meeting_requests(region="us-east-1"))
def test_any_request_the_service_accepts_starts_exactly_one_meeting(params: dict[str, Any]) -> None:
    """Hypothesis draws valid requests; a FakeChime per example keeps the examples apart."""
    meetings = MeetingService(meetingsvc.make_client("us-east-1"), sleep=lambda seconds: None)
    key, region = params["ExternalMeetingId"], params["MediaRegion"]
    tags = {tag["Key"]: tag["Value"] for tag in params.get("Tags", [])}

    with FakeChime() as fake:
        meeting = meetings.start_meeting(key, media_region=region, tags=tags)
        again = meetings.start_meeting(key, media_region=region, tags=tags)

    assert again == meeting
    assert list(fake.meetings) == [meeting["MeetingId"]]
    assert (meeting["ExternalMeetingId"], meeting["MediaRegion"]) == (key, region)
    info = meetingsvc.join_info(meeting)
    assert json.loads(json.dumps(info)) == info


# --- retries: botocore's and the service's own, none of them slept -----------------------


@pytest.mark.chime_error("ThrottlingException", times=2)
def test_botocore_retries_throttling_without_sleeping(
    fake_chime: FakeChime, meetings: MeetingService, slept: list[float]
) -> None:
    meetings.start_meeting("standup")

    assert codes(fake_chime) == ["ThrottlingException", "ThrottlingException", None]
    assert len(fake_chime.sleeps) == 2  # botocore's backoff, recorded instead of slept
    assert slept == []  # botocore's retries were enough: no round of the service's own


@pytest.mark.chime_error("ThrottlingException", times=3)
@pytest.mark.chime_error("ServiceUnavailableException")
def test_retries_another_round_when_botocore_gives_up(
    fake_chime: FakeChime, meetings: MeetingService, slept: list[float]
) -> None:
    meetings.start_meeting("standup")

    # Stacked markers queue top first: three throttles use up botocore's three attempts,
    # then the service's second round meets the outage once and succeeds.
    assert codes(fake_chime) == ["ThrottlingException"] * 3 + ["ServiceUnavailableException", None]
    assert slept == [1.0]


@pytest.mark.chime_error("ServiceUnavailableException", times=None)
def test_a_lasting_outage_raises_meeting_unavailable_after_bounded_retries(
    fake_chime: FakeChime, meetings: MeetingService, slept: list[float]
) -> None:
    with pytest.raises(MeetingUnavailable):
        meetings.start_meeting("standup")

    assert len(fake_chime.calls) == 9  # 3 rounds of botocore's 3 attempts
    assert len(fake_chime.sleeps) == 6  # botocore's backoff within each round
    assert slept == [1.0, 4.0]  # the service's waits between rounds
    assert fake_chime.calls[-1].status == 503


def test_a_conflict_is_retried_with_the_same_token(fake_chime: FakeChime, meetings: MeetingService) -> None:
    fake_chime.fail("ConflictException")

    meeting = meetings.start_meeting("interview")

    assert codes(fake_chime) == ["ConflictException", None]
    assert len({call.params["ClientRequestToken"] for call in fake_chime.calls}) == 1
    assert list(fake_chime.meetings) == [meeting["MeetingId"]]


# --- errors the service turns into domain errors ------------------------------------------


@pytest.mark.chime_error("ForbiddenException", after=1)
def test_losing_permission_mid_run_raises_meeting_not_allowed(fake_chime: FakeChime, meetings: MeetingService) -> None:
    meetings.start_meeting("first")

    with pytest.raises(MeetingNotAllowed, match="Not authorized to call Chime SDK"):
        meetings.start_meeting("second")
    assert codes(fake_chime) == [None, "ForbiddenException"]  # not retried by anyone


@pytest.mark.fake_chime(quota=1)
def test_a_full_account_raises_capacity_reached(fake_chime: FakeChime, meetings: MeetingService) -> None:
    meetings.start_meeting("first")

    with pytest.raises(MeetingCapacityReached):
        meetings.start_meeting("second")
    # botocore's standard retry mode retries LimitExceededException; the legacy mode would not.
    assert codes(fake_chime) == [None] + ["LimitExceededException"] * 3


def test_a_rejected_media_region_falls_back(fake_chime: FakeChime, meetings: MeetingService) -> None:
    assert "eu-south-2" not in pytest_chime.MEDIA_REGIONS["chime-sdk-meetings"]

    meeting = meetings.start_meeting("sync", media_region="eu-south-2")

    assert meeting["MediaRegion"] == "us-east-1"
    assert codes(fake_chime) == ["BadRequestException", None]
    assert "MediaRegion 'eu-south-2'" in (fake_chime.calls[0].message or "")


def test_a_reserved_tag_is_rejected_without_trying_another_region(
    fake_chime: FakeChime, meetings: MeetingService
) -> None:
    with pytest.raises(MeetingRejected, match="reserved for AWS"):
        meetings.start_meeting("demo", tags={"aws:team": "web"})

    assert codes(fake_chime) == ["BadRequestException"]


@pytest.mark.parametrize("code", pytest_chime.error_codes("chime-sdk-meetings"))
def test_one_occurrence_of_each_modelled_error(fake_chime: FakeChime, meetings: MeetingService, code: str) -> None:
    fake_chime.fail(code)
    expected = OUTCOME[code]

    if expected is None:
        meeting = meetings.start_meeting("standup")
        assert fake_chime.meetings == {meeting["MeetingId"]: meeting}
    else:
        with pytest.raises(expected) as raised:
            meetings.start_meeting("standup")
        assert raised.value.code == code
    assert fake_chime.calls[0].error_code == code


# --- joining, listing, leaving, ending ------------------------------------------------------


def test_joining_gives_the_browser_the_meeting_and_its_attendee(
    fake_chime: FakeChime, meetings: MeetingService
) -> None:
    meeting = meetings.start_meeting("standup")

    info = meetings.join_meeting(meeting["MeetingId"], "alice@example.com")

    assert json.loads(json.dumps(info)) == info
    assert info["Meeting"] == meetingsvc.join_info(meeting)["Meeting"]
    attendee_id = info["Attendee"]["AttendeeId"]
    stored = fake_chime.attendees[meeting["MeetingId"]][attendee_id]
    assert info["Attendee"] == {
        "AttendeeId": attendee_id,
        "ExternalUserId": "alice@example.com",
        "JoinToken": stored["JoinToken"],
    }
    assert operations(fake_chime) == ["CreateMeeting", "GetMeeting", "CreateAttendee"]


def test_joining_again_as_the_same_user_gives_the_same_attendee(
    fake_chime: FakeChime, meetings: MeetingService
) -> None:
    meeting_id = meetings.start_meeting("standup")["MeetingId"]

    first = meetings.join_meeting(meeting_id, "alice")
    again = meetings.join_meeting(meeting_id, "alice")  # a reload of the page, say

    assert again == first
    assert len(fake_chime.attendees[meeting_id]) == 1


@pytest.mark.chime_error("ThrottlingException", operation="CreateAttendee", times=3)
def test_a_throttled_join_is_retried_and_still_adds_one_attendee(
    fake_chime: FakeChime, meetings: MeetingService, slept: list[float]
) -> None:
    meeting_id = meetings.start_meeting("standup")["MeetingId"]

    meetings.join_meeting(meeting_id, "alice")

    # botocore's three attempts are throttled; the service's second round gets through,
    # and the same ExternalUserId makes the retry safe.
    assert codes(fake_chime, "CreateAttendee") == ["ThrottlingException"] * 3 + [None]
    assert slept == [1.0]
    assert len(fake_chime.attendees[meeting_id]) == 1


@pytest.mark.chime_error("NotFoundException", operation="CreateAttendee")
def test_a_meeting_that_ends_while_joining_raises_meeting_ended(
    fake_chime: FakeChime, meetings: MeetingService
) -> None:
    """Chime ends a meeting by itself when nobody is left: between GetMeeting and CreateAttendee, here."""
    meeting_id = meetings.start_meeting("standup")["MeetingId"]

    with pytest.raises(MeetingEnded) as raised:
        meetings.join_meeting(meeting_id, "alice")

    assert raised.value.code == "NotFoundException"
    assert codes(fake_chime) == [None, None, "NotFoundException"]  # not retried by anyone


def test_a_full_meeting_raises_meeting_full(fake_chime: FakeChime, meetings: MeetingService) -> None:
    meeting_id = meetings.start_meeting("interview", max_attendees=2)["MeetingId"]
    meetings.join_meeting(meeting_id, "candidate")
    meetings.join_meeting(meeting_id, "interviewer")

    with pytest.raises(MeetingFull, match="limit of 2 attendees"):
        meetings.join_meeting(meeting_id, "observer")

    assert meetings.join_meeting(meeting_id, "candidate")["Attendee"]["ExternalUserId"] == "candidate"
    # botocore's standard retry mode retries LimitExceededException, for attendees too.
    assert codes(fake_chime, "CreateAttendee") == [None, None] + ["LimitExceededException"] * 3 + [None]


def test_a_user_id_chime_reserves_is_rejected(fake_chime: FakeChime, meetings: MeetingService) -> None:
    meeting_id = meetings.start_meeting("standup")["MeetingId"]

    with pytest.raises(MeetingRejected, match="reserved for AWS use"):
        meetings.join_meeting(meeting_id, "aws:admin")

    assert fake_chime.attendees[meeting_id] == {}


#: What one occurrence of each error CreateAttendee models does to a join (None: joined).
JOIN_OUTCOME: dict[str, type[MeetingError] | None] = {
    "BadRequestException": MeetingRejected,
    "ForbiddenException": MeetingNotAllowed,
    "NotFoundException": MeetingEnded,
    "UnauthorizedException": MeetingNotAllowed,
    "UnprocessableEntityException": MeetingRejected,
    "LimitExceededException": None,  # retried by botocore's standard mode
    "ServiceUnavailableException": None,  # retried by botocore
    "ServiceFailureException": None,  # retried by botocore
    "ThrottlingException": None,  # retried by botocore
}


@pytest.mark.parametrize("code", pytest_chime.error_codes("chime-sdk-meetings", operation="CreateAttendee"))
def test_one_occurrence_of_each_create_attendee_error(
    fake_chime: FakeChime, meetings: MeetingService, code: str
) -> None:
    meeting_id = meetings.start_meeting("standup")["MeetingId"]
    fake_chime.fail(code, operation="CreateAttendee")
    expected = JOIN_OUTCOME[code]

    if expected is None:
        info = meetings.join_meeting(meeting_id, "alice")
        assert list(fake_chime.attendees[meeting_id]) == [info["Attendee"]["AttendeeId"]]
    else:
        with pytest.raises(expected) as raised:
            meetings.join_meeting(meeting_id, "alice")
        assert raised.value.code == code
        assert fake_chime.attendees[meeting_id] == {}


def test_listing_attendees_walks_every_page(fake_chime: FakeChime, meetings: MeetingService) -> None:
    meeting_id = meetings.start_meeting("all-hands")["MeetingId"]
    users = ["ana", "ben", "cai", "dee", "eli"]
    for user in users:
        meetings.join_meeting(meeting_id, user)

    listed = meetings.attendees(meeting_id, page_size=2)

    assert [attendee["ExternalUserId"] for attendee in listed] == users  # oldest first
    pages = [call.params for call in fake_chime.calls if call.operation == "ListAttendees"]
    assert [page["MaxResults"] for page in pages] == [2, 2, 2]
    assert "NextToken" not in pages[0]
    assert pages[1]["NextToken"] != pages[2]["NextToken"]


def test_leaving_removes_the_attendee_and_leaving_twice_is_harmless(
    fake_chime: FakeChime, meetings: MeetingService
) -> None:
    meeting_id = meetings.start_meeting("standup")["MeetingId"]
    alice = meetings.join_meeting(meeting_id, "alice")["Attendee"]["AttendeeId"]
    meetings.join_meeting(meeting_id, "bob")

    assert meetings.leave_meeting(meeting_id, alice) is True
    assert meetings.leave_meeting(meeting_id, alice) is False  # already gone

    assert [attendee["ExternalUserId"] for attendee in meetings.attendees(meeting_id)] == ["bob"]
    assert [call.status for call in fake_chime.calls if call.operation == "DeleteAttendee"] == [204, 404]


def test_ending_a_meeting_ends_it_for_everyone(fake_chime: FakeChime, meetings: MeetingService) -> None:
    meeting_id = meetings.start_meeting("standup")["MeetingId"]
    meetings.join_meeting(meeting_id, "alice")

    assert meetings.end_meeting(meeting_id) is True

    assert fake_chime.meetings == {}
    assert fake_chime.attendees == {}
    with pytest.raises(MeetingEnded, match=f"Meeting {meeting_id} not found"):
        meetings.join_meeting(meeting_id, "bob")
    with pytest.raises(MeetingEnded):
        meetings.attendees(meeting_id)


def test_ending_a_meeting_that_already_ended_is_done_not_an_error(
    fake_chime: FakeChime, meetings: MeetingService
) -> None:
    meeting_id = meetings.start_meeting("standup")["MeetingId"]
    meetings.end_meeting(meeting_id)

    assert meetings.end_meeting(meeting_id) is False
    assert [call.status for call in fake_chime.calls if call.operation == "DeleteMeeting"] == [204, 404]


@pytest.mark.chime_error("ServiceUnavailableException", operation="DeleteMeeting", times=None)
def test_a_meeting_that_cannot_be_ended_raises_meeting_unavailable(
    fake_chime: FakeChime, meetings: MeetingService, slept: list[float]
) -> None:
    meeting_id = meetings.start_meeting("standup")["MeetingId"]

    with pytest.raises(MeetingUnavailable):
        meetings.end_meeting(meeting_id)

    assert meeting_id in fake_chime.meetings  # still running: the caller must try again later
    assert operations(fake_chime).count("DeleteMeeting") == 9  # 3 rounds of botocore's 3 attempts
    assert slept == [1.0, 4.0]


# --- cost allocation and captions ------------------------------------------------------------


def test_a_meeting_is_billed_to_its_team(fake_chime: FakeChime, meetings: MeetingService) -> None:
    meeting = meetings.start_meeting("standup")
    assert meetings.billed_team(meeting) is None

    meetings.bill_to(meeting, "web")
    meetings.bill_to(meeting, "mobile")  # the team changed: the tag is replaced

    assert meetings.billed_team(meeting) == "mobile"
    # The fake keeps tags on its record of the meeting; no Meeting answered carries them.
    assert fake_chime.tags[meeting["MeetingArn"]] == [{"Key": meetingsvc.COST_TAG, "Value": "mobile"}]
    assert "Tags" not in meeting
    assert [call.params["ResourceARN"] for call in fake_chime.calls if call.operation == "TagResource"] == [
        meeting["MeetingArn"]
    ] * 2


def test_tags_given_at_the_start_are_the_meetings_tags(fake_chime: FakeChime, meetings: MeetingService) -> None:
    meeting = meetings.start_meeting("retro", tags={meetingsvc.COST_TAG: "platform", "sprint": "42"})

    assert meetings.billed_team(meeting) == "platform"


def test_billing_a_meeting_that_ended_raises_meeting_ended(fake_chime: FakeChime, meetings: MeetingService) -> None:
    meeting = meetings.start_meeting("standup")
    meetings.end_meeting(meeting["MeetingId"])

    with pytest.raises(MeetingEnded) as raised:
        meetings.bill_to(meeting, "web")

    assert raised.value.code == "ResourceNotFoundException"


def test_a_team_chime_refuses_is_rejected(fake_chime: FakeChime, meetings: MeetingService) -> None:
    meeting = meetings.start_meeting("standup")

    with pytest.raises(MeetingRejected):
        meetings.bill_to(meeting, "web & mobile")  # '&' is not a character a tag value may hold

    assert "Tags" not in fake_chime.meetings[meeting["MeetingId"]]


def test_captions_on_and_off_are_idempotent(fake_chime: FakeChime, meetings: MeetingService) -> None:
    meeting_id = meetings.start_meeting("all-hands")["MeetingId"]

    assert meetings.captions_on(meeting_id, language="de-DE") is True
    assert meetings.captions_on(meeting_id) is False  # already on
    assert fake_chime.transcriptions[meeting_id] == {
        "TranscriptionConfiguration": {"EngineTranscribeSettings": {"LanguageCode": "de-DE", "Region": "auto"}},
        "TranscriptFailed": None,
    }

    assert meetings.captions_off(meeting_id) is True
    assert meetings.captions_off(meeting_id) is False  # already off
    assert fake_chime.transcriptions == {}
    statuses = [call.status for call in fake_chime.calls if "Transcription" in call.operation]
    assert statuses == [200, 422, 200, 422]


def test_ending_a_meeting_ends_its_captions(fake_chime: FakeChime, meetings: MeetingService) -> None:
    meeting_id = meetings.start_meeting("all-hands")["MeetingId"]
    meetings.captions_on(meeting_id)

    meetings.end_meeting(meeting_id)

    assert fake_chime.transcriptions == {}
    with pytest.raises(MeetingEnded):
        meetings.captions_on(meeting_id)


@pytest.mark.chime_error("ThrottlingException", operation="StartMeetingTranscription", times=3)
def test_throttled_captions_get_another_round(
    fake_chime: FakeChime, meetings: MeetingService, slept: list[float]
) -> None:
    meeting_id = meetings.start_meeting("all-hands")["MeetingId"]

    assert meetings.captions_on(meeting_id) is True

    assert codes(fake_chime, "StartMeetingTranscription") == ["ThrottlingException"] * 3 + [None]
    assert slept == [1.0]


# --- the legacy service -------------------------------------------------------------------


@pytest.mark.skipif("chime" not in pytest_chime.services(), reason="no legacy chime CreateMeeting here")
def test_join_info_also_reads_legacy_chime_meetings(fake_chime: FakeChime) -> None:
    import boto3

    legacy = boto3.client("chime", region_name="us-east-1")
    response = legacy.create_meeting(ClientRequestToken=meetingsvc.meeting_token("standup"), MediaRegion="eu-west-1")

    info = meetingsvc.join_info(response["Meeting"])["Meeting"]

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert info["MediaRegion"] == "eu-west-1"
    assert ".ew1.app.chime.aws" in info["MediaPlacement"]["SignalingUrl"]
