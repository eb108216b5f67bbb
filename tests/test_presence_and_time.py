"""Presence driven by the test (join, leave, drop...), the fake's clock, and meetings ending by themselves."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest

from pytest_chime import FakeChime, HookError
from pytest_chime.errors import PresenceError  # not exported by pytest_chime yet (reported)
from tests.conftest import make_client, valid_request

MODERN = "chime-sdk-meetings"


def create(client: Any, service: str, token: str = "token-0001", **overrides: Any) -> str:
    return str(
        client.create_meeting(**valid_request(service, ClientRequestToken=token, **overrides))["Meeting"]["MeetingId"]
    )


def attend(client: Any, meeting_id: str, name: str = "alice") -> str:
    return str(client.create_attendee(MeetingId=meeting_id, ExternalUserId=name)["Attendee"]["AttendeeId"])


def kinds(fake: FakeChime) -> list[str]:
    return [event["detail"]["eventType"] for event in fake.events]


def ended(fake: FakeChime) -> list[tuple[str, int]]:
    """(MeetingId, timestamp) of each MeetingEnded, in order."""
    return [
        (event["detail"]["meetingId"], event["detail"]["timestamp"])
        for event in fake.events
        if event["detail"]["eventType"] == "chime:MeetingEnded"
    ]


def millis(moment: dt.datetime) -> int:
    return round(moment.timestamp() * 1000)


def assert_gone(client: Any, meeting_id: str) -> None:
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_meeting(MeetingId=meeting_id)


# --- the clock ------------------------------------------------------------------------------------


def test_the_clock_is_utc_and_fixed_by_the_seed() -> None:
    first, same, other = FakeChime(seed="a").clock, FakeChime(seed="a").clock, FakeChime(seed="b").clock
    assert first.utcoffset() == dt.timedelta(0)
    assert first == same != other
    assert first.microsecond == 0


def test_advance_moves_the_clock_by_seconds_minutes_and_hours(fake_chime: FakeChime) -> None:
    start = fake_chime.clock
    fake_chime.advance(seconds=1.5, minutes=2, hours=3)
    assert fake_chime.clock - start == dt.timedelta(hours=3, minutes=2, seconds=1.5)


def test_the_clock_does_not_move_backwards(fake_chime: FakeChime) -> None:
    start = fake_chime.clock
    with pytest.raises(ValueError, match="only moves forward"):
        fake_chime.advance(seconds=-1)
    assert fake_chime.clock == start


# --- presence -------------------------------------------------------------------------------------


def test_leaving_stops_video_and_content_first(fake_chime: FakeChime, client: Any, service: str) -> None:
    meeting_id = create(client, service)
    alice = attend(client, meeting_id)
    fake_chime.join(meeting_id, alice)
    fake_chime.start_video(meeting_id, alice)
    fake_chime.start_content(meeting_id, alice)
    fake_chime.leave(meeting_id, alice)
    assert kinds(fake_chime)[-4:] == [
        "chime:AttendeeVideoStopped",
        "chime:AttendeeContentVideoStopped",
        "chime:AttendeeContentLeft",
        "chime:AttendeeLeft",
    ]


def test_a_dropped_attendee_may_join_again_with_a_new_network(fake_chime: FakeChime, client: Any, service: str) -> None:
    meeting_id = create(client, service)
    alice = attend(client, meeting_id)
    fake_chime.join(meeting_id, alice)
    fake_chime.drop(meeting_id, alice)
    fake_chime.join(meeting_id, alice, network="PSTN")
    networks = [(event["detail"]["eventType"], event["detail"]["networkType"]) for event in fake_chime.events[2:]]
    assert networks == [
        ("chime:AttendeeJoined", "Voip"),
        ("chime:AttendeeDropped", "Voip"),
        ("chime:AttendeeJoined", "PSTN"),
    ]


ABSENT = "0b9c5a5e-1f2d-4c3b-9a8e-7d6c5b4a3f2e"

#: name -> (what the test does to the fake, given the meeting, a joined and an idle attendee; the message).
MISUSES: dict[str, tuple[Callable[[FakeChime, str, str, str], None], str]] = {
    "unknown meeting": (
        lambda fake, meeting, joined, idle: fake.join(ABSENT, idle),
        f"cannot join: meeting {ABSENT} is not active (never created, deleted or ended); active meetings: ",
    ),
    "unknown attendee": (
        lambda fake, meeting, joined, idle: fake.join(meeting, ABSENT),
        f"cannot join: {ABSENT} is not an attendee of meeting {{meeting}} (never created, or deleted)",
    ),
    "joining twice": (
        lambda fake, meeting, joined, idle: fake.join(meeting, joined),
        "cannot join: attendee {joined} has already joined meeting {meeting} (rejoin() is the same join token",
    ),
    "an unknown network": (
        lambda fake, meeting, joined, idle: fake.join(meeting, idle, network="wifi"),
        "network='wifi' is not valid: use one of Voip, PSTN",
    ),
    "leaving when not joined": (
        lambda fake, meeting, joined, idle: fake.leave(meeting, idle),
        "cannot leave: attendee {idle} has not joined meeting {meeting}",
    ),
    "dropping when not joined": (
        lambda fake, meeting, joined, idle: fake.drop(meeting, idle),
        "cannot drop: attendee {idle} has not joined meeting {meeting}",
    ),
    "rejoining when not joined": (
        lambda fake, meeting, joined, idle: fake.rejoin(meeting, idle),
        "cannot rejoin: attendee {idle} has not joined meeting {meeting}",
    ),
    "video when not joined": (
        lambda fake, meeting, joined, idle: fake.start_video(meeting, idle),
        "cannot start video: attendee {idle} has not joined meeting {meeting}",
    ),
    "video already on": (
        lambda fake, meeting, joined, idle: (fake.start_video(meeting, joined), fake.start_video(meeting, joined)),
        "cannot start video: attendee {joined}'s video is already on",
    ),
    "video already off": (
        lambda fake, meeting, joined, idle: fake.stop_video(meeting, joined),
        "cannot stop video: attendee {joined}'s video is already off",
    ),
    "content already shared": (
        lambda fake, meeting, joined, idle: (fake.start_content(meeting, joined), fake.start_content(meeting, joined)),
        "cannot start content: attendee {joined} is already sharing content",
    ),
    "stopping content not shared": (
        lambda fake, meeting, joined, idle: fake.stop_content(meeting, joined),
        "cannot stop content: attendee {joined} is not sharing content",
    ),
}


@pytest.mark.parametrize("misuse", list(MISUSES))
def test_presence_misuse_raises_at_once_saying_why_and_emits_nothing(fake_chime: FakeChime, misuse: str) -> None:
    client = make_client(MODERN)
    meeting = create(client, MODERN)
    joined, idle = attend(client, meeting, "alice"), attend(client, meeting, "bob")
    fake_chime.join(meeting, joined)
    do, message = MISUSES[misuse]
    with pytest.raises(PresenceError, match=re.escape(message.format(meeting=meeting, joined=joined, idle=idle))):
        do(fake_chime, meeting, joined, idle)
    before = {"video already on": 1, "content already shared": 2}.get(misuse, 0)
    assert len(fake_chime.events) == 4 + before


def test_a_deleted_attendee_cannot_join(fake_chime: FakeChime, client: Any, service: str) -> None:
    meeting_id = create(client, service)
    alice = attend(client, meeting_id)
    client.delete_attendee(MeetingId=meeting_id, AttendeeId=alice)
    with pytest.raises(PresenceError, match=f"cannot join: {alice} is not an attendee of meeting {meeting_id}"):
        fake_chime.join(meeting_id, alice)


def test_nobody_can_join_an_ended_meeting(fake_chime: FakeChime, client: Any, service: str) -> None:
    meeting_id = create(client, service)
    alice = attend(client, meeting_id)
    client.delete_meeting(MeetingId=meeting_id)
    with pytest.raises(PresenceError, match=f"cannot join: meeting {meeting_id} is not active .*: none"):
        fake_chime.join(meeting_id, alice)
    assert kinds(fake_chime)[-1] == "chime:MeetingEnded"


def test_a_raising_event_hook_undoes_the_join(client: Any, service: str) -> None:
    def refuse(event: dict[str, Any]) -> None:
        if event["detail"]["eventType"] == "chime:AttendeeJoined":
            raise RuntimeError("not now")

    fake = FakeChime(on_event=refuse)
    with pytest.raises(HookError, match="not now"), fake:
        meeting_id = create(client, service)
        alice = attend(client, meeting_id)
        fake.join(meeting_id, alice)
    assert kinds(fake) == ["chime:MeetingStarted", "chime:AttendeeAdded"]
    with pytest.raises(PresenceError, match="has not joined"):
        fake.leave(meeting_id, alice)


def test_a_raising_event_hook_undoes_the_call(client: Any, service: str) -> None:
    def refuse(event: dict[str, Any]) -> None:
        if event["detail"]["eventType"] == "chime:AttendeeAdded":
            raise RuntimeError("no attendees")

    fake = FakeChime(on_event=refuse)
    with pytest.raises(HookError, match="no attendees"), fake:
        meeting_id = create(client, service)
        attend(client, meeting_id)
    assert kinds(fake) == ["chime:MeetingStarted"]
    assert dict(fake.attendees[meeting_id]) == {}


# --- meetings ending by themselves ----------------------------------------------------------------


def test_an_empty_meeting_lives_4_59_and_ends_at_5_00(fake_chime: FakeChime, client: Any, service: str) -> None:
    created = fake_chime.clock
    meeting_id = create(client, service)
    fake_chime.advance(minutes=4, seconds=59)
    assert client.get_meeting(MeetingId=meeting_id)["Meeting"]["MeetingId"] == meeting_id
    assert ended(fake_chime) == []
    fake_chime.advance(seconds=1)
    assert ended(fake_chime) == [(meeting_id, millis(created + dt.timedelta(minutes=5)))]
    assert_gone(client, meeting_id)


def test_a_meeting_ends_at_its_own_moment_within_a_long_advance(
    fake_chime: FakeChime, client: Any, service: str
) -> None:
    created = fake_chime.clock
    meeting_id = create(client, service)
    fake_chime.advance(hours=2)
    assert fake_chime.clock == created + dt.timedelta(hours=2)
    assert fake_chime.events[-1]["time"] == f"{created + dt.timedelta(minutes=5):%Y-%m-%dT%H:%M:%S}Z"
    assert ended(fake_chime) == [(meeting_id, millis(created + dt.timedelta(minutes=5)))]


def test_a_joined_attendee_keeps_the_meeting_and_leaving_restarts_the_count(
    fake_chime: FakeChime, client: Any, service: str
) -> None:
    meeting_id = create(client, service)
    alice = attend(client, meeting_id)
    fake_chime.advance(minutes=4)
    fake_chime.join(meeting_id, alice)
    fake_chime.advance(minutes=30)
    fake_chime.leave(meeting_id, alice)
    left = fake_chime.clock
    fake_chime.advance(minutes=4, seconds=59)
    assert ended(fake_chime) == []
    fake_chime.advance(seconds=1)
    assert ended(fake_chime) == [(meeting_id, millis(left + dt.timedelta(minutes=5)))]
    assert_gone(client, meeting_id)


def test_dropping_restarts_the_count_too(fake_chime: FakeChime, client: Any, service: str) -> None:
    meeting_id = create(client, service)
    alice = attend(client, meeting_id)
    fake_chime.join(meeting_id, alice)
    fake_chime.advance(minutes=10)
    fake_chime.drop(meeting_id, alice)
    fake_chime.advance(minutes=4, seconds=59)
    assert ended(fake_chime) == []
    fake_chime.advance(seconds=1)
    assert [meeting for meeting, _ in ended(fake_chime)] == [meeting_id]


def test_the_meeting_stays_while_one_attendee_is_still_joined(fake_chime: FakeChime, client: Any, service: str) -> None:
    meeting_id = create(client, service)
    alice, bob = attend(client, meeting_id, "alice"), attend(client, meeting_id, "bob")
    fake_chime.join(meeting_id, alice)
    fake_chime.join(meeting_id, bob)
    fake_chime.leave(meeting_id, alice)
    fake_chime.advance(hours=1)
    assert ended(fake_chime) == []


def test_a_meeting_ends_24_hours_after_creation_even_with_attendees(
    fake_chime: FakeChime, client: Any, service: str
) -> None:
    created = fake_chime.clock
    meeting_id = create(client, service)
    fake_chime.join(meeting_id, attend(client, meeting_id))
    fake_chime.advance(hours=23, minutes=59, seconds=59)
    assert ended(fake_chime) == []
    fake_chime.advance(seconds=1)
    assert ended(fake_chime) == [(meeting_id, millis(created + dt.timedelta(hours=24)))]
    assert_gone(client, meeting_id)


def test_meetings_end_in_time_order(fake_chime: FakeChime, client: Any, service: str) -> None:
    first = create(client, service, "token-0001")
    fake_chime.advance(minutes=2)
    second = create(client, service, "token-0002")
    fake_chime.join(second, attend(client, second))
    fake_chime.advance(minutes=1)
    third = create(client, service, "token-0003")
    fake_chime.advance(hours=25)
    assert [meeting for meeting, _ in ended(fake_chime)] == [first, third, second]
    stamps = [stamp for _, stamp in ended(fake_chime)]
    assert stamps == sorted(stamps)


def test_a_replica_ends_with_its_primary_on_delete_meeting(fake_chime: FakeChime) -> None:
    client = make_client(MODERN)
    primary = create(client, MODERN, "token-0001")
    replica = create(client, MODERN, "token-0002", PrimaryMeetingId=primary)
    fake_chime.join(replica, attend(client, replica))
    client.delete_meeting(MeetingId=primary)
    assert [meeting for meeting, _ in ended(fake_chime)] == [primary, replica]
    assert_gone(client, replica)


def test_a_replica_ends_with_its_primary_when_the_primary_ends_by_itself(fake_chime: FakeChime) -> None:
    client = make_client(MODERN)
    created = fake_chime.clock
    primary = create(client, MODERN, "token-0001")
    replica = create(client, MODERN, "token-0002", PrimaryMeetingId=primary)
    fake_chime.join(replica, attend(client, replica))
    fake_chime.advance(minutes=5)
    moment = millis(created + dt.timedelta(minutes=5))
    assert ended(fake_chime) == [(primary, moment), (replica, moment)]
    assert_gone(client, primary)
    assert_gone(client, replica)


@pytest.mark.fake_chime(empty_meeting_timeout=60)
def test_the_empty_meeting_timeout_set_by_marker_applies(fake_chime: FakeChime, client: Any, service: str) -> None:
    meeting_id = create(client, service)
    fake_chime.advance(seconds=59)
    assert ended(fake_chime) == []
    fake_chime.advance(seconds=1)
    assert [meeting for meeting, _ in ended(fake_chime)] == [meeting_id]


@pytest.mark.fake_chime(max_meeting_duration=3600)
def test_the_max_meeting_duration_set_by_marker_applies(fake_chime: FakeChime, client: Any, service: str) -> None:
    meeting_id = create(client, service)
    fake_chime.join(meeting_id, attend(client, meeting_id))
    fake_chime.advance(minutes=59, seconds=59)
    assert ended(fake_chime) == []
    fake_chime.advance(seconds=1)
    assert [meeting for meeting, _ in ended(fake_chime)] == [meeting_id]
