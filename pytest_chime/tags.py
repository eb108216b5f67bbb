"""Tags on meetings (both services) and on legacy attendees: TagResource and its neighbours.

A resource's tags live on its record in ``fake.meetings`` (or ``fake.attendees``) under
``"Tags"``, as the list operations return them, and are never part of a Meeting or
Attendee answered. Tags given to CreateMeeting (or a legacy CreateAttendee) are listed too.
Chosen where AWS does not say, each tested:

- Tagging a key the resource already has replaces its value; untagging a key it lacks
  does nothing.
- A meeting is found by its ARN exactly as the fake answered it (``MeetingArn``): another
  region's or account's ARN, or a meeting of the other service, is ResourceNotFoundException
  (NotFoundException on legacy chime, whose TagResource models no other). A legacy meeting's
  ARN is ``arn:aws:chime:us-east-1:<account>:meeting/<id>``.
- Over the limit (50 per meeting, 10 per legacy attendee) after merging:
  TooManyTagsException on chime-sdk-meetings; on legacy chime ResourceLimitExceededException
  (TagMeeting, TagAttendee) or BadRequestException (TagResource, which models no limit error).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import attendees, facts, meetings, validate
from .errors import ServiceError
from .operations import Request, operation

if TYPE_CHECKING:
    from .fake import FakeChime


def _by_arn(fake: FakeChime, request: Request) -> dict[str, Any]:
    """The meeting whose ARN is the request's ResourceARN (ResourceNotFoundException, legacy: NotFoundException).

    A legacy meeting answers no MeetingArn; its ARN is taken to be
    ``arn:aws:chime:us-east-1:<account>:meeting/<id>``, in the legacy control region (chosen).
    """
    arn = request.params["ResourceARN"]
    meeting_id = arn.rsplit("/", 1)[-1]
    meeting = fake.meetings.get(meeting_id)
    if meeting is not None and fake._owners.get(meeting_id, request.service) == request.service:
        expected = meeting.get("MeetingArn") or facts.meeting_arn(
            facts.LEGACY_CONTROL_REGION, fake.account_id, meeting_id
        )
        if expected == arn:
            return meeting
    code = "NotFoundException" if request.service == facts.LEGACY else "ResourceNotFoundException"
    raise ServiceError(code, f"Resource {validate.shown(arn)} was not found")


def _over(request: Request) -> str:
    """The error for too many tags on a resource named by ARN (the legacy operations model no limit error)."""
    return "BadRequestException" if request.service == facts.LEGACY else "TooManyTagsException"


def _tag(fake: FakeChime, record: dict[str, Any], tags: list[dict[str, str]], limit: int, over: str) -> None:
    """Merge ``tags`` into ``record``'s (a key given again takes the new value), within ``limit``."""
    merged = {tag["Key"]: tag["Value"] for tag in record.get("Tags", ())}
    merged.update((tag["Key"], tag["Value"]) for tag in tags)
    if len(merged) > limit:
        raise ServiceError(over, f"A resource can have at most {limit} tags; this request would give it {len(merged)}")
    previous = record.get("Tags")
    record["Tags"] = [{"Key": key, "Value": value} for key, value in merged.items()]
    fake._undo.append(lambda: _restore(record, previous))


def _untag(fake: FakeChime, record: dict[str, Any], keys: list[str]) -> None:
    previous = record.get("Tags")
    if previous is None:
        return
    removed = set(keys)
    left = [tag for tag in previous if tag["Key"] not in removed]
    if left:
        record["Tags"] = left
    else:
        del record["Tags"]
    fake._undo.append(lambda: _restore(record, previous))


def _restore(record: dict[str, Any], previous: list[dict[str, str]] | None) -> None:
    if previous is None:
        record.pop("Tags", None)
    else:
        record["Tags"] = previous


def _listed(record: dict[str, Any]) -> dict[str, Any]:
    return {"Tags": [dict(tag) for tag in record.get("Tags", ())]}


# --- chime-sdk-meetings ----------------------------------------------------------------------------


@operation("TagResource", rules=(validate.tags_rule,))
def tag_resource(fake: FakeChime, request: Request) -> None:
    """Add tags to a meeting named by its ARN (204)."""
    _tag(fake, _by_arn(fake, request), request.params["Tags"], facts.MAX_MEETING_TAGS, _over(request))


@operation("UntagResource")
def untag_resource(fake: FakeChime, request: Request) -> None:
    """Remove tags from a meeting named by its ARN (204)."""
    _untag(fake, _by_arn(fake, request), request.params["TagKeys"])


@operation("ListTagsForResource")
def list_tags_for_resource(fake: FakeChime, request: Request) -> dict[str, Any]:
    """A meeting's tags, named by its ARN."""
    return _listed(_by_arn(fake, request))


# --- legacy chime ----------------------------------------------------------------------------------


@operation("TagMeeting", rules=(validate.tags_rule,))
def tag_meeting(fake: FakeChime, request: Request) -> None:
    """Add tags to a legacy meeting (204)."""
    meeting = meetings.find(fake, request)
    _tag(fake, meeting, request.params["Tags"], facts.MAX_MEETING_TAGS, facts.QUOTA_CODES[request.service])


@operation("UntagMeeting")
def untag_meeting(fake: FakeChime, request: Request) -> None:
    """Remove tags from a legacy meeting (204)."""
    _untag(fake, meetings.find(fake, request), request.params["TagKeys"])


@operation("ListMeetingTags")
def list_meeting_tags(fake: FakeChime, request: Request) -> dict[str, Any]:
    """A legacy meeting's tags."""
    return _listed(meetings.find(fake, request))


@operation("TagAttendee", rules=(validate.tags_rule,))
def tag_attendee(fake: FakeChime, request: Request) -> None:
    """Add tags to a legacy attendee (204)."""
    attendee = attendees.find(fake, request)
    _tag(fake, attendee, request.params["Tags"], facts.MAX_ATTENDEE_TAGS, facts.QUOTA_CODES[request.service])


@operation("UntagAttendee")
def untag_attendee(fake: FakeChime, request: Request) -> None:
    """Remove tags from a legacy attendee (204)."""
    _untag(fake, attendees.find(fake, request), request.params["TagKeys"])


@operation("ListAttendeeTags")
def list_attendee_tags(fake: FakeChime, request: Request) -> dict[str, Any]:
    """A legacy attendee's tags."""
    return _listed(attendees.find(fake, request))
