"""The "chime fake" section of a test's report: what the fake saw and what it holds.

Short by default (the first and last calls, values cut to :data:`~pytest_chime.calls.VALUE_LIMIT`
characters); complete with ``full=True`` (pytest's ``-vv``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from .calls import attempts, call_line, cut

if TYPE_CHECKING:
    from .fake import FakeChime
    from .state import State

#: The section's title in pytest's report, beside "Captured stdout call".
TITLE = "chime fake"

#: Calls shown by default: the first half and the last half of this many.
CALL_LIMIT = 20
#: Events shown by default: the first half and the last half of this many.
EVENT_LIMIT = 20
#: Meetings, attendees of a meeting, injected errors and sleeps shown by default.
ITEM_LIMIT = 10
#: What a short report says in place of what it leaves out.
MORE = "... {count} more {what} (-vv shows all)"


def render(fake: FakeChime, state: State, *, full: bool = False) -> str:
    """The report of ``fake`` (whose resources are ``state``): its calls with their answers, injected
    errors, the meeting events emitted and the clock, meetings and attendees left, and sleeps;
    short unless ``full``."""
    calls = list(fake.calls)
    errors = fake.errors
    meetings = [dict(meeting) for meeting in state.meetings.values()]
    attendees = {key: list(state.attendees_of(key).values()) for key in state.meetings}
    owners = {key: state.owner(key) for key in state.meetings}
    transcribing = set(state.transcriptions)
    dial_outs = len(state.dial_outs)
    sleeps = list(fake.sleeps)
    lines: list[str] = []
    numbers = attempts(calls)
    failed = sum(1 for call in calls if call.error_code is not None)
    refused = sum(1 for call in calls if call.refused is not None)
    counts = ", ".join(
        part
        for part in (f"{failed} answered an error" if failed else "", f"{refused} refused" if refused else "")
        if part
    )
    lines.append(f"calls: {len(calls)}" + (f" ({counts})" if counts else ""))
    shown = _window(len(calls), CALL_LIMIT, full)
    for index in shown:
        if index is None:
            lines.append("  " + MORE.format(count=len(calls) - CALL_LIMIT, what="call(s)"))
            continue
        lines.append(f"  {index + 1:>{len(str(len(calls)))}}. {call_line(calls[index], numbers[index], full=full)}")
    if errors:
        lines.append(f"injected errors: {len(errors)}")
        for number in _window(len(errors), ITEM_LIMIT, full):
            if number is None:
                lines.append("    " + MORE.format(count=len(errors) - ITEM_LIMIT, what="error(s)"))
                continue
            item = errors[number]
            wanted = "every matching call" if item.times is None else f"{item.times}"
            optional = ", optional" if item.optional else ""
            passed = f", let {item.passed} through (after={item.after})" if item.after else ""
            lines.append(f"  {item.describe()}: fired {item.fired} of {wanted}{passed}{optional}")
    lines += _events(fake, state, full)
    lines.append(f"meetings left: {len(meetings)}")
    for number in _window(len(meetings), ITEM_LIMIT, full):
        if number is None:
            lines.append("  " + MORE.format(count=len(meetings) - ITEM_LIMIT, what="meeting(s)"))
            continue
        meeting = meetings[number]
        meeting_id = str(meeting.get("MeetingId"))
        lines.append("  " + _meeting_line(meeting, owners.get(meeting_id), meeting_id in transcribing, full))
        joined = attendees.get(meeting_id, [])
        for index in _window(len(joined), ITEM_LIMIT, full):
            if index is None:
                lines.append("    " + MORE.format(count=len(joined) - ITEM_LIMIT, what="attendee(s)"))
                continue
            lines.append("    " + _attendee_line(joined[index], full))
    if dial_outs:
        lines.append(f"dial-outs: {dial_outs}")
    if sleeps:
        how = "slept" if fake.real_sleep else "recorded, not slept"
        lines.append(f"sleeps: {len(sleeps)}, {sum(sleeps):.3f} s in all ({how})")
        gap = f"... {len(sleeps) - CALL_LIMIT} more"
        values = [f"{sleeps[i]:.3f}" if i is not None else gap for i in _window(len(sleeps), CALL_LIMIT, full)]
        lines.append("  " + ", ".join(values))
    return "\n".join(lines)


def _events(fake: FakeChime, state: State, full: bool) -> list[str]:
    """The events emitted, one line each, and the clock: nothing when no event was emitted and
    the clock has not moved."""
    emitted = fake.events
    clock = _time(state.now)
    if not emitted:
        return [f"clock: {clock}"] if state.now != state.started else []
    lines = [f"events: {len(emitted)} (clock: {clock})"]
    for index in _window(len(emitted), EVENT_LIMIT, full):
        if index is None:
            lines.append("  " + MORE.format(count=len(emitted) - EVENT_LIMIT, what="event(s)"))
            continue
        lines.append(f"  {_event_line(emitted[index])}")
    return lines


def _event_line(event: dict[str, Any]) -> str:
    """``time eventType meetingId [attendeeId]``."""
    detail = event.get("detail", {})
    parts = [str(event.get("time")), str(detail.get("eventType")), str(detail.get("meetingId"))]
    if "attendeeId" in detail:
        parts.append(str(detail["attendeeId"]))
    return " ".join(parts)


def _time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _window(size: int, limit: int, full: bool) -> list[int | None]:
    """Indexes to show: all of them, or the first and last ``limit // 2`` with None for the gap."""
    if full or size <= limit:
        return list(range(size))
    half = limit // 2
    return [*range(half), None, *range(size - (limit - half), size)]


def _show(value: Any, full: bool) -> str:
    return repr(value) if full else cut(value)


def _meeting_line(meeting: dict[str, Any], service: str | None, transcribing: bool, full: bool) -> str:
    parts = [str(meeting.get("MeetingId"))]
    if service:
        parts.append(f"({service})")
    for key in ("ExternalMeetingId", "MediaRegion"):
        if key in meeting:
            parts.append(f"{key}={_show(meeting[key], full)}")
    if transcribing:
        parts.append("transcribing")
    return " ".join(parts)


def _attendee_line(attendee: dict[str, Any], full: bool) -> str:
    parts = [f"attendee {attendee.get('AttendeeId')}"]
    if "ExternalUserId" in attendee:
        parts.append(f"ExternalUserId={_show(attendee['ExternalUserId'], full)}")
    return " ".join(parts)
