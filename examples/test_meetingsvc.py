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
    MeetingError,
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


def codes(fake: FakeChime) -> list[str | None]:
    """The error code of every HTTP attempt the fake answered (None: success)."""
    return [call.error_code for call in fake.calls]


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
