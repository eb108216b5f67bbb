"""Media pipeline events delivered like meeting events, and artifacts written to moto's S3 (deliver_artifacts)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws

from pytest_chime import FakeChime, HookError
from tests.conftest import make_client, valid_request

MODERN = "chime-sdk-meetings"
PIPES = "chime-sdk-media-pipelines"
QUICK = ("-p", "no:randomly", "-p", "no:hypothesispytest", "-p", "no:asyncio", "-p", "no:cacheprovider")


@pytest.fixture
def aws() -> Iterator[Any]:
    with mock_aws():
        s3 = make_client("s3")
        s3.create_bucket(Bucket="recordings")
        s3.create_bucket(Bucket="concatenated")
        yield s3


def keys(s3: Any, bucket: str) -> list[str]:
    return [item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def record(sink: str = "arn:aws:s3:::recordings") -> tuple[dict[str, Any], dict[str, Any]]:
    meeting = make_client(MODERN).create_meeting(**valid_request(MODERN))["Meeting"]
    pipeline = make_client(PIPES).create_media_capture_pipeline(
        SourceType="ChimeSdkMeeting", SourceArn=meeting["MeetingArn"], SinkType="S3Bucket", SinkArn=sink
    )["MediaCapturePipeline"]
    return meeting, pipeline


@pytest.mark.fake_chime(deliver_artifacts=True)
def test_a_capture_that_stops_leaves_its_artifacts_in_the_bucket(fake_chime: FakeChime, aws: Any) -> None:
    meeting, pipeline = record("arn:aws:s3:::recordings/standups")
    alice = make_client(MODERN).create_attendee(MeetingId=meeting["MeetingId"], ExternalUserId="alice")["Attendee"]
    assert keys(aws, "recordings") == []  # nothing while it records
    make_client(MODERN).delete_meeting(MeetingId=meeting["MeetingId"])
    found = keys(aws, "recordings")
    stamp = found[0].split("/")[-1].removesuffix(".mp4")
    assert sorted(found) == sorted(
        [
            f"standups/audio/{stamp}.mp4",
            f"standups/video/{stamp}-{alice['AttendeeId']}.mp4",
            f"standups/meeting-events/{stamp}.txt",
        ]
    )
    events = aws.get_object(Bucket="recordings", Key=f"standups/meeting-events/{stamp}.txt")["Body"].read()
    kinds = [json.loads(line)["detail"]["eventType"] for line in events.decode().splitlines()]
    assert kinds == ["chime:MeetingStarted", "chime:AttendeeAdded", "chime:MeetingEnded"]
    assert fake_chime.delivery_errors() == []
    assert pipeline["MediaPipelineId"] not in fake_chime.media_pipelines


def test_a_stop_a_hook_undoes_writes_no_artifact(aws: Any) -> None:
    def refuse(event: dict[str, Any]) -> None:
        if event["detail"]["eventType"] == "chime:MediaPipelineDeleted":
            raise RuntimeError("not now")

    fake = FakeChime(deliver_artifacts=True, on_event=refuse).start()
    try:
        _, pipeline = record()
        with pytest.raises(HookError, match="not now"):
            make_client(PIPES).delete_media_capture_pipeline(MediaPipelineId=pipeline["MediaPipelineId"])
        assert keys(aws, "recordings") == []
        assert pipeline["MediaPipelineId"] in fake.media_pipelines
    finally:
        fake.stop()


@pytest.mark.fake_chime(deliver_artifacts=True)
def test_without_a_prefix_the_artifacts_go_under_the_pipeline_id(fake_chime: FakeChime, aws: Any) -> None:
    _, pipeline = record()
    make_client(PIPES).delete_media_capture_pipeline(MediaPipelineId=pipeline["MediaPipelineId"])
    assert {key.split("/")[0] for key in keys(aws, "recordings")} == {pipeline["MediaPipelineId"]}


@pytest.mark.fake_chime(deliver_artifacts=True)
def test_a_concatenation_writes_one_file_per_enabled_artifact(fake_chime: FakeChime, aws: Any) -> None:
    _, pipeline = record()
    on, off = {"State": "Enabled"}, {"State": "Disabled"}
    artifacts = {"Audio": on, "Video": off, "Content": off, "DataChannel": off, "TranscriptionMessages": off}
    artifacts |= {"MeetingEvents": on, "CompositedVideo": on}
    joined = make_client(PIPES).create_media_concatenation_pipeline(
        Sources=[
            {
                "Type": "MediaCapturePipeline",
                "MediaCapturePipelineSourceConfiguration": {
                    "MediaPipelineArn": pipeline["MediaPipelineArn"],
                    "ChimeSdkMeetingConfiguration": {"ArtifactsConfiguration": artifacts},
                },
            }
        ],
        Sinks=[{"Type": "S3Bucket", "S3BucketSinkConfiguration": {"Destination": "arn:aws:s3:::concatenated/out"}}],
    )["MediaConcatenationPipeline"]
    make_client(PIPES).delete_media_pipeline(MediaPipelineId=pipeline["MediaPipelineId"])
    joined_id = joined["MediaPipelineId"]
    assert sorted(keys(aws, "concatenated")) == [
        f"out/audio/{joined_id}.mp4",
        f"out/composited-video/{joined_id}.mp4",
        f"out/meeting-events/{joined_id}.txt",
    ]
    kinds = [e["detail"]["eventType"] for e in fake_chime.events if "mediaPipelineId" in e["detail"]]
    assert kinds == ["chime:MediaPipelineInProgress"] * 2 + ["chime:MediaPipelineDeleted"] * 2


def test_no_artifacts_unless_asked(fake_chime: FakeChime, aws: Any) -> None:
    _, pipeline = record()
    make_client(PIPES).delete_media_capture_pipeline(MediaPipelineId=pipeline["MediaPipelineId"])
    assert keys(aws, "recordings") == []


@pytest.mark.fake_chime(deliver_events=True)
def test_pipeline_events_reach_the_meetings_queue(fake_chime: FakeChime, aws: Any) -> None:
    sqs = make_client("sqs")
    url = sqs.create_queue(QueueName="chime-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    meeting = make_client(MODERN).create_meeting(
        **valid_request(MODERN, NotificationsConfiguration={"SqsQueueArn": arn})
    )["Meeting"]
    make_client(PIPES).create_media_capture_pipeline(
        SourceType="ChimeSdkMeeting",
        SourceArn=meeting["MeetingArn"],
        SinkType="S3Bucket",
        SinkArn="arn:aws:s3:::recordings",
    )
    make_client(MODERN).delete_meeting(MeetingId=meeting["MeetingId"])
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    bodies = [json.loads(m["Body"]) for m in messages]
    assert bodies == fake_chime.events
    assert [b["detail-type"] for b in bodies].count("Chime Media Pipeline State Change") == 2


def test_an_undeliverable_artifact_fails_the_test_and_never_reaches_the_network(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3, pytest

        @pytest.mark.fake_chime(deliver_artifacts=True)
        def test_recording_without_s3(fake_chime):
            chime = boto3.client("chime-sdk-meetings", region_name="us-east-1")
            pipes = boto3.client("chime-sdk-media-pipelines", region_name="us-east-1")
            meeting = chime.create_meeting(
                ClientRequestToken="t-1", MediaRegion="us-east-1", ExternalMeetingId="standup"
            )["Meeting"]
            pipes.create_media_capture_pipeline(
                SourceType="ChimeSdkMeeting", SourceArn=meeting["MeetingArn"],
                SinkType="S3Bucket", SinkArn="arn:aws:s3:::recordings",
            )
            chime.delete_meeting(MeetingId=meeting["MeetingId"])
        """
    )
    result = pytester.runpytest_inprocess(*QUICK)
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*artifact s3://recordings/*not written*stopped before the network*"])
