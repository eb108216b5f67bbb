"""Error injection on every implemented operation, and refused calls failing their test."""

from __future__ import annotations

import functools
from typing import Any

import botocore
import pytest
from botocore.exceptions import ClientError

from pytest_chime import FakeChime, UnknownErrorCodeError, UnknownOperationError, error_codes, model, operations
from tests.conftest import SERVICES, make_client, valid_request

#: (service, operation) for every operation the fake implements on this botocore.
IMPLEMENTED = [(service, name) for service in SERVICES for name in operations.implemented(service)]
#: Codes botocore's retry modes retry, by HTTP status or by code (measured on 1.37.1 and the newest).
RETRIED_STATUSES = {"legacy": {429, 500, 502, 503, 504}, "standard": {500, 502, 503, 504}}
RETRIED_CODES = {"legacy": {"ThrottlingException"}, "standard": {"ThrottlingException", "LimitExceededException"}}


@functools.cache
def client_for(service: str, mode: str = "none") -> Any:
    """One client per service and retry mode for the module (creating clients is the slow part)."""
    if mode == "none":
        return make_client(service, retries={"total_max_attempts": 1})
    return make_client(service, retries={"mode": mode, "total_max_attempts": 2})


def arguments(service: str, name: str, fake: FakeChime) -> dict[str, Any]:
    """A valid request for ``name``, naming a meeting and attendee that exist in ``fake``."""
    setup = client_for(service)
    made = setup.create_meeting(**valid_request(service, ClientRequestToken=f"setup-{len(fake.calls)}"))["Meeting"]
    meeting_id = made["MeetingId"]
    joined = setup.create_attendee(MeetingId=meeting_id, ExternalUserId="alice")["Attendee"]
    attendee_id = joined["AttendeeId"]
    meeting = {"MeetingId": meeting_id}
    attendee = {"MeetingId": meeting_id, "AttendeeId": attendee_id}
    english = {"EngineTranscribeSettings": {"LanguageCode": "en-US"}}
    if name == "StopMeetingTranscription":
        setup.start_meeting_transcription(MeetingId=meeting_id, TranscriptionConfiguration=english)
    tag = [{"Key": "team", "Value": "ops"}]
    arn = made.get("MeetingArn") or f"arn:aws:chime:us-east-1:123456789012:meeting/{meeting_id}"
    capabilities = {"Audio": "SendReceive", "Video": "Send", "Content": "None"}
    table = {
        "CreateMeeting": valid_request(service, ClientRequestToken="new-meeting"),
        "CreateMeetingWithAttendees": {
            **valid_request(service, ClientRequestToken="new-meeting"),
            "Attendees": [{"ExternalUserId": "bob"}],
        },
        "GetMeeting": meeting,
        "DeleteMeeting": meeting,
        "ListMeetings": {},
        "CreateAttendee": {**meeting, "ExternalUserId": "bob"},
        "BatchCreateAttendee": {**meeting, "Attendees": [{"ExternalUserId": "bob"}]},
        "GetAttendee": attendee,
        "ListAttendees": meeting,
        "DeleteAttendee": attendee,
        "TagResource": {"ResourceARN": arn, "Tags": tag},
        "UntagResource": {"ResourceARN": arn, "TagKeys": ["team"]},
        "ListTagsForResource": {"ResourceARN": arn},
        "TagMeeting": {**meeting, "Tags": tag},
        "UntagMeeting": {**meeting, "TagKeys": ["team"]},
        "ListMeetingTags": meeting,
        "TagAttendee": {**attendee, "Tags": tag},
        "UntagAttendee": {**attendee, "TagKeys": ["team"]},
        "ListAttendeeTags": attendee,
        "StartMeetingTranscription": {**meeting, "TranscriptionConfiguration": english},
        "StopMeetingTranscription": meeting,
        "UpdateAttendeeCapabilities": {**attendee, "Capabilities": capabilities},
        "BatchUpdateAttendeeCapabilitiesExcept": {
            **meeting,
            "ExcludedAttendeeIds": [{"AttendeeId": attendee_id}],
            "Capabilities": capabilities,
        },
        "CreateMeetingDialOut": {
            **meeting,
            "FromPhoneNumber": "+12065550100",
            "ToPhoneNumber": "+12065550199",
            "JoinToken": joined["JoinToken"],
        },
    }
    if "MediaCapturePipeline" in name:  # legacy chime's media capture pipelines, recording this meeting
        capture = {"SourceType": "ChimeSdkMeeting", "SourceArn": arn, "SinkType": "S3Bucket"}
        capture["SinkArn"] = "arn:aws:s3:::recordings-bucket"
        if name == "CreateMediaCapturePipeline":
            return capture
        if name == "ListMediaCapturePipelines":
            return {}
        pipeline = setup.create_media_capture_pipeline(**capture)["MediaCapturePipeline"]
        return {"MediaPipelineId": pipeline["MediaPipelineId"]}
    return table[name]  # a KeyError here: an operation was implemented without a case in this table


def invoke(client: Any, name: str, params: dict[str, Any]) -> dict[str, Any]:
    return dict(getattr(client, botocore.xform_name(name))(**params))


@pytest.mark.parametrize(("service", "name"), IMPLEMENTED)
def test_every_modelled_error_of_the_operation_is_raised_as_its_exception(service: str, name: str) -> None:
    client = client_for(service)
    spec = model.operation(service, name)
    assert spec is not None
    for code, status in spec.errors.items():
        with FakeChime() as fake:
            params = arguments(service, name, fake)
            fake.fail(code, operation=name)
            with pytest.raises(getattr(client.exceptions, code)) as caught:
                invoke(client, name, params)
            assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
            assert fake.calls[-1].operation == name


@pytest.mark.parametrize("mode", ["legacy", "standard"])
@pytest.mark.parametrize(("service", "name"), IMPLEMENTED)
def test_retry_modes_retry_the_operation_errors_as_against_aws(service: str, name: str, mode: str) -> None:
    client = client_for(service, mode)
    spec = model.operation(service, name)
    assert spec is not None
    for code, status in spec.errors.items():
        with FakeChime() as fake:
            params = arguments(service, name, fake)
            before = len(fake.calls)
            fake.fail(code, operation=name)
            retried = status in RETRIED_STATUSES[mode] or code in RETRIED_CODES[mode]
            if retried:
                invoke(client, name, params)
                assert [c.error_code for c in fake.calls[before:]] == [code, None], code
                assert len(fake.sleeps) == 1
            else:
                with pytest.raises(ClientError):
                    invoke(client, name, params)
                assert [c.error_code for c in fake.calls[before:]] == [code], code


@pytest.mark.parametrize(("service", "name"), IMPLEMENTED)
def test_chaos_injects_only_retryable_errors_the_operation_models(service: str, name: str) -> None:
    client = client_for(service)
    spec = model.operation(service, name)
    assert spec is not None
    with FakeChime() as fake:
        params = arguments(service, name, fake)
        before = len(fake.calls)
        fake.chaos = 1.0
        for _ in range(5):
            with pytest.raises(ClientError):
                invoke(client, name, params)
        codes = {call.error_code for call in fake.calls[before:]}
        assert codes and codes <= set(spec.errors)
        assert codes <= {"ThrottlingException", "ThrottledClientException", "ServiceUnavailableException",
                         "ServiceFailureException"}  # fmt: skip


@pytest.mark.parametrize("service", SERVICES)
def test_error_codes_lists_the_codes_of_the_named_operation(service: str) -> None:
    assert "NotFoundException" in error_codes(service, operation="GetMeeting")
    assert "NotFoundException" not in error_codes(service, operation="CreateMeeting")


def test_an_unimplemented_operation_is_refused_when_declared_listing_the_implemented() -> None:
    with pytest.raises(UnknownOperationError, match=r"Implemented: .*GetMeeting") as caught:
        FakeChime().fail("ThrottlingException", operation="NoSuchOperation")
    assert "is not an operation of" in str(caught.value)


def test_an_unknown_code_names_the_operations_that_model_it() -> None:
    with pytest.raises(UnknownErrorCodeError, match=r"NotFoundException is modelled for .*GetMeeting") as caught:
        FakeChime().fail("NotFoundException", service="chime-sdk-meetings")
    assert "CreateMeeting," not in str(caught.value).split("modelled for", 1)[1].split(":")[0]


def test_a_marker_injects_an_error_into_another_operation(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3, pytest

        @pytest.mark.chime_error("NotFoundException", operation="GetMeeting")
        def test_meeting_ended_by_itself(fake_chime):
            client = boto3.client("chime-sdk-meetings", region_name="us-east-1",
                                  aws_access_key_id="a", aws_secret_access_key="b")
            meeting = client.create_meeting(ClientRequestToken="t1", MediaRegion="us-east-1",
                                            ExternalMeetingId="xy")["Meeting"]
            with pytest.raises(client.exceptions.NotFoundException):
                client.get_meeting(MeetingId=meeting["MeetingId"])
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)


def test_a_marker_naming_an_unimplemented_operation_errors_listing_the_implemented(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.chime_error("ThrottlingException", operation="CreateMeetings")
        def test_typo(fake_chime):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*operation='CreateMeetings' is not an operation of*Implemented: *GetMeeting*"])


SWALLOWED = """
import boto3

def handler():
    client = boto3.client("chime", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    try:
        return client.list_accounts()
    except Exception:
        return None

def test_swallows_a_refused_call(fake_chime):
    assert handler() is None
"""


def test_a_refused_call_the_code_swallowed_fails_the_test_at_teardown(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SWALLOWED)
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*the fake refused 1 call(s)*",
            "*chime ListAccounts: pytest-chime's fake does not implement chime ListAccounts*",
        ]
    )
