"""Dialing a phone into a legacy meeting: CreateMeetingDialOut (legacy ``chime`` only).

``fake.dial_outs`` lists each dial-out made, with its TransactionId. The phone numbers are
checked against the model's E.164 pattern (``^\\+?[1-9]\\d{1,14}$``). Chosen where AWS
does not say, each tested: the JoinToken must be one of the meeting's attendees' (the
call dials that attendee in), and the operation models no NotFoundException, so a meeting
or JoinToken that does not exist is a BadRequestException naming it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import facts
from .errors import ServiceError
from .operations import Request, operation

if TYPE_CHECKING:
    from .fake import FakeChime


@operation("CreateMeetingDialOut")
def create_meeting_dial_out(fake: FakeChime, request: Request) -> dict[str, Any]:
    """Dial ToPhoneNumber into the meeting as the attendee holding JoinToken; its TransactionId."""
    params = request.params
    meeting_id = params["MeetingId"]
    if meeting_id not in fake.meetings or fake._owners.get(meeting_id, request.service) != request.service:
        raise ServiceError("BadRequestException", facts.meeting_not_found(meeting_id))
    present = fake.attendees.get(meeting_id, {})
    attendee = next((a for a in present.values() if a.get("JoinToken") == params["JoinToken"]), None)
    if attendee is None:
        raise ServiceError(
            "BadRequestException", f"JoinToken is not the JoinToken of an attendee of meeting {meeting_id}"
        )
    transaction = {
        "TransactionId": facts.request_id(fake._ids),
        "MeetingId": meeting_id,
        "AttendeeId": attendee["AttendeeId"],
        "FromPhoneNumber": params["FromPhoneNumber"],
        "ToPhoneNumber": params["ToPhoneNumber"],
    }
    fake.dial_outs.append(transaction)
    fake._undo.append(lambda: fake.dial_outs.remove(transaction))
    return {"TransactionId": transaction["TransactionId"]}
