"""Hypothesis strategies for Amazon Chime's meetings API: requests it accepts, requests it rejects, its answers.

Import it yourself (the plugin never imports Hypothesis); the choices they make are listed in docs/strategies.rst.
"""

from __future__ import annotations

from typing import Final

from . import invalid as _invalid
from . import valid as _valid
from .answers import attendees, create_meeting_responses, error_codes, meetings, responses
from .events import events
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
    "events",
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
