"""The rest of the meetings API: tags, transcription, capabilities and dial-out, through boto3."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest

from pytest_chime import FakeChime, operations
from tests.conftest import SERVICES, legacy_only, make_client, valid_request

MODERN = "chime-sdk-meetings"
TAG_OPERATIONS = {"TagResource", "UntagResource", "ListTagsForResource"}


def meeting_operations(service: str) -> list[str]:
    """What the installed model offers for meetings: names with Meeting, Attendee or Transcription, and tags."""
    names = botocore.session.get_session().get_service_model(service).operation_names
    return sorted(
        name
        for name in names
        if any(word in name for word in ("Meeting", "Attendee", "Transcription"))
        or (service == MODERN and name in TAG_OPERATIONS)
    )


@pytest.mark.parametrize("service", SERVICES)
def test_every_meeting_operation_the_model_has_is_answered(service: str) -> None:
    missing = sorted(set(meeting_operations(service)) - set(operations.implemented(service)))
    assert missing == [], f"botocore models {service} operations the fake does not answer: {', '.join(missing)}"


def test_a_service_rule_runs_only_when_a_member_it_reads_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[object] = []

    def recorded(tags: object, path: str = "Tags") -> list[Any]:
        seen.append(tags)
        return []

    monkeypatch.setattr("pytest_chime.validate.tag_rules", recorded)  # CreateMeeting's rule reads("Tags")
    request = valid_request(MODERN)
    assert operations.check(MODERN, "CreateMeeting", request) == []
    assert seen == []
    tags = [{"Key": "team", "Value": "a"}]
    assert operations.check(MODERN, "CreateMeeting", {**request, "Tags": tags}) == []
    assert seen == [tags]


def create(client: Any, service: str = MODERN, **overrides: Any) -> dict[str, Any]:
    return dict(client.create_meeting(**valid_request(service, **overrides))["Meeting"])


# --- tags on chime-sdk-meetings -------------------------------------------------------------------


def test_tags_given_to_create_meeting_are_listed(fake_chime: FakeChime) -> None:
    client = make_client(MODERN)
    meeting = create(client, Tags=[{"Key": "team", "Value": "ops"}])
    assert "Tags" not in meeting
    assert client.list_tags_for_resource(ResourceARN=meeting["MeetingArn"])["Tags"] == [{"Key": "team", "Value": "ops"}]
    assert fake_chime.tags[meeting["MeetingArn"]] == [{"Key": "team", "Value": "ops"}]


def test_tag_and_untag_a_meeting_by_its_arn(fake_chime: FakeChime) -> None:
    client = make_client(MODERN)
    arn = create(client, Tags=[{"Key": "team", "Value": "ops"}])["MeetingArn"]
    tagged = client.tag_resource(ResourceARN=arn, Tags=[{"Key": "team", "Value": "dev"}, {"Key": "cost", "Value": "7"}])
    assert tagged["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert client.list_tags_for_resource(ResourceARN=arn)["Tags"] == [
        {"Key": "team", "Value": "dev"},
        {"Key": "cost", "Value": "7"},
    ]
    client.untag_resource(ResourceARN=arn, TagKeys=["team", "absent"])
    assert client.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "cost", "Value": "7"}]


def test_get_meeting_does_not_answer_tags(fake_chime: FakeChime) -> None:
    client = make_client(MODERN)
    meeting = create(client, Tags=[{"Key": "team", "Value": "ops"}])
    assert client.get_meeting(MeetingId=meeting["MeetingId"])["Meeting"] == meeting


def test_an_unknown_arn_is_resource_not_found(fake_chime: FakeChime) -> None:
    client = make_client(MODERN)
    meeting = create(client)
    other_region = meeting["MeetingArn"].replace("us-east-1", "eu-west-2")
    for arn in (other_region, "arn:aws:chime:us-east-1:123456789012:meeting/nothing"):
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.list_tags_for_resource(ResourceARN=arn)
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.tag_resource(ResourceARN=arn, Tags=[{"Key": "k", "Value": "v"}])


def test_more_than_fifty_tags_is_too_many_tags(fake_chime: FakeChime) -> None:
    client = make_client(MODERN)
    arn = create(client, Tags=[{"Key": f"key-{i}", "Value": "v"} for i in range(40)])["MeetingArn"]
    with pytest.raises(client.exceptions.TooManyTagsException, match="at most 50 tags"):
        client.tag_resource(ResourceARN=arn, Tags=[{"Key": f"new-{i}", "Value": "v"} for i in range(11)])
    assert len(client.list_tags_for_resource(ResourceARN=arn)["Tags"]) == 40


def test_a_reserved_tag_key_is_a_bad_request(fake_chime: FakeChime) -> None:
    client = make_client(MODERN)
    arn = create(client)["MeetingArn"]
    with pytest.raises(client.exceptions.BadRequestException, match="reserved for AWS use"):
        client.tag_resource(ResourceARN=arn, Tags=[{"Key": "aws:owner", "Value": "v"}])


def test_a_deleted_meeting_has_no_tags_to_list(fake_chime: FakeChime) -> None:
    client = make_client(MODERN)
    meeting = create(client, Tags=[{"Key": "team", "Value": "ops"}])
    client.delete_meeting(MeetingId=meeting["MeetingId"])
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.list_tags_for_resource(ResourceARN=meeting["MeetingArn"])


# --- transcription -------------------------------------------------------------------------------

ENGLISH = {"EngineTranscribeSettings": {"LanguageCode": "en-US", "Region": "auto"}}


@pytest.mark.parametrize("service", SERVICES)
def test_start_and_stop_transcription(fake_chime: FakeChime, service: str) -> None:
    client = make_client(service)
    meeting_id = create(client, service)["MeetingId"]
    started = client.start_meeting_transcription(MeetingId=meeting_id, TranscriptionConfiguration=ENGLISH)
    assert started["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert fake_chime.transcriptions[meeting_id] == {"TranscriptionConfiguration": ENGLISH, "TranscriptFailed": None}
    client.stop_meeting_transcription(MeetingId=meeting_id)
    assert fake_chime.transcriptions == {}


@pytest.mark.parametrize("service", SERVICES)
def test_starting_twice_is_unprocessable(fake_chime: FakeChime, service: str) -> None:
    client = make_client(service)
    meeting_id = create(client, service)["MeetingId"]
    client.start_meeting_transcription(MeetingId=meeting_id, TranscriptionConfiguration=ENGLISH)
    with pytest.raises(client.exceptions.UnprocessableEntityException, match="already started"):
        client.start_meeting_transcription(MeetingId=meeting_id, TranscriptionConfiguration=ENGLISH)


@pytest.mark.parametrize("service", SERVICES)
def test_stopping_what_was_not_started_is_unprocessable(fake_chime: FakeChime, service: str) -> None:
    client = make_client(service)
    meeting_id = create(client, service)["MeetingId"]
    with pytest.raises(client.exceptions.UnprocessableEntityException, match="No transcription is running"):
        client.stop_meeting_transcription(MeetingId=meeting_id)


def test_a_configuration_without_an_engine_is_a_bad_request(fake_chime: FakeChime) -> None:
    client = make_client(MODERN)
    meeting_id = create(client)["MeetingId"]
    with pytest.raises(client.exceptions.BadRequestException, match="exactly one engine"):
        client.start_meeting_transcription(MeetingId=meeting_id, TranscriptionConfiguration={})


def test_a_transcribe_region_outside_the_model_is_a_bad_request(fake_chime: FakeChime) -> None:
    client = make_client(MODERN)
    meeting_id = create(client)["MeetingId"]
    with pytest.raises(client.exceptions.BadRequestException, match=r"'TranscriptionConfiguration.*Region'"):
        client.start_meeting_transcription(
            MeetingId=meeting_id,
            TranscriptionConfiguration={"EngineTranscribeSettings": {"LanguageCode": "en-US", "Region": "mars-1"}},
        )


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"LanguageCode": "en-US", "IdentifyLanguage": True}, "either LanguageCode or IdentifyLanguage"),
        ({"IdentifyLanguage": True, "LanguageOptions": "en-US"}, "at least two language codes"),
        (
            {"IdentifyLanguage": True, "LanguageOptions": "en-US,fr-FR", "PreferredLanguage": "de-DE"},
            "PreferredLanguage de-DE must be one of LanguageOptions",
        ),
        (
            {"LanguageCode": "en-US", "ContentIdentificationType": "PII", "ContentRedactionType": "PII"},
            "both ContentIdentificationType and ContentRedactionType",
        ),
    ],
)
def test_an_invalid_combination_is_a_transcript_failed_event_not_an_error(
    fake_chime: FakeChime, settings: dict[str, Any], problem: str
) -> None:
    client = make_client(MODERN)
    meeting_id = create(client)["MeetingId"]
    client.start_meeting_transcription(
        MeetingId=meeting_id, TranscriptionConfiguration={"EngineTranscribeSettings": settings}
    )
    failed = fake_chime.transcriptions[meeting_id]["TranscriptFailed"]
    assert failed is not None and problem in failed
    client.start_meeting_transcription(MeetingId=meeting_id, TranscriptionConfiguration=ENGLISH)  # not running
    assert fake_chime.transcriptions[meeting_id]["TranscriptFailed"] is None


def test_medical_transcription_is_started(fake_chime: FakeChime) -> None:
    client = make_client(MODERN)
    meeting_id = create(client)["MeetingId"]
    medical = {
        "EngineTranscribeMedicalSettings": {"LanguageCode": "en-US", "Specialty": "PRIMARYCARE", "Type": "CONVERSATION"}
    }
    client.start_meeting_transcription(MeetingId=meeting_id, TranscriptionConfiguration=medical)
    assert fake_chime.transcriptions[meeting_id]["TranscriptionConfiguration"] == medical


def test_ending_the_meeting_ends_its_transcription(fake_chime: FakeChime) -> None:
    client = make_client(MODERN)
    meeting_id = create(client)["MeetingId"]
    client.start_meeting_transcription(MeetingId=meeting_id, TranscriptionConfiguration=ENGLISH)
    client.delete_meeting(MeetingId=meeting_id)
    assert fake_chime.transcriptions == {}
    with pytest.raises(client.exceptions.NotFoundException):
        client.stop_meeting_transcription(MeetingId=meeting_id)


# --- capabilities --------------------------------------------------------------------------------

SEND_ONLY = {"Audio": "Send", "Video": "Send", "Content": "None"}


def test_update_attendee_capabilities_shows_in_get_and_list(fake_chime: FakeChime) -> None:
    client = make_client(MODERN)
    meeting_id = create(client)["MeetingId"]
    attendee_id = client.create_attendee(MeetingId=meeting_id, ExternalUserId="alice")["Attendee"]["AttendeeId"]
    updated = client.update_attendee_capabilities(MeetingId=meeting_id, AttendeeId=attendee_id, Capabilities=SEND_ONLY)
    assert updated["Attendee"]["Capabilities"] == SEND_ONLY
    assert client.get_attendee(MeetingId=meeting_id, AttendeeId=attendee_id)["Attendee"]["Capabilities"] == SEND_ONLY
    assert client.list_attendees(MeetingId=meeting_id)["Attendees"][0]["Capabilities"] == SEND_ONLY


def test_batch_update_sets_everyone_but_the_excluded(fake_chime: FakeChime) -> None:
    client = make_client(MODERN)
    meeting_id = create(client)["MeetingId"]
    ids = [
        client.create_attendee(MeetingId=meeting_id, ExternalUserId=name)["Attendee"]["AttendeeId"]
        for name in ("host", "guest-1", "guest-2")
    ]
    answer = client.batch_update_attendee_capabilities_except(
        MeetingId=meeting_id, ExcludedAttendeeIds=[{"AttendeeId": ids[0]}], Capabilities=SEND_ONLY
    )
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    capabilities = {
        a["AttendeeId"]: a["Capabilities"] for a in client.list_attendees(MeetingId=meeting_id)["Attendees"]
    }
    assert capabilities[ids[0]]["Video"] == "SendReceive"
    assert capabilities[ids[1]] == capabilities[ids[2]] == SEND_ONLY


def test_receiving_content_without_video_is_refused_by_update(fake_chime: FakeChime) -> None:
    client = make_client(MODERN)
    meeting_id = create(client)["MeetingId"]
    attendee_id = client.create_attendee(MeetingId=meeting_id, ExternalUserId="alice")["Attendee"]["AttendeeId"]
    with pytest.raises(client.exceptions.BadRequestException, match="can receive content only if"):
        client.update_attendee_capabilities(
            MeetingId=meeting_id,
            AttendeeId=attendee_id,
            Capabilities={"Audio": "SendReceive", "Video": "None", "Content": "SendReceive"},
        )


def test_a_channel_the_meeting_switched_off_takes_no_capability(fake_chime: FakeChime) -> None:
    client = make_client(MODERN)
    meeting_id = create(client, MeetingFeatures={"Video": {"MaxResolution": "None"}})["MeetingId"]
    attendee = client.create_attendee(MeetingId=meeting_id, ExternalUserId="alice")["Attendee"]
    assert attendee["Capabilities"]["Video"] == "None"
    with pytest.raises(client.exceptions.BadRequestException, match="MaxResolution is None"):
        client.update_attendee_capabilities(
            MeetingId=meeting_id,
            AttendeeId=attendee["AttendeeId"],
            Capabilities={"Audio": "SendReceive", "Video": "Receive", "Content": "None"},
        )


def test_updating_an_absent_attendee_is_not_found(fake_chime: FakeChime) -> None:
    client = make_client(MODERN)
    meeting_id = create(client)["MeetingId"]
    with pytest.raises(client.exceptions.NotFoundException):
        client.update_attendee_capabilities(
            MeetingId=meeting_id, AttendeeId="0b9c5a5e-1f2d-4c3b-9a8e-7d6c5b4a3f2e", Capabilities=SEND_ONLY
        )


# --- legacy tags and dial-out -----------------------------------------------------------------------


@legacy_only
def test_legacy_meeting_and_attendee_tags(fake_chime: FakeChime) -> None:
    client = make_client("chime")
    meeting_id = create(client, "chime", Tags=[{"Key": "team", "Value": "ops"}])["MeetingId"]
    attendee = client.create_attendee(MeetingId=meeting_id, ExternalUserId="alice", Tags=[{"Key": "a", "Value": "1"}])
    attendee_id = attendee["Attendee"]["AttendeeId"]
    client.tag_meeting(MeetingId=meeting_id, Tags=[{"Key": "cost", "Value": "7"}])
    client.untag_meeting(MeetingId=meeting_id, TagKeys=["team"])
    assert client.list_meeting_tags(MeetingId=meeting_id)["Tags"] == [{"Key": "cost", "Value": "7"}]
    client.tag_attendee(MeetingId=meeting_id, AttendeeId=attendee_id, Tags=[{"Key": "b", "Value": "2"}])
    client.untag_attendee(MeetingId=meeting_id, AttendeeId=attendee_id, TagKeys=["a"])
    assert client.list_attendee_tags(MeetingId=meeting_id, AttendeeId=attendee_id)["Tags"] == [
        {"Key": "b", "Value": "2"}
    ]
    assert "Tags" not in client.get_attendee(MeetingId=meeting_id, AttendeeId=attendee_id)["Attendee"]


@legacy_only
def test_legacy_attendee_tags_stop_at_ten(fake_chime: FakeChime) -> None:
    client = make_client("chime")
    meeting_id = create(client, "chime")["MeetingId"]
    attendee_id = client.create_attendee(MeetingId=meeting_id, ExternalUserId="alice")["Attendee"]["AttendeeId"]
    client.tag_attendee(
        MeetingId=meeting_id, AttendeeId=attendee_id, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(10)]
    )
    with pytest.raises(client.exceptions.ResourceLimitExceededException, match="at most 10 tags"):
        client.tag_attendee(MeetingId=meeting_id, AttendeeId=attendee_id, Tags=[{"Key": "one-more", "Value": "v"}])


@legacy_only
def test_legacy_tags_of_an_absent_meeting_are_not_found(fake_chime: FakeChime) -> None:
    client = make_client("chime")
    with pytest.raises(client.exceptions.NotFoundException):
        client.list_meeting_tags(MeetingId="0b9c5a5e-1f2d-4c3b-9a8e-7d6c5b4a3f2e")


@legacy_only
def test_a_dial_out_dials_an_attendee_in_and_returns_a_transaction(fake_chime: FakeChime) -> None:
    client = make_client("chime")
    meeting_id = create(client, "chime")["MeetingId"]
    attendee = client.create_attendee(MeetingId=meeting_id, ExternalUserId="phone")["Attendee"]
    answer = client.create_meeting_dial_out(
        MeetingId=meeting_id,
        FromPhoneNumber="+12065550100",
        ToPhoneNumber="+12065550199",
        JoinToken=attendee["JoinToken"],
    )
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert fake_chime.dial_outs == [
        {
            "TransactionId": answer["TransactionId"],
            "MeetingId": meeting_id,
            "AttendeeId": attendee["AttendeeId"],
            "FromPhoneNumber": "+12065550100",
            "ToPhoneNumber": "+12065550199",
        }
    ]


@legacy_only
@pytest.mark.parametrize("number", ["+0123456", "12065550199x", "+1234567890123456"])
def test_a_number_that_is_not_e164_is_a_bad_request(fake_chime: FakeChime, number: str) -> None:
    client = make_client("chime")
    meeting_id = create(client, "chime")["MeetingId"]
    token = client.create_attendee(MeetingId=meeting_id, ExternalUserId="phone")["Attendee"]["JoinToken"]
    with pytest.raises(client.exceptions.BadRequestException, match=r"'ToPhoneNumber' failed .* pattern"):
        client.create_meeting_dial_out(
            MeetingId=meeting_id, FromPhoneNumber="+12065550100", ToPhoneNumber=number, JoinToken=token
        )


@legacy_only
def test_a_dial_out_with_a_join_token_of_no_attendee_is_a_bad_request(fake_chime: FakeChime) -> None:
    client = make_client("chime")
    meeting_id = create(client, "chime")["MeetingId"]
    with pytest.raises(client.exceptions.BadRequestException, match="not the JoinToken of an attendee"):
        client.create_meeting_dial_out(
            MeetingId=meeting_id, FromPhoneNumber="+12065550100", ToPhoneNumber="+12065550199", JoinToken="abcd"
        )


@legacy_only
def test_legacy_tag_resource_names_a_meeting_by_its_us_east_1_arn(fake_chime: FakeChime) -> None:
    client = make_client("chime")
    meeting_id = create(client, "chime")["MeetingId"]
    arn = f"arn:aws:chime:us-east-1:123456789012:meeting/{meeting_id}"
    client.tag_resource(ResourceARN=arn, Tags=[{"Key": "team", "Value": "ops"}])
    assert client.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "team", "Value": "ops"}]
    assert client.list_meeting_tags(MeetingId=meeting_id)["Tags"] == [{"Key": "team", "Value": "ops"}]
    with pytest.raises(client.exceptions.NotFoundException):
        client.list_tags_for_resource(ResourceARN=arn.replace("us-east-1", "eu-west-2"))


# --- media pipelines ------------------------------------------------------------------------------

PIPES = "chime-sdk-media-pipelines"
#: The media pipeline operations the fake answers wherever botocore models them (issue 21's list).
MEDIA_PIPELINE_OPERATIONS = {
    PIPES: (
        "CreateMediaCapturePipeline", "GetMediaCapturePipeline", "DeleteMediaCapturePipeline",
        "ListMediaCapturePipelines", "GetMediaPipeline", "DeleteMediaPipeline", "ListMediaPipelines",
        "TagResource", "UntagResource", "ListTagsForResource", "CreateMediaConcatenationPipeline",
        "CreateMediaLiveConnectorPipeline", "CreateMediaStreamPipeline", "CreateMediaPipelineKinesisVideoStreamPool",
        "GetMediaPipelineKinesisVideoStreamPool", "UpdateMediaPipelineKinesisVideoStreamPool",
        "DeleteMediaPipelineKinesisVideoStreamPool", "ListMediaPipelineKinesisVideoStreamPools",
    ),
    "chime": (
        "CreateMediaCapturePipeline", "GetMediaCapturePipeline", "DeleteMediaCapturePipeline",
        "ListMediaCapturePipelines",
    ),
}  # fmt: skip


@pytest.mark.parametrize("service", sorted(MEDIA_PIPELINE_OPERATIONS))
def test_every_listed_media_pipeline_operation_the_model_has_is_answered(service: str) -> None:
    modelled = set(botocore.session.get_session().get_service_model(service).operation_names)
    missing = sorted(set(MEDIA_PIPELINE_OPERATIONS[service]) & modelled - set(operations.implemented(service)))
    assert missing == [], f"botocore models {service} operations the fake does not answer: {', '.join(missing)}"
