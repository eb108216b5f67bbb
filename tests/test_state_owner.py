"""The fake owns its state: every way of ending a meeting ends all it holds, the state is what the
API answers, a failed call leaves nothing behind, and listings take only their own NextTokens."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from pytest_chime import FakeChime, HookError
from tests.conftest import LEGACY_AVAILABLE, make_client, valid_request

MODERN = "chime-sdk-meetings"


def _meeting_with_everything(fake: FakeChime, client: Any) -> tuple[str, str, str]:
    """A meeting with an attendee, tags and a running transcription: (MeetingId, AttendeeId, MeetingArn)."""
    meeting = client.create_meeting(
        **valid_request(MODERN, ClientRequestToken="everything", Tags=[{"Key": "team", "Value": "ops"}])
    )["Meeting"]
    meeting_id = meeting["MeetingId"]
    attendee = client.create_attendee(MeetingId=meeting_id, ExternalUserId="alice")["Attendee"]
    client.start_meeting_transcription(
        MeetingId=meeting_id,
        TranscriptionConfiguration={"EngineTranscribeSettings": {"LanguageCode": "en-US"}},
    )
    assert meeting_id in fake.transcriptions
    assert fake.tags[meeting["MeetingArn"]] == [{"Key": "team", "Value": "ops"}]
    return meeting_id, attendee["AttendeeId"], meeting["MeetingArn"]


REMOVALS: dict[str, Callable[[FakeChime, Any, str], object]] = {
    "del": lambda fake, client, meeting_id: fake.meetings.__delitem__(meeting_id),
    "pop": lambda fake, client, meeting_id: fake.meetings.pop(meeting_id),
    "popitem": lambda fake, client, meeting_id: fake.meetings.popitem(),
    "clear": lambda fake, client, meeting_id: fake.meetings.clear(),
    "reset": lambda fake, client, meeting_id: fake.reset(),
    "DeleteMeeting": lambda fake, client, meeting_id: client.delete_meeting(MeetingId=meeting_id),
}


@pytest.mark.parametrize("removal", REMOVALS)
def test_every_way_of_removing_a_meeting_ends_all_it_holds(removal: str) -> None:
    client = make_client(MODERN)
    with FakeChime(quota=1) as fake:
        meeting_id, attendee_id, arn = _meeting_with_everything(fake, client)
        REMOVALS[removal](fake, client, meeting_id)
        assert dict(fake.meetings) == {}
        assert dict(fake.attendees) == {}
        assert dict(fake.tags) == {}
        assert dict(fake.transcriptions) == {}
        with pytest.raises(client.exceptions.NotFoundException):
            client.get_attendee(MeetingId=meeting_id, AttendeeId=attendee_id)
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.list_tags_for_resource(ResourceARN=arn)
        # The quota of one is free again, and the ended meeting's token makes a new meeting.
        again = client.create_meeting(**valid_request(MODERN, ClientRequestToken="everything"))["Meeting"]
        assert list(fake.meetings) == [again["MeetingId"]]
        assert client.list_tags_for_resource(ResourceARN=again["MeetingArn"])["Tags"] == []


def test_deleting_an_attendee_by_hand_removes_it_as_delete_attendee_does() -> None:
    client = make_client(MODERN)
    with FakeChime() as fake:
        meeting_id = client.create_meeting(**valid_request(MODERN))["Meeting"]["MeetingId"]
        alice = client.create_attendee(MeetingId=meeting_id, ExternalUserId="alice")["Attendee"]
        bob = client.create_attendee(MeetingId=meeting_id, ExternalUserId="bob")["Attendee"]
        del fake.attendees[meeting_id][alice["AttendeeId"]]
        assert client.list_attendees(MeetingId=meeting_id)["Attendees"] == [bob]
        with pytest.raises(client.exceptions.NotFoundException):
            client.get_attendee(MeetingId=meeting_id, AttendeeId=alice["AttendeeId"])


def test_the_state_is_what_get_meeting_get_attendee_and_list_tags_answer() -> None:
    client = make_client(MODERN)
    with FakeChime() as fake:
        meeting_id, attendee_id, arn = _meeting_with_everything(fake, client)
        client.tag_resource(ResourceARN=arn, Tags=[{"Key": "cost", "Value": "7"}])
        assert fake.meetings[meeting_id] == client.get_meeting(MeetingId=meeting_id)["Meeting"]
        assert "Tags" not in fake.meetings[meeting_id]
        answered = client.get_attendee(MeetingId=meeting_id, AttendeeId=attendee_id)["Attendee"]
        assert fake.attendees[meeting_id][attendee_id] == answered
        assert fake.tags == {arn: client.list_tags_for_resource(ResourceARN=arn)["Tags"]}


@pytest.mark.skipif(not LEGACY_AVAILABLE, reason="this botocore has no legacy chime meetings")
def test_legacy_tags_are_kept_by_arn_as_the_legacy_list_operations_answer_them() -> None:
    client = make_client("chime")
    with FakeChime() as fake:
        tags = [{"Key": "team", "Value": "ops"}]
        meeting_id = client.create_meeting(**valid_request("chime", Tags=tags))["Meeting"]["MeetingId"]
        attendee_id = client.create_attendee(MeetingId=meeting_id, ExternalUserId="alice", Tags=tags)["Attendee"][
            "AttendeeId"
        ]
        meeting_arn = f"arn:aws:chime:us-east-1:{fake.account_id}:meeting/{meeting_id}"
        assert fake.tags == {
            meeting_arn: client.list_meeting_tags(MeetingId=meeting_id)["Tags"],
            f"{meeting_arn}/attendee/{attendee_id}": client.list_attendee_tags(
                MeetingId=meeting_id, AttendeeId=attendee_id
            )["Tags"],
        }
        client.delete_attendee(MeetingId=meeting_id, AttendeeId=attendee_id)
        assert list(fake.tags) == [meeting_arn]


def test_a_hook_calling_the_api_inside_a_failing_call_leaves_the_failing_call_nothing() -> None:
    client = make_client(MODERN)
    seen: list[str] = []

    def look_then_fail(attendee: dict[str, Any], meeting: Any, params: dict[str, Any]) -> None:
        # A call of its own inside the outer call: answered, and kept.
        seen.append(client.get_meeting(MeetingId=meeting["MeetingId"])["Meeting"]["MeetingId"])
        client.create_meeting(**valid_request(MODERN, ClientRequestToken=f"inner-{len(seen)}"))
        if len(seen) == 2:
            raise RuntimeError("no second attendee")

    fake = FakeChime(on_attendee_created=look_then_fail).start()
    try:
        with pytest.raises(HookError, match="look_then_fail raised RuntimeError"):
            client.create_meeting_with_attendees(
                **valid_request(MODERN, ClientRequestToken="outer"),
                Attendees=[{"ExternalUserId": "alice"}, {"ExternalUserId": "bob"}],
            )
        outer = seen[0]
        assert outer not in fake.meetings
        assert outer not in fake.attendees
        # The hook's own CreateMeeting calls were answered: they stay.
        assert len(fake.meetings) == 2
        assert all(not attendees for attendees in fake.attendees.values())
    finally:
        fake.stop()
    with pytest.raises(HookError):
        fake.verify()


def test_a_hook_that_removes_the_meeting_id_is_that_hook_error() -> None:
    client = make_client(MODERN)

    def drop_id(meeting: dict[str, Any], params: dict[str, Any]) -> None:
        del meeting["MeetingId"]

    fake = FakeChime(on_meeting_created=drop_id).start()
    try:
        with pytest.raises(HookError, match="drop_id left the meeting without a MeetingId"):
            client.create_meeting(**valid_request(MODERN))
    finally:
        fake.stop()
    assert dict(fake.meetings) == {}
    assert fake.internal_errors() == []
    assert len(fake.hook_errors()) == 1


def _two_pages(client: Any) -> tuple[str, str]:
    meeting_id = client.create_meeting(**valid_request(MODERN))["Meeting"]["MeetingId"]
    for name in ("alice", "bob", "carol"):
        client.create_attendee(MeetingId=meeting_id, ExternalUserId=name)
    token = client.list_attendees(MeetingId=meeting_id, MaxResults=1)["NextToken"]
    return meeting_id, token


def _altered(token: str) -> str:
    swapped = "A" if token[5] != "A" else "B"
    return token[:5] + swapped + token[6:]


def _forged(token: str, number: str) -> str:
    scope = base64.urlsafe_b64decode(token).decode().split("\n")[0]
    return base64.urlsafe_b64encode(f"{scope}\n{number}".encode()).decode()


@pytest.mark.parametrize(
    "change",
    [_altered, lambda token: _forged(token, "-5"), lambda token: _forged(token, "1")],
    ids=["one-character-changed", "forged-negative-position", "forged-without-checksum"],
)
def test_an_altered_or_forged_next_token_is_a_bad_request(change: Callable[[str], str]) -> None:
    client = make_client(MODERN)
    with FakeChime():
        meeting_id, token = _two_pages(client)
        with pytest.raises(ClientError) as info:
            client.list_attendees(MeetingId=meeting_id, NextToken=change(token))
        assert info.value.response["Error"]["Code"] == "BadRequestException"
        assert "Invalid NextToken" in info.value.response["Error"]["Message"]


def test_the_next_token_of_the_previous_page_still_works() -> None:
    client = make_client(MODERN)
    with FakeChime():
        meeting_id, token = _two_pages(client)
        names = [a["ExternalUserId"] for a in client.list_attendees(MeetingId=meeting_id, NextToken=token)["Attendees"]]
        assert names == ["bob", "carol"]
