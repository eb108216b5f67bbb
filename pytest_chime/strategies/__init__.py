"""Hypothesis strategies for Amazon Chime's meetings API: requests, broken requests, answers.

Import this module yourself; the plugin never imports Hypothesis::

    import boto3
    from hypothesis import given
    from pytest_chime import FakeChime, strategies as chime_st

    client = boto3.client("chime-sdk-meetings", region_name="us-east-1")

    @given(chime_st.create_meeting_requests(media_region="eu-west-2"))
    def test_meetings_are_created(params):
        with FakeChime() as fake:  # a fresh fake for each example (or fake.reset())
            meeting = client.create_meeting(**params)["Meeting"]
        assert meeting["MeetingId"] in fake.meetings

:func:`requests`, :func:`invalid_requests` and :func:`responses` do the same for every
operation the fake implements (``requests("GetMeeting", meeting_id=...)``).

Every strategy reads its rules from the installed botocore's model
(:func:`pytest_chime.model.operation`) and the service's own rules
(:mod:`pytest_chime.facts`), so what it generates is what the fake, like the real service,
accepts (or, for :func:`invalid_requests`, rejects). Strings are built from
explicit alphabets read off each member's model pattern and sized by its ``min`` and
``max`` in characters (every character is in the Basic Multilingual Plane, so ``len()`` and
the service's UTF-16 length agree). Nothing is filtered and nothing Hypothesis's mutator
does to an example overruns, so no example is discarded; examples shrink to short,
readable values. Lists are mostly short, sometimes half-full or full: items past the fifth
repeat the first five (past the first, in lists of attendees or meetings; tag keys, tenant
ids and ExternalUserIds renamed to stay distinct), so a full list costs little more than a
short one.

The modules: :mod:`~pytest_chime.strategies.shapes` (strategies from botocore shapes),
:mod:`~pytest_chime.strategies.valid` (requests), :mod:`~pytest_chime.strategies.invalid`
(one rule broken) and :mod:`~pytest_chime.strategies.answers` (meetings, attendees,
responses, error codes); import the strategies from here.

Chosen where AWS does not say (each tested):

- Strings the model leaves without a pattern (ExternalMeetingId, MeetingHostId,
  ExternalUserId, the legacy service's tags) use ASCII and Latin-1 letters, digits, space
  and ``_.:/=+-@``: inside both the pattern AWS documents for ExternalMeetingId and
  ExternalUserId and AWS's general rules for tags.
- ExternalMeetingId, MeetingHostId, ExternalUserId and tag keys never start with ``aws:``
  (any case), which AWS reserves; tag keys are unique, ignoring case.
- Notification ARNs name a target in the control region (``region``).
- PrimaryMeetingId is a well-formed meeting id, of no meeting in particular: the fake does
  not require the primary meeting to exist, the real service would (against a real
  account, pin ``primary_meeting_id`` to a meeting you created, or to ``None``).
- A request asking for FHD video or UHD content also sets ``MeetingFeatures.Attendee.MaxCount``
  to at most 25, as the API reference asks.
- MeetingId, AttendeeId, ResourceARN (a meeting ARN as the fake writes it) and JoinToken
  are well-formed ones of nothing in particular (the fake answers NotFoundException): pin
  ``meeting_id=``, ``attendee_id=``, ``resource_arn=`` and ``join_token=``.
- NextToken is never generated: a made-up token is one the service refuses.
- A batch (BatchCreateAttendee, CreateMeetingWithAttendees) has at least one attendee,
  even where the legacy model allows none or leaves ``Attendees`` out, and its
  ExternalUserIds are distinct; CreateMeetingWithAttendees asks for no more attendees
  than its ``MeetingFeatures.Attendee.MaxCount`` and for no capability on a channel its
  MeetingFeatures switch off, so every one is created.
- A TranscriptionConfiguration names exactly one engine, with any settings the model
  allows: Amazon Transcribe may refuse a combination, which the service reports as a
  TranscriptFailed event, not as an error of the call.
- Phone numbers are E.164: an optional ``+`` and 2 to 15 digits, the first not 0.
- About half the generated batch responses refuse some attendees (``Errors``), for the
  reserved prefix or the capability rule, with the fake's messages.
"""

from __future__ import annotations

from typing import Final

from . import invalid as _invalid
from . import valid as _valid
from .answers import attendees, create_meeting_responses, error_codes, meetings, responses
from .invalid import InvalidRequest, invalid_create_meeting_requests, invalid_requests
from .valid import (
    attendee_capabilities,
    attendee_ids,
    client_request_tokens,
    create_meeting_requests,
    external_meeting_ids,
    external_user_ids,
    media_placement_network_types,
    media_regions,
    meeting_features,
    meeting_host_ids,
    meeting_ids,
    notification_arns,
    notifications_configurations,
    requests,
    tags,
    tenant_ids,
)

#: The rules :func:`invalid_requests` and :func:`invalid_create_meeting_requests` break, named as
#: :class:`pytest_chime.validate.Violation` names them.
INVALID_RULES: Final = _invalid.INVALID_RULES
#: Attendees a meeting with FHD video or UHD content may have (re-exported from the facts).
HIGH_RESOLUTION_MAX_ATTENDEES: Final = _valid.HIGH_RESOLUTION_MAX_ATTENDEES

__all__ = [
    "HIGH_RESOLUTION_MAX_ATTENDEES",
    "INVALID_RULES",
    "InvalidRequest",
    "attendee_capabilities",
    "attendee_ids",
    "attendees",
    "client_request_tokens",
    "create_meeting_requests",
    "create_meeting_responses",
    "error_codes",
    "external_meeting_ids",
    "external_user_ids",
    "invalid_create_meeting_requests",
    "invalid_requests",
    "media_placement_network_types",
    "media_regions",
    "meeting_features",
    "meeting_host_ids",
    "meeting_ids",
    "meetings",
    "notification_arns",
    "notifications_configurations",
    "requests",
    "responses",
    "tags",
    "tenant_ids",
]
