"""Recording a meeting to S3 with a media capture pipeline, and finding its recordings afterwards.

``start_recording`` asks chime-sdk-media-pipelines to capture a meeting into a bucket under a
prefix of the meeting's own (one capture per meeting: asking again returns the one running,
as its ClientRequestToken is the MeetingId); ``stop_recording`` stops it; ``recordings``
lists the audio files a stopped capture left under that prefix, oldest first.
"""

from __future__ import annotations

from typing import Any


def start_recording(pipelines: Any, meeting: dict[str, Any], bucket: str) -> str:
    """Start capturing ``meeting`` (as GetMeeting answers it) into ``bucket``; the MediaPipelineId."""
    answer = pipelines.create_media_capture_pipeline(
        SourceType="ChimeSdkMeeting",
        SourceArn=meeting["MeetingArn"],
        SinkType="S3Bucket",
        SinkArn=f"arn:aws:s3:::{bucket}/meetings/{meeting['MeetingId']}",
        ClientRequestToken=meeting["MeetingId"],
    )
    return str(answer["MediaCapturePipeline"]["MediaPipelineId"])


def stop_recording(pipelines: Any, pipeline_id: str) -> bool:
    """Stop a capture; False when it had already stopped (its meeting ended, or it was stopped before)."""
    try:
        pipelines.delete_media_capture_pipeline(MediaPipelineId=pipeline_id)
    except pipelines.exceptions.NotFoundException:
        return False
    return True


def recordings(s3: Any, bucket: str, meeting_id: str) -> list[str]:
    """The keys of the audio files recorded for ``meeting_id``, oldest first."""
    prefix = f"meetings/{meeting_id}/audio/"
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return sorted(item["Key"] for page in pages for item in page.get("Contents", []))
