"""Dialing a phone into a legacy meeting: CreateMeetingDialOut (legacy ``chime`` only)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import facts
from .errors import ServiceError
from .operations import Request, operation

if TYPE_CHECKING:
    from .engine import Engine


@operation("CreateMeetingDialOut")
def create_meeting_dial_out(engine: Engine, request: Request) -> dict[str, Any]:
    """Dial ToPhoneNumber into the meeting as the attendee holding JoinToken; its TransactionId."""
    params = request.params
    meeting_id = params["MeetingId"]
    if engine.state.meeting(meeting_id, request.service) is None:
        raise ServiceError("BadRequestException", facts.meeting_not_found(meeting_id))
    present = engine.state.attendees_of(meeting_id)
    attendee = next((a for a in present.values() if a.get("JoinToken") == params["JoinToken"]), None)
    if attendee is None:
        raise ServiceError(
            "BadRequestException", f"JoinToken is not the JoinToken of an attendee of meeting {meeting_id}"
        )
    transaction = {
        "TransactionId": facts.request_id(engine.ids),
        "MeetingId": meeting_id,
        "AttendeeId": attendee["AttendeeId"],
        "FromPhoneNumber": params["FromPhoneNumber"],
        "ToPhoneNumber": params["ToPhoneNumber"],
    }
    engine.state.add_dial_out(transaction)
    return {"TransactionId": transaction["TransactionId"]}
