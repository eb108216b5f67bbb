"""A Faker provider of realistic Chime values, drawn from its generator's random and built by the fake's own code.

Only this module imports faker; the plugin imports it when a test asks for ``faker`` (see docs/faker.rst).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from typing import Any

from faker.providers import BaseProvider

from . import caches, facts

#: Words for ExternalMeetingIds and tag values (plain ASCII: valid in every service's pattern).
_MEETING_WORDS = (
    "standup", "retro", "planning", "review", "sync", "demo", "interview",
    "onboarding", "all-hands", "office-hours", "kickoff", "one-on-one",
)  # fmt: skip
#: Tag keys a team would use; none starts with the reserved ``aws:`` prefix.
_TAG_KEYS = (
    "team", "project", "environment", "cost-center", "owner", "application",
    "stage", "department", "customer", "component", "service", "purpose",
)  # fmt: skip
_TAG_VALUES = (
    "web", "mobile", "backend", "support", "sales", "engineering", "research",
    "prod", "staging", "dev", "qa", "marketing", "finance", "platform",
)  # fmt: skip
#: Roles for ExternalUserIds (plain ASCII, never the reserved ``aws:`` prefix).
_USER_WORDS = (
    "host", "guest", "speaker", "viewer", "moderator", "presenter",
    "attendee", "student", "teacher", "agent", "customer", "panelist",
)  # fmt: skip


class ChimeProvider(BaseProvider):
    """Faker methods for Amazon Chime meeting and attendee values (``chime_*``).

    ``service`` arguments take ``"chime-sdk-meetings"`` (the default) or the legacy
    ``"chime"``; methods that need the service's model (``chime_meeting``,
    ``chime_attendee``, ``chime_error_code``, ``chime_create_meeting_params``,
    ``chime_create_attendee_params``) raise ``UnknownOperationError`` for a service the
    installed botocore lacks.
    """

    __provider__ = "chime"

    @property
    def _rng(self) -> random.Random:
        rng: random.Random = self.generator.random
        return rng

    # --- identifiers ------------------------------------------------------------------

    def chime_meeting_id(self) -> str:
        """A MeetingId: a lowercase UUID4, as the fake and the service give them."""
        return facts.meeting_id(self._rng)

    def chime_request_id(self) -> str:
        """A request id (``x-amzn-RequestId``), a UUID4."""
        return facts.request_id(self._rng)

    def chime_client_request_token(self) -> str:
        """A ClientRequestToken: a UUID4, as AWS's own examples make them (valid on both services)."""
        return facts.request_id(self._rng)

    def chime_external_meeting_id(self) -> str:
        """An ExternalMeetingId (2-64 characters): ``<word>-<6 hex digits>``, e.g. ``standup-3fa9c2``."""
        rng = self._rng
        return f"{rng.choice(_MEETING_WORDS)}-{rng.getrandbits(24):06x}"

    def chime_account_id(self) -> str:
        """A 12-digit AWS account id (may start with 0, as real ones do)."""
        return f"{self._rng.randrange(10**12):012d}"

    def chime_attendee_id(self) -> str:
        """An AttendeeId, in the form the fake and the service give them."""
        return facts.attendee_id(self._rng)

    def chime_external_user_id(self) -> str:
        """An ExternalUserId (2-64 characters): ``<role>-<6 hex digits>``, e.g. ``speaker-3fa9c2``."""
        rng = self._rng
        return f"{rng.choice(_USER_WORDS)}-{rng.getrandbits(24):06x}"

    def chime_join_token(self, attendee_id: str | None = None) -> str:
        """A JoinToken for ``attendee_id`` (default: a new AttendeeId), as real ones look."""
        return facts.join_token(self._rng, attendee_id if attendee_id is not None else self.chime_attendee_id())

    def chime_capabilities(self) -> dict[str, str]:
        """An attendee's Capabilities, one of the combinations the service accepts.

        Content is SendReceive or Receive only where Video is too (the fake's
        ``attendees.capability_rule``); the values are chime-sdk-meetings' MediaCapabilities.
        """
        return dict(self._rng.choice(_capability_combinations()))

    # --- regions ----------------------------------------------------------------------

    def chime_media_region(self, service: str = facts.MODERN, *, control_region: str | None = None) -> str:
        """A media region ``service`` accepts (from ``facts.MEDIA_REGIONS``) for a meeting made in ``control_region``.

        A meeting's media region must be in its control region's partition, so only
        those are drawn; the default control region (``facts.DEFAULT_REGION``, or
        ``us-east-1`` for the legacy service) is commercial: GovCloud media regions come
        only with a GovCloud ``control_region``.
        """
        partition = facts.partition(_control_region(service, control_region))
        regions = [r for r in _media_regions(service) if facts.partition(r) == partition]
        if not regions:
            raise ValueError(f"{service} has no media region in the partition of control region {control_region!r}")
        return self._rng.choice(regions)

    def chime_media_region_code(self, region: str | None = None) -> str:
        """The short code (``ue1``) MediaPlacement hosts carry for ``region`` (default: a drawn media region)."""
        return facts.region_code(region if region is not None else self.chime_media_region())

    # --- URLs and ARNs ------------------------------------------------------------------

    def chime_media_placement(
        self,
        region: str | None = None,
        *,
        meeting_id: str | None = None,
        control_region: str | None = None,
        service: str = facts.MODERN,
    ) -> dict[str, str]:
        """The eight MediaPlacement URLs of a meeting, as the fake answers them.

        ``region`` is the media region (default: drawn for ``service``); ``meeting_id``
        defaults to a new one. ``control_region`` is where the meeting was created: the
        legacy service always uses ``us-east-1``; chime-sdk-meetings defaults to
        ``facts.DEFAULT_REGION`` (the fake's default control region).
        """
        legacy = _check_service(service) == facts.LEGACY
        control = _control_region(service, control_region)
        media_region = region if region is not None else self.chime_media_region(service, control_region=control)
        meeting = meeting_id if meeting_id is not None else self.chime_meeting_id()
        return facts.media_placement(
            self._rng,
            meeting=meeting,
            media_region=media_region,
            control_region=control,
            legacy=legacy,
        )

    def chime_meeting_arn(
        self, region: str | None = None, account_id: str | None = None, meeting_id: str | None = None
    ) -> str:
        """A chime-sdk-meetings MeetingArn: ``arn:aws:chime:<region>:<account>:meeting/<id>``.

        Defaults: the fake's default control region and account id (``facts.DEFAULT_REGION``,
        ``facts.DEFAULT_ACCOUNT_ID``), so the ARN matches a default fake's; a new MeetingId.
        """
        return facts.meeting_arn(
            region if region is not None else facts.DEFAULT_REGION,
            account_id if account_id is not None else facts.DEFAULT_ACCOUNT_ID,
            meeting_id if meeting_id is not None else self.chime_meeting_id(),
        )

    def chime_media_pipeline_arn(
        self, region: str | None = None, account_id: str | None = None, pipeline_id: str | None = None
    ) -> str:
        """A MediaPipelineArn: ``arn:aws:chime:<region>:<account>:media-pipeline/<MediaPipelineId>``
        (defaults as :meth:`chime_meeting_arn`'s; a new MediaPipelineId)."""
        return facts.media_pipeline_arn(
            region if region is not None else facts.DEFAULT_REGION,
            account_id if account_id is not None else facts.DEFAULT_ACCOUNT_ID,
            pipeline_id if pipeline_id is not None else facts.media_pipeline_id(self._rng),
        )

    def chime_s3_sink_arn(self, bucket: str | None = None) -> str:
        """An S3 sink a capture pipeline accepts: ``arn:aws:s3:::<bucket>``, sometimes with a ``/<prefix>``."""
        rng = self._rng
        name = bucket if bucket is not None else f"{rng.choice(_MEETING_WORDS)}-recordings-{rng.getrandbits(24):06x}"
        return f"arn:aws:s3:::{name}" + (f"/{rng.choice(_MEETING_WORDS)}" if rng.getrandbits(1) else "")

    def chime_media_capture_pipeline(self, meeting: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
        """A MediaCapturePipeline as chime-sdk-media-pipelines' Get answers it, recording ``meeting``
        (default: a new :meth:`chime_meeting`), to a drawn S3 sink, InProgress. ``overrides`` replace
        members of the installed model's shape (another name raises ValueError)."""
        from . import pipelines

        recorded = meeting if meeting is not None else self.chime_meeting()
        pipeline_id = facts.media_pipeline_id(self._rng)
        start = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
        now = facts.iso_time(start + dt.timedelta(seconds=self._rng.randrange(365 * 86_400)))
        made = {
            "MediaPipelineId": pipeline_id,
            "MediaPipelineArn": self.chime_media_pipeline_arn(pipeline_id=pipeline_id),
            "SourceType": "ChimeSdkMeeting",
            "SourceArn": recorded.get("MeetingArn") or self.chime_meeting_arn(meeting_id=recorded["MeetingId"]),
            "Status": "InProgress",
            "SinkType": "S3Bucket",
            "SinkArn": self.chime_s3_sink_arn(),
            "CreatedTimestamp": now,
            "UpdatedTimestamp": now,
        }
        members = tuple(pipelines.record_shape(facts.MEDIA_PIPELINES, pipelines.CAPTURE).members)
        _check_members("MediaCapturePipeline", overrides, members)
        made.update(overrides)
        return {name: made[name] for name in members if name in made}

    # --- whole values -------------------------------------------------------------------

    def chime_meeting(
        self,
        service: str = facts.MODERN,
        *,
        control_region: str | None = None,
        account_id: str | None = None,
        **overrides: Any,
    ) -> dict[str, Any]:
        """A Meeting as CreateMeeting returns it, built by the fake's ``meetings.build_meeting``.

        Drawn: ExternalMeetingId and MediaRegion, then the MeetingId, MediaPlacement and (on
        chime-sdk-meetings) MeetingArn. ``overrides`` set Meeting members
        (``MeetingId="..."``, ``MediaRegion="eu-west-2"``, ``MeetingHostId="host"``); an
        overridden MeetingId or MediaRegion is the one the URLs and the ARN carry.
        ``control_region`` and ``account_id`` shape the URLs and the ARN as in
        ``chime_media_placement`` and ``chime_meeting_arn``. Only members the installed
        model's Meeting has appear; one it does not have raises ValueError naming the valid
        ones, and a ``None`` override leaves a member out.
        """
        from .meetings import build_meeting

        members = _meeting_members(service)
        _check_members(f"{service} Meeting", overrides, members)
        control = _control_region(service, control_region)
        account = account_id if account_id is not None else facts.DEFAULT_ACCOUNT_ID
        params = {
            **overrides,
            "ExternalMeetingId": overrides.get("ExternalMeetingId") or self.chime_external_meeting_id(),
            "MediaRegion": overrides.get("MediaRegion") or self.chime_media_region(service, control_region=control),
        }
        meeting = build_meeting(self._rng, service=service, params=params, region=control, account_id=account)
        meeting_id = overrides.get("MeetingId")
        if meeting_id:  # build_meeting draws its own: carry the given one in the URLs and the ARN too
            meeting["MeetingId"] = meeting_id
            if "MediaPlacement" in meeting:
                meeting["MediaPlacement"] = facts.media_placement(
                    self._rng,
                    meeting=meeting_id,
                    media_region=meeting["MediaRegion"],
                    control_region=control,
                    legacy=service == facts.LEGACY,
                )
            if "MeetingArn" in meeting:
                meeting["MeetingArn"] = facts.meeting_arn(control, account, meeting_id)
        meeting = {**meeting, **overrides}
        return {k: meeting[k] for k in members if meeting.get(k) is not None}  # in the model's order

    def chime_attendee(self, service: str = facts.MODERN, **overrides: Any) -> dict[str, Any]:
        """An Attendee as CreateAttendee returns it, built by the fake's ``attendees.build_attendee``.

        Drawn: the ExternalUserId, then the AttendeeId and JoinToken; Capabilities (on
        chime-sdk-meetings) are what the service grants when a request leaves them out,
        SendReceive on every channel, unless overridden (``Capabilities=fake.chime_capabilities()``).
        ``overrides`` set Attendee members; an overridden AttendeeId is the one the
        JoinToken carries. A member the service's Attendee does not have raises ValueError
        naming the valid ones; a ``None`` override leaves a member out.
        """
        from .attendees import build_attendee

        members = _shape_members(service, "Attendee", operation="CreateAttendee")
        _check_members(f"{service} Attendee", overrides, members)
        params = {**overrides, "ExternalUserId": overrides.get("ExternalUserId") or self.chime_external_user_id()}
        attendee = build_attendee(self._rng, service=service, params=params)
        attendee_id = overrides.get("AttendeeId")
        if attendee_id:  # build_attendee draws its own: carry the given one in the JoinToken too
            attendee["AttendeeId"] = attendee_id
            if "JoinToken" in attendee:
                attendee["JoinToken"] = facts.join_token(self._rng, attendee_id)
        attendee = {**attendee, **overrides}
        return {k: attendee[k] for k in members if attendee.get(k) is not None}  # in the model's order

    def chime_event(self, event_type: str | None = None, meeting: dict[str, Any] | None = None) -> dict[str, Any]:
        """A meeting event as Chime sends it to EventBridge, SQS and SNS, built by the fake's ``events.build_event``.

        ``event_type`` (default: drawn from ``events.EVENT_TYPES``; an unknown one raises
        ValueError naming the valid ones). ``meeting`` (a Meeting dict as GetMeeting answers
        it; default: ``chime_meeting()``) gives the detail's meeting members, and its
        MeetingArn the event's region and account (``us-east-1`` and a drawn account
        without one). An attendee event is about a new ``chime_attendee()`` (a content
        share's ids carry ``#content``); ``time`` is a whole second of 2025, in UTC.
        """
        from . import events

        rng = self._rng
        if event_type is None:
            event_type = rng.choice(tuple(events.EVENT_TYPES))
        elif event_type not in events.EVENT_TYPES:
            valid = ", ".join(events.EVENT_TYPES)
            raise ValueError(f"event_type={event_type!r} is not a Chime meeting event type; use one of {valid}")
        about = meeting if meeting is not None else self.chime_meeting()
        if not isinstance(about, dict) or not isinstance(about.get("MeetingId"), str):
            raise ValueError(
                f"meeting={about!r} is not a Meeting: pass a dict with a MeetingId, as GetMeeting answers it"
            )
        region, account_id = facts.LEGACY_CONTROL_REGION, None
        arn = about.get("MeetingArn")
        if arn is not None:
            parts = events.meeting_arn_parts(arn)
            if parts is None:
                raise ValueError(f"meeting's MeetingArn {arn!r} is not a meeting ARN")
            region, account_id = parts[0], parts[1]
        added = events.EVENT_TYPES[event_type]
        return events.build_event(
            rng,
            event_type,
            meeting=about,
            time=events.start_time(str(rng.getrandbits(64))),
            region=region,
            account_id=account_id if account_id is not None else self.chime_account_id(),
            attendee=self.chime_attendee() if added else None,
            network_type=rng.choice(events.NETWORK_TYPES) if "networkType" in added else "Voip",
            content=event_type.startswith("chime:AttendeeContent"),
        )

    def chime_create_meeting_params(
        self, service: str = facts.MODERN, *, control_region: str | None = None, **overrides: Any
    ) -> dict[str, Any]:
        """Keyword arguments for ``client.create_meeting`` that ``service`` accepts.

        ClientRequestToken, ExternalMeetingId and MediaRegion (one valid for a client of
        ``control_region``) are drawn; a legacy request gets them too, though only the
        token is required there. ``overrides`` add or replace members, and a ``None``
        override removes one.
        """
        members = _request_members(service)
        _check_members(f"{service} CreateMeeting", overrides, members)
        params: dict[str, Any] = {
            "ClientRequestToken": self.chime_client_request_token(),
            "ExternalMeetingId": self.chime_external_meeting_id(),
            "MediaRegion": self.chime_media_region(service, control_region=control_region),
            **overrides,
        }
        return {k: v for k, v in params.items() if v is not None}

    def chime_create_attendee_params(
        self, service: str = facts.MODERN, *, meeting_id: str | None = None, **overrides: Any
    ) -> dict[str, Any]:
        """Keyword arguments for ``client.create_attendee`` that ``service`` accepts.

        MeetingId (``meeting_id``, default: a new one, of no meeting in particular) and
        ExternalUserId; ``overrides`` add or replace members (``Capabilities=...``), and a
        ``None`` override removes one.
        """
        members = _shape_members(service, operation="CreateAttendee")
        _check_members(f"{service} CreateAttendee", overrides, members)
        params: dict[str, Any] = {
            "MeetingId": meeting_id if meeting_id is not None else self.chime_meeting_id(),
            "ExternalUserId": self.chime_external_user_id(),
            **overrides,
        }
        return {k: v for k, v in params.items() if v is not None}

    def chime_tag(self) -> dict[str, str]:
        """One ``{"Key": ..., "Value": ...}`` tag valid on both services (never an ``aws:`` key)."""
        rng = self._rng
        return {"Key": rng.choice(_TAG_KEYS), "Value": rng.choice(_TAG_VALUES)}

    def chime_tags(self, count: int | None = None) -> list[dict[str, str]]:
        """``count`` tags with distinct keys (default: 1 to 3); at most one per known key."""
        rng = self._rng
        if count is None:
            count = rng.randint(1, 3)
        if not 0 <= count <= len(_TAG_KEYS):
            raise ValueError(f"count={count!r}: ask for 0 to {len(_TAG_KEYS)} tags")
        keys = rng.sample(_TAG_KEYS, count)
        return [{"Key": key, "Value": rng.choice(_TAG_VALUES)} for key in keys]

    def chime_error_code(self, service: str = facts.MODERN, *, retryable: bool = False) -> str:
        """An exception code the installed botocore models for ``service``'s CreateMeeting.

        ``retryable=True`` draws from the errors ``--chime-chaos`` injects (throttling,
        unavailable, failure), the ones a client should survive by retrying.
        """
        from . import model

        codes = model.error_codes(service)
        if retryable:
            codes = tuple(c for c in facts.CHAOS_CODES[service] if c in codes)
        return self._rng.choice(codes)


def _check_service(service: str) -> str:
    if service not in facts.SERVICES:
        raise ValueError(f"service={service!r} is not a Chime service; use one of {', '.join(facts.SERVICES)}")
    return service


def _media_regions(service: str) -> tuple[str, ...]:
    return facts.MEDIA_REGIONS[_check_service(service)]


def _control_region(service: str, control_region: str | None) -> str:
    region = facts.DEFAULT_REGION if control_region is None else control_region
    return facts.control_region(_check_service(service), region)


def _check_members(what: str, overrides: dict[str, Any], members: tuple[str, ...]) -> None:
    unknown = sorted(set(overrides) - set(members))
    if unknown:
        raise ValueError(f"{what} has no member(s) {', '.join(unknown)}; valid: {', '.join(members)}")


def _shape_members(service: str, *path: str, operation: str = "CreateMeeting") -> tuple[str, ...]:
    """The members of ``operation``'s request (no ``path``) or of its response's ``path``."""
    from . import model
    from .errors import UnknownOperationError

    spec = model.operation(_check_service(service), operation)
    if spec is None:
        raise UnknownOperationError(service, operation, model.services(operation))
    shape = spec.output_shape if path else spec.input_shape
    for name in path:
        shape = shape.members[name]
    return tuple(shape.members)


def _meeting_members(service: str) -> tuple[str, ...]:
    return _shape_members(service, "Meeting")


def _request_members(service: str) -> tuple[str, ...]:
    return _shape_members(service)


@caches.cached(maxsize=1)
def _capability_combinations() -> tuple[dict[str, str], ...]:
    """Every Capabilities combination the service accepts, in the model's enum order."""
    from . import model
    from .attendees import capability_rule

    spec = model.operation(facts.MODERN, "CreateAttendee")
    if spec is None:  # pragma: no cover - every botocore with pytest-chime's floor models it
        raise ValueError(f"botocore {model.botocore_version()} models no {facts.MODERN} CreateAttendee")
    shape = spec.input_shape.members["Capabilities"]
    channels = list(shape.members)
    values = [list(shape.members[name].enum) for name in channels]
    combinations = (dict(zip(channels, chosen, strict=True)) for chosen in itertools.product(*values))
    return tuple(found for found in combinations if not capability_rule(found))


def add_to(faker: Any) -> Any:
    """Add ChimeProvider to a ``faker.Faker`` (every locale's generator) unless it has it; return it.

    Anything that is not a Faker is returned unchanged (a project's own ``faker`` fixture
    may return something else).
    """
    from faker import Faker
    from faker.generator import Generator

    pending: list[Any] = [faker]
    while pending:  # a multi-locale Faker holds one single-locale Faker per locale
        item = pending.pop()
        if isinstance(item, Faker) and len(item.factories) > 1:
            pending.extend(item.factories)
        elif isinstance(item, (Faker, Generator)) and item.provider(ChimeProvider.__provider__) is None:
            item.add_provider(ChimeProvider)
    return faker
