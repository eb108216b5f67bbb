"""Media pipelines: media capture pipelines (both eras), the generic pipeline operations, and their tags."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from . import caches, facts, model, validate
from .errors import ServiceError
from .operations import Request, operation, page, rule
from .state import PipelineInfo, Record
from .validate import Violation

if TYPE_CHECKING:
    from botocore.model import Shape

    from .engine import Engine

CAPTURE = "MediaCapturePipeline"
PIPELINES = (facts.MEDIA_PIPELINES,)


# --- shapes ------------------------------------------------------------------------------------


@caches.cached(maxsize=16)
def record_shape(service: str, kind: str) -> Shape:
    """The model's shape of a pipeline of ``kind`` as ``service``'s Get answers it."""
    if service == facts.LEGACY:
        spec = model.operation(service, "GetMediaCapturePipeline")
        assert spec is not None
        return spec.output_shape.members[CAPTURE]
    spec = model.operation(service, "GetMediaPipeline")
    assert spec is not None
    return spec.output_shape.members["MediaPipeline"].members[kind]


def shaped(value: Any, shape: Shape) -> Any:
    """``value`` with only the members ``shape`` has (a summary from a record), in the model's order."""
    if shape.type_name == "structure" and isinstance(value, Mapping):
        return {name: shaped(value[name], member) for name, member in shape.members.items() if name in value}
    if shape.type_name == "list" and isinstance(value, list):
        return [shaped(item, shape.member) for item in value]
    return value


# --- the rules of a new capture pipeline ---------------------------------------------------------


def source_meeting_id(arn: object) -> str | None:
    """The MeetingId in a SourceArn of an accepted form (``facts.MEETING_SOURCE_PATTERN``), or None."""
    if not isinstance(arn, str):
        return None
    found = validate.regex(facts.MEETING_SOURCE_PATTERN).fullmatch(arn)
    if found is None or (found.group(1) and found.group(3) == ":"):
        return None
    return found.group(4)


@rule("source-arn", reads=("SourceArn",))
def _source(request: Request) -> list[Violation]:
    arn = request.params.get("SourceArn")
    if not isinstance(arn, str) or source_meeting_id(arn) is not None:
        return []
    return [
        Violation(
            "SourceArn",
            "source-arn",
            f"SourceArn {validate.shown(arn)} is not a meeting ARN: use the meeting's MeetingArn, "
            "or arn:aws:chime::<account>:meeting:<MeetingId>",
        )
    ]


def s3_sink(arn: object) -> tuple[str, str] | None:
    """(bucket, key prefix) of an S3 sink ARN, or None when ``arn`` is not one."""
    if not isinstance(arn, str):
        return None
    found = validate.regex(facts.S3_SINK_PATTERN).fullmatch(arn)
    if found is None or ".." in found.group(1):
        return None
    return found.group(1), (found.group(2) or "").strip("/")


@rule("sink-arn", reads=("SinkArn",))
def _sink(request: Request) -> list[Violation]:
    arn = request.params.get("SinkArn")
    if not isinstance(arn, str) or s3_sink(arn) is not None:
        return []
    return [
        Violation(
            "SinkArn",
            "sink-arn",
            f"SinkArn {validate.shown(arn)} is not an S3 bucket ARN: use arn:aws:s3:::<bucket> or "
            "arn:aws:s3:::<bucket>/<prefix>",
        )
    ]


#: The service's rules for a new capture pipeline, beyond the model's constraints.
NEW_CAPTURE_RULES = (_source, _sink, validate.tags_rule)


# --- state ---------------------------------------------------------------------------------------


def find(engine: Engine, request: Request, kinds: tuple[str, ...] | None = None) -> tuple[Record, PipelineInfo]:
    """The pipeline ``request`` names (of ``kinds``; None: any) created through its service, or NotFoundException."""
    pipeline_id = request.params["MediaPipelineId"]
    info = engine.state.pipeline_info(pipeline_id)
    if info is None or info.service != request.service or (kinds is not None and info.kind not in kinds):
        raise ServiceError("NotFoundException", facts.pipeline_not_found(pipeline_id))
    return engine.state.pipelines[pipeline_id], info


def source_meeting(engine: Engine, request: Request) -> Record:
    """The active meeting a SourceArn names, in this fake's account (and the meeting's region, when
    the ARN gives one), or BadRequestException: the model has no NotFoundException here."""
    arn = request.params["SourceArn"]
    found = validate.regex(facts.MEETING_SOURCE_PATTERN).fullmatch(arn)
    assert found is not None  # the source-arn rule passed
    region, account, meeting_id = found.group(1), found.group(2), found.group(4)
    meeting = engine.state.meetings.get(meeting_id)
    if meeting is not None and account == engine.fake.account_id:
        arn_region = str(meeting.get("MeetingArn", "")).split(":")[3:4]
        if not region or arn_region in ([region], []):
            return meeting
    raise ServiceError(
        "BadRequestException",
        f"SourceArn {validate.shown(arn)} does not name an active meeting of account {engine.fake.account_id}: "
        f"{facts.meeting_not_found(meeting_id)}",
    )


def _quota(engine: Engine, request: Request) -> None:
    if len(engine.state.pipelines) >= facts.MEDIA_PIPELINE_QUOTA:
        raise ServiceError(
            facts.QUOTA_CODES.get(request.service, "ResourceLimitExceededException"),
            f"The account has reached its quota of {facts.MEDIA_PIPELINE_QUOTA} active media pipelines",
        )


def _region(request: Request) -> str:
    return facts.control_region(request.service, request.region)


def _build(engine: Engine, request: Request, kind: str, made: dict[str, Any]) -> Record:
    """A new pipeline record of ``kind``: ``made`` and the request's members, in the model's order,
    as far as the model's shape has them."""
    pipeline_id = facts.media_pipeline_id(engine.ids)
    now = facts.iso_time(engine.state.now)
    made = {
        "MediaPipelineId": pipeline_id,
        "MediaPipelineArn": facts.media_pipeline_arn(_region(request), engine.fake.account_id, pipeline_id),
        "Status": "Initializing",
        "CreatedTimestamp": now,
        "UpdatedTimestamp": now,
        **made,
    }
    params = request.params
    record: Record = {}
    for name, shape in record_shape(request.service, kind).members.items():
        if name in made:
            record[name] = made[name]
        elif params.get(name) is not None:
            record[name] = shaped(params[name], shape)
    return record


def start(engine: Engine, request: Request, kind: str, record: Record, info: PipelineInfo) -> Record:
    """Keep a new pipeline; it answers Initializing and is InProgress from then on (``chime:MediaPipelineInProgress``).

    Returns what Create answers.
    """
    answered = dict(record)
    engine.state.add_pipeline(record, info)
    engine.state.update_pipeline(record["MediaPipelineId"], Status="InProgress")
    meeting = engine.state.meetings.get(_meeting_of(engine, info))
    if meeting is not None:
        engine.emit("chime:MediaPipelineInProgress", meeting, media_pipeline_id=record["MediaPipelineId"])
    tags = request.params.get("Tags")
    if tags and "MediaPipelineArn" in record:
        engine.state.set_tags(record["MediaPipelineId"], record["MediaPipelineArn"], [dict(tag) for tag in tags])
    return answered


def _meeting_of(engine: Engine, info: PipelineInfo) -> str:
    """The MeetingId a pipeline's media comes from (through the capture pipeline, for a concatenation)."""
    source = engine.state.pipeline_info(info.source)
    return source.source if source is not None else info.source


def stop(engine: Engine, pipeline_id: str) -> None:
    """A pipeline stops and is gone (``chime:MediaPipelineDeleted``)."""
    info = engine.state.pipeline_info(pipeline_id)
    if info is None:
        return
    meeting = engine.state.meetings.get(_meeting_of(engine, info))
    if meeting is not None:
        engine.emit("chime:MediaPipelineDeleted", meeting, media_pipeline_id=pipeline_id)
    engine.state.remove_pipeline(pipeline_id)


def stop_all(engine: Engine, meeting_id: str) -> None:
    """Stop every pipeline taking media from the meeting (it is ending)."""
    for pipeline_id in engine.state.pipelines_of(meeting_id):
        stop(engine, pipeline_id)


def _listing(engine: Engine, request: Request, key: str, kinds: tuple[str, ...] | None) -> dict[str, Any]:
    """One page of the service's pipelines (of ``kinds``), each as the listing's model shows it."""
    items = engine.state.numbered_pipelines(request.service, kinds)
    found, token = page(items, request, scope=f"{request.service}/{key}", key="NextToken")
    spec = model.operation(request.service, request.operation)
    assert spec is not None
    item_shape = spec.output_shape.members[key].member
    result: dict[str, Any] = {key: [shaped(item, item_shape) for item in found]}
    if token is not None:
        result["NextToken"] = token
    return result


# --- media capture pipelines ---------------------------------------------------------------------


@operation("CreateMediaCapturePipeline", rules=NEW_CAPTURE_RULES, services=facts.CAPTURE_SERVICES)
def create_media_capture_pipeline(engine: Engine, request: Request) -> dict[str, Any]:
    """A new capture pipeline recording a meeting to an S3 bucket (201); a ClientRequestToken seen
    before answers that token's pipeline."""
    params = request.params
    token = params.get("ClientRequestToken")
    if token is not None:
        existing = engine.state.pipeline_by_token(request.service, token)
        if existing is not None:
            return {CAPTURE: engine.state.pipelines[existing]}
    meeting = source_meeting(engine, request)
    _quota(engine, request)
    sink = s3_sink(params["SinkArn"])
    record = _build(engine, request, CAPTURE, {})
    info = PipelineInfo(request.service, CAPTURE, meeting["MeetingId"], token, sink)
    return {CAPTURE: start(engine, request, CAPTURE, record, info)}


@operation("GetMediaCapturePipeline", services=facts.CAPTURE_SERVICES)
def get_media_capture_pipeline(engine: Engine, request: Request) -> dict[str, Any]:
    """A capture pipeline, as Create answered it, with its Status now."""
    return {CAPTURE: find(engine, request, (CAPTURE,))[0]}


@operation("DeleteMediaCapturePipeline", services=facts.CAPTURE_SERVICES)
def delete_media_capture_pipeline(engine: Engine, request: Request) -> None:
    """Stop a capture pipeline: it is gone (204)."""
    stop(engine, find(engine, request, (CAPTURE,))[0]["MediaPipelineId"])


@operation("ListMediaCapturePipelines", services=facts.CAPTURE_SERVICES)
def list_media_capture_pipelines(engine: Engine, request: Request) -> dict[str, Any]:
    """The service's capture pipelines, oldest first, a page at a time."""
    return _listing(engine, request, "MediaCapturePipelines", (CAPTURE,))


# --- every kind ----------------------------------------------------------------------------------


@operation("GetMediaPipeline", services=PIPELINES)
def get_media_pipeline(engine: Engine, request: Request) -> dict[str, Any]:
    """Any pipeline, under its kind."""
    record, info = find(engine, request)
    return {"MediaPipeline": {info.kind: record}}


@operation("DeleteMediaPipeline", services=PIPELINES)
def delete_media_pipeline(engine: Engine, request: Request) -> None:
    """Stop any pipeline: it is gone (204)."""
    stop(engine, find(engine, request)[0]["MediaPipelineId"])


@operation("ListMediaPipelines", services=PIPELINES)
def list_media_pipelines(engine: Engine, request: Request) -> dict[str, Any]:
    """Every pipeline of every kind, oldest first, a page at a time."""
    return _listing(engine, request, "MediaPipelines", None)


# --- tags ----------------------------------------------------------------------------------------

_ARN_ID = re.compile(r"[^/]+$")


def _by_arn(engine: Engine, request: Request) -> tuple[str, str]:
    """(owner id, ARN) of the pipeline whose ARN is the request's ResourceARN, exactly as the fake answered it."""
    arn = request.params["ResourceARN"]
    found = _ARN_ID.search(arn)
    owner = found.group(0) if found else ""
    record = engine.state.pipelines.get(owner)
    if record is not None and record.get("MediaPipelineArn") == arn:
        return owner, arn
    raise ServiceError("NotFoundException", f"Resource {validate.shown(arn)} was not found")


@operation("TagResource", rules=(validate.tags_rule,), services=PIPELINES)
def tag_resource(engine: Engine, request: Request) -> None:
    """Add tags to a media pipeline named by its ARN (204)."""
    owner, arn = _by_arn(engine, request)
    merged = {tag["Key"]: tag["Value"] for tag in engine.state.tags_of(arn)}
    merged.update((tag["Key"], tag["Value"]) for tag in request.params["Tags"])
    if len(merged) > facts.MAX_PIPELINE_TAGS:
        raise ServiceError(
            "BadRequestException",
            f"A resource can have at most {facts.MAX_PIPELINE_TAGS} tags; this request would give it {len(merged)}",
        )
    engine.state.set_tags(owner, arn, [{"Key": key, "Value": value} for key, value in merged.items()])


@operation("UntagResource", services=PIPELINES)
def untag_resource(engine: Engine, request: Request) -> None:
    """Remove tags from a media pipeline named by its ARN (204)."""
    owner, arn = _by_arn(engine, request)
    removed = set(request.params["TagKeys"])
    previous = engine.state.tags_of(arn)
    if previous:
        engine.state.set_tags(owner, arn, [tag for tag in previous if tag["Key"] not in removed])


@operation("ListTagsForResource", services=PIPELINES)
def list_tags_for_resource(engine: Engine, request: Request) -> dict[str, Any]:
    """A media pipeline's tags, named by its ARN."""
    return {"Tags": [dict(tag) for tag in engine.state.tags_of(_by_arn(engine, request)[1])]}
