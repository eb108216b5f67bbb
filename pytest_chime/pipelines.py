"""Media pipelines: media capture pipelines (both eras), the generic pipeline operations, and their tags."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from . import caches, facts, model, tags, validate
from .errors import ServiceError
from .operations import Request, operation, page, rule
from .state import PipelineInfo, Record
from .validate import Violation

if TYPE_CHECKING:
    from botocore.model import Shape

    from .engine import Engine

CAPTURE = "MediaCapturePipeline"
CONCATENATION = "MediaConcatenationPipeline"
LIVE_CONNECTOR = "MediaLiveConnectorPipeline"
STREAM = "MediaStreamPipeline"
POOL = "KinesisVideoStreamPoolConfiguration"
PIPELINES = (facts.MEDIA_PIPELINES,)


# --- shapes ------------------------------------------------------------------------------------


@caches.cached(maxsize=16)
def record_shape(service: str, kind: str) -> Shape:
    """The model's shape of a pipeline of ``kind`` as ``service``'s Get answers it."""
    if service == facts.LEGACY:
        spec = model.operation(service, "GetMediaCapturePipeline")
        assert spec is not None
        return spec.output_shape.members[CAPTURE]
    if kind == POOL:
        spec = model.operation(service, "GetMediaPipelineKinesisVideoStreamPool")
        assert spec is not None
        return spec.output_shape.members[POOL]
    spec = model.operation(service, "GetMediaPipeline")
    assert spec is not None
    return spec.output_shape.members["MediaPipeline"].members[kind]


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
            record[name] = model.shaped(params[name], shape)
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
    given = request.params.get("Tags")
    if given and "MediaPipelineArn" in record:
        engine.state.set_tags(record["MediaPipelineId"], record["MediaPipelineArn"], [dict(tag) for tag in given])
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
    if engine.fake.deliver_artifacts and info.sink is not None:
        _write_artifacts(engine, pipeline_id, info)
    for following in engine.state.pipelines_of(pipeline_id):  # a concatenation of this capture: it is done
        stop(engine, following)
    engine.state.remove_pipeline(pipeline_id)


def artifacts(engine: Engine, pipeline_id: str, info: PipelineInfo) -> dict[str, bytes]:
    """The placeholder objects a stopping capture or concatenation pipeline leaves in its bucket: key -> body.

    Under the sink's prefix, else the pipeline's id; a capture's chunks are named by the time it
    stopped (video by attendee too), a concatenation's files by its id, one per artifact enabled.
    """
    assert info.sink is not None
    base = info.sink[1] or pipeline_id
    now = engine.state.now
    stamp = f"{now:%Y-%m-%d-%H-%M-%S}-{now.microsecond // 1000:03d}"
    placeholder = f"pytest-chime placeholder of media pipeline {pipeline_id}: ".encode()
    if info.kind == CONCATENATION:
        record = engine.state.pipelines[pipeline_id]
        source = record.get("Sources", [{}])[0]
        config = _nested(source, "MediaCapturePipelineSourceConfiguration", "ChimeSdkMeetingConfiguration")
        chosen = _nested(config, "ArtifactsConfiguration") or {}
        found = {}
        for name, (folder, extension) in facts.CONCATENATION_FOLDERS.items():
            if _nested(chosen, name, "State") == "Enabled":
                found[f"{base}/{folder}/{pipeline_id}.{extension}"] = placeholder + folder.encode()
        return found
    found = {f"{base}/audio/{stamp}.mp4": placeholder + b"audio"}
    meeting_id = info.source
    for attendee_id in engine.state.attendees_of(meeting_id):
        found[f"{base}/video/{stamp}-{attendee_id}.mp4"] = placeholder + b"video"
    lines = [
        json.dumps(event)
        for event in engine.events()
        if event["detail"].get("meetingId") == meeting_id and "mediaPipelineId" not in event["detail"]
    ]
    found[f"{base}/meeting-events/{stamp}.txt"] = "\n".join(lines).encode()
    if meeting_id in engine.state.transcriptions:
        found[f"{base}/transcription-messages/{stamp}.txt"] = placeholder + b"transcription-messages"
    return found


def _write_artifacts(engine: Engine, pipeline_id: str, info: PipelineInfo) -> None:
    from . import delivery

    assert info.sink is not None
    objects = artifacts(engine, pipeline_id, info)  # what the pipeline recorded until now
    what = f"media pipeline {pipeline_id} ({info.kind})"
    bucket = info.sink[0]

    def write() -> None:  # once the call that stops the pipeline holds: an undone stop writes nothing
        engine.delivery_errors += delivery.write_objects(bucket, objects, what)

    engine.afterwards(write)


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
    result: dict[str, Any] = {key: [model.shaped(item, item_shape) for item in found]}
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
    pool = engine.state.pools.get(owner)
    if pool is not None and pool.get("PoolArn") == arn:
        return owner, arn
    raise ServiceError("NotFoundException", f"Resource {validate.shown(arn)} was not found")


@operation("TagResource", rules=(validate.tags_rule,), services=PIPELINES)
def tag_resource(engine: Engine, request: Request) -> None:
    """Add tags to a media pipeline named by its ARN (204)."""
    tags.tag(engine, _by_arn(engine, request), request.params["Tags"], facts.MAX_PIPELINE_TAGS, "BadRequestException")


@operation("UntagResource", services=PIPELINES)
def untag_resource(engine: Engine, request: Request) -> None:
    """Remove tags from a media pipeline named by its ARN (204)."""
    tags.untag(engine, _by_arn(engine, request), request.params["TagKeys"])


@operation("ListTagsForResource", services=PIPELINES)
def list_tags_for_resource(engine: Engine, request: Request) -> dict[str, Any]:
    """A media pipeline's tags, named by its ARN."""
    return tags.listed(engine, _by_arn(engine, request))


# --- concatenation, live connector and stream pipelines -------------------------------------------


def _items(request: Request, member: str) -> list[dict[str, Any]]:
    found = request.params.get(member)
    return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []


def _nested(item: Mapping[str, Any], *path: str) -> Any:
    value: Any = item
    for name in path:
        value = value.get(name) if isinstance(value, Mapping) else None
    return value


def _nested_rule(member: str, path: tuple[str, ...], name: str, check: Any, what: str, *, arn: bool = True) -> Any:
    """A rule on ``member``'s items: each item's value at ``path`` must pass ``check`` (``what`` it must be);
    ``arn``: the model gives the value its ARN pattern."""

    @rule(name, reads=(member,))
    def nested(request: Request) -> list[Violation]:
        out = []
        for index, item in enumerate(_items(request, member), start=1):
            value = _nested(item, *path)
            # A value the model's pattern refuses is the model's to report (one rule per broken value).
            if isinstance(value, str) and (not arn or _MODEL_ARN.fullmatch(value)) and check(value) is None:
                where = ".".join((member, str(index), *path))
                out.append(Violation(where, name, f"{where} {validate.shown(value)} is not {what}"))
        return out

    return nested


#: The model's pattern of every ARN member; for other members, anything.
_MODEL_ARN = re.compile(r"arn[/:\-_.a-zA-Z0-9]+")


def rtmp_url(url: str) -> str | None:
    """``url`` when it is an RTMP or RTMPS URL with a host, else None."""
    found = validate.regex(facts.RTMP_URL_PATTERN).fullmatch(url)
    return url if found else None


def pool_name_of(arn: str) -> str | None:
    """The PoolName of a Kinesis Video Stream pool ARN, or None."""
    found = validate.regex(facts.KVS_POOL_ARN_PATTERN).fullmatch(arn)
    return found.group(1) if found else None


_CONCATENATION_SINK = _nested_rule(
    "Sinks", ("S3BucketSinkConfiguration", "Destination"), "s3-destination", s3_sink, "an S3 bucket ARN"
)
_LIVE_SOURCE = _nested_rule(
    "Sources",
    ("ChimeSdkMeetingLiveConnectorConfiguration", "Arn"),
    "meeting-source-arn",
    source_meeting_id,
    "a meeting ARN",
)
_RTMP = _nested_rule(
    "Sinks", ("RTMPConfiguration", "Url"), "rtmp-url", rtmp_url, "an rtmp:// or rtmps:// URL", arn=False
)
_STREAM_SOURCE = _nested_rule("Sources", ("SourceArn",), "meeting-source-arn", source_meeting_id, "a meeting ARN")
_STREAM_SINK = _nested_rule(
    "Sinks", ("SinkArn",), "kvs-pool-arn", pool_name_of, "a media pipeline Kinesis Video Stream pool ARN"
)


def _by_token(engine: Engine, request: Request, kind: str) -> dict[str, Any] | None:
    token = request.params.get("ClientRequestToken")
    existing = engine.state.pipeline_by_token(request.service, token) if token is not None else None
    return None if existing is None else {kind: engine.state.pipelines[existing]}


def _meeting_by_arn(engine: Engine, request: Request, arn: str, code: str) -> Record:
    """The active meeting ``arn`` names, else ``code`` (the error the operation models)."""
    try:
        return source_meeting(engine, Request(request.service, request.operation, {"SourceArn": arn}, request.region))
    except ServiceError as error:
        raise ServiceError(code, error.message) from None


def _create_kind(
    engine: Engine, request: Request, kind: str, source: str, sink: tuple[str, str] | None = None
) -> dict[str, Any]:
    _quota(engine, request)
    record = _build(engine, request, kind, {})
    info = PipelineInfo(request.service, kind, source, request.params.get("ClientRequestToken"), sink)
    return {kind: start(engine, request, kind, record, info)}


@operation("CreateMediaConcatenationPipeline", rules=(_CONCATENATION_SINK, validate.tags_rule), services=PIPELINES)
def create_media_concatenation_pipeline(engine: Engine, request: Request) -> dict[str, Any]:
    """A concatenation of a capture pipeline the fake holds, into an S3 bucket (201); it completes
    when its capture pipeline stops."""
    found = _by_token(engine, request, CONCATENATION)
    if found is not None:
        return found
    arn = _nested(request.params["Sources"][0], "MediaCapturePipelineSourceConfiguration", "MediaPipelineArn")
    pipeline_id = str(arn).rsplit("/", 1)[-1]
    source = engine.state.pipelines.get(pipeline_id)
    info = engine.state.pipeline_info(pipeline_id)
    if source is None or info is None or info.kind != CAPTURE or source.get("MediaPipelineArn") != arn:
        raise ServiceError(
            "BadRequestException", f"MediaPipelineArn {validate.shown(arn)} is not a media capture pipeline in progress"
        )
    sink = s3_sink(_nested(request.params["Sinks"][0], "S3BucketSinkConfiguration", "Destination"))
    return _create_kind(engine, request, CONCATENATION, pipeline_id, sink)


@operation("CreateMediaLiveConnectorPipeline", rules=(_LIVE_SOURCE, _RTMP, validate.tags_rule), services=PIPELINES)
def create_media_live_connector_pipeline(engine: Engine, request: Request) -> dict[str, Any]:
    """A live connector streaming a meeting the fake holds to an RTMP URL (201)."""
    found = _by_token(engine, request, LIVE_CONNECTOR)
    if found is not None:
        return found
    arn = _nested(request.params["Sources"][0], "ChimeSdkMeetingLiveConnectorConfiguration", "Arn")
    meeting = _meeting_by_arn(engine, request, str(arn), "BadRequestException")
    return _create_kind(engine, request, LIVE_CONNECTOR, meeting["MeetingId"])


@operation("CreateMediaStreamPipeline", rules=(_STREAM_SOURCE, _STREAM_SINK, validate.tags_rule), services=PIPELINES)
def create_media_stream_pipeline(engine: Engine, request: Request) -> dict[str, Any]:
    """A stream pipeline sending a meeting the fake holds to Kinesis Video Stream pools it holds (201);
    an unknown meeting or pool is NotFoundException (the model has it here)."""
    found = _by_token(engine, request, STREAM)
    if found is not None:
        return found
    meetings = [
        _meeting_by_arn(engine, request, item["SourceArn"], "NotFoundException") for item in _items(request, "Sources")
    ]
    for item in _items(request, "Sinks"):
        pool = _pool(engine, str(pool_name_of(item["SinkArn"])))
        if pool is None or pool["PoolArn"] != item["SinkArn"]:
            raise ServiceError(
                "NotFoundException", f"Kinesis Video Stream pool {validate.shown(item['SinkArn'])} not found"
            )
    return _create_kind(engine, request, STREAM, meetings[0]["MeetingId"])


# --- Kinesis Video Stream pools -------------------------------------------------------------------


def _pool(engine: Engine, name: str) -> Record | None:
    return engine.state.pools.get(name)


def _find_pool(engine: Engine, request: Request) -> Record:
    """The pool the Identifier names (its PoolName, PoolId or PoolArn), or NotFoundException."""
    identifier = request.params["Identifier"]
    for pool in engine.state.pools.values():
        if identifier in (pool["PoolName"], pool["PoolArn"], pool["PoolId"]):
            return pool
    raise ServiceError("NotFoundException", f"Kinesis Video Stream pool {validate.shown(identifier)} not found")


@operation("CreateMediaPipelineKinesisVideoStreamPool", rules=(validate.tags_rule,), services=PIPELINES)
def create_kinesis_video_stream_pool(engine: Engine, request: Request) -> dict[str, Any]:
    """A new pool (201), CREATING as answered and ACTIVE from then on; a PoolName in use is ConflictException."""
    params = request.params
    name = params["PoolName"]
    if name in engine.state.pools:
        raise ServiceError("ConflictException", f"A Kinesis Video Stream pool named {validate.shown(name)} exists")
    now = facts.iso_time(engine.state.now)
    made = {
        "PoolArn": facts.kvs_pool_arn(_region(request), engine.fake.account_id, name),
        "PoolName": name,
        "PoolId": facts.kvs_pool_id(engine.ids, name),
        "PoolStatus": "CREATING",
        "PoolSize": 0,
        "StreamConfiguration": params["StreamConfiguration"],
        "CreatedTimestamp": now,
        "UpdatedTimestamp": now,
    }
    pool = model.shaped(made, record_shape(request.service, POOL))
    answered = dict(pool)
    engine.state.set_pool(name, {**pool, "PoolStatus": "ACTIVE"})
    if params.get("Tags"):
        engine.state.set_tags(name, pool["PoolArn"], [dict(tag) for tag in params["Tags"]])
    return {POOL: answered}


@operation("GetMediaPipelineKinesisVideoStreamPool", services=PIPELINES)
def get_kinesis_video_stream_pool(engine: Engine, request: Request) -> dict[str, Any]:
    """A pool, by name, id or ARN."""
    return {POOL: _find_pool(engine, request)}


@operation("UpdateMediaPipelineKinesisVideoStreamPool", services=PIPELINES)
def update_kinesis_video_stream_pool(engine: Engine, request: Request) -> dict[str, Any]:
    """Change a pool's DataRetentionInHours (answered UPDATING, ACTIVE from then on)."""
    pool = _find_pool(engine, request)
    retention = _nested(request.params, "StreamConfiguration", "DataRetentionInHours")
    stream = dict(pool["StreamConfiguration"])
    if retention is not None:
        stream["DataRetentionInHours"] = retention
    updated = {**pool, "StreamConfiguration": stream, "UpdatedTimestamp": facts.iso_time(engine.state.now)}
    engine.state.set_pool(pool["PoolName"], updated)
    return {POOL: {**updated, "PoolStatus": "UPDATING"}}


@operation("DeleteMediaPipelineKinesisVideoStreamPool", services=PIPELINES)
def delete_kinesis_video_stream_pool(engine: Engine, request: Request) -> None:
    """Delete a pool (204); one a stream pipeline in progress uses is ConflictException."""
    pool = _find_pool(engine, request)
    for record in engine.state.pipelines.values():
        if any(sink.get("SinkArn") == pool["PoolArn"] for sink in record.get("Sinks") or ()):
            raise ServiceError(
                "ConflictException", f"Pool {pool['PoolName']} is used by media pipeline {record['MediaPipelineId']}"
            )
    engine.state.set_pool(pool["PoolName"], None)


@operation("ListMediaPipelineKinesisVideoStreamPools", services=PIPELINES)
def list_kinesis_video_stream_pools(engine: Engine, request: Request) -> dict[str, Any]:
    """The pools, oldest first, a page at a time (summaries: PoolName, PoolId, PoolArn)."""
    items = engine.state.numbered_pools()
    found, token = page(items, request, scope=f"{request.service}/pools", key="NextToken")
    spec = model.operation(request.service, request.operation)
    assert spec is not None
    shape = spec.output_shape.members["KinesisVideoStreamPools"].member
    result: dict[str, Any] = {"KinesisVideoStreamPools": [model.shaped(pool, shape) for pool in found]}
    if token is not None:
        result["NextToken"] = token
    return result
