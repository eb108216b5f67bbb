"""The "chime fake" report section, and FakeChime.summary() that writes it."""

from __future__ import annotations

import re

# Imported here although only the inner runs use it: pytester restores sys.modules after
# each in-process run, and importing boto3 afresh costs time in every run.
import boto3  # noqa: F401
import pytest

from pytest_chime import FakeChime, UnsupportedOperationError
from pytest_chime.report import TITLE
from tests.conftest import make_client

PROJECT = """
import boto3
import pytest


def client():
    return boto3.client("chime-sdk-meetings", region_name="eu-west-2")


@pytest.mark.chime_error("ThrottlingException", operation="CreateAttendee", times=2)
def test_fails(fake_chime):
    chime = client()
    meeting = chime.create_meeting(
        ClientRequestToken="tok-0", MediaRegion="eu-west-2", ExternalMeetingId="standup"
    )["Meeting"]["MeetingId"]
    chime.create_attendee(MeetingId=meeting, ExternalUserId="alice")
    for _ in range(20):
        chime.get_meeting(MeetingId=meeting)
    with pytest.raises(chime.exceptions.BadRequestException):
        chime.create_meeting(ClientRequestToken="tok-1", MediaRegion="eu-west-2", ExternalMeetingId="E" * 500)
    assert False, "the meeting went wrong"


def test_passes(fake_chime):
    client().create_meeting(ClientRequestToken="tok-2", MediaRegion="eu-west-2", ExternalMeetingId="passing-meeting")


def test_leaves_an_injection_unused(fake_chime):
    fake_chime.fail("NotFoundException", operation="DeleteMeeting")
    client().create_meeting(ClientRequestToken="tok-3", MediaRegion="eu-west-2", ExternalMeetingId="unused-meeting")


@pytest.fixture
def broken(fake_chime):
    client().create_meeting(ClientRequestToken="tok-4", MediaRegion="eu-west-2", ExternalMeetingId="setup-meeting")
    raise RuntimeError("the fixture broke")


def test_setup_fails(broken):
    pass
"""

_SEPARATOR = re.compile(r"^([-=_])\1{2,}( .* \1{3,})?$")


def sections(output: str) -> list[str]:
    """The text of each "chime fake" section in pytest's output, in order."""
    found: list[str] = []
    current: list[str] | None = None
    for line in output.splitlines():
        if _SEPARATOR.match(line):
            if current is not None:
                found.append("\n".join(current))
            current = [] if re.match(rf"^-+ {TITLE} -+$", line) else None
        elif current is not None:
            current.append(line)
    if current is not None:
        found.append("\n".join(current))
    return found


def section_with(output: str, text: str) -> str:
    """The one section containing ``text``."""
    chosen = [section for section in sections(output) if text in section]
    assert len(chosen) == 1, output
    return chosen[0]


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(test_project=PROJECT)
    return pytester


def test_a_failure_shows_the_section_and_a_pass_does_not(project: pytest.Pytester) -> None:
    result = project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1, passed=2, errors=2)
    output = result.stdout.str()
    found = sections(output)
    assert len(found) == 3, output  # the failure, the teardown error and the setup error
    assert "passing-meeting" not in output

    failed = section_with(output, "standup")
    lines = failed.splitlines()
    assert lines[0] == "calls: 25 (3 answered an error)"
    assert re.match(
        r" +1\. chime-sdk-meetings CreateMeeting ExternalMeetingId='standup' ClientRequestToken='tok-0' "
        r"MediaRegion='eu-west-2' region=eu-west-2 request_id=[0-9a-f-]{36} -> 200$",
        lines[1],
    )
    assert re.match(
        r" +2\. chime-sdk-meetings CreateAttendee MeetingId='[0-9a-f-]{36}' ExternalUserId='alice' "
        r"region=eu-west-2 request_id=[0-9a-f-]{36} -> 429 ThrottlingException: Rate exceeded$",
        lines[2],
    )
    assert "   3. chime-sdk-meetings CreateAttendee (attempt 2) MeetingId=" in lines[3]
    assert "   4. chime-sdk-meetings CreateAttendee (attempt 3) MeetingId=" in lines[4]
    assert lines[4].endswith("-> 200")
    assert "  ... 5 more call(s) (-vv shows all)" in lines
    assert len([line for line in lines if re.match(r"  +\d+\. ", line)]) == 20
    last = next(line for line in lines if line.startswith("  25. "))
    assert f"ExternalMeetingId={'E' * 60!r}... (500 characters)" in last
    assert "E" * 61 not in failed
    assert "-> 400 BadRequestException: " in last
    assert "injected errors: 1" in lines
    assert (
        "  ThrottlingException (times=2, after=0, service=any, operation=CreateAttendee) from "
        "@pytest.mark.chime_error('ThrottlingException', operation='CreateAttendee', times=2): fired 2 of 2"
    ) in lines
    assert "meetings left: 1" in lines
    assert re.search(r"^  [0-9a-f-]{36} \(chime-sdk-meetings\) ExternalMeetingId='standup'", failed, re.M)
    assert re.search(r"^    attendee [0-9a-f-]{36} ExternalUserId='alice'$", failed, re.M)
    assert re.search(r"^sleeps: 2, [\d.]+ s in all \(recorded, not slept\)$", failed, re.M)

    teardown = section_with(output, "unused-meeting")
    assert "fired 0 of 1" in teardown
    assert output.index("ERROR at teardown of test_leaves_an_injection_unused") < output.index(teardown)
    setup = section_with(output, "setup-meeting")
    assert output.index("ERROR at setup of test_setup_fails") < output.index(setup)


def test_passes_show_it_under_r_a(project: pytest.Pytester) -> None:
    result = project.runpytest("-p", "no:cacheprovider", "-rA")
    output = result.stdout.str()
    assert len(sections(output)) == 5, output  # and the two passes' call reports
    passed = section_with(output, "passing-meeting")
    assert output.index("= PASSES =") < output.index(passed)
    assert passed.splitlines()[0] == "calls: 1"
    assert "meetings left: 1" in passed


def test_vv_shows_everything_uncut(project: pytest.Pytester) -> None:
    result = project.runpytest("-p", "no:cacheprovider", "-vv")
    failed = section_with(result.stdout.str(), "standup")
    assert len([line for line in failed.splitlines() if re.match(r"  +\d+\. ", line)]) == 25
    assert "more call(s)" not in failed
    assert f"'ExternalMeetingId': {'E' * 500!r}" in failed
    assert re.search(r"ExternalMeetingId' failed to satisfy constraint: Member must have length less", failed)


@pytest.mark.evidence  # pytest-xdist in a subprocess: several seconds
def test_xdist_workers_send_the_section_with_the_report(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2", "-rA")
    result.assert_outcomes(failed=1, passed=2, errors=2)
    output = result.stdout.str()
    assert len(sections(output)) == 5, output
    failed = section_with(output, "standup")
    assert "CreateAttendee (attempt 3)" in failed
    assert "(500 characters)" in failed
    assert "fired 2 of 2" in failed
    assert "passing-meeting" in section_with(output, "passing-meeting")


# --- FakeChime.summary(), without pytest's report around it -----------------------------


def test_summary_of_a_fake_with_nothing_done() -> None:
    assert FakeChime().summary() == "calls: 0\nmeetings left: 0"


def test_summary_shows_refused_calls_and_cuts_long_messages() -> None:
    fake = FakeChime().start()
    try:
        with pytest.raises(UnsupportedOperationError):
            make_client("chime").list_accounts()
    finally:
        fake.stop()
    short, full = fake.summary(), fake.summary(full=True)
    assert short.startswith("calls: 1 (1 refused)\n  1. chime ListAccounts region=us-east-1 request_id=")
    assert re.search(
        r"-> refused: pytest-chime's fake does not implement chime ListAccounts.*\.\.\. \(\d+ characters\)$",
        short,
        re.M,
    )
    assert fake.calls[0].refused is not None
    assert fake.calls[0].refused in full


def test_summary_cuts_long_lists_of_meetings_attendees_and_sleeps() -> None:
    with FakeChime() as fake:
        client = make_client("chime-sdk-meetings")
        meetings = [
            client.create_meeting(ClientRequestToken=f"t-{i}", MediaRegion="us-east-1", ExternalMeetingId=f"m-{i:02}")[
                "Meeting"
            ]["MeetingId"]
            for i in range(12)
        ]
        client.batch_create_attendee(
            MeetingId=meetings[0], Attendees=[{"ExternalUserId": f"user-{i:02}"} for i in range(13)]
        )
    fake.sleeps.extend([0.5] * 25)
    short, full = fake.summary(), fake.summary(full=True)

    assert "  ... 2 more meeting(s) (-vv shows all)" in short.splitlines()
    assert "    ... 3 more attendee(s) (-vv shows all)" in short.splitlines()
    listed = short[short.index("meetings left: 12") :]
    assert "ExternalMeetingId='m-04'" in listed and "ExternalMeetingId='m-05'" not in listed
    assert "ExternalMeetingId='m-07'" in listed
    assert "user-04" in listed and "user-05" not in listed and "user-08" in listed
    assert "sleeps: 25, 12.500 s in all (recorded, not slept)" in short
    assert "... 5 more" in short.splitlines()[-1]
    assert short.count(" +Attendees ") == 1  # a member not shown by default is named
    assert "more" not in full
    assert all(f"m-{i:02}" in full for i in range(12))
    assert all(f"user-{i:02}" in full for i in range(13))


# --- meeting events and the clock -----------------------------------------------------------

EVENTS_PROJECT = """
import boto3


def test_fails(fake_chime):
    chime = boto3.client("chime-sdk-meetings", region_name="eu-west-2")
    meeting = chime.create_meeting(
        ClientRequestToken="tok-0", MediaRegion="eu-west-2", ExternalMeetingId="standup"
    )["Meeting"]["MeetingId"]
    attendees = chime.batch_create_attendee(
        MeetingId=meeting, Attendees=[{"ExternalUserId": f"user-{i:02}"} for i in range(12)]
    )["Attendees"]
    for attendee in attendees:
        fake_chime.join(meeting, attendee["AttendeeId"])
    for attendee in attendees:
        fake_chime.leave(meeting, attendee["AttendeeId"])
    fake_chime.advance(minutes=5)
    assert False, "the meeting went wrong"
"""


def test_a_failure_lists_the_events_and_the_clock(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_events=EVENTS_PROJECT)
    short = section_with(pytester.runpytest("-p", "no:cacheprovider").stdout.str(), "calls: 2")
    full = section_with(pytester.runpytest("-p", "no:cacheprovider", "-vv").stdout.str(), "calls: 2")

    # MeetingStarted, 12 AttendeeAdded, 12 AttendeeJoined, 12 AttendeeLeft, MeetingEnded
    event = r"  \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ chime:(\w+) [0-9a-f-]{36}( [0-9a-f-]{36})?$"
    lines = short.splitlines()
    header = next(index for index, line in enumerate(lines) if line.startswith("events: "))
    clock = re.fullmatch(r"events: 38 \(clock: (\S+)\)", lines[header])
    assert clock, short
    listed = [re.match(event, line) for line in lines[header + 1 : header + 22]]
    assert lines[header + 11] == "  ... 18 more event(s) (-vv shows all)"
    del listed[10]
    assert all(listed), short
    types = [found[1] for found in listed if found]
    assert types == ["MeetingStarted", *["AttendeeAdded"] * 9, *["AttendeeLeft"] * 9, "MeetingEnded"]
    assert listed[0] and listed[0][2] is None  # a meeting event names no attendee
    assert lines[header + 21].startswith(f"  {clock[1]} chime:MeetingEnded ")  # five minutes after the rest
    assert lines[header + 22] == "meetings left: 0"

    shown = [line for line in full.splitlines() if re.match(event, line)]
    assert len(shown) == 38
    assert "more event(s)" not in full


def test_summary_shows_the_clock_once_it_moved_and_no_events_line_without_events() -> None:
    fake = FakeChime()
    before = fake.clock
    assert "clock" not in fake.summary()
    fake.advance(hours=1)
    assert fake.summary() == f"calls: 0\nclock: {fake.clock:%Y-%m-%dT%H:%M:%SZ}\nmeetings left: 0"
    assert (fake.clock - before).total_seconds() == 3600


def test_summary_lists_presence_events_with_the_attendee_and_its_content_share() -> None:
    with FakeChime() as fake:
        client = make_client("chime-sdk-meetings")
        meeting = client.create_meeting(
            ClientRequestToken="tok-0", MediaRegion="us-east-1", ExternalMeetingId="standup"
        )["Meeting"]["MeetingId"]
        attendee = client.create_attendee(MeetingId=meeting, ExternalUserId="alice")["Attendee"]["AttendeeId"]
        fake.join(meeting, attendee)
        fake.start_content(meeting, attendee)
    time = f"{fake.clock:%Y-%m-%dT%H:%M:%SZ}"
    lines = fake.summary().splitlines()
    start = lines.index(f"events: 5 (clock: {time})")
    assert lines[start + 1 : start + 6] == [
        f"  {time} chime:MeetingStarted {meeting}",
        f"  {time} chime:AttendeeAdded {meeting} {attendee}",
        f"  {time} chime:AttendeeJoined {meeting} {attendee}",
        f"  {time} chime:AttendeeContentJoined {meeting} {attendee}#content",
        f"  {time} chime:AttendeeContentVideoStarted {meeting} {attendee}#content",
    ]
    assert lines[start + 6] == "meetings left: 1"
