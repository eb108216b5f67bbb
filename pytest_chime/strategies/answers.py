"""What the service answers: meetings, response bodies and error codes."""

from __future__ import annotations

import functools
import random
from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from .. import facts, model
from .valid import _control_region, _spec, create_meeting_requests


@functools.cache
def _meeting_members(service: str) -> frozenset[str]:
    return frozenset(_spec(service).output_shape.members["Meeting"].members)


def _meeting(
    service: str, region: str, account_id: str, params: Mapping[str, Any], rng: random.Random
) -> dict[str, Any]:
    legacy = service == facts.LEGACY
    meeting_id = facts.meeting_id(rng)
    media_region = params.get("MediaRegion") or facts.LEGACY_DEFAULT_MEDIA_REGION
    control = _control_region(service, region)
    full: dict[str, Any] = {
        "MeetingId": meeting_id,
        "MeetingHostId": params.get("MeetingHostId"),
        "ExternalMeetingId": params.get("ExternalMeetingId"),
        "MediaRegion": media_region,
        "MediaPlacement": facts.media_placement(
            rng, meeting=meeting_id, media_region=media_region, control_region=control, legacy=legacy
        ),
        "MeetingFeatures": params.get("MeetingFeatures"),
        "PrimaryMeetingId": params.get("PrimaryMeetingId"),
        "TenantIds": params.get("TenantIds"),
        "MeetingArn": None if legacy else facts.meeting_arn(control, account_id, meeting_id),
    }
    members = _meeting_members(service)
    return {key: value for key, value in full.items() if value is not None and key in members}


def meetings(
    *,
    service: str = facts.MODERN,
    region: str = facts.DEFAULT_REGION,
    account_id: str = facts.DEFAULT_ACCOUNT_ID,
    requests: SearchStrategy[Mapping[str, Any]] | None = None,
) -> SearchStrategy[dict[str, Any]]:
    """Generates Meeting dicts as ``service`` returns them for a client in ``region``.

    Each answers a request drawn from ``requests`` (default:
    :func:`create_meeting_requests`), echoing what the service echoes, with a MeetingId,
    MediaPlacement URLs and (for ``chime-sdk-meetings``) a MeetingArn made by
    :mod:`pytest_chime.facts` from a Hypothesis-drawn random, exactly as the fake makes
    them. Only members the installed model's Meeting shape has appear.
    """
    _spec(service)
    source = requests if requests is not None else create_meeting_requests(service=service, region=region)
    return st.builds(
        functools.partial(_meeting, service, region, account_id), source, st.randoms(use_true_random=False)
    )


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


def error_codes(*, service: str = facts.MODERN) -> SearchStrategy[str]:
    """Generates the exception codes the installed model lists for ``service``'s CreateMeeting."""
    _spec(service)
    return st.sampled_from(model.error_codes(service))
