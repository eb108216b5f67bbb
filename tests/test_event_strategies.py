"""strategies.events() and the faker's chime_event(): events shaped exactly as the fake emits them."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from faker import Faker
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from pytest_chime import FakeChime, events
from pytest_chime import strategies as chime_st
from pytest_chime.providers import ChimeProvider
from tests.conftest import make_client

FEW = settings(max_examples=25, deadline=None, database=None)

#: The envelope's keys and the base members of every detail (chime-facts.md, "Meeting events").
ENVELOPE = {"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"}
BASE_DETAIL = {"version", "eventType", "timestamp", "meetingId", "externalMeetingId", "mediaRegion"}
TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
REGION = re.compile(r"[a-z]{2}(-gov)?-[a-z]+-\d")
CAPABILITIES = {"SendReceive", "Send", "Receive", "None"}
#: Where the fake's events in these tests come from: a control region other than the default.
FAKE_REGION = "eu-west-2"


def is_uuid(text: object) -> bool:
    try:
        return isinstance(text, str) and str(uuid.UUID(text)) == text
    except ValueError:
        return False


def check_shape(event: dict[str, Any]) -> None:
    """The event has exactly the documented keys, each value in its documented form."""
    assert set(event) == ENVELOPE
    assert event["version"] == "0"
    assert is_uuid(event["id"])
    assert event["detail-type"] == "Chime Meeting State Change"
    assert event["source"] == "aws.chime"
    assert re.fullmatch(r"\d{12}", event["account"])
    assert TIME.fullmatch(event["time"])
    assert REGION.fullmatch(event["region"])
    assert event["resources"] == []
    detail = event["detail"]
    kind = detail["eventType"]
    assert set(detail) == BASE_DETAIL | set(events.EVENT_TYPES[kind])
    assert detail["version"] == "0"
    assert isinstance(detail["timestamp"], int)
    moment = dt.datetime.strptime(event["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    assert detail["timestamp"] // 1000 == int(moment.timestamp())  # the same moment, to the second
    assert is_uuid(detail["meetingId"])
    assert isinstance(detail["externalMeetingId"], str)
    assert REGION.fullmatch(detail["mediaRegion"])
    if "attendeeId" in detail:
        suffix = "#content" if kind.startswith("chime:AttendeeContent") else ""
        attendee_id, _, rest = detail["attendeeId"].partition("#")
        assert is_uuid(attendee_id)
        assert ("#" + rest if rest else "") == suffix
        assert isinstance(detail["externalUserId"], str)
        assert detail["externalUserId"].endswith(suffix)
    if "networkType" in detail:
        assert detail["networkType"] in events.NETWORK_TYPES
    if "attendeeCapabilities" in detail:
        assert detail["success"] in ("1", "0")
        assert set(detail["attendeeCapabilities"]) == {"audio", "video", "content"}
        assert set(detail["attendeeCapabilities"].values()) <= CAPABILITIES


def form(value: Any) -> Any:
    """What an event looks like without its values: keys, and each value's type."""
    if isinstance(value, dict):
        return {key: form(item) for key, item in value.items()}
    if isinstance(value, list):
        return [form(item) for item in value]
    return type(value).__name__


def check_drawn(event: dict[str, Any]) -> None:
    check_shape(event)
    assert event["detail"]["timestamp"] % 1000 == 0  # drawn times are whole seconds


# --- strategies.events() --------------------------------------------------------------------


@FEW
@given(chime_st.events())
def test_every_drawn_event_has_the_documented_shape(event: dict[str, Any]) -> None:
    check_drawn(event)


@pytest.mark.parametrize("event_type", list(events.EVENT_TYPES))
def test_a_given_event_type_is_the_only_one_drawn(event_type: str) -> None:
    @settings(max_examples=5, deadline=None, database=None)
    @given(chime_st.events(event_type))
    def check(event: dict[str, Any]) -> None:
        check_drawn(event)
        assert event["detail"]["eventType"] == event_type

    check()


@pytest.mark.evidence  # about 0.7 s a type: the default run keeps test_only_the_asked_type_is_drawn
@pytest.mark.parametrize("event_type", sorted(events.EVENT_TYPES))
def test_every_documented_type_is_drawn(event_type: str) -> None:
    meeting = {"MeetingId": "0f5f1c5e-9d43-4e6b-9c1e-2e5c8a6b7d10"}
    found = find(
        chime_st.events(meeting=meeting),
        lambda event: event["detail"]["eventType"] == event_type,
        settings=settings(max_examples=2000, database=None, derandomize=True),
    )
    assert found["detail"]["eventType"] == event_type


@FEW
@given(st.data(), chime_st.meetings(region="ap-southeast-2", account_id="210987654321"))
def test_events_about_a_given_meeting_are_consistent_with_it(data: st.DataObject, meeting: dict[str, Any]) -> None:
    event = data.draw(chime_st.events(meeting=meeting))
    check_drawn(event)
    detail = event["detail"]
    assert detail["meetingId"] == meeting["MeetingId"]
    assert detail["externalMeetingId"] == meeting["ExternalMeetingId"]
    assert detail["mediaRegion"] == meeting["MediaRegion"]
    assert (event["region"], event["account"]) == ("ap-southeast-2", "210987654321")


@FEW
@given(chime_st.events(meeting={"MeetingId": "0f5f1c5e-9d43-4e6b-9c1e-2e5c8a6b7d10", "MediaRegion": "us-west-2"}))
def test_a_meeting_without_an_arn_is_in_us_east_1(event: dict[str, Any]) -> None:
    assert event["region"] == "us-east-1"
    assert re.fullmatch(r"\d{12}", event["account"])
    assert event["detail"]["mediaRegion"] == "us-west-2"
    assert event["detail"]["externalMeetingId"] is None  # the record has none, as build_event answers it


def test_an_unknown_event_type_raises_at_once_listing_the_valid_ones() -> None:
    with pytest.raises(InvalidArgument, match=r"'chime:MeetingPaused'.*chime:MeetingStarted, chime:MeetingEnded"):
        chime_st.events("chime:MeetingPaused")


@pytest.mark.parametrize(
    ("meeting", "words"),
    [
        ("not a meeting", "is not a Meeting record"),
        ({"ExternalMeetingId": "standup"}, "is not a Meeting record"),
        ({"MeetingId": "m", "MeetingArn": "arn:aws:chime:us-east-1:1234:meeting/m"}, "is not a meeting ARN"),
        ({"MeetingId": "m", "MeetingArn": "arn:aws:chime:us-east-1:123456789012:meeting/n"}, "names another meeting"),
    ],
)
def test_a_bad_meeting_raises_at_once(meeting: Any, words: str) -> None:
    with pytest.raises(InvalidArgument, match=words):
        chime_st.events(meeting=meeting)


def test_the_given_meeting_is_copied() -> None:
    meeting = {"MeetingId": "0f5f1c5e-9d43-4e6b-9c1e-2e5c8a6b7d10", "ExternalMeetingId": "standup"}
    strategy = chime_st.events(meeting=meeting)
    meeting["ExternalMeetingId"] = "changed"

    @settings(max_examples=5, deadline=None, database=None)
    @given(strategy)
    def check(event: dict[str, Any]) -> None:
        assert event["detail"]["externalMeetingId"] == "standup"

    check()


# --- the faker's chime_event() --------------------------------------------------------------


@pytest.fixture
def fake() -> Faker:
    made = Faker()
    made.add_provider(ChimeProvider)
    made.seed_instance(20)
    return made


def test_chime_event_has_the_documented_shape(fake: Faker) -> None:
    kinds = set()
    for _ in range(200):
        event = fake.chime_event()
        check_shape(event)
        kinds.add(event["detail"]["eventType"])
    assert kinds == set(events.EVENT_TYPES)


@pytest.mark.parametrize("event_type", list(events.EVENT_TYPES))
def test_chime_event_of_a_type_about_a_meeting(fake: Faker, event_type: str) -> None:
    meeting = fake.chime_meeting(control_region="eu-central-1", account_id="000011112222")
    event = fake.chime_event(event_type, meeting=meeting)
    check_shape(event)
    assert event["detail"]["eventType"] == event_type
    assert event["detail"]["meetingId"] == meeting["MeetingId"]
    assert event["detail"]["externalMeetingId"] == meeting["ExternalMeetingId"]
    assert event["detail"]["mediaRegion"] == meeting["MediaRegion"]
    assert (event["region"], event["account"]) == ("eu-central-1", "000011112222")


def test_chime_event_is_reproducible_from_the_seed(fake: Faker) -> None:
    fake.seed_instance(5)
    first = [fake.chime_event() for _ in range(3)]
    fake.seed_instance(5)
    assert [fake.chime_event() for _ in range(3)] == first


def test_chime_event_refuses_an_unknown_type_and_a_bad_meeting(fake: Faker) -> None:
    with pytest.raises(ValueError, match=r"'chime:Nope'.*chime:MeetingStarted"):
        fake.chime_event("chime:Nope")
    with pytest.raises(ValueError, match="is not a Meeting"):
        fake.chime_event(meeting={"ExternalMeetingId": "x"})
    with pytest.raises(ValueError, match="is not a meeting ARN"):
        fake.chime_event(meeting={"MeetingId": "m", "MeetingArn": "arn:aws:chime:us-east-1"})


# --- the same as the fake's own --------------------------------------------------------------


@pytest.fixture(scope="module")
def emitted() -> Iterator[tuple[dict[str, Any], dict[str, dict[str, Any]]]]:
    """A meeting's record (as GetMeeting answers it) and the fake's first event of every type about it."""
    with FakeChime() as chime:
        client = make_client("chime-sdk-meetings", region=FAKE_REGION)
        meeting_id = client.create_meeting(
            ClientRequestToken="token-1", ExternalMeetingId="standup", MediaRegion="eu-west-2"
        )["Meeting"]["MeetingId"]
        record = client.get_meeting(MeetingId=meeting_id)["Meeting"]
        alice = client.create_attendee(MeetingId=meeting_id, ExternalUserId="alice")["Attendee"]["AttendeeId"]
        chime.advance(seconds=1.5)
        chime.join(meeting_id, alice)
        chime.rejoin(meeting_id, alice)
        chime.start_video(meeting_id, alice)
        chime.stop_video(meeting_id, alice)
        chime.start_content(meeting_id, alice)
        chime.stop_content(meeting_id, alice)
        chime.start_content(meeting_id, alice)
        chime.drop(meeting_id, alice)
        chime.join(meeting_id, alice, network="PSTN")
        chime.leave(meeting_id, alice)
        client.update_attendee_capabilities(
            MeetingId=meeting_id,
            AttendeeId=alice,
            Capabilities={"Audio": "Send", "Video": "None", "Content": "None"},
        )
        client.delete_attendee(MeetingId=meeting_id, AttendeeId=alice)
        client.delete_meeting(MeetingId=meeting_id)
        first: dict[str, dict[str, Any]] = {}
        for event in chime.events:
            first.setdefault(event["detail"]["eventType"], event)
        yield record, first


def test_the_fake_emits_every_type_in_these_tests(emitted: tuple[dict[str, Any], dict[str, dict[str, Any]]]) -> None:
    _, first = emitted
    assert set(first) == set(events.EVENT_TYPES)
    for event in first.values():
        check_shape(event)


@pytest.mark.parametrize("event_type", list(events.EVENT_TYPES))
def test_a_drawn_event_is_shaped_as_the_fakes(
    emitted: tuple[dict[str, Any], dict[str, dict[str, Any]]], event_type: str, fake: Faker
) -> None:
    record, first = emitted
    theirs = first[event_type]

    def same(event: dict[str, Any]) -> None:
        check_shape(event)
        assert form(event) == form(theirs)
        assert list(event["detail"]) == list(theirs["detail"])  # the same members in the same order
        for key in ("account", "region"):
            assert event[key] == theirs[key]
        for key in ("meetingId", "externalMeetingId", "mediaRegion"):
            assert event["detail"][key] == theirs["detail"][key]
        if "attendeeId" in theirs["detail"]:
            for key in ("attendeeId", "externalUserId"):  # the content share's suffix, or none, as the fake's
                assert event["detail"][key].partition("#")[1:] == theirs["detail"][key].partition("#")[1:]

    @settings(max_examples=5, deadline=None, database=None)
    @given(chime_st.events(event_type, meeting=record))
    def drawn(event: dict[str, Any]) -> None:
        same(event)

    drawn()
    same(fake.chime_event(event_type, meeting=record))
