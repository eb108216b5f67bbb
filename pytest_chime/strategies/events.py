"""Meeting events: shaped as the fake emits them, by :func:`pytest_chime.events.build_event`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from .. import caches, facts, model
from ..events import EVENT_TYPES, NETWORK_TYPES, build_event, meeting_arn_parts
from .answers import attendees, meetings

#: The event types about an attendee's content share (its ids carry ``pytest_chime.events.CONTENT_SUFFIX``).
_CONTENT_TYPES: Final = frozenset(t for t in EVENT_TYPES if t.startswith("chime:AttendeeContent"))
#: Where drawn event times lie: whole seconds in UTC.
_EARLIEST: Final = dt.datetime(2020, 1, 1)
_LATEST: Final = dt.datetime(2035, 12, 31, 23, 59, 59)


def _event_type(event_type: str | None) -> tuple[str, ...]:
    if event_type is None:
        return tuple(EVENT_TYPES)
    if event_type not in EVENT_TYPES:
        raise InvalidArgument(
            f"event_type={event_type!r} is not a Chime meeting event type; use one of {', '.join(EVENT_TYPES)}"
        )
    return (event_type,)


def _where(meeting: object) -> tuple[str, str | None]:
    """The control region and account id of a given meeting (None: no MeetingArn names one).

    A meeting without a MeetingArn (the legacy service's) is in ``us-east-1``, as the fake has it.
    """
    if not isinstance(meeting, Mapping) or not isinstance(meeting.get("MeetingId"), str):
        raise InvalidArgument(
            f"meeting={meeting!r} is not a Meeting record: pass a dict with a MeetingId, as GetMeeting answers it"
        )
    arn = meeting.get("MeetingArn")
    if arn is None:
        return facts.LEGACY_CONTROL_REGION, None
    found = meeting_arn_parts(arn)
    if found is None or not (len(found[1]) == 12 and found[1].isdigit()):
        raise InvalidArgument(
            f"meeting's MeetingArn {arn!r} is not a meeting ARN (arn:<partition>:chime:<region>:<account>:meeting/<id>)"
        )
    if found[2] != meeting["MeetingId"]:
        raise InvalidArgument(
            f"meeting's MeetingArn {arn!r} names another meeting than MeetingId {meeting['MeetingId']!r}"
        )
    return found[0], found[1]


def _account_ids() -> SearchStrategy[str]:
    return st.integers(min_value=0, max_value=10**12 - 1).map("{:012d}".format)


def _times() -> SearchStrategy[dt.datetime]:
    whole = st.datetimes(min_value=_EARLIEST, max_value=_LATEST, timezones=st.just(dt.timezone.utc))
    return whole.map(lambda moment: moment.replace(microsecond=0))


@caches.cached(maxsize=1)
def _control_regions() -> tuple[str, ...]:
    """chime-sdk-meetings' control regions, the fake's default first (examples shrink to it)."""
    return tuple(sorted(model.control_regions(facts.MODERN), key=lambda r: (r != facts.DEFAULT_REGION, r)))


@st.composite
def _drawn_meeting(draw: st.DrawFn) -> dict[str, Any]:
    region = draw(st.sampled_from(_control_regions()))
    account_id = draw(_account_ids())
    return draw(meetings(region=region, account_id=account_id))


@st.composite
def _events(draw: st.DrawFn, event_type: str | None, meeting: Mapping[str, Any] | None) -> dict[str, Any]:
    """One event of :func:`events`, for arguments it has checked."""
    kind = draw(st.sampled_from(_event_type(event_type)))
    about = meeting if meeting is not None else draw(_drawn_meeting())
    region, account_id = _where(about)
    added = EVENT_TYPES[kind]
    return build_event(
        draw(st.randoms(use_true_random=False)),
        kind,
        meeting=about,
        time=draw(_times()),
        region=region,
        account_id=account_id if account_id is not None else draw(_account_ids()),
        attendee=draw(attendees()) if added else None,
        network_type=draw(st.sampled_from(NETWORK_TYPES)) if "networkType" in added else "Voip",
        content=kind in _CONTENT_TYPES,
    )


def events(event_type: str | None = None, meeting: Mapping[str, Any] | None = None) -> SearchStrategy[dict[str, Any]]:
    """Generates meeting events as Chime sends them to EventBridge, SQS and SNS, shaped as the fake emits them.

    Each is built by the fake's own :func:`pytest_chime.events.build_event`: the envelope
    (``version``, ``id``, ``detail-type``, ``source``, ``account``, ``time``, ``region``,
    ``resources``) and a ``detail`` with the members its ``eventType`` adds
    (:data:`pytest_chime.events.EVENT_TYPES`). ``event_type`` (default: any documented
    type) draws only that type; an unknown one raises
    :class:`~hypothesis.errors.InvalidArgument` at once, listing the valid ones.

    ``meeting``, a Meeting dict as GetMeeting answers it, makes every event about that
    meeting: its MeetingId, ExternalMeetingId and MediaRegion, and the region and account of
    its MeetingArn (``us-east-1`` and a drawn account for a meeting without one, as the
    legacy service's). A record that is no Meeting, or whose MeetingArn is malformed or
    names another meeting, raises :class:`~hypothesis.errors.InvalidArgument` at once.
    Without it, the meeting is drawn from :func:`meetings` in a drawn control region and
    12-digit account. Attendees come from :func:`attendees` (a content-share event's ids
    carry ``#content``, as the fake's do), ``networkType`` from
    :data:`pytest_chime.events.NETWORK_TYPES`, and ``time`` is a whole second in UTC, equal
    to ``detail.timestamp`` to the millisecond.
    """
    _event_type(event_type)
    if meeting is None:
        return _events(event_type, None)
    _where(meeting)
    return _events(event_type, dict(meeting))
