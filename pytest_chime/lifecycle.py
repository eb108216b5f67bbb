"""What Chime does on its own: attendees' presence through the client SDK, time, meetings ending."""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING

from . import events
from .errors import PresenceError
from .state import Presence, Record

if TYPE_CHECKING:
    from .engine import Engine


def end_meeting(engine: Engine, meeting_id: str) -> None:
    """End a meeting now (``chime:MeetingEnded``), and every replica of it, as Chime does."""
    meeting = engine.state.meetings.get(meeting_id)
    if meeting is None:
        return
    engine.emit("chime:MeetingEnded", meeting)
    if engine.state.pipelines_of(meeting_id):
        from . import pipelines

        pipelines.stop_all(engine, meeting_id)
    engine.state.end_meeting(meeting_id)
    for replica_id in engine.state.replicas_of(meeting_id):
        end_meeting(engine, replica_id)


def advance(engine: Engine, seconds: float) -> None:
    """Move the clock ``seconds`` forward, ending each meeting when Chime would, in time order."""
    if seconds < 0:
        raise ValueError(f"the fake's clock only moves forward: got {seconds} seconds")
    state = engine.state
    target = state.now + dt.timedelta(seconds=seconds)
    while True:
        due = _next_end(engine)
        if due is None or due[0] > target:
            break
        state.now = max(state.now, due[0])
        engine.atomically(functools.partial(end_meeting, engine, due[1]))
    state.now = target


def _next_end(engine: Engine) -> tuple[dt.datetime, str] | None:
    """When the next meeting ends by itself, and which: empty for too long, or too old."""
    state, fake = engine.state, engine.fake
    empty = dt.timedelta(seconds=fake.empty_meeting_timeout)
    longest = dt.timedelta(seconds=fake.max_meeting_duration)
    found: tuple[dt.datetime, str] | None = None
    for meeting_id in state.meetings:
        idle = state.idle_since(meeting_id)
        due = state.created_at(meeting_id) + longest
        if idle is not None:
            due = min(due, idle + empty)
        if found is None or due < found[0]:
            found = (due, meeting_id)
    return found


# --- presence ------------------------------------------------------------------------------


def _attendee(engine: Engine, meeting_id: str, attendee_id: str, doing: str) -> tuple[Record, Record]:
    """The meeting and attendee ``doing`` something names, or PresenceError saying why not."""
    meeting = engine.state.meetings.get(meeting_id)
    if meeting is None:
        raise PresenceError(
            f"cannot {doing}: meeting {meeting_id} is not active (never created, deleted or ended); "
            f"active meetings: {', '.join(engine.state.meetings) or 'none'}"
        )
    attendee = engine.state.attendees_of(meeting_id).get(attendee_id)
    if attendee is None:
        raise PresenceError(
            f"cannot {doing}: {attendee_id} is not an attendee of meeting {meeting_id} (never created, or deleted)"
        )
    return meeting, attendee


def _joined(engine: Engine, meeting_id: str, attendee_id: str, doing: str) -> tuple[Record, Record, Presence]:
    meeting, attendee = _attendee(engine, meeting_id, attendee_id, doing)
    presence = engine.state.presence(meeting_id, attendee_id)
    if presence is None:
        raise PresenceError(f"cannot {doing}: attendee {attendee_id} has not joined meeting {meeting_id}")
    return meeting, attendee, presence


def join(engine: Engine, meeting_id: str, attendee_id: str, network: str) -> None:
    """The attendee joins over ``network`` (``chime:AttendeeJoined``)."""
    if network not in events.NETWORK_TYPES:
        raise PresenceError(f"network={network!r} is not valid: use one of {', '.join(events.NETWORK_TYPES)}")
    meeting, attendee = _attendee(engine, meeting_id, attendee_id, "join")
    if engine.state.presence(meeting_id, attendee_id) is not None:
        raise PresenceError(
            f"cannot join: attendee {attendee_id} has already joined meeting {meeting_id} "
            "(rejoin() is the same join token on a new device; leave() or drop() first to join again)"
        )
    engine.state.connect(meeting_id, attendee_id, Presence(network))
    engine.emit("chime:AttendeeJoined", meeting, attendee, network_type=network)


def rejoin(engine: Engine, meeting_id: str, attendee_id: str) -> None:
    """A joined attendee joins again with its join token, from a new device (``chime:AttendeeAuthorized``)."""
    meeting, attendee, _ = _joined(engine, meeting_id, attendee_id, "rejoin")
    engine.emit("chime:AttendeeAuthorized", meeting, attendee)


def leave(engine: Engine, meeting_id: str, attendee_id: str, *, dropped: bool) -> None:
    """The attendee leaves (``chime:AttendeeLeft``) or drops (``chime:AttendeeDropped``): its video and
    content share stop first (chosen: the events of each, then the attendee's)."""
    doing = "drop" if dropped else "leave"
    meeting, attendee, presence = _joined(engine, meeting_id, attendee_id, doing)
    if presence.video:
        engine.state.update_presence(presence, video=False)
        engine.emit("chime:AttendeeVideoStopped", meeting, attendee)
    if presence.content:
        engine.state.update_presence(presence, content=False)
        engine.emit("chime:AttendeeContentVideoStopped", meeting, attendee, content=True)
        ended = "chime:AttendeeContentDropped" if dropped else "chime:AttendeeContentLeft"
        engine.emit(ended, meeting, attendee, content=True, network_type=presence.network)
    engine.state.disconnect(meeting_id, attendee_id)
    kind = "chime:AttendeeDropped" if dropped else "chime:AttendeeLeft"
    engine.emit(kind, meeting, attendee, network_type=presence.network)


def video(engine: Engine, meeting_id: str, attendee_id: str, *, on: bool) -> None:
    """The attendee's camera starts or stops (``chime:AttendeeVideoStarted`` / ``VideoStopped``)."""
    doing = "start video" if on else "stop video"
    meeting, attendee, presence = _joined(engine, meeting_id, attendee_id, doing)
    if presence.video == on:
        raise PresenceError(f"cannot {doing}: attendee {attendee_id}'s video is already {'on' if on else 'off'}")
    engine.state.update_presence(presence, video=on)
    engine.emit("chime:AttendeeVideoStarted" if on else "chime:AttendeeVideoStopped", meeting, attendee)


def content(engine: Engine, meeting_id: str, attendee_id: str, *, on: bool) -> None:
    """The attendee's content share joins and its video starts, or its video stops and it leaves."""
    doing = "start content" if on else "stop content"
    meeting, attendee, presence = _joined(engine, meeting_id, attendee_id, doing)
    if presence.content == on:
        state = "already sharing content" if on else "not sharing content"
        raise PresenceError(f"cannot {doing}: attendee {attendee_id} is {state}")
    engine.state.update_presence(presence, content=on)
    if on:
        engine.emit("chime:AttendeeContentJoined", meeting, attendee, content=True, network_type=presence.network)
        engine.emit("chime:AttendeeContentVideoStarted", meeting, attendee, content=True)
    else:
        engine.emit("chime:AttendeeContentVideoStopped", meeting, attendee, content=True)
        engine.emit("chime:AttendeeContentLeft", meeting, attendee, content=True, network_type=presence.network)
