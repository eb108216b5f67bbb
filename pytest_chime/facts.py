"""What the real Chime service does that botocore's model does not say, each fact beside its source."""

from __future__ import annotations

import binascii
import datetime as dt
from typing import TYPE_CHECKING, Final

from . import caches

if TYPE_CHECKING:
    import random

LEGACY: Final = "chime"
MODERN: Final = "chime-sdk-meetings"
MEDIA_PIPELINES: Final = "chime-sdk-media-pipelines"
#: Every service the fake serves: the meetings API's two, and media pipelines (recording).
SERVICES: Final = (LEGACY, MODERN, MEDIA_PIPELINES)
#: The services of the meetings API (an operation serves these unless it says otherwise).
MEETING_SERVICES: Final = (LEGACY, MODERN)
#: The services with media capture pipelines: legacy ``chime`` (up to botocore 1.37.1) and media pipelines.
CAPTURE_SERVICES: Final = (LEGACY, MEDIA_PIPELINES)

#: Media regions and the short code real MediaPlacement hosts carry.
#: Verified codes: ue1 ue2 uw2 ew1 ew2 ec1 an1 an2 as1 as2 ao1; uw1 seen.
#: Chosen (never seen in a real response): ew3 en1 es1 cc1 se1 fs1 ic1 ge1 gw1.
REGION_CODES: Final[dict[str, str]] = {
    "us-east-1": "ue1",
    "us-east-2": "ue2",
    "us-west-1": "uw1",
    "us-west-2": "uw2",
    "ca-central-1": "cc1",
    "sa-east-1": "se1",
    "eu-west-1": "ew1",
    "eu-west-2": "ew2",
    "eu-west-3": "ew3",
    "eu-central-1": "ec1",
    "eu-north-1": "en1",
    "eu-south-1": "es1",
    "af-south-1": "fs1",
    "ap-northeast-1": "an1",
    "ap-northeast-2": "an2",
    "ap-south-1": "ao1",
    "ap-southeast-1": "as1",
    "ap-southeast-2": "as2",
    "il-central-1": "ic1",
    "us-gov-east-1": "ge1",
    "us-gov-west-1": "gw1",
}

#: The 18 media regions the legacy API reference lists for ``chime``.
LEGACY_MEDIA_REGIONS: Final = (
    "af-south-1", "ap-northeast-1", "ap-northeast-2", "ap-south-1", "ap-southeast-1",
    "ap-southeast-2", "ca-central-1", "eu-central-1", "eu-north-1", "eu-south-1",
    "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1", "us-east-1", "us-east-2",
    "us-west-1", "us-west-2",
)  # fmt: skip

#: ``chime-sdk-meetings`` adds Tel Aviv and the GovCloud media regions.
MODERN_MEDIA_REGIONS: Final = (*LEGACY_MEDIA_REGIONS, "il-central-1", "us-gov-east-1", "us-gov-west-1")

MEDIA_REGIONS: Final[dict[str, tuple[str, ...]]] = {
    LEGACY: LEGACY_MEDIA_REGIONS,
    MODERN: MODERN_MEDIA_REGIONS,
    # A media pipeline records chime-sdk-meetings meetings: theirs (it has no MediaRegion of its own).
    MEDIA_PIPELINES: MODERN_MEDIA_REGIONS,
}

#: The legacy service has one control region.
LEGACY_CONTROL_REGION: Final = "us-east-1"
#: MediaRegion when a legacy request leaves it out.
LEGACY_DEFAULT_MEDIA_REGION: Final = "us-east-1"

DEFAULT_REGION: Final = "us-east-1"
DEFAULT_ACCOUNT_ID: Final = "123456789012"

#: Keys put in the environment while a fake is active when it has none (never valid at AWS).
DUMMY_ACCESS_KEY_ID: Final = "AKIAPYTESTCHIMEDUMMY"
DUMMY_SECRET_KEY: Final = "pytest-chime-dummy-secret-access-key"

#: Control regions of chime-sdk-meetings when botocore's endpoint data does not list them
#: ("Available AWS Regions for the Amazon Chime SDK", Amazon Chime SDK Developer Guide:
#: the meetings API's control regions).
CONTROL_REGIONS: Final = (
    "af-south-1", "ap-northeast-1", "ap-northeast-2", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
    "ca-central-1", "eu-central-1", "eu-west-2", "il-central-1", "us-east-1", "us-west-2",
    "us-gov-east-1", "us-gov-west-1",
)  # fmt: skip
#: AWS's default quota of active meetings per account.
DEFAULT_QUOTA: Final = 250

#: A meeting with no attendee joined ends after 5 minutes; any meeting 24 hours after its
#: creation (developer guide, "Creating meetings"; the Chime SDK JS FAQ: "no audio connections").
EMPTY_MEETING_TIMEOUT_SECONDS: Final = 300.0
MAX_MEETING_DURATION_SECONDS: Final = 86_400.0

#: Success status when the model does not give one (the legacy model says 201).
DEFAULT_SUCCESS_STATUS: Final = 200

#: Attendees a meeting may have at once ("Amazon Chime SDK quotas": 250 attendees per
#: meeting); a meeting's ``MeetingFeatures.Attendee.MaxCount`` lowers it.
MAX_ATTENDEES_PER_MEETING: Final = 250

#: Item limits the quotas page documents where a model has no ``max`` (the legacy
#: model's BatchCreateAttendee list; chime-sdk-meetings' model says 100 itself).
DOCUMENTED_MAX_ITEMS: Final[dict[str, dict[str, int]]] = {
    "BatchCreateAttendee": {"Attendees": 100},
}

#: Page size of a listing whose MaxResults is left out and whose model gives no maximum.
DEFAULT_PAGE_SIZE: Final = 100


def control_region(service: str, region: str) -> str:
    """Where ``service`` hosts a meeting asked for in ``region``: the legacy service is global (us-east-1)."""
    return LEGACY_CONTROL_REGION if service == LEGACY else region


def partition(region: str) -> str:
    """The AWS partition a region belongs to (a meeting stays in its control region's)."""
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("cn-"):
        return "aws-cn"
    return "aws"


def region_code(region: str) -> str:
    """The short code (``ue1``) of a region; unknown regions get a code built the same way."""
    code = REGION_CODES.get(region)
    if code is not None:
        return code
    parts = region.split("-")
    return "".join(p[:1] for p in parts[:-1]) + parts[-1]  # p[:1]: "a--b" has an empty part


# --- identifiers and URLs ---------------------------------------------------------------


#: Bits a UUID4 fixes: the version nibble (4) and the RFC 4122 variant (10xx).
_UUID4_KEEP: Final = ~((0xF000 << 64) | (0xC000 << 48))
_UUID4_SET: Final = (0x4000 << 64) | (0x8000 << 48)


def _uuid4(rng: random.Random) -> str:
    # The same text as str(uuid.UUID(int=rng.getrandbits(128), version=4)), at a third of the cost.
    hex_ = f"{(rng.getrandbits(128) & _UUID4_KEEP) | _UUID4_SET:032x}"
    return f"{hex_[:8]}-{hex_[8:12]}-{hex_[12:16]}-{hex_[16:20]}-{hex_[20:]}"


#: A MeetingId: a lowercase UUID4 drawn from an rng, ``meeting_id(rng)``.
meeting_id = _uuid4


def attendee_id(rng: random.Random) -> str:
    """128 random bits in UUID form, drawn from ``rng``.

    Real AttendeeIds are not UUID4s: their version and variant digits vary
    (``35a392d3-9502-22df-830a-ba6d047bb681`` was seen); the model asks only for the form.
    """
    hex_ = f"{rng.getrandbits(128):032x}"
    return f"{hex_[:8]}-{hex_[8:12]}-{hex_[12:16]}-{hex_[16:20]}-{hex_[20:]}"


def join_token(rng: random.Random, attendee: str) -> str:
    """A JoinToken as real ones look: unpadded base64 of ``<AttendeeId>:<UUID4>``.

    Matches the legacy model's pattern ``^[a-zA-Z0-9+/]+$`` and its 2-2048 length.
    """
    raw = f"{attendee}:{_uuid4(rng)}".encode("ascii")
    return binascii.b2a_base64(raw, newline=False).decode("ascii").rstrip("=")


#: A request id as AWS writes it (a UUID4), drawn from an rng: ``request_id(rng)``.
request_id = _uuid4


def meeting_arn(region: str, account_id: str, meeting: str) -> str:
    """``arn:aws:chime:<control region>:<account>:meeting/<id>``."""
    return meeting_arn_prefix(region, account_id) + meeting


@caches.cached(maxsize=64)
def meeting_arn_prefix(region: str, account_id: str) -> str:
    """``arn:aws:chime:<control region>:<account>:meeting/``: a MeetingArn without its id."""
    return f"arn:{partition(region)}:chime:{region}:{account_id}:meeting/"


def media_placement(
    rng: random.Random,
    *,
    meeting: str,
    media_region: str,
    control_region: str,
    legacy: bool,
) -> dict[str, str]:
    """The eight MediaPlacement URLs, in the formats of real responses."""
    rc = REGION_CODES.get(media_region) or region_code(media_region)
    cell = f"m{1 + rng.getrandbits(8) % 3}.{rc}.app.chime.aws"  # m1-m3 (a byte mod 3: bias of 1/256)
    audio_host = f"{rng.getrandbits(128):032x}"
    if legacy:
        turn = f"https://ccp.cp.{region_code(LEGACY_CONTROL_REGION)}.app.chime.aws/v2/turn_sessions"
    else:
        turn = f"https://{meeting[-4:]}.cell.{control_region}.meetings.chime.aws/v2/turn_sessions"
    return {
        "AudioHostUrl": f"{audio_host}.k.{cell}:3478",
        "AudioFallbackUrl": f"wss://wss.k.{cell}:443/calls/{meeting}",
        "SignalingUrl": f"wss://signal.{cell}/control/{meeting}",
        "TurnControlUrl": turn,
        "ScreenDataUrl": f"wss://bitpw.{cell}:443/v2/screen/{meeting}",
        "ScreenViewingUrl": (
            f"wss://bitpw.{cell}:443/ws/connect?passcode=null&viewer_uuid=null&X-BitHub-Call-Id={meeting}"
        ),
        "ScreenSharingUrl": f"wss://bitpw.{cell}:443/v2/screen/{meeting}",
        "EventIngestionUrl": (
            f"https://data.svc.{REGION_CODES.get(control_region) or region_code(control_region)}"
            ".ingest.chime.aws/v1/client-events"
        ),
    }


# --- errors -------------------------------------------------------------------------------

#: Messages that read like the service's own (two are verbatim from real responses).
DEFAULT_MESSAGES: Final[dict[str, str]] = {
    "BadRequestException": "The request is not valid.",
    "ConflictException": "Multiple instances of the same request have been made simultaneously.",
    "ForbiddenException": "Not authorized to call Chime SDK with Account Id {account_id}",
    "ResourceLimitExceededException": "The request exceeds the resource limit.",
    "LimitExceededException": "The request exceeds the resource limit.",
    "ThrottledClientException": "Rate exceeded",
    "ThrottlingException": "Rate exceeded",
    "UnauthorizedClientException": "The client is not authorized to make this request.",
    "UnauthorizedException": "The client is not authorized to make this request.",
    "ServiceUnavailableException": "The service is currently unavailable. Try again later.",
    "ServiceFailureException": "Service has experienced an unexpected failure",
    "NotFoundException": "The requested resource was not found.",
    "ResourceNotFoundException": "The resource was not found.",
    "UnprocessableEntityException": "The request was well-formed but could not be processed.",
    "TooManyTagsException": "Too many tags were added to the specified resource.",
    "AccessDeniedException": "You don't have permissions to perform the requested operation.",
}

#: The body's short ``Code`` (the legacy model's ErrorCode enum; the same style on both).
BODY_CODES: Final[dict[str, str]] = {
    "ThrottledClientException": "Throttled",
    "UnauthorizedClientException": "Unauthorized",
    "LimitExceededException": "ResourceLimitExceeded",
}


def body_code(error_code: str) -> str:
    """The ``Code`` a real error body carries for an exception name."""
    return BODY_CODES.get(error_code, error_code.removesuffix("Exception"))


#: The same failure under its name in the other service.
EQUIVALENT_CODES: Final[dict[str, str]] = {
    "ThrottledClientException": "ThrottlingException",
    "ThrottlingException": "ThrottledClientException",
    "UnauthorizedClientException": "UnauthorizedException",
    "UnauthorizedException": "UnauthorizedClientException",
    "ResourceLimitExceededException": "LimitExceededException",
    "LimitExceededException": "ResourceLimitExceededException",
}

#: Errors real clients should survive by retrying: what ``--chime-chaos`` injects. Only
#: errors every botocore retry mode (legacy, standard, adaptive) retries: the legacy
#: service's ThrottledClientException is retried by legacy mode only, so it is left out.
CHAOS_CODES: Final[dict[str, tuple[str, ...]]] = {
    LEGACY: ("ServiceUnavailableException", "ServiceFailureException"),
    MODERN: ("ThrottlingException", "ServiceUnavailableException", "ServiceFailureException"),
    # Its ThrottledClientException is the legacy service's: retried by legacy mode only.
    MEDIA_PIPELINES: ("ServiceUnavailableException", "ServiceFailureException"),
}

#: The error each service answers when the active-meeting quota is reached.
QUOTA_CODES: Final[dict[str, str]] = {
    LEGACY: "ResourceLimitExceededException",
    MODERN: "LimitExceededException",
    MEDIA_PIPELINES: "ResourceLimitExceededException",
}

#: ``Retry-After`` seconds sent with chime-sdk-meetings' ServiceUnavailableException.
RETRY_AFTER_SECONDS: Final = "1"


def meeting_not_found(meeting: str) -> str:
    """The NotFoundException message for a meeting (verbatim from real responses)."""
    return f"Meeting {meeting} not found"


def attendee_not_found(meeting: str, attendee: str) -> str:
    """The NotFoundException message for an attendee (chosen, in the meeting message's style)."""
    return f"Attendee {attendee} not found in meeting {meeting}"


# --- server-side rules the model does not state ---------------------------------------------

#: Tag keys the service reserves for AWS (case-insensitive prefix).
RESERVED_TAG_PREFIX: Final = "aws:"
#: Members whose values may not start with the reserved prefix either (API reference:
#: "Values that begin with aws: are reserved", case-insensitive).
RESERVED_PREFIX_MEMBERS: Final = ("ExternalMeetingId", "MeetingHostId")

#: What CreateAttendee grants when Capabilities is left out (API reference, CreateAttendee:
#: "all users have send and receive capabilities on all media channels by default").
DEFAULT_CAPABILITIES: Final[dict[str, str]] = {"Audio": "SendReceive", "Video": "SendReceive", "Content": "SendReceive"}
#: The channels whose MeetingFeatures MaxResolution can switch them off ("None").
RESOLUTION_CHANNELS: Final = ("Video", "Content")
#: Tags a resource may carry: a meeting 50 (both services' models, TagList max 50), a legacy
#: attendee 10 (its model's AttendeeTagList max 10).
MAX_MEETING_TAGS: Final = 50
MAX_ATTENDEE_TAGS: Final = 10
#: Content capabilities that need video to be received too (API reference, AttendeeCapabilities:
#: "you can't set content capabilities to SendReceive or Receive unless you also set video
#: capabilities to SendReceive or Receive").
RECEIVING: Final = ("SendReceive", "Receive")

#: Attendees a meeting with FHD video or UHD content may have (AttendeeFeatures, API reference).
HIGH_RESOLUTION_MAX_ATTENDEES: Final = 25
#: MeetingFeatures values that lower the attendee limit: (feature, member) -> value.
HIGH_RESOLUTION_FEATURES: Final[dict[tuple[str, str], str]] = {
    ("Video", "MaxResolution"): "FHD",
    ("Content", "MaxResolution"): "UHD",
}

#: What each notification target's ARN must name (chosen: the service checks the target type).
NOTIFICATION_ARN_PATTERNS: Final[dict[str, str]] = {
    "SnsTopicArn": r"arn:aws(?:-us-gov|-cn)?:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]{1,256}",
    "SqsQueueArn": r"arn:aws(?:-us-gov|-cn)?:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]{1,80}",
    "LambdaFunctionArn": (
        r"arn:aws(?:-us-gov|-cn)?:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(?::[A-Za-z0-9_$-]+)?"
    ),
}

#: The pattern the Amazon Chime SDK API Reference documents for ExternalMeetingId (CreateMeeting,
#: CreateMeetingWithAttendees, Meeting) and ExternalUserId (CreateAttendee, CreateAttendeeRequestItem,
#: Attendee), which botocore's model leaves out.
EXTERNAL_ID_PATTERN: Final = r"[-_&@+=,(){}\[\]\/«».:|'\"#a-zA-Z0-9À-ÿ\s]*"

#: Patterns an API reference documents for request members whose model has none: service ->
#: member name -> pattern. The legacy API reference documents none beyond its model's.
DOCUMENTED_PATTERNS: Final[dict[str, dict[str, str]]] = {
    MODERN: {"ExternalMeetingId": EXTERNAL_ID_PATTERN, "ExternalUserId": EXTERNAL_ID_PATTERN},
}

#: Members a real response shows even when the request left them out, with the value shown
#: (captured chime-sdk-meetings CreateMeeting responses carry ``"TenantIds": []``).
ECHO_DEFAULTS: Final[dict[str, object]] = {"TenantIds": []}

#: How much of a value an error message quotes before cutting it (real messages quote
#: values; a 2 MB value must not come back as a 2 MB message).
MESSAGE_VALUE_LIMIT: Final = 100
#: How many broken rules a message lists before "and N more" (chosen: a request breaking
#: 20,000 rules gets an answer of a few KB, not megabytes).
MESSAGE_ITEMS_SHOWN: Final = 5
#: How long one listed rule's text may be before it is cut (the longest the fake writes, a
#: media region's with the supported list, is about 400 characters).
MESSAGE_ITEM_LIMIT: Final = 500

#: PrimaryMeetingId must be a meeting id (the fake does not require that meeting to exist).
MEETING_ID_PATTERN: Final = r"[a-fA-F0-9]{8}(?:-[a-fA-F0-9]{4}){3}-[a-fA-F0-9]{12}"


# --- media pipelines ------------------------------------------------------------------------------

#: A MediaPipelineId: a lowercase UUID4 (the model's GuidString), ``media_pipeline_id(rng)``.
media_pipeline_id = _uuid4


def media_pipeline_arn(region: str, account_id: str, pipeline: str) -> str:
    """``arn:aws:chime:<region>:<account>:media-pipeline/<id>`` (API reference, MediaCapturePipeline's
    MediaPipelineArn; the IAM service authorization reference's media-pipeline resource)."""
    return f"arn:{partition(region)}:chime:{region}:{account_id}:media-pipeline/{pipeline}"


def kvs_pool_arn(region: str, account_id: str, name: str) -> str:
    """``arn:aws:chime:<region>:<account>:media-pipeline-kinesis-video-stream-pool/<PoolName>``
    (IAM service authorization reference, Amazon Chime's resource types)."""
    return f"arn:{partition(region)}:chime:{region}:{account_id}:media-pipeline-kinesis-video-stream-pool/{name}"


#: The SourceArn forms accepted for a meeting (chosen from what real callers send, all three
#: seen working: the official demo's ``meeting:<id>`` without a region, the same with ``/``,
#: and the meeting's own MeetingArn, whose region is the meeting's control region). Groups:
#: region (empty when left out), account, the separator before the id, MeetingId.
MEETING_SOURCE_PATTERN: Final = (
    r"arn:aws(?:-us-gov|-cn)?:chime:([a-z0-9-]*):(\d{12}):meeting([/:])"
    r"([a-fA-F0-9]{8}(?:-[a-fA-F0-9]{4}){3}-[a-fA-F0-9]{12})"
)
#: An S3 sink: a bucket's ARN, with an optional key prefix (API reference, CreateMediaCapturePipeline
#: SinkArn: "the ARN of the sink type", an S3 bucket; bucket names: 3-63 characters, lowercase
#: letters, digits, dots and hyphens, starting and ending with a letter or digit: S3 user guide,
#: "Bucket naming rules").
S3_SINK_PATTERN: Final = r"arn:aws(?:-us-gov|-cn)?:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:/(.*))?"
#: A live connector's RTMP sink (API reference, LiveConnectorRTMPConfiguration: "The URL of the RTMP
#: configuration"; RTMP and RTMPS are what it streams).
RTMP_URL_PATTERN: Final = r"rtmps?://[^\s/:?#]+(?::\d{1,5})?(?:/\S*)?"
#: A stream pipeline's sink: a Kinesis Video Stream pool's ARN (group: its PoolName).
KVS_POOL_ARN_PATTERN: Final = (
    r"arn:aws(?:-us-gov|-cn)?:chime:[a-z0-9-]+:\d{12}:media-pipeline-kinesis-video-stream-pool/([0-9a-zA-Z._-]+)"
)


def kvs_pool_id(rng: random.Random, name: str) -> str:
    """A pool's PoolId (chosen: ``ChimeMediaPipelines-<PoolName>-<UUID>``, as the developer guide's example shows)."""
    return f"ChimeMediaPipelines-{name}-{_uuid4(rng)}"


#: A concatenation pipeline's output: ArtifactsConfiguration member -> (folder, extension) of its one
#: file, ``<prefix or MediaPipelineId>/<folder>/<MediaPipelineId>.<extension>`` (developer guide,
#: "Understanding the Amazon S3 bucket folder structure for Amazon Chime SDK concatenation pipelines";
#: content shares have no folder of their own there).
CONCATENATION_FOLDERS: Final[dict[str, tuple[str, str]]] = {
    "Audio": ("audio", "mp4"),
    "Video": ("video", "mp4"),
    "CompositedVideo": ("composited-video", "mp4"),
    "DataChannel": ("data-channel", "txt"),
    "MeetingEvents": ("meeting-events", "txt"),
    "TranscriptionMessages": ("transcription-messages", "txt"),
}

#: Media pipelines active at once in an account ("Amazon Chime SDK quotas": media pipelines,
#: 100 per Region by default, adjustable).
MEDIA_PIPELINE_QUOTA: Final = 100
#: Tags a media pipeline may carry (the model's TagList max, 200).
MAX_PIPELINE_TAGS: Final = 200


def pipeline_not_found(pipeline: str) -> str:
    """The NotFoundException message for a media pipeline (chosen, in the meeting message's style)."""
    return f"Media pipeline {pipeline} not found"


def iso_time(moment: dt.datetime) -> str:
    """A timestamp as the media pipelines API writes it (ISO 8601, milliseconds, UTC)."""
    moment = moment.astimezone(dt.timezone.utc)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"
