"""meetingsvc's recording helpers against the fake's media pipelines and moto's S3.

With ``deliver_artifacts=True``, a capture pipeline that stops (stopped by the service, or
because its meeting ended) writes placeholder artifacts to its bucket, in the folders a real
recording uses, so the code that finds recordings is tested against what Chime leaves.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from meetingsvc.recording import recordings, start_recording, stop_recording
from moto import mock_aws

from pytest_chime import FakeChime

pytestmark = pytest.mark.fake_chime(deliver_artifacts=True)
BUCKET = "meeting-recordings"


@pytest.fixture
def s3() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client


@pytest.fixture
def chime(fake_chime: FakeChime) -> Any:
    return boto3.client("chime-sdk-meetings", region_name="us-east-1")


@pytest.fixture
def pipelines(fake_chime: FakeChime) -> Any:
    return boto3.client("chime-sdk-media-pipelines", region_name="us-east-1")


def new_meeting(chime: Any, name: str) -> dict[str, Any]:
    return dict(
        chime.create_meeting(ClientRequestToken=f"{name}-0001", MediaRegion="us-east-1", ExternalMeetingId=name)[
            "Meeting"
        ]
    )


def test_a_stopped_recording_is_found(chime: Any, pipelines: Any, s3: Any, fake_chime: FakeChime) -> None:
    meeting = new_meeting(chime, "standup")
    pipeline_id = start_recording(pipelines, meeting, BUCKET)
    assert start_recording(pipelines, meeting, BUCKET) == pipeline_id  # one capture per meeting
    assert recordings(s3, BUCKET, meeting["MeetingId"]) == []  # nothing until it stops

    assert stop_recording(pipelines, pipeline_id)
    [audio] = recordings(s3, BUCKET, meeting["MeetingId"])
    assert audio.endswith(".mp4")
    assert fake_chime.media_pipelines == {}


def test_a_meeting_that_ends_stops_its_recording(chime: Any, pipelines: Any, s3: Any, fake_chime: FakeChime) -> None:
    meeting = new_meeting(chime, "retro")
    pipeline_id = start_recording(pipelines, meeting, BUCKET)
    fake_chime.advance(minutes=5)  # nobody joined: Chime ends the meeting, and its capture with it

    assert not stop_recording(pipelines, pipeline_id)
    assert len(recordings(s3, BUCKET, meeting["MeetingId"])) == 1
    kinds = [event["detail"]["eventType"] for event in fake_chime.events]
    assert kinds[-2:] == ["chime:MeetingEnded", "chime:MediaPipelineDeleted"]


def test_recording_an_ended_meeting_is_refused(chime: Any, pipelines: Any, fake_chime: FakeChime) -> None:
    meeting = new_meeting(chime, "planning")
    chime.delete_meeting(MeetingId=meeting["MeetingId"])
    with pytest.raises(pipelines.exceptions.BadRequestException):
        start_recording(pipelines, meeting, BUCKET)
