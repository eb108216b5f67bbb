"""Tags on meetings (both services) and on legacy attendees: TagResource and its neighbours."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import attendees, facts, meetings, validate
from .errors import ServiceError
from .operations import Request, operation

if TYPE_CHECKING:
    from .engine import Engine


def _by_arn(engine: Engine, request: Request) -> tuple[str, str]:
    """(MeetingId, ARN) of the meeting whose ARN is the request's ResourceARN, exactly as the fake
    answered it (ResourceNotFoundException; legacy: NotFoundException)."""
    arn = request.params["ResourceARN"]
    meeting_id = arn.rsplit("/", 1)[-1]
    meeting = engine.state.meeting(meeting_id, request.service)
    if meeting is not None and meetings.arn(engine, request, meeting) == arn:
        return meeting_id, arn
    code = "NotFoundException" if request.service == facts.LEGACY else "ResourceNotFoundException"
    raise ServiceError(code, f"Resource {validate.shown(arn)} was not found")


def _meeting(engine: Engine, request: Request) -> tuple[str, str]:
    """(MeetingId, ARN) of the legacy meeting the request names."""
    meeting = meetings.find(engine, request)
    return meeting["MeetingId"], meetings.arn(engine, request, meeting)


def _attendee(engine: Engine, request: Request) -> tuple[str, str]:
    """(AttendeeId, ARN) of the legacy attendee the request names."""
    attendee = attendees.find(engine, request)
    meeting = meetings.find(engine, request)
    return attendee["AttendeeId"], attendees.arn(engine, request, meeting, attendee)


def _over(request: Request) -> str:
    """The error for too many tags on a resource named by ARN (the legacy operations model no limit error)."""
    return "BadRequestException" if request.service == facts.LEGACY else "TooManyTagsException"


def tag(engine: Engine, resource: tuple[str, str], tags: list[dict[str, str]], limit: int, over: str) -> None:
    """Merge ``tags`` into the resource's (owner id, ARN; a key given again takes the new value), within
    ``limit`` (over it: the error ``over``)."""
    owner, arn = resource
    merged = {tag["Key"]: tag["Value"] for tag in engine.state.tags_of(arn)}
    merged.update((tag["Key"], tag["Value"]) for tag in tags)
    if len(merged) > limit:
        raise ServiceError(over, f"A resource can have at most {limit} tags; this request would give it {len(merged)}")
    engine.state.set_tags(owner, arn, [{"Key": key, "Value": value} for key, value in merged.items()])


def untag(engine: Engine, resource: tuple[str, str], keys: list[str]) -> None:
    """Remove the tags with these keys from the resource (owner id, ARN); a key it lacks is no error."""
    owner, arn = resource
    removed = set(keys)
    previous = engine.state.tags_of(arn)
    if previous:
        engine.state.set_tags(owner, arn, [tag for tag in previous if tag["Key"] not in removed])


def listed(engine: Engine, resource: tuple[str, str]) -> dict[str, Any]:
    """The resource's (owner id, ARN) tags, as the list operations answer them."""
    return {"Tags": [dict(tag) for tag in engine.state.tags_of(resource[1])]}


# --- chime-sdk-meetings ----------------------------------------------------------------------------


@operation("TagResource", rules=(validate.tags_rule,))
def tag_resource(engine: Engine, request: Request) -> None:
    """Add tags to a meeting named by its ARN (204)."""
    tag(engine, _by_arn(engine, request), request.params["Tags"], facts.MAX_MEETING_TAGS, _over(request))


@operation("UntagResource")
def untag_resource(engine: Engine, request: Request) -> None:
    """Remove tags from a meeting named by its ARN (204)."""
    untag(engine, _by_arn(engine, request), request.params["TagKeys"])


@operation("ListTagsForResource")
def list_tags_for_resource(engine: Engine, request: Request) -> dict[str, Any]:
    """A meeting's tags, named by its ARN."""
    return listed(engine, _by_arn(engine, request))


# --- legacy chime ----------------------------------------------------------------------------------


@operation("TagMeeting", rules=(validate.tags_rule,))
def tag_meeting(engine: Engine, request: Request) -> None:
    """Add tags to a legacy meeting (204)."""
    limit_code = facts.QUOTA_CODES[request.service]
    tag(engine, _meeting(engine, request), request.params["Tags"], facts.MAX_MEETING_TAGS, limit_code)


@operation("UntagMeeting")
def untag_meeting(engine: Engine, request: Request) -> None:
    """Remove tags from a legacy meeting (204)."""
    untag(engine, _meeting(engine, request), request.params["TagKeys"])


@operation("ListMeetingTags")
def list_meeting_tags(engine: Engine, request: Request) -> dict[str, Any]:
    """A legacy meeting's tags."""
    return listed(engine, _meeting(engine, request))


@operation("TagAttendee", rules=(validate.tags_rule,))
def tag_attendee(engine: Engine, request: Request) -> None:
    """Add tags to a legacy attendee (204)."""
    limit_code = facts.QUOTA_CODES[request.service]
    tag(engine, _attendee(engine, request), request.params["Tags"], facts.MAX_ATTENDEE_TAGS, limit_code)


@operation("UntagAttendee")
def untag_attendee(engine: Engine, request: Request) -> None:
    """Remove tags from a legacy attendee (204)."""
    untag(engine, _attendee(engine, request), request.params["TagKeys"])


@operation("ListAttendeeTags")
def list_attendee_tags(engine: Engine, request: Request) -> dict[str, Any]:
    """A legacy attendee's tags."""
    return listed(engine, _attendee(engine, request))
