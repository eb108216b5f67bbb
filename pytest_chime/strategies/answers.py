"""What the service answers: meetings, attendees, response bodies and error codes, built by the fake's own builders."""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Mapping
from typing import Any, Final

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from .. import caches, facts, model, operations, validate
from ..attendees import build_attendee, capability_rule
from ..meetings import build_meeting
from .shapes import _lists, _renamer, _sizes
from .valid import (
    _LARGE_ITEMS_DRAWN,
    _implemented,
    _request_dicts,
    _spec,
    _structure,
    _user_key,
    create_meeting_requests,
)

#: Most attendees a generated listing holds (its pages are smaller, so NextToken appears).
_LISTED_MAX: Final = 12
#: Why a refusing batch refuses an attendee (None: it does not), picked by the answer's random.
_REFUSALS: Final = (*(None,) * 4, "reserved-prefix", "capabilities-content-video")


def _randoms() -> SearchStrategy[random.Random]:
    return st.randoms(use_true_random=False)


def _many(draw: st.DrawFn) -> random.Random:
    """The random of an answer with many meetings or attendees: seeded by one draw of Hypothesis's.

    Hypothesis's random draws each value as it is asked for; an answer that asks for
    hundreds (a full batch) would overrun Hypothesis's buffer, and a varying number of draws
    at the end of an example shifts under its mutations.
    """
    return random.Random(draw(_randoms()).getrandbits(64))


def _meeting(
    service: str, region: str, account_id: str, params: Mapping[str, Any], rng: random.Random
) -> dict[str, Any]:
    return build_meeting(rng, service=service, params=params, region=region, account_id=account_id)


def meetings(
    *,
    service: str = facts.MODERN,
    region: str = facts.DEFAULT_REGION,
    account_id: str = facts.DEFAULT_ACCOUNT_ID,
    requests: SearchStrategy[Mapping[str, Any]] | None = None,
) -> SearchStrategy[dict[str, Any]]:
    """Generates Meeting dicts as ``service`` returns them for a client in ``region``.

    Each answers a request drawn from ``requests`` (default:
    :func:`create_meeting_requests`), built by the fake's own
    :func:`pytest_chime.meetings.build_meeting` from a Hypothesis-drawn random: the
    members the service echoes, a MeetingId, MediaPlacement URLs and (for
    ``chime-sdk-meetings``) a MeetingArn, exactly as the fake makes them. Only members the
    installed model's Meeting shape has appear.
    """
    _spec(service)
    source = requests if requests is not None else create_meeting_requests(service=service, region=region)
    return st.builds(functools.partial(_meeting, service, region, account_id), source, _randoms())


def _body(meeting: dict[str, Any]) -> dict[str, Any]:
    return {"Meeting": meeting}


def create_meeting_responses(
    *,
    service: str = facts.MODERN,
    region: str = facts.DEFAULT_REGION,
    account_id: str = facts.DEFAULT_ACCOUNT_ID,
    requests: SearchStrategy[Mapping[str, Any]] | None = None,
) -> SearchStrategy[dict[str, Any]]:
    """Generates CreateMeeting response bodies, ``{"Meeting": {...}}``, from :func:`meetings`."""
    return st.builds(_body, meetings(service=service, region=region, account_id=account_id, requests=requests))


# --- attendees ----------------------------------------------------------------------------------


@caches.cached(maxsize=256)
def _attendee_items(service: str) -> SearchStrategy[dict[str, Any]]:
    """CreateAttendee requests without their MeetingId: one attendee's members."""
    _implemented(service, "CreateAttendee")
    return _request_dicts(service, facts.DEFAULT_REGION, "CreateAttendee", frozenset({"MeetingId"}))


def _attendee(service: str, params: Mapping[str, Any], rng: random.Random) -> dict[str, Any]:
    return build_attendee(rng, service=service, params=params)


@caches.cached(maxsize=256)
def _attendees(service: str) -> SearchStrategy[dict[str, Any]]:
    return st.builds(functools.partial(_attendee, service), _attendee_items(service), _randoms())


@st.composite
def attendees(draw: st.DrawFn, *, service: str = facts.MODERN) -> dict[str, Any]:
    """Generates Attendee dicts as ``service`` returns them (CreateAttendee, GetAttendee).

    Each answers a request from :func:`requests` ``("CreateAttendee")``, built by the
    fake's own :func:`pytest_chime.attendees.build_attendee` from a Hypothesis-drawn
    random: ExternalUserId, AttendeeId, JoinToken and (for ``chime-sdk-meetings``)
    Capabilities. Bad arguments raise :class:`~hypothesis.errors.InvalidArgument` when
    the test runs.
    """
    return draw(_attendees(service))


def _refused(service: str, item: dict[str, Any], why: str, path: str) -> dict[str, Any] | None:
    """The ``Errors`` entry of a batch item refused for ``why`` (None where the item cannot break it)."""
    if why == "reserved-prefix":
        user = (facts.RESERVED_TAG_PREFIX + item["ExternalUserId"])[:64]
        found = validate.reserved_prefix({"ExternalUserId": user}, "ExternalUserId", path=path)
    elif "Capabilities" in _spec(service, "CreateAttendee").input_shape.members:
        user = item["ExternalUserId"]
        capabilities = {"Audio": "SendReceive", "Video": "None", "Content": "SendReceive"}
        found = capability_rule(capabilities, f"{path}Capabilities")
    else:
        return None
    code = facts.body_code("BadRequestException")
    return {"ExternalUserId": user, "ErrorCode": code, "ErrorMessage": validate.message(found)}


def _outcomes(
    rng: random.Random, service: str, items: list[dict[str, Any]], refusing: bool
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A batch's answer for ``items``: the attendees made, and the ``Errors`` of those refused.

    Which attendees a refusing batch refuses is the random's choice, not one draw each: a
    draw per item, after a list of varying length, shifts under Hypothesis's mutations.
    """
    made: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for index, item in enumerate(items, start=1):
        why = rng.choice(_REFUSALS) if refusing else None
        error = None if why is None else _refused(service, item, why, f"Attendees.{index}.")
        if error is None:
            made.append(build_attendee(rng, service=service, params=item))
        else:
            errors.append(error)
    return made, errors


def _meeting_with_attendees(service: str, region: str, account_id: str) -> SearchStrategy[dict[str, Any]]:
    requests = _request_dicts(service, region, "CreateMeetingWithAttendees")

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        params = draw(requests)
        refusing = draw(st.booleans())  # shrinks to a batch that refuses no one
        rng = _many(draw)
        meeting = build_meeting(rng, service=service, params=params, region=region, account_id=account_id)
        made, errors = _outcomes(rng, service, params.get("Attendees") or [], refusing)
        return {"Meeting": meeting, "Attendees": made, "Errors": errors}

    return build()


def _batch(service: str, region: str) -> SearchStrategy[dict[str, Any]]:
    requests = _request_dicts(service, region, "BatchCreateAttendee", frozenset({"MeetingId"}))

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        items = draw(requests)["Attendees"]
        refusing = draw(st.booleans())
        made, errors = _outcomes(_many(draw), service, items, refusing)
        return {"Attendees": made, "Errors": errors}

    return build()


def _page_of(
    service: str, region: str, operation: str, scope: str, items: list[Any], size: int
) -> tuple[list[Any], str | None]:
    """The first page of ``items`` of at most ``size``, and its NextToken, as the fake pages them."""
    request = operations.Request(service, operation, {"MaxResults": size}, region)
    return operations.page(list(enumerate(items, start=1)), request, scope=scope, key="NextToken")


def _page_sizes(service: str, operation: str) -> SearchStrategy[int]:
    shape = _spec(service, operation).input_shape.members["MaxResults"]
    low = int(shape.metadata.get("min", 1))
    return st.sampled_from(_sizes(low, int(shape.metadata.get("max", facts.DEFAULT_PAGE_SIZE))))


def _attendee_page(service: str, region: str) -> SearchStrategy[dict[str, Any]]:
    name = _spec(service, "CreateAttendee").input_shape.members["ExternalUserId"]
    rename = _renamer(name, unreserved=True)

    def renamed(found: dict[str, Any], attempt: int) -> dict[str, Any]:
        return {**found, "ExternalUserId": rename(found["ExternalUserId"], attempt)}

    items = _lists(
        _attendee_items(service),
        name="ListAttendees.Attendees",
        min_size=0,
        max_size=_LISTED_MAX,
        key=_user_key,
        renamed=renamed,
        drawn=_LARGE_ITEMS_DRAWN,
    )
    sizes = _page_sizes(service, "ListAttendees")

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        found = draw(items)
        size = draw(sizes)
        rng = _many(draw)
        meeting_id = facts.meeting_id(rng)
        made = [build_attendee(rng, service=service, params=item) for item in found]
        scope = f"{service}/{meeting_id}/attendees"
        listed, token = _page_of(service, region, "ListAttendees", scope, made, size)
        return {"Attendees": listed, **({"NextToken": token} if token is not None else {})}

    return build()


def _meeting_page(service: str, region: str, account_id: str) -> SearchStrategy[dict[str, Any]]:
    requests = _lists(
        _request_dicts(service, region, "CreateMeeting"),
        name="ListMeetings.Meetings",
        min_size=0,
        max_size=_LISTED_MAX,
        drawn=_LARGE_ITEMS_DRAWN,
    )
    sizes = _page_sizes(service, "ListMeetings")

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        found = draw(requests)
        size = draw(sizes)
        rng = _many(draw)
        made = [build_meeting(rng, service=service, params=p, region=region, account_id=account_id) for p in found]
        listed, token = _page_of(service, region, "ListMeetings", f"{service}/meetings", made, size)
        return {"Meetings": listed, **({"NextToken": token} if token is not None else {})}

    return build()


def _with_attendee(attendee: dict[str, Any]) -> dict[str, Any]:
    return {"Attendee": attendee}


#: Response bodies by operation, from (service, control region, account id).
_RESPONSES: Final[dict[str, Callable[[str, str, str], SearchStrategy[dict[str, Any]]]]] = {
    "CreateMeeting": lambda s, r, a: st.builds(_body, meetings(service=s, region=r, account_id=a)),
    "GetMeeting": lambda s, r, a: st.builds(_body, meetings(service=s, region=r, account_id=a)),
    "CreateMeetingWithAttendees": _meeting_with_attendees,
    "ListMeetings": _meeting_page,
    "CreateAttendee": lambda s, r, a: st.builds(_with_attendee, _attendees(s)),
    "GetAttendee": lambda s, r, a: st.builds(_with_attendee, _attendees(s)),
    "UpdateAttendeeCapabilities": lambda s, r, a: st.builds(_with_attendee, _attendees(s)),
    "BatchCreateAttendee": lambda s, r, a: _batch(s, r),
    "ListAttendees": lambda s, r, a: _attendee_page(s, r),
}


@caches.cached(maxsize=256)
def _responses(service: str, region: str, account_id: str, operation: str) -> SearchStrategy[dict[str, Any]]:
    spec = _implemented(service, operation)
    build = _RESPONSES.get(operation)
    if build is not None:
        return build(service, region, account_id)
    if spec.model.output_shape is None or not spec.output_shape.members:
        return st.just({})  # a bodiless answer (DeleteMeeting's, DeleteAttendee's 204)
    return _structure(service, region, operation, spec.output_shape)  # valid per the model, for operations added later


@st.composite
def responses(
    draw: st.DrawFn,
    /,
    operation: str,
    *,
    service: str = facts.MODERN,
    region: str = facts.DEFAULT_REGION,
    account_id: str = facts.DEFAULT_ACCOUNT_ID,
) -> dict[str, Any]:
    """Generates response bodies of ``operation`` as the fake answers them (parsed, as the client returns them).

    ``{"Meeting": ...}`` (CreateMeeting, GetMeeting), ``{"Attendee": ...}`` (CreateAttendee,
    GetAttendee, UpdateAttendeeCapabilities), ``{"Attendees": [...], "Errors": [...]}``
    (BatchCreateAttendee; with ``"Meeting"`` for CreateMeetingWithAttendees), a page
    ``{"Attendees": [...], "NextToken": ...}`` (ListAttendees; ``"Meetings"`` for
    ListMeetings; NextToken only when more follow) and ``{}`` for bodiless answers
    (DeleteMeeting, DeleteAttendee, TagResource, ...). Other operations' bodies are read off
    the model's output shape (``{"Tags": [...]}``, ``{"TransactionId": ...}``).
    Meetings and attendees come from :func:`meetings` and :func:`attendees`; a batch's
    ``Errors`` name attendees refused for the reserved prefix or the capability rule, in
    the fake's words. Bad arguments raise :class:`~hypothesis.errors.InvalidArgument` when
    the test runs, listing the implemented operations.
    """
    return draw(_responses(service, region, account_id, operation))


# --- errors -------------------------------------------------------------------------------------


@caches.cached(maxsize=256)
def _error_codes(service: str, operation: str) -> SearchStrategy[str]:
    if operation == "CreateMeeting":
        _spec(service)  # the legacy service on a botocore without it: UnknownOperationError, as before
    _implemented(service, operation)
    return st.sampled_from(model.error_codes(service, operation))


@st.composite
def error_codes(draw: st.DrawFn, *, service: str = facts.MODERN, operation: str = "CreateMeeting") -> str:
    """Generates the exception codes the installed model lists for ``service``'s ``operation``.

    Bad arguments raise when the test runs (:class:`~hypothesis.errors.InvalidArgument`,
    listing the implemented operations).
    """
    return draw(_error_codes(service, operation))
