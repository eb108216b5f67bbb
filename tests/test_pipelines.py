"""Media capture pipelines (chime-sdk-media-pipelines, and legacy chime's four), tied to the fake's meetings."""

from __future__ import annotations

import functools
from typing import Any

import botocore
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_chime import FakeChime, UnsupportedOperationError, facts, model, operations, pipelines, validate
from pytest_chime import strategies as chime_st
from tests.conftest import LEGACY_AVAILABLE, legacy_only, make_client, valid_request

MODERN = "chime-sdk-meetings"
PIPES = "chime-sdk-media-pipelines"
LEGACY = "chime"
SINK = "arn:aws:s3:::recordings-bucket"
#: Where each capture service's meetings come from.
MEETINGS_OF = {PIPES: MODERN, LEGACY: LEGACY}
CAPTURE_SERVICES = [PIPES, *([LEGACY] if LEGACY_AVAILABLE else [])]


@functools.cache
def client_for(service: str) -> Any:
    return make_client(service, retries={"total_max_attempts": 1})


def meeting(service: str = PIPES, **overrides: Any) -> dict[str, Any]:
    meetings_service = MEETINGS_OF[service]
    token = overrides.pop("ClientRequestToken", f"m-{id(overrides)}")
    made = client_for(meetings_service).create_meeting(
        **valid_request(meetings_service, ClientRequestToken=token, **overrides)
    )
    return dict(made["Meeting"])


def source(made: dict[str, Any]) -> str:
    return made.get("MeetingArn") or f"arn:aws:chime::123456789012:meeting:{made['MeetingId']}"


def capture(service: str = PIPES, arn: str | None = None, sink: str = SINK, **extra: Any) -> dict[str, Any]:
    arn = arn or source(meeting(service))
    answer = client_for(service).create_media_capture_pipeline(
        SourceType="ChimeSdkMeeting", SourceArn=arn, SinkType="S3Bucket", SinkArn=sink, **extra
    )
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 201
    return dict(answer["MediaCapturePipeline"])


# --- create, get, list, delete -----------------------------------------------------------------------


@pytest.mark.parametrize("service", CAPTURE_SERVICES)
def test_a_capture_pipeline_is_created_initializing_then_in_progress(fake_chime: FakeChime, service: str) -> None:
    made = capture(service)
    pipeline_id = made["MediaPipelineId"]
    assert validate.regex(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}").fullmatch(pipeline_id)
    assert made["Status"] == "Initializing"
    assert made["SinkArn"] == SINK and made["SourceType"] == "ChimeSdkMeeting"
    if service == PIPES:
        assert made["MediaPipelineArn"] == f"arn:aws:chime:us-east-1:123456789012:media-pipeline/{pipeline_id}"
    else:
        assert "MediaPipelineArn" not in made  # the legacy model has none
    got = client_for(service).get_media_capture_pipeline(MediaPipelineId=pipeline_id)["MediaCapturePipeline"]
    assert got["Status"] == "InProgress"
    assert {k: v for k, v in got.items() if k != "Status"} == {k: v for k, v in made.items() if k != "Status"}
    record = fake_chime.media_pipelines[pipeline_id]
    assert record["Status"] == "InProgress" and record["MediaPipelineId"] == pipeline_id
    shape = pipelines.record_shape(service, "MediaCapturePipeline")
    assert validate.output_problems(record, shape) == []


def test_get_media_pipeline_answers_any_kind_under_its_kind(fake_chime: FakeChime) -> None:
    made = capture()
    answer = client_for(PIPES).get_media_pipeline(MediaPipelineId=made["MediaPipelineId"])["MediaPipeline"]
    assert list(answer) == ["MediaCapturePipeline"]
    assert answer["MediaCapturePipeline"]["MediaPipelineArn"] == made["MediaPipelineArn"]


@pytest.mark.parametrize("service", CAPTURE_SERVICES)
def test_a_deleted_pipeline_answers_not_found(fake_chime: FakeChime, service: str) -> None:
    client = client_for(service)
    pipeline_id = capture(service)["MediaPipelineId"]
    assert (
        client.delete_media_capture_pipeline(MediaPipelineId=pipeline_id)["ResponseMetadata"]["HTTPStatusCode"] == 204
    )
    assert pipeline_id not in fake_chime.media_pipelines
    with pytest.raises(client.exceptions.NotFoundException, match=f"Media pipeline {pipeline_id} not found"):
        client.get_media_capture_pipeline(MediaPipelineId=pipeline_id)
    with pytest.raises(client.exceptions.NotFoundException):
        client.delete_media_capture_pipeline(MediaPipelineId=pipeline_id)


def test_delete_media_pipeline_deletes_any_kind(fake_chime: FakeChime) -> None:
    client = client_for(PIPES)
    pipeline_id = capture()["MediaPipelineId"]
    client.delete_media_pipeline(MediaPipelineId=pipeline_id)
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_media_pipeline(MediaPipelineId=pipeline_id)


@pytest.mark.parametrize("service", CAPTURE_SERVICES)
def test_listings_page_through_every_pipeline_once(fake_chime: FakeChime, service: str) -> None:
    client = client_for(service)
    made = [capture(service)["MediaPipelineId"] for _ in range(5)]
    seen: list[str] = []
    token: dict[str, str] = {}
    while True:
        page = client.list_media_capture_pipelines(MaxResults=2, **token)
        assert len(page["MediaCapturePipelines"]) <= 2
        seen += [item["MediaPipelineId"] for item in page["MediaCapturePipelines"]]
        if "NextToken" not in page:
            break
        token = {"NextToken": page["NextToken"]}
    assert seen == made
    if service == PIPES:
        summaries = client.list_media_pipelines()["MediaPipelines"]
        assert [sorted(item) for item in summaries] == [["MediaPipelineArn", "MediaPipelineId"]] * 5
        with pytest.raises(client.exceptions.BadRequestException, match="NextToken"):
            client.list_media_pipelines(NextToken="forged")
    else:
        full = client.list_media_capture_pipelines()["MediaCapturePipelines"]
        assert full[0]["Status"] == "InProgress"  # the legacy listing answers whole pipelines


def test_a_client_request_token_seen_before_answers_the_same_pipeline(fake_chime: FakeChime) -> None:
    arn = source(meeting())
    first = capture(arn=arn, ClientRequestToken="record-standup")
    again = capture(arn=arn, ClientRequestToken="record-standup")
    assert again["MediaPipelineId"] == first["MediaPipelineId"]
    assert len(fake_chime.media_pipelines) == 1


def test_the_account_quota_of_active_pipelines(fake_chime: FakeChime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(facts, "MEDIA_PIPELINE_QUOTA", 2)
    arn = source(meeting())
    capture(arn=arn)
    capture(arn=arn)
    with pytest.raises(client_for(PIPES).exceptions.ResourceLimitExceededException, match="quota of 2"):
        capture(arn=arn)


# --- the meeting link ----------------------------------------------------------------------------------


def test_the_three_source_arn_forms_are_accepted(fake_chime: FakeChime) -> None:
    made = meeting()
    meeting_id = made["MeetingId"]
    for arn in (
        made["MeetingArn"],
        f"arn:aws:chime::123456789012:meeting:{meeting_id}",
        f"arn:aws:chime::123456789012:meeting/{meeting_id}",
    ):
        assert capture(arn=arn)["SourceArn"] == arn


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:chime::123456789012:meeting:{}",  # ended below
        "arn:aws:chime::210987654321:meeting:{}",  # another account
        "arn:aws:chime:eu-west-2:123456789012:meeting/{}",  # another region than the meeting's
    ],
)
def test_a_source_that_is_no_active_meeting_of_the_fake_is_a_bad_request(fake_chime: FakeChime, arn: str) -> None:
    made = meeting()
    ended = meeting(ClientRequestToken="ended")
    client_for(MODERN).delete_meeting(MeetingId=ended["MeetingId"])
    target = ended["MeetingId"] if "123456789012:meeting:" in arn else made["MeetingId"]
    with pytest.raises(client_for(PIPES).exceptions.BadRequestException, match="does not name an active meeting"):
        capture(arn=arn.format(target))
    assert fake_chime.media_pipelines == {}


@pytest.mark.parametrize(
    ("arn", "rule"),
    [
        ("arn:aws:chime:us-east-1:123456789012:meeting:{}", "source-arn"),
        ("arn:aws:sqs:us-east-1:123456789012:queue", "source-arn"),
    ],
)
def test_a_source_arn_of_no_accepted_form_is_a_bad_request(fake_chime: FakeChime, arn: str, rule: str) -> None:
    made = meeting()
    with pytest.raises(client_for(PIPES).exceptions.BadRequestException, match="is not a meeting ARN"):
        capture(arn=arn.format(made["MeetingId"]))


@pytest.mark.parametrize("sink", ["arn:aws:s3:::recordings-bucket", "arn:aws:s3:::recordings-bucket/standups/2025"])
def test_an_s3_bucket_sink_with_or_without_prefix_is_accepted(fake_chime: FakeChime, sink: str) -> None:
    assert capture(sink=sink)["SinkArn"] == sink


@pytest.mark.parametrize(
    "sink", ["arn:aws:sns:us-east-1:123456789012:topic", "arn:aws:s3:::Upper", "arn:aws:s3:::ab", "arn:aws:s3:::a..b"]
)
def test_a_sink_that_is_no_s3_bucket_is_a_bad_request(fake_chime: FakeChime, sink: str) -> None:
    with pytest.raises(client_for(PIPES).exceptions.BadRequestException, match="is not an S3 bucket ARN"):
        capture(sink=sink)


@pytest.mark.parametrize("service", CAPTURE_SERVICES)
def test_deleting_the_meeting_stops_its_pipelines(fake_chime: FakeChime, service: str) -> None:
    made = meeting(service)
    other = capture(service, arn=source(meeting(service, ClientRequestToken="other")))["MediaPipelineId"]
    pipeline_id = capture(service, arn=source(made))["MediaPipelineId"]
    client_for(MEETINGS_OF[service]).delete_meeting(MeetingId=made["MeetingId"])
    assert list(fake_chime.media_pipelines) == [other]
    with pytest.raises(client_for(service).exceptions.NotFoundException):
        client_for(service).get_media_capture_pipeline(MediaPipelineId=pipeline_id)


def test_a_meeting_ending_by_itself_stops_its_pipelines(fake_chime: FakeChime) -> None:
    pipeline_id = capture()["MediaPipelineId"]
    fake_chime.advance(minutes=4)
    assert fake_chime.media_pipelines[pipeline_id]["Status"] == "InProgress"  # a pipeline keeps no meeting alive
    fake_chime.advance(minutes=1)
    assert fake_chime.media_pipelines == {}
    kinds = [e["detail"]["eventType"] for e in fake_chime.events]
    assert kinds[-2:] == ["chime:MeetingEnded", "chime:MediaPipelineDeleted"]


def test_a_meeting_removed_by_hand_stops_its_pipelines(fake_chime: FakeChime) -> None:
    made = meeting()
    capture(arn=source(made))
    del fake_chime.meetings[made["MeetingId"]]
    assert fake_chime.media_pipelines == {}


# --- events --------------------------------------------------------------------------------------------


def test_pipeline_events_are_shaped_as_aws_documents_them(fake_chime: FakeChime) -> None:
    made = meeting(ExternalMeetingId="standup")
    pipeline_id = capture(arn=source(made))["MediaPipelineId"]
    client_for(PIPES).delete_media_capture_pipeline(MediaPipelineId=pipeline_id)
    started, deleted = fake_chime.events[-2:]
    for event, kind in ((started, "chime:MediaPipelineInProgress"), (deleted, "chime:MediaPipelineDeleted")):
        assert event["detail-type"] == "Chime Media Pipeline State Change"
        assert event["source"] == "aws.chime" and event["region"] == "us-east-1" and event["resources"] == []
        assert list(event["detail"]) == [
            "version", "eventType", "timestamp", "meetingId", "externalMeetingId", "mediaPipelineId", "mediaRegion",
        ]  # fmt: skip
        assert event["detail"]["eventType"] == kind
        assert event["detail"]["mediaPipelineId"] == pipeline_id
        assert event["detail"]["meetingId"] == made["MeetingId"]


def test_a_failed_create_emits_nothing(fake_chime: FakeChime) -> None:
    made = meeting()
    before = len(fake_chime.events)
    fake_chime.fail("ServiceFailureException", operation="CreateMediaCapturePipeline")
    with pytest.raises(ClientError):
        capture(arn=source(made))
    assert len(fake_chime.events) == before and fake_chime.media_pipelines == {}


# --- tags ----------------------------------------------------------------------------------------------


def test_tags_of_a_pipeline_by_its_arn(fake_chime: FakeChime) -> None:
    client = client_for(PIPES)
    made = capture(Tags=[{"Key": "team", "Value": "ops"}])
    arn = made["MediaPipelineArn"]
    assert client.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "team", "Value": "ops"}]
    assert (
        client.tag_resource(ResourceARN=arn, Tags=[{"Key": "cost", "Value": "7"}])["ResponseMetadata"]["HTTPStatusCode"]
        == 204
    )
    client.untag_resource(ResourceARN=arn, TagKeys=["team"])
    assert fake_chime.tags[arn] == [{"Key": "cost", "Value": "7"}]
    client.delete_media_pipeline(MediaPipelineId=made["MediaPipelineId"])
    assert arn not in fake_chime.tags
    with pytest.raises(client.exceptions.NotFoundException):
        client.list_tags_for_resource(ResourceARN=arn)


def test_meeting_arns_are_not_media_pipeline_resources(fake_chime: FakeChime) -> None:
    with pytest.raises(client_for(PIPES).exceptions.NotFoundException):
        client_for(PIPES).list_tags_for_resource(ResourceARN=meeting()["MeetingArn"])


# --- errors, refusals ----------------------------------------------------------------------------------


def arguments(service: str, name: str) -> dict[str, Any]:
    """A valid request for ``name``, naming a pipeline that exists in the active fake."""
    made = capture(service)
    named = {"MediaPipelineId": made["MediaPipelineId"]}
    arn = made.get("MediaPipelineArn", "")
    table: dict[str, Any] = {
        "CreateMediaCapturePipeline": {
            "SourceType": "ChimeSdkMeeting",
            "SourceArn": made["SourceArn"],
            "SinkType": "S3Bucket",
            "SinkArn": SINK,
        },
        "GetMediaCapturePipeline": named,
        "DeleteMediaCapturePipeline": named,
        "ListMediaCapturePipelines": {},
        "GetMediaPipeline": named,
        "DeleteMediaPipeline": named,
        "ListMediaPipelines": {},
        "TagResource": {"ResourceARN": arn, "Tags": [{"Key": "k", "Value": "v"}]},
        "UntagResource": {"ResourceARN": arn, "TagKeys": ["k"]},
        "ListTagsForResource": {"ResourceARN": arn},
        "ListMediaPipelineKinesisVideoStreamPools": {},
    }
    if name in table:
        return table[name]
    if "KinesisVideoStreamPool" in name:
        name_ = f"pool-{len(fake_pools)}"
        fake_pools.append(name_)
        if name.startswith("Create"):
            return {"StreamConfiguration": {"Region": "us-east-1"}, "PoolName": name_}
        pool(name_)
        update = {"StreamConfiguration": {"DataRetentionInHours": 2}} if name.startswith("Update") else {}
        return {"Identifier": name_, **update}
    meeting_arn = made["SourceArn"]
    if name == "CreateMediaConcatenationPipeline":
        return {
            "Sources": [
                {
                    "Type": "MediaCapturePipeline",
                    "MediaCapturePipelineSourceConfiguration": {
                        "MediaPipelineArn": arn,
                        "ChimeSdkMeetingConfiguration": {"ArtifactsConfiguration": ALL_ENABLED},
                    },
                }
            ],
            "Sinks": [{"Type": "S3Bucket", "S3BucketSinkConfiguration": {"Destination": SINK}}],
        }
    if name == "CreateMediaLiveConnectorPipeline":
        config = {"Arn": meeting_arn, "MuxType": "AudioWithActiveSpeakerVideo"}
        return {
            "Sources": [{"SourceType": "ChimeSdkMeeting", "ChimeSdkMeetingLiveConnectorConfiguration": config}],
            "Sinks": [{"SinkType": "RTMP", "RTMPConfiguration": {"Url": "rtmp://live.example.com/a"}}],
        }
    assert name == "CreateMediaStreamPipeline", name
    sink = {"SinkType": "KinesisVideoStreamPool", "ReservedStreamCapacity": 1, "MediaStreamType": "MixedAudio"}
    return {
        "Sources": [{"SourceType": "ChimeSdkMeeting", "SourceArn": meeting_arn}],
        "Sinks": [{**sink, "SinkArn": pool(f"stream-pool-{len(fake_pools)}")["PoolArn"]}],
    }


fake_pools: list[str] = []


CAPTURE_OPERATIONS = [
    (service, name)
    for service in CAPTURE_SERVICES
    for name in operations.implemented(service)
    if service == PIPES or "MediaCapturePipeline" in name
]
STEP_ONE = {
    "CreateMediaCapturePipeline", "GetMediaCapturePipeline", "DeleteMediaCapturePipeline", "ListMediaCapturePipelines",
    "GetMediaPipeline", "DeleteMediaPipeline", "ListMediaPipelines", "TagResource", "UntagResource",
    "ListTagsForResource",
}  # fmt: skip


@pytest.mark.parametrize(("service", "name"), CAPTURE_OPERATIONS)
def test_every_modelled_error_is_injectable(service: str, name: str) -> None:
    client = client_for(service)
    spec = model.operation(service, name)
    assert spec is not None
    for code, status in spec.errors.items():
        with FakeChime() as fake:
            params = arguments(service, name)
            fake.fail(code, operation=name, service=service)
            with pytest.raises(getattr(client.exceptions, code)) as caught:
                getattr(client, botocore.xform_name(name))(**params)
            assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
            assert fake.calls[-1].operation == name and fake.calls[-1].service == service


def test_media_insights_are_refused_as_not_faked(fake_chime: FakeChime) -> None:
    with pytest.raises(UnsupportedOperationError, match="are not faked"):
        client_for(PIPES).list_media_insights_pipeline_configurations()
    assert fake_chime.calls[-1].refused
    fake_chime.calls.clear()  # the refusal would fail this test at teardown


def test_a_marker_injects_a_pipeline_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3, pytest

        @pytest.mark.chime_error("ForbiddenException", operation="ListMediaPipelines")
        def test_it(fake_chime):
            client = boto3.client("chime-sdk-media-pipelines", region_name="us-east-1")
            with pytest.raises(client.exceptions.ForbiddenException):
                client.list_media_pipelines()
        """
    )
    pytester.runpytest_inprocess("-p", "no:randomly", "-p", "no:cacheprovider").assert_outcomes(passed=1)


@legacy_only
def test_a_legacy_pipeline_records_a_legacy_meeting_by_its_demo_arn(fake_chime: FakeChime) -> None:
    made = meeting(LEGACY)
    arn = f"arn:aws:chime::123456789012:meeting:{made['MeetingId']}"
    assert capture(LEGACY, arn=arn)["SourceArn"] == arn


# --- strategies ----------------------------------------------------------------------------------------

STRATEGY_SETTINGS = settings(max_examples=15, deadline=None, database=None, derandomize=True)


@pytest.mark.parametrize("name", ["CreateMediaCapturePipeline", "TagResource", "ListMediaPipelines"])
@STRATEGY_SETTINGS
@given(data=st.data())
def test_the_strategies_requests_are_accepted(name: str, data: st.DataObject) -> None:
    with FakeChime():
        made = capture()
        pins = {"resource_arn": made["MediaPipelineArn"]} if name == "TagResource" else {}
        if name == "CreateMediaCapturePipeline":
            pins = {"source_arn": made["SourceArn"]}
        params = data.draw(chime_st.requests(name, service=PIPES, **pins))
        assert operations.check(PIPES, name, params) == []
        answer = getattr(client_for(PIPES), botocore.xform_name(name))(**params)
        assert answer["ResponseMetadata"]["HTTPStatusCode"] == model.operation(PIPES, name).success_status  # type: ignore[union-attr]


@STRATEGY_SETTINGS
@given(data=st.data())
def test_the_strategies_invalid_capture_requests_break_the_named_rule(data: st.DataObject) -> None:
    invalid = data.draw(chime_st.invalid_requests("CreateMediaCapturePipeline", service=PIPES))
    found = operations.check(PIPES, "CreateMediaCapturePipeline", invalid.params)
    assert [(v.member, v.rule) for v in found] == [(invalid.member, invalid.rule)]
    with FakeChime(), pytest.raises(client_for(PIPES).exceptions.BadRequestException):
        client_for(PIPES).create_media_capture_pipeline(**invalid.params)


def test_the_strategies_break_source_and_sink_rules() -> None:
    from pytest_chime.strategies import invalid

    assert {"source-arn", "sink-arn"} <= invalid.breakable_rules("CreateMediaCapturePipeline", service=PIPES)


# --- concatenation, live connector, stream pipelines, Kinesis Video Stream pools -------------------------


_ON = {"State": "Enabled"}
ALL_ENABLED = {
    name: _ON
    for name in (
        "Audio",
        "Video",
        "Content",
        "DataChannel",
        "TranscriptionMessages",
        "MeetingEvents",
        "CompositedVideo",
    )
}


def concatenate(capture_arn: str, destination: str = "arn:aws:s3:::concatenated") -> dict[str, Any]:
    enabled = {"State": "Enabled"}
    artifacts = {"Audio": enabled, "Video": enabled, "Content": enabled, "DataChannel": enabled}
    artifacts |= {"TranscriptionMessages": enabled, "MeetingEvents": enabled, "CompositedVideo": enabled}
    answer = client_for(PIPES).create_media_concatenation_pipeline(
        Sources=[
            {
                "Type": "MediaCapturePipeline",
                "MediaCapturePipelineSourceConfiguration": {
                    "MediaPipelineArn": capture_arn,
                    "ChimeSdkMeetingConfiguration": {"ArtifactsConfiguration": artifacts},
                },
            }
        ],
        Sinks=[{"Type": "S3Bucket", "S3BucketSinkConfiguration": {"Destination": destination}}],
    )
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 201
    return dict(answer["MediaConcatenationPipeline"])


def live(arn: str, url: str = "rtmps://live.example.com/app/stream-key") -> dict[str, Any]:
    answer = client_for(PIPES).create_media_live_connector_pipeline(
        Sources=[
            {
                "SourceType": "ChimeSdkMeeting",
                "ChimeSdkMeetingLiveConnectorConfiguration": {"Arn": arn, "MuxType": "AudioWithActiveSpeakerVideo"},
            }
        ],
        Sinks=[{"SinkType": "RTMP", "RTMPConfiguration": {"Url": url}}],
    )
    return dict(answer["MediaLiveConnectorPipeline"])


def pool(name: str = "recordings-pool") -> dict[str, Any]:
    answer = client_for(PIPES).create_media_pipeline_kinesis_video_stream_pool(
        StreamConfiguration={"Region": "us-east-1", "DataRetentionInHours": 24}, PoolName=name
    )
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 201
    return dict(answer["KinesisVideoStreamPoolConfiguration"])


def stream(arn: str, pool_arn: str) -> dict[str, Any]:
    answer = client_for(PIPES).create_media_stream_pipeline(
        Sources=[{"SourceType": "ChimeSdkMeeting", "SourceArn": arn}],
        Sinks=[
            {
                "SinkArn": pool_arn,
                "SinkType": "KinesisVideoStreamPool",
                "ReservedStreamCapacity": 1,
                "MediaStreamType": "MixedAudio",
            }
        ],
    )
    return dict(answer["MediaStreamPipeline"])


def test_a_concatenation_of_a_capture_completes_when_the_capture_stops(fake_chime: FakeChime) -> None:
    made = capture()
    joined = concatenate(made["MediaPipelineArn"])
    assert joined["Status"] == "Initializing"
    got = client_for(PIPES).get_media_pipeline(MediaPipelineId=joined["MediaPipelineId"])["MediaPipeline"]
    assert got["MediaConcatenationPipeline"]["Status"] == "InProgress"
    client_for(PIPES).delete_media_capture_pipeline(MediaPipelineId=made["MediaPipelineId"])
    assert fake_chime.media_pipelines == {}


def test_a_concatenation_source_must_be_a_capture_pipeline_the_fake_holds(fake_chime: FakeChime) -> None:
    unknown = "arn:aws:chime:us-east-1:123456789012:media-pipeline/00000000-0000-4000-8000-000000000000"
    with pytest.raises(client_for(PIPES).exceptions.BadRequestException, match="not a media capture pipeline"):
        concatenate(unknown)
    with pytest.raises(client_for(PIPES).exceptions.BadRequestException, match="not an S3 bucket ARN"):
        concatenate(capture()["MediaPipelineArn"], destination="arn:aws:sqs:us-east-1:123456789012:q")


def test_a_live_connector_streams_an_active_meeting_to_an_rtmp_url(fake_chime: FakeChime) -> None:
    made = meeting()
    connector = live(made["MeetingArn"])
    assert connector["Sinks"][0]["RTMPConfiguration"]["Url"].startswith("rtmps://")
    with pytest.raises(client_for(PIPES).exceptions.BadRequestException, match="rtmp:// or rtmps://"):
        live(made["MeetingArn"], url="https://live.example.com/app")
    client_for(MODERN).delete_meeting(MeetingId=made["MeetingId"])
    assert fake_chime.media_pipelines == {}
    with pytest.raises(client_for(PIPES).exceptions.BadRequestException, match="does not name an active meeting"):
        live(made["MeetingArn"])


def test_kinesis_video_stream_pools_and_a_stream_pipeline(fake_chime: FakeChime) -> None:
    client = client_for(PIPES)
    made = pool()
    assert made["PoolStatus"] == "CREATING" and made["PoolSize"] == 0
    assert (
        made["PoolArn"]
        == "arn:aws:chime:us-east-1:123456789012:media-pipeline-kinesis-video-stream-pool/recordings-pool"
    )
    for identifier in (made["PoolName"], made["PoolArn"], made["PoolId"]):
        got = client.get_media_pipeline_kinesis_video_stream_pool(Identifier=identifier)
        assert got["KinesisVideoStreamPoolConfiguration"]["PoolStatus"] == "ACTIVE"
    with pytest.raises(client.exceptions.ConflictException):
        pool()
    updated = client.update_media_pipeline_kinesis_video_stream_pool(
        Identifier=made["PoolName"], StreamConfiguration={"DataRetentionInHours": 48}
    )["KinesisVideoStreamPoolConfiguration"]
    assert updated["PoolStatus"] == "UPDATING" and updated["StreamConfiguration"]["DataRetentionInHours"] == 48
    pool("second-pool")
    first = client.list_media_pipeline_kinesis_video_stream_pools(MaxResults=1)
    second = client.list_media_pipeline_kinesis_video_stream_pools(NextToken=first["NextToken"])
    names = [p["PoolName"] for p in first["KinesisVideoStreamPools"] + second["KinesisVideoStreamPools"]]
    assert names == ["recordings-pool", "second-pool"]
    streaming = stream(meeting()["MeetingArn"], made["PoolArn"])
    with pytest.raises(client.exceptions.ConflictException):
        client.delete_media_pipeline_kinesis_video_stream_pool(Identifier=made["PoolName"])
    client.delete_media_pipeline(MediaPipelineId=streaming["MediaPipelineId"])
    client.delete_media_pipeline_kinesis_video_stream_pool(Identifier=made["PoolName"])
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_media_pipeline_kinesis_video_stream_pool(Identifier=made["PoolName"])


def test_a_stream_pipeline_of_an_unknown_meeting_or_pool_is_not_found(fake_chime: FakeChime) -> None:
    made = pool()
    unknown_pool = made["PoolArn"].replace("recordings-pool", "absent")
    with pytest.raises(client_for(PIPES).exceptions.NotFoundException):
        stream(meeting()["MeetingArn"], unknown_pool)
    ended = meeting(ClientRequestToken="ended")
    client_for(MODERN).delete_meeting(MeetingId=ended["MeetingId"])
    with pytest.raises(client_for(PIPES).exceptions.NotFoundException):
        stream(ended["MeetingArn"], made["PoolArn"])


def test_every_kind_is_listed_and_answered_by_get_media_pipeline(fake_chime: FakeChime) -> None:
    made = meeting()
    kinds = {
        capture(arn=made["MeetingArn"])["MediaPipelineId"]: "MediaCapturePipeline",
        live(made["MeetingArn"])["MediaPipelineId"]: "MediaLiveConnectorPipeline",
        stream(made["MeetingArn"], pool()["PoolArn"])["MediaPipelineId"]: "MediaStreamPipeline",
    }
    listed = [p["MediaPipelineId"] for p in client_for(PIPES).list_media_pipelines()["MediaPipelines"]]
    assert listed == list(kinds)
    for pipeline_id, kind in kinds.items():
        answer = client_for(PIPES).get_media_pipeline(MediaPipelineId=pipeline_id)["MediaPipeline"]
        assert list(answer) == [kind]
        assert (
            validate.output_problems(fake_chime.media_pipelines[pipeline_id], pipelines.record_shape(PIPES, kind)) == []
        )
    assert [
        p["MediaPipelineId"] for p in client_for(PIPES).list_media_capture_pipelines()["MediaCapturePipelines"]
    ] == [next(iter(kinds))]


def test_pool_tags(fake_chime: FakeChime) -> None:
    arn = pool()["PoolArn"]
    client_for(PIPES).tag_resource(ResourceARN=arn, Tags=[{"Key": "team", "Value": "media"}])
    assert client_for(PIPES).list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "team", "Value": "media"}]


# --- faker, and the strategies for every operation ---------------------------------------------------


def test_the_faker_provider_makes_pipelines_the_model_can_carry() -> None:
    from faker import Faker

    from pytest_chime.providers import ChimeProvider

    fake = Faker()
    fake.add_provider(ChimeProvider)
    fake.seed_instance(7)
    made = fake.chime_media_capture_pipeline()
    assert validate.output_problems(made, pipelines.record_shape(PIPES, "MediaCapturePipeline")) == []
    assert pipelines.source_meeting_id(made["SourceArn"]) is not None
    assert pipelines.s3_sink(made["SinkArn"]) is not None
    assert fake.chime_media_pipeline_arn(pipeline_id="x").endswith(":media-pipeline/x")
    with pytest.raises(ValueError, match="no member"):
        fake.chime_media_capture_pipeline(Colour="red")


@pytest.mark.parametrize("name", operations.implemented(PIPES))
@settings(
    max_examples=10,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.large_base_example, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_operation_has_requests_breaking_no_rule_and_invalid_ones_breaking_one(
    name: str, data: st.DataObject
) -> None:
    params = data.draw(chime_st.requests(name, service=PIPES))
    assert operations.check(PIPES, name, params) == []
    if chime_st.invalid.breakable_rules(name, service=PIPES):
        broken = data.draw(chime_st.invalid_requests(name, service=PIPES))
        found = operations.check(PIPES, name, broken.params)
        assert [(v.member, v.rule) for v in found] == [(broken.member, broken.rule)]


@pytest.mark.parametrize(
    ("name", "rules"),
    [
        ("CreateMediaConcatenationPipeline", {"s3-destination"}),
        ("CreateMediaLiveConnectorPipeline", {"meeting-source-arn", "rtmp-url"}),
        ("CreateMediaStreamPipeline", {"meeting-source-arn", "kvs-pool-arn"}),
    ],
)
@settings(max_examples=5, deadline=None, database=None, derandomize=True)
@given(data=st.data())
def test_the_rules_on_sources_and_sinks_are_broken_and_refused(name: str, rules: set[str], data: st.DataObject) -> None:
    assert rules <= chime_st.invalid.breakable_rules(name, service=PIPES)
    broken = data.draw(chime_st.invalid_requests(name, service=PIPES, rules=sorted(rules)))
    with FakeChime(), pytest.raises(client_for(PIPES).exceptions.BadRequestException) as caught:
        getattr(client_for(PIPES), botocore.xform_name(name))(**broken.params)
    assert broken.member in caught.value.response["Error"]["Message"]
