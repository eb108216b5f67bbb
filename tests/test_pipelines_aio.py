"""Media pipelines from async clients (aiobotocore): answered through the same wire as sync ones."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from pytest_chime import FakeChime

aiobotocore_session = pytest.importorskip(
    "aiobotocore.session", reason="aiobotocore is not installed (pytest-chime[aio])"
)
pytest_asyncio = pytest.importorskip("pytest_asyncio", reason="the async tests run with pytest-asyncio")


@pytest_asyncio.fixture
async def clients() -> AsyncIterator[tuple[Any, Any]]:
    session = aiobotocore_session.get_session()
    keys = {"region_name": "us-east-1", "aws_access_key_id": "AKIDEXAMPLE", "aws_secret_access_key": "not-a-secret"}
    async with (
        session.create_client("chime-sdk-meetings", **keys) as meetings,
        session.create_client("chime-sdk-media-pipelines", **keys) as pipelines,
    ):
        yield meetings, pipelines


@pytest.mark.asyncio
async def test_an_async_recording_from_start_to_end(fake_chime: FakeChime, clients: tuple[Any, Any]) -> None:
    meetings, pipelines = clients
    meeting = (
        await meetings.create_meeting(ClientRequestToken="aio-1", MediaRegion="us-east-1", ExternalMeetingId="standup")
    )["Meeting"]
    made = await pipelines.create_media_capture_pipeline(
        SourceType="ChimeSdkMeeting",
        SourceArn=meeting["MeetingArn"],
        SinkType="S3Bucket",
        SinkArn="arn:aws:s3:::recordings",
    )
    assert made["ResponseMetadata"]["HTTPStatusCode"] == 201
    pipeline_id = made["MediaCapturePipeline"]["MediaPipelineId"]
    got = await pipelines.get_media_pipeline(MediaPipelineId=pipeline_id)
    assert got["MediaPipeline"]["MediaCapturePipeline"]["Status"] == "InProgress"
    assert [p["MediaPipelineId"] for p in (await pipelines.list_media_pipelines())["MediaPipelines"]] == [pipeline_id]
    fake_chime.fail("ServiceUnavailableException", operation="GetMediaCapturePipeline")
    again = await pipelines.get_media_capture_pipeline(MediaPipelineId=pipeline_id)  # retried by botocore
    assert again["ResponseMetadata"]["RetryAttempts"] == 1
    await meetings.delete_meeting(MeetingId=meeting["MeetingId"])
    with pytest.raises(pipelines.exceptions.NotFoundException):
        await pipelines.get_media_capture_pipeline(MediaPipelineId=pipeline_id)
