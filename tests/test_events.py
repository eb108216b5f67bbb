"""Meeting events as Chime sends them: their shape, which calls emit them, in what order, and what emits none."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from pytest_chime import FakeChime, HookError
from tests.conftest import make_client, valid_request

MODERN = "chime-sdk-meetings"
SEND_ONLY = {"Audio": "Send", "Video": "Send", "Content": "None"}

#: Every eventType of the facts' table ("Meeting events").
DOCUMENTED = {
    "chime:MeetingStarted",
    "chime:MeetingEnded",
    "chime:AttendeeAdded",
    "chime:AttendeeDeleted",
    "chime:AttendeeAuthorized",
    "chime:AttendeeJoined",
    "chime:AttendeeLeft",
    "chime:AttendeeDropped",
    "chime:AttendeeVideoStarted",
    "chime:AttendeeVideoStopped",
    "chime:AttendeeContentJoined",
    "chime:AttendeeContentLeft",
    "chime:AttendeeContentDropped",
    "chime:AttendeeContentVideoStarted",
    "chime:AttendeeContentVideoStopped",
    "chime:AttendeeCapabilitiesUpdated",
}


class AnyUuid:
    """Equal to any UUID in its canonical text form (an event's ``id``)."""

    def __eq__(self, other: object) -> bool:
        try:
            return isinstance(other, str) and str(uuid.UUID(other)) == other
        except ValueError:
            return False

    def __repr__(self) -> str:
        return "<any UUID>"


def expected(
    fake: FakeChime,
    event_type: str,
    meeting: dict[str, Any],
    attendee: dict[str, Any] | None = None,
    *,
    region: str = "us-east-1",
    account: str = "123456789012",
    suffix: str = "",
    **added: Any,
) -> dict[str, Any]:
    """The whole event Chime sends now (the fake's clock) about ``meeting`` (and ``attendee``)."""
    now = fake.clock
    detail: dict[str, Any] = {
        "version": "0",
        "eventType": event_type,
        "timestamp": round(now.timestamp() * 1000),
        "meetingId": meeting["MeetingId"],
        "externalMeetingId": meeting["ExternalMeetingId"],
        "mediaRegion": meeting["MediaRegion"],
    }
    if attendee is not None:
        detail["attendeeId"] = attendee["AttendeeId"] + suffix
        detail["externalUserId"] = attendee["ExternalUserId"] + suffix
    detail |= added
    return {
        "version": "0",
        "id": AnyUuid(),
        "detail-type": "Chime Meeting State Change",
        "source": "aws.chime",
        "account": account,
        "time": now.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [],
        "detail": detail,
    }


def create(client: Any, service: str, **overrides: Any) -> dict[str, Any]:
    return dict(client.create_meeting(**valid_request(service, ExternalMeetingId="standup", **overrides))["Meeting"])


def kinds(fake: FakeChime) -> list[str]:
    return [event["detail"]["eventType"] for event in fake.events]


def test_every_documented_event_type_has_exactly_its_keys_and_values(
    fake_chime: FakeChime, client: Any, service: str
) -> None:
    fake, want = fake_chime, []

    def step(event_type: str, attendee: dict[str, Any] | None = None, **added: Any) -> None:
        want.append(expected(fake, event_type, meeting, attendee, **added))

    meeting = create(client, service)
    step("chime:MeetingStarted")
    meeting_id = meeting["MeetingId"]
    fake.advance(seconds=1.25)
    alice = client.create_attendee(MeetingId=meeting_id, ExternalUserId="alice")["Attendee"]
    step("chime:AttendeeAdded", alice)
    fake.advance(seconds=1)
    fake.join(meeting_id, alice["AttendeeId"])
    step("chime:AttendeeJoined", alice, networkType="Voip")
    fake.advance(seconds=1)
    fake.rejoin(meeting_id, alice["AttendeeId"])
    step("chime:AttendeeAuthorized", alice)
    fake.start_video(meeting_id, alice["AttendeeId"])
    step("chime:AttendeeVideoStarted", alice)
    fake.advance(seconds=1)
    fake.stop_video(meeting_id, alice["AttendeeId"])
    step("chime:AttendeeVideoStopped", alice)
    fake.start_content(meeting_id, alice["AttendeeId"])
    step("chime:AttendeeContentJoined", alice, suffix="#content", networkType="Voip")
    step("chime:AttendeeContentVideoStarted", alice, suffix="#content")
    fake.advance(seconds=1)
    fake.stop_content(meeting_id, alice["AttendeeId"])
    step("chime:AttendeeContentVideoStopped", alice, suffix="#content")
    step("chime:AttendeeContentLeft", alice, suffix="#content", networkType="Voip")
    fake.start_content(meeting_id, alice["AttendeeId"])
    step("chime:AttendeeContentJoined", alice, suffix="#content", networkType="Voip")
    step("chime:AttendeeContentVideoStarted", alice, suffix="#content")
    fake.advance(seconds=1)
    fake.drop(meeting_id, alice["AttendeeId"])
    step("chime:AttendeeContentVideoStopped", alice, suffix="#content")
    step("chime:AttendeeContentDropped", alice, suffix="#content", networkType="Voip")
    step("chime:AttendeeDropped", alice, networkType="Voip")
    fake.join(meeting_id, alice["AttendeeId"], network="PSTN")
    step("chime:AttendeeJoined", alice, networkType="PSTN")
    fake.advance(seconds=1)
    fake.leave(meeting_id, alice["AttendeeId"])
    step("chime:AttendeeLeft", alice, networkType="PSTN")
    if service == MODERN:
        alice = client.update_attendee_capabilities(
            MeetingId=meeting_id, AttendeeId=alice["AttendeeId"], Capabilities=SEND_ONLY
        )["Attendee"]
        capabilities = {"audio": "Send", "video": "Send", "content": "None"}
        step("chime:AttendeeCapabilitiesUpdated", alice, success="1", attendeeCapabilities=capabilities)
    fake.advance(seconds=1)
    client.delete_attendee(MeetingId=meeting_id, AttendeeId=alice["AttendeeId"])
    step("chime:AttendeeDeleted", alice)
    client.delete_meeting(MeetingId=meeting_id)
    step("chime:MeetingEnded")

    assert fake.events == want
    legacy_lacks = set() if service == MODERN else {"chime:AttendeeCapabilitiesUpdated"}
    assert set(kinds(fake)) == DOCUMENTED - legacy_lacks
    assert len({event["id"] for event in fake.events}) == len(fake.events)


def test_a_meetings_life_emits_its_events_in_order(fake_chime: FakeChime, client: Any, service: str) -> None:
    meeting_id = create(client, service)["MeetingId"]
    batch = client.batch_create_attendee(
        MeetingId=meeting_id, Attendees=[{"ExternalUserId": "alice"}, {"ExternalUserId": "bob"}]
    )["Attendees"]
    alice, bob = (attendee["AttendeeId"] for attendee in batch)
    fake_chime.join(meeting_id, alice)
    fake_chime.join(meeting_id, bob)
    fake_chime.start_video(meeting_id, alice)
    fake_chime.start_content(meeting_id, bob)
    fake_chime.drop(meeting_id, alice)
    fake_chime.join(meeting_id, alice)
    fake_chime.rejoin(meeting_id, alice)
    fake_chime.leave(meeting_id, alice)
    fake_chime.leave(meeting_id, bob)
    client.delete_attendee(MeetingId=meeting_id, AttendeeId=alice)
    client.delete_meeting(MeetingId=meeting_id)

    seen = [(event["detail"]["eventType"][6:], event["detail"].get("attendeeId")) for event in fake_chime.events]
    assert seen == [
        ("MeetingStarted", None),
        ("AttendeeAdded", alice),
        ("AttendeeAdded", bob),
        ("AttendeeJoined", alice),
        ("AttendeeJoined", bob),
        ("AttendeeVideoStarted", alice),
        ("AttendeeContentJoined", f"{bob}#content"),
        ("AttendeeContentVideoStarted", f"{bob}#content"),
        ("AttendeeVideoStopped", alice),
        ("AttendeeDropped", alice),
        ("AttendeeJoined", alice),
        ("AttendeeAuthorized", alice),
        ("AttendeeLeft", alice),
        ("AttendeeContentVideoStopped", f"{bob}#content"),
        ("AttendeeContentLeft", f"{bob}#content"),
        ("AttendeeLeft", bob),
        ("AttendeeDeleted", alice),
        ("MeetingEnded", None),
    ]
    assert all(event["detail"]["meetingId"] == meeting_id for event in fake_chime.events)


def test_meeting_started_comes_at_creation_before_any_join(fake_chime: FakeChime, client: Any, service: str) -> None:
    meeting = create(client, service)
    assert fake_chime.events == [expected(fake_chime, "chime:MeetingStarted", meeting)]


def test_create_meeting_with_attendees_emits_started_then_one_added_per_attendee(
    fake_chime: FakeChime, client: Any, service: str
) -> None:
    answer = client.create_meeting_with_attendees(
        **valid_request(service, ExternalMeetingId="standup"),
        Attendees=[{"ExternalUserId": "alice"}, {"ExternalUserId": "bob"}],
    )
    meeting = answer["Meeting"]
    alice, bob = answer["Attendees"]
    assert fake_chime.events == [
        expected(fake_chime, "chime:MeetingStarted", meeting),
        expected(fake_chime, "chime:AttendeeAdded", meeting, alice),
        expected(fake_chime, "chime:AttendeeAdded", meeting, bob),
    ]


def test_an_events_times_follow_the_fake_clock_to_the_millisecond(
    fake_chime: FakeChime, client: Any, service: str
) -> None:
    start = fake_chime.clock
    meeting_id = create(client, service)["MeetingId"]
    fake_chime.advance(seconds=61.5)
    client.create_attendee(MeetingId=meeting_id, ExternalUserId="alice")
    started, added = fake_chime.events
    assert started["detail"]["timestamp"] == round(start.timestamp() * 1000)
    assert added["detail"]["timestamp"] == started["detail"]["timestamp"] + 61_500
    later = start + dt.timedelta(seconds=61)
    assert (started["time"], added["time"]) == (
        f"{start:%Y-%m-%dT%H:%M:%S}Z",
        f"{later:%Y-%m-%dT%H:%M:%S}Z",
    )


def test_an_events_region_is_the_meetings_control_region_and_its_account_the_fakes(fake_chime: FakeChime) -> None:
    fake_chime.account_id = "210987654321"
    client = make_client(MODERN, region="eu-central-1")
    meeting = create(client, MODERN, MediaRegion="ap-southeast-1")
    assert fake_chime.events == [
        expected(fake_chime, "chime:MeetingStarted", meeting, region="eu-central-1", account="210987654321")
    ]
    assert fake_chime.events[0]["detail"]["mediaRegion"] == "ap-southeast-1"


def test_each_attendee_of_a_batch_is_added_in_the_order_of_the_answer(
    fake_chime: FakeChime, client: Any, service: str
) -> None:
    meeting = create(client, service)
    created = client.batch_create_attendee(
        MeetingId=meeting["MeetingId"], Attendees=[{"ExternalUserId": f"user-{n}"} for n in range(3)]
    )["Attendees"]
    assert fake_chime.events[1:] == [expected(fake_chime, "chime:AttendeeAdded", meeting, one) for one in created]


def test_a_repeated_client_request_token_emits_nothing_new(fake_chime: FakeChime, client: Any, service: str) -> None:
    create(client, service)
    create(client, service)
    assert kinds(fake_chime) == ["chime:MeetingStarted"]


def test_an_external_user_id_already_there_emits_no_new_attendee_added(
    fake_chime: FakeChime, client: Any, service: str
) -> None:
    meeting_id = create(client, service)["MeetingId"]
    client.create_attendee(MeetingId=meeting_id, ExternalUserId="alice")
    client.create_attendee(MeetingId=meeting_id, ExternalUserId="alice")
    client.batch_create_attendee(MeetingId=meeting_id, Attendees=[{"ExternalUserId": "alice"}])
    assert kinds(fake_chime) == ["chime:MeetingStarted", "chime:AttendeeAdded"]


def test_an_injected_error_emits_nothing(fake_chime: FakeChime, client: Any, service: str) -> None:
    fake_chime.fail("BadRequestException", service=service)
    with pytest.raises(client.exceptions.BadRequestException):
        create(client, service)
    assert fake_chime.events == []


def test_a_validation_error_emits_nothing(fake_chime: FakeChime, client: Any, service: str) -> None:
    meeting_id = create(client, service)["MeetingId"]
    with pytest.raises(client.exceptions.BadRequestException):
        client.create_attendee(MeetingId=meeting_id, ExternalUserId="aws:alice")
    with pytest.raises(client.exceptions.NotFoundException):
        client.delete_attendee(MeetingId=meeting_id, AttendeeId=str(uuid.UUID(int=7)))
    assert kinds(fake_chime) == ["chime:MeetingStarted"]


def test_a_hook_error_rolls_back_create_meeting_with_attendees_and_its_events(client: Any, service: str) -> None:
    def refuse_bob(attendee: dict[str, Any], meeting: Any, params: dict[str, Any]) -> None:
        if attendee["ExternalUserId"] == "bob":
            raise RuntimeError("no bob")

    fake = FakeChime(on_attendee_created=refuse_bob)
    with pytest.raises(HookError, match="no bob"), fake:
        client.create_meeting_with_attendees(
            **valid_request(service), Attendees=[{"ExternalUserId": "alice"}, {"ExternalUserId": "bob"}]
        )
    assert fake.events == []
    assert dict(fake.meetings) == {}


def test_deleting_a_meeting_emits_meeting_ended_and_nothing_about_its_attendees(
    fake_chime: FakeChime, client: Any, service: str
) -> None:
    meeting = create(client, service)
    attendee_id = client.create_attendee(MeetingId=meeting["MeetingId"], ExternalUserId="alice")["Attendee"][
        "AttendeeId"
    ]
    fake_chime.join(meeting["MeetingId"], attendee_id)
    fake_chime.advance(minutes=3)
    client.delete_meeting(MeetingId=meeting["MeetingId"])
    assert fake_chime.events[-1] == expected(fake_chime, "chime:MeetingEnded", meeting)
    assert kinds(fake_chime)[-2:] == ["chime:AttendeeJoined", "chime:MeetingEnded"]


def test_updating_capabilities_emits_only_for_attendees_whose_capabilities_changed(fake_chime: FakeChime) -> None:
    client = make_client(MODERN)
    meeting = create(client, MODERN)
    meeting_id = meeting["MeetingId"]
    created = client.batch_create_attendee(
        MeetingId=meeting_id,
        Attendees=[
            {"ExternalUserId": "host"},
            {"ExternalUserId": "already", "Capabilities": SEND_ONLY},
            {"ExternalUserId": "guest"},
        ],
    )["Attendees"]
    host, already, guest = created
    before = len(fake_chime.events)
    client.batch_update_attendee_capabilities_except(
        MeetingId=meeting_id, ExcludedAttendeeIds=[{"AttendeeId": host["AttendeeId"]}], Capabilities=SEND_ONLY
    )
    changed = {"audio": "Send", "video": "Send", "content": "None"}
    guest = client.get_attendee(MeetingId=meeting_id, AttendeeId=guest["AttendeeId"])["Attendee"]
    assert fake_chime.events[before:] == [
        expected(
            fake_chime, "chime:AttendeeCapabilitiesUpdated", meeting, guest, success="1", attendeeCapabilities=changed
        )
    ]
    client.update_attendee_capabilities(MeetingId=meeting_id, AttendeeId=already["AttendeeId"], Capabilities=SEND_ONLY)
    assert len(fake_chime.events) == before + 1


# --- the pytest_chime_event hook ------------------------------------------------------------------

#: Inner runs without Hypothesis's plugin: its terminal summary imports hypothesis anew in each
#: (pytester forgets the modules a run imported), over a second a run.
QUICK = ("-p", "no:randomly", "-p", "no:hypothesispytest", "-p", "no:asyncio")

CLIENT = """
import boto3
import pytest

from pytest_chime import HookError

def make():
    return boto3.client(
        "chime-sdk-meetings", region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="not-a-secret",
    )

def create_with(*names):
    return make().create_meeting_with_attendees(
        ClientRequestToken="t-1", MediaRegion="us-east-1", ExternalMeetingId="standup",
        Attendees=[{"ExternalUserId": name} for name in names],
    )
"""


def test_a_conftest_pytest_chime_event_hook_sees_every_event_in_order(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        SEEN = []

        def pytest_chime_event(fake, event):
            SEEN.append((fake, event))
        """
    )
    pytester.makepyfile(
        CLIENT
        + """
from conftest import SEEN

def test_seen(fake_chime):
    answer = create_with("alice")
    fake_chime.join(answer["Meeting"]["MeetingId"], answer["Attendees"][0]["AttendeeId"])
    assert [event["detail"]["eventType"] for _, event in SEEN] == [
        "chime:MeetingStarted", "chime:AttendeeAdded", "chime:AttendeeJoined"
    ]
    assert [event for _, event in SEEN] == fake_chime.events
    assert all(fake is fake_chime for fake, _ in SEEN)
"""
    )
    pytester.runpytest(*QUICK).assert_outcomes(passed=1)


def test_a_raising_pytest_chime_event_hook_undoes_the_call_and_fails_the_test(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        def pytest_chime_event(fake, event):
            if event["detail"].get("externalUserId") == "bob":
                raise RuntimeError("bob is not welcome")
        """
    )
    pytester.makepyfile(
        CLIENT
        + """
def test_undone(fake_chime):
    with pytest.raises(HookError, match="bob is not welcome"):
        create_with("alice", "bob")
    assert dict(fake_chime.meetings) == {}
    assert fake_chime.events == []
"""
    )
    result = pytester.runpytest(*QUICK)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*a hook failed: the hook pytest_chime_event raised RuntimeError('bob is not welcome')*"]
    )
