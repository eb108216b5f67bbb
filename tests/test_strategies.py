"""pytest_chime.strategies: what it generates, botocore and the (fake) service accept or reject as it says."""

from __future__ import annotations

import base64
import copy
import functools
import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

import botocore
import botocore.parsers
import botocore.validate
import pytest
from botocore.stub import Stubber
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument, NoSuchExample
from hypothesis.strategies import SearchStrategy

from pytest_chime import FakeChime, UnknownOperationError, facts, model, operations
from pytest_chime import strategies as chime_st
from tests.conftest import LEGACY_AVAILABLE, legacy_only, make_client, valid_request
from tests.conftest import SERVICES as SERVED

T = TypeVar("T")

SERVICES = [pytest.param(facts.LEGACY, marks=legacy_only), facts.MODERN]
REGION = facts.DEFAULT_REGION

#: Round trips through a real boto3 client: modest, deterministic.
ROUND_TRIP = settings(max_examples=60, deadline=None, database=None, derandomize=True)
#: Pure checks: cheap, so more examples.
PURE = settings(max_examples=75, deadline=None, database=None, derandomize=True)

#: Request members the service echoes in the Meeting (where the installed model's Meeting has them).
ECHOED = ("ExternalMeetingId", "MediaRegion", "MeetingHostId", "TenantIds", "MeetingFeatures", "PrimaryMeetingId")

#: Words of the fake's message that say which rule was broken.
RULE_WORDS = {
    "max-length": "Member must have length less than or equal to",
    "max-items": "Member must have length less than or equal to",
    "pattern": "Member must satisfy regular expression pattern",
    "enum": "Member must satisfy enum value set",
    "max-value": "Member must have value less than or equal to",
    "media-region": "is not a supported media region",
    "media-region-partition": "is not in the partition of the control region",
    "tag-key-reserved": "are reserved for AWS use",
    "reserved-prefix": "are reserved for AWS use",
    "high-resolution-attendees": "attendees",
    "duplicate-tag-key": "each tag key must be unique",
    "arn-target": "is not a valid ARN for its target",
    "meeting-id": "must be a meeting ID",
}

#: Every (member, rule) a broken request should exercise, where the installed model has the member
#: (list positions written N). The first part of a member names the request member it needs.
BROKEN = {
    ("ClientRequestToken", "max-length"),
    ("ClientRequestToken", "pattern"),
    ("ExternalMeetingId", "max-length"),
    ("MeetingHostId", "max-length"),
    ("MediaRegion", "media-region"),
    ("PrimaryMeetingId", "meeting-id"),
    ("MediaPlacementNetworkType", "enum"),
    ("Tags", "max-items"),
    ("Tags.N.Key", "max-length"),
    ("Tags.N.Value", "max-length"),
    ("Tags.N.Key", "tag-key-reserved"),
    ("Tags.N.Key", "duplicate-tag-key"),
    ("TenantIds", "max-items"),
    ("TenantIds.N", "max-length"),
    ("TenantIds.N", "pattern"),
    ("MeetingFeatures.Audio.EchoReduction", "enum"),
    ("MeetingFeatures.Video.MaxResolution", "enum"),
    ("MeetingFeatures.Content.MaxResolution", "enum"),
    ("MeetingFeatures.Attendee.MaxCount", "max-value"),
    ("MeetingFeatures.Attendee.MaxCount", "high-resolution-attendees"),
    ("ExternalMeetingId", "reserved-prefix"),
    ("MeetingHostId", "reserved-prefix"),
    ("NotificationsConfiguration.SnsTopicArn", "arn-target"),
    ("NotificationsConfiguration.SqsQueueArn", "arn-target"),
    ("NotificationsConfiguration.LambdaFunctionArn", "arn-target"),
}
#: Broken only where the model has a pattern for the member (chime-sdk-meetings) ...
BROKEN_WHERE_PATTERNED = {
    ("Tags.N.Key", "pattern"),
    ("Tags.N.Value", "pattern"),
    ("NotificationsConfiguration.LambdaFunctionArn", "pattern"),
}


@pytest.fixture(scope="module")
def clients() -> dict[str, Any]:
    """boto3 clients by service, made once for the module (a new session per example would be slow).

    Module-scoped, so ``@given`` tests may use it (Hypothesis refuses function-scoped fixtures).
    """
    return {}


def client_for(clients: dict[str, Any], service: str) -> Any:
    if service not in clients:
        clients[service] = make_client(service, REGION)
    return clients[service]


def collect(strategy: SearchStrategy[T], count: int) -> list[T]:
    """``count`` examples of ``strategy``, the same on every run."""
    found: list[T] = []

    @settings(
        max_examples=count,
        database=None,
        derandomize=True,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(strategy)
    def record(value: T) -> None:
        found.append(value)

    record()
    return found


def minimal(strategy: SearchStrategy[T], condition: Callable[[T], bool] = lambda _: True, examples: int = 2000) -> T:
    """The simplest example meeting ``condition`` found within ``examples``, the same on every run."""
    return find(strategy, condition, settings=settings(database=None, derandomize=True, max_examples=examples))


def spec_of(service: str) -> model.OperationSpec:
    spec = model.operation(service)
    assert spec is not None
    return spec


def meeting_members(service: str) -> set[str]:
    return set(spec_of(service).output_shape.members["Meeting"].members)


def generic(member: str) -> str:
    return re.sub(r"\.\d+", ".N", member)


def expected_broken(service: str) -> set[tuple[str, str]]:
    """The (member, rule) pairs of :data:`BROKEN` the installed model allows for ``service``."""
    shape = spec_of(service).input_shape
    out = set()
    for member, rule in BROKEN | BROKEN_WHERE_PATTERNED:
        path = member.replace(".N", "").split(".")
        current, present = shape, True
        for name in path:
            current = current.member if current.type_name == "list" else current
            if name not in current.members:
                present = False
                break
            current = current.members[name]
        if not present:
            continue
        if (member, rule) in BROKEN_WHERE_PATTERNED:
            current = current.member if current.type_name == "list" else current
            if "pattern" not in current.metadata:
                continue
        out.add((member, rule))
    if any(facts.partition(r) != facts.partition(REGION) for r in facts.MEDIA_REGIONS[service]):
        out.add(("MediaRegion", "media-region-partition"))  # GovCloud media regions, from a us-east-1 client
    return out


# --- valid requests -------------------------------------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
@PURE
@given(data=st.data())
def test_requests_pass_botocore_validation_and_every_service_rule(service: str, data: st.DataObject) -> None:
    params = data.draw(chime_st.create_meeting_requests(service=service))
    spec = spec_of(service)
    botocore.validate.validate_parameters(params, spec.input_shape)
    assert operations.check(spec.service, spec.name, params, REGION) == []


@pytest.mark.parametrize("service", SERVICES)
@ROUND_TRIP
@given(data=st.data())
def test_the_fake_creates_a_meeting_for_every_request_and_echoes_it(
    service: str, clients: dict[str, Any], data: st.DataObject
) -> None:
    params = data.draw(chime_st.create_meeting_requests(service=service))
    client = client_for(clients, service)
    with FakeChime() as fake:
        meeting = client.create_meeting(**params)["Meeting"]
    assert fake.calls[-1].status == spec_of(service).success_status
    assert meeting["MeetingId"] in fake.meetings
    # What a meeting shows when its request leaves a member out (real responses carry "TenantIds": []).
    shown = facts.ECHO_DEFAULTS if service == facts.MODERN else {}
    defaults = {**shown, "MediaRegion": fake.media_region}
    for name in set(ECHOED) & meeting_members(service):
        assert meeting.get(name) == params.get(name, defaults.get(name)), name


@functools.cache
def sample(service: str) -> list[dict[str, Any]]:
    """1500 requests for ``service`` (shared by the coverage tests).

    Hypothesis follows most fresh examples with a few mutated copies of them, and mixes in
    constants it finds in the modules the run has imported (so the mix depends on what ran
    before): a few hundred examples hold fewer independent draws than their count. 1500
    covers each media region in every test order seen.
    """
    return collect(chime_st.create_meeting_requests(service=service), 1500)


@pytest.mark.parametrize("service", SERVICES)
def test_each_optional_member_is_sometimes_present_and_sometimes_absent(service: str) -> None:
    shape = spec_of(service).input_shape
    for name in set(shape.members) - set(shape.required_members):
        present = sum(name in params for params in sample(service))
        assert 0 < present < len(sample(service)), name


@pytest.mark.parametrize("service", SERVICES)
def test_required_members_are_always_present(service: str) -> None:
    required = set(spec_of(service).input_shape.required_members)
    assert all(required <= set(params) for params in sample(service))


@pytest.mark.parametrize("service", SERVICES)
def test_every_media_region_of_the_control_regions_partition_appears(service: str) -> None:
    usable = {r for r in facts.MEDIA_REGIONS[service] if facts.partition(r) == facts.partition(REGION)}
    assert {params["MediaRegion"] for params in sample(service) if "MediaRegion" in params} == usable


def test_media_regions_from_a_govcloud_client_are_the_govcloud_ones() -> None:
    regions = set(collect(chime_st.media_regions(service=facts.MODERN, region="us-gov-west-1"), 50))
    assert regions == {r for r in facts.MODERN_MEDIA_REGIONS if r.startswith("us-gov-")}


def test_requests_shrink_to_the_required_members_at_their_shortest() -> None:
    shape = spec_of(facts.MODERN).input_shape
    params = minimal(chime_st.create_meeting_requests())
    assert set(params) == set(shape.required_members)
    for name in ("ClientRequestToken", "ExternalMeetingId"):
        assert len(params[name]) == shape.members[name].metadata["min"]


def test_tags_shrink_to_one_tag_with_a_one_character_key_and_the_shortest_value() -> None:
    value_shape = spec_of(facts.MODERN).input_shape.members["Tags"].member.members["Value"]
    tags = minimal(chime_st.tags(), bool)
    assert len(tags) == 1
    assert len(tags[0]["Key"]) == 1
    assert len(tags[0]["Value"]) == value_shape.metadata.get("min", 0)


@pytest.mark.parametrize("service", SERVICES)
@PURE
@given(data=st.data())
def test_tag_keys_are_unique_ignoring_case_and_never_reserved(service: str, data: st.DataObject) -> None:
    tags = data.draw(chime_st.tags(service=service))
    keys = [tag["Key"].lower() for tag in tags]
    assert len(set(keys)) == len(keys)
    assert not any(key.startswith(facts.RESERVED_TAG_PREFIX) for key in keys)


def test_tenant_ids_never_repeat_a_character_four_times_in_a_row() -> None:
    def has_run(ids: list[str]) -> bool:
        return any(re.search(r"(.)\1{3}", tenant) for tenant in ids)

    # Without the run-breaking, Hypothesis finds ['0000'] within 1000 examples.
    with pytest.raises(NoSuchExample):
        minimal(chime_st.tenant_ids(), has_run, examples=1000)


def test_full_tag_lists_are_generated() -> None:
    shape = spec_of(facts.MODERN).input_shape.members["Tags"]
    sizes = {len(tags) for tags in collect(chime_st.tags(), 300)}
    assert shape.metadata["max"] in sizes


@pytest.mark.parametrize("service", SERVICES)
@PURE
@given(data=st.data())
def test_notification_arns_name_their_target(service: str, data: st.DataObject) -> None:
    config = data.draw(chime_st.notifications_configurations(service=service))
    shape = spec_of(service).input_shape.members["NotificationsConfiguration"]
    assert config
    for target, arn in config.items():
        assert re.fullmatch(facts.NOTIFICATION_ARN_PATTERNS[target], arn), arn
        assert re.fullmatch(shape.members[target].metadata["pattern"], arn, re.ASCII), arn
        assert len(arn) <= shape.members[target].metadata["max"]


def test_fhd_video_or_uhd_content_comes_with_at_most_25_attendees() -> None:
    def high_resolution(features: dict[str, Any]) -> bool:
        video = features.get("Video", {}).get("MaxResolution")
        content = features.get("Content", {}).get("MaxResolution")
        return bool(video == "FHD" or content == "UHD")

    found = [features for features in collect(chime_st.meeting_features(), 200) if high_resolution(features)]
    assert found
    for features in found:
        assert 1 <= features["Attendee"]["MaxCount"] <= chime_st.HIGH_RESOLUTION_MAX_ATTENDEES


def test_external_meeting_ids_use_non_ascii_letters_and_count_characters() -> None:
    ids = collect(chime_st.external_meeting_ids(), 200)
    limit = spec_of(facts.MODERN).input_shape.members["ExternalMeetingId"].metadata["max"]
    assert any(not value.isascii() for value in ids)
    assert max(len(value) for value in ids) <= limit


def test_meeting_ids_are_the_services_format() -> None:
    for value in collect(chime_st.meeting_ids(), 50):
        assert re.fullmatch(facts.MEETING_ID_PATTERN, value)


# --- pinning ----------------------------------------------------------------------------------


def test_a_pinned_member_is_used_as_is() -> None:
    tags = [{"Key": "team", "Value": "payments"}]
    for params in collect(chime_st.create_meeting_requests(media_region="eu-west-2", tags=tags), 30):
        assert params["MediaRegion"] == "eu-west-2"
        assert params["Tags"] == tags


def test_a_member_pinned_to_a_strategy_is_drawn_from_it() -> None:
    regions = ["eu-west-1", "eu-west-2"]
    found = {
        p["MediaRegion"] for p in collect(chime_st.create_meeting_requests(media_region=st.sampled_from(regions)), 30)
    }
    assert found == set(regions)


def test_an_optional_member_pinned_to_none_is_left_out() -> None:
    assert not any("Tags" in p for p in collect(chime_st.create_meeting_requests(tags=None), 100))


def test_a_required_member_cannot_be_pinned_to_none() -> None:
    with pytest.raises(InvalidArgument, match="ExternalMeetingId is required"):
        chime_st.create_meeting_requests(external_meeting_id=None)


def test_an_unknown_pin_is_refused_with_the_valid_names() -> None:
    with pytest.raises(InvalidArgument, match="media_regoin") as info:
        chime_st.create_meeting_requests(media_regoin="eu-west-2")
    assert "media_region" in str(info.value)
    assert "external_meeting_id" in str(info.value)


def test_an_unknown_service_is_refused() -> None:
    with pytest.raises(InvalidArgument, match="chime-sdk-meeting"):
        chime_st.create_meeting_requests(service="chime-sdk-meeting")


@pytest.mark.skipif(LEGACY_AVAILABLE, reason="this botocore models the legacy chime CreateMeeting")
def test_the_legacy_service_is_refused_naming_botocores_version_where_not_modelled() -> None:
    with pytest.raises(UnknownOperationError, match=re.escape(f"botocore {model.botocore_version()}")):
        chime_st.create_meeting_requests(service=facts.LEGACY)


# --- invalid requests -------------------------------------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
@PURE
@given(data=st.data())
def test_invalid_requests_pass_botocore_but_break_exactly_the_named_rule(service: str, data: st.DataObject) -> None:
    invalid = data.draw(chime_st.invalid_create_meeting_requests(service=service))
    spec = spec_of(service)
    botocore.validate.validate_parameters(invalid.params, spec.input_shape)
    found = operations.check(spec.service, spec.name, invalid.params, REGION)
    assert [(v.member, v.rule) for v in found] == [(invalid.member, invalid.rule)]


@pytest.mark.parametrize("service", SERVICES)
@ROUND_TRIP
@given(data=st.data())
def test_the_fake_rejects_invalid_requests_naming_the_member_and_rule(
    service: str, clients: dict[str, Any], data: st.DataObject
) -> None:
    invalid = data.draw(chime_st.invalid_create_meeting_requests(service=service))
    client = client_for(clients, service)
    with FakeChime() as fake, pytest.raises(client.exceptions.BadRequestException) as info:
        client.create_meeting(**invalid.params)
    message = info.value.response["Error"]["Message"]
    assert invalid.member in message
    assert RULE_WORDS[invalid.rule] in message
    assert not fake.meetings


@pytest.mark.parametrize("service", SERVICES)
def test_every_rule_the_model_allows_is_broken(service: str) -> None:
    expected = expected_broken(service)
    found: set[tuple[str, str]] = set()
    for rule in sorted({rule for _, rule in expected}):
        # About 40 examples for each member the rule can break (Hypothesis's mutated copies repeat members).
        count = 40 * sum(1 for _, r in expected if r == rule)
        examples = collect(chime_st.invalid_create_meeting_requests(service=service, rules=[rule]), count)
        assert {example.rule for example in examples} == {rule}
        found |= {(generic(example.member), example.rule) for example in examples}
    assert found == expected


def test_a_rule_the_model_cannot_break_is_refused() -> None:
    with pytest.raises(InvalidArgument, match="available"):
        chime_st.invalid_create_meeting_requests(rules=["no-such-rule"])


# --- responses --------------------------------------------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
@PURE
@given(data=st.data())
def test_responses_parse_with_botocore_to_themselves(service: str, data: st.DataObject) -> None:
    body = data.draw(chime_st.create_meeting_responses(service=service))
    spec = spec_of(service)
    parser = botocore.parsers.create_parser(model.service_model(service).metadata["protocol"])  # type: ignore[union-attr]
    raw = {"status_code": spec.success_status, "headers": {}, "body": json.dumps(body).encode()}
    parsed = parser.parse(raw, spec.output_shape)
    parsed.pop("ResponseMetadata", None)
    assert parsed == body
    assert set(body["Meeting"]) <= meeting_members(service)
    assert re.fullmatch(facts.MEETING_ID_PATTERN, body["Meeting"]["MeetingId"])


def form(meeting: dict[str, Any]) -> str:
    """A Meeting with its random parts (id, audio host, cell) blanked out."""
    text = json.dumps(meeting, sort_keys=True).replace(meeting["MeetingId"], "<id>")
    text = re.sub(r"https://[0-9a-f]{4}\.cell\.", "https://<cell>.cell.", text)
    text = re.sub(r"[0-9a-f]{32}\.k\.", "<host>.k.", text)
    return re.sub(r"\.m[1-3]\.", ".m<n>.", text)


@pytest.mark.parametrize("service", SERVICES)
@ROUND_TRIP
@given(data=st.data())
def test_meetings_have_the_form_the_fake_answers_the_same_request_with(
    service: str, clients: dict[str, Any], data: st.DataObject
) -> None:
    params = data.draw(chime_st.create_meeting_requests(service=service))
    generated = data.draw(chime_st.meetings(service=service, requests=st.just(params)))
    with FakeChime():
        answered = client_for(clients, service).create_meeting(**params)["Meeting"]
    assert form(generated) == form(answered)


@pytest.mark.parametrize("service", SERVICES)
def test_error_codes_are_the_modelled_ones(service: str) -> None:
    assert set(collect(chime_st.error_codes(service=service), 100)) == set(model.error_codes(service))


# --- FakeChime inside @given ----------------------------------------------------------------


def test_one_fake_reset_for_each_example_starts_every_example_afresh(clients: dict[str, Any]) -> None:
    client = client_for(clients, facts.MODERN)
    fake = FakeChime()
    first_ids: set[str] = set()

    @ROUND_TRIP
    @given(chime_st.create_meeting_requests())
    def create(params: dict[str, Any]) -> None:
        fake.reset()
        meeting = client.create_meeting(**params)["Meeting"]
        assert list(fake.meetings) == [meeting["MeetingId"]]
        first_ids.add(meeting["MeetingId"])

    with fake:
        create()
    assert len(first_ids) == 1  # reset restarts the id sequence: every example sees the same first id


# --- every implemented operation --------------------------------------------------------------

#: (service, operation) for every operation the fake implements on each served service.
OPERATIONS = [
    pytest.param(service, operation, id=f"{service}-{operation}")
    for service in SERVED
    for operation in operations.implemented(service)
]
#: Round trips of every operation: fewer examples each (a service has up to 22 of them).
EACH_OPERATION = settings(max_examples=20, deadline=None, database=None, derandomize=True)
#: Pure checks of every operation.
EACH_OPERATION_PURE = settings(max_examples=20, deadline=None, database=None, derandomize=True)


def op_spec(service: str, operation: str) -> model.OperationSpec:
    spec = model.operation(service, operation)
    assert spec is not None
    return spec


def existing(client: Any, service: str, operation: str) -> dict[str, str]:
    """A meeting with one attendee in the active fake, and what ``operation`` needs first: the pins that name them."""
    meeting = client.create_meeting(**valid_request(service))["Meeting"]
    meeting_id = meeting["MeetingId"]
    attendee = client.create_attendee(MeetingId=meeting_id, ExternalUserId="setup-user")["Attendee"]
    if operation == "StopMeetingTranscription":  # a transcription to stop
        client.start_meeting_transcription(
            MeetingId=meeting_id, TranscriptionConfiguration={"EngineTranscribeSettings": {"LanguageCode": "en-US"}}
        )
    # A legacy meeting answers no MeetingArn: its ARN is the legacy control region's.
    arn = meeting.get("MeetingArn") or facts.meeting_arn(
        facts.LEGACY_CONTROL_REGION, facts.DEFAULT_ACCOUNT_ID, meeting_id
    )
    ids = {
        "meeting_id": meeting_id,
        "attendee_id": attendee["AttendeeId"],
        "join_token": attendee["JoinToken"],
        "resource_arn": arn,
        "source_arn": arn,
    }
    if "MediaCapturePipeline" in operation:  # legacy chime's capture pipelines: one recording the meeting
        made = client.create_media_capture_pipeline(
            SourceType="ChimeSdkMeeting", SourceArn=arn, SinkType="S3Bucket", SinkArn="arn:aws:s3:::recordings"
        )
        ids["media_pipeline_id"] = made["MediaCapturePipeline"]["MediaPipelineId"]
    return ids


def pins_for(service: str, operation: str, ids: dict[str, str]) -> dict[str, str]:
    """The pins of ``ids`` that ``operation`` has a member for."""
    members = op_spec(service, operation).input_shape.members
    names = {"meeting_id": "MeetingId", "attendee_id": "AttendeeId", "join_token": "JoinToken"}
    names |= {"resource_arn": "ResourceARN", "source_arn": "SourceArn", "media_pipeline_id": "MediaPipelineId"}
    return {pin: value for pin, value in ids.items() if names[pin] in members}


@pytest.mark.parametrize(("service", "operation"), OPERATIONS)
@EACH_OPERATION
@given(data=st.data())
def test_the_fake_accepts_the_requests_of_every_operation_which_break_no_rule(
    service: str, operation: str, clients: dict[str, Any], data: st.DataObject
) -> None:
    client = client_for(clients, service)
    with FakeChime() as fake:
        pins = pins_for(service, operation, existing(client, service, operation))
        params = data.draw(chime_st.requests(operation, service=service, **pins))
        botocore.validate.validate_parameters(params, op_spec(service, operation).input_shape)
        assert operations.check(service, operation, params, REGION) == []
        answer = getattr(client, botocore.xform_name(operation))(**params)
    assert fake.calls[-1].error_code is None
    assert fake.calls[-1].status == op_spec(service, operation).success_status
    assert answer.get("Errors", []) == []  # no attendee of a batch refused either


@pytest.mark.parametrize(("service", "operation"), OPERATIONS)
@EACH_OPERATION
@given(data=st.data())
def test_the_fake_rejects_the_invalid_requests_of_every_operation_for_exactly_the_named_rule(
    service: str, operation: str, clients: dict[str, Any], data: st.DataObject
) -> None:
    invalid = data.draw(chime_st.invalid_requests(operation, service=service))
    botocore.validate.validate_parameters(invalid.params, op_spec(service, operation).input_shape)
    found = operations.check(service, operation, invalid.params, REGION)
    assert [(v.member, v.rule) for v in found] == [(invalid.member, invalid.rule)]
    client = client_for(clients, service)
    with FakeChime() as fake, pytest.raises(client.exceptions.BadRequestException) as info:
        getattr(client, botocore.xform_name(operation))(**invalid.params)
    assert invalid.member in info.value.response["Error"]["Message"]
    assert [call.error_code for call in fake.calls] == ["BadRequestException"]


#: Rules the service applies to each attendee of a batch: broken, they fail that attendee only.
PER_ATTENDEE_RULES = ("reserved-prefix", "capabilities-content-video", "tag-key-reserved", "duplicate-tag-key")


@pytest.mark.parametrize("rule", PER_ATTENDEE_RULES)
@pytest.mark.parametrize("service", SERVICES)
def test_batch_create_attendee_requests_never_break_a_per_attendee_rule(service: str, rule: str) -> None:
    with pytest.raises(InvalidArgument, match=f"rules {rule} cannot be broken"):
        collect(chime_st.invalid_requests("BatchCreateAttendee", service=service, rules=[rule]), 1)


@pytest.mark.parametrize("service", SERVICES)
def test_create_meeting_with_attendees_requests_break_per_attendee_rules_only_outside_attendees(service: str) -> None:
    rules = [rule for rule in PER_ATTENDEE_RULES if rule != "capabilities-content-video"]
    examples = collect(chime_st.invalid_requests("CreateMeetingWithAttendees", service=service, rules=rules), 60)
    assert examples
    assert not any(example.member.startswith("Attendees") for example in examples)
    with pytest.raises(InvalidArgument, match="rules capabilities-content-video cannot be broken"):
        collect(chime_st.invalid_requests("CreateMeetingWithAttendees", rules=["capabilities-content-video"]), 1)


@pytest.mark.parametrize("service", SERVICES)
def test_create_attendee_requests_break_its_service_rules(service: str) -> None:
    rules = {"reserved-prefix"} | (
        {"capabilities-content-video"}
        if "Capabilities" in op_spec(service, "CreateAttendee").input_shape.members
        else {"tag-key-reserved", "duplicate-tag-key"}
    )
    examples = collect(chime_st.invalid_requests("CreateAttendee", service=service, rules=sorted(rules)), 100)
    assert {example.rule for example in examples} == rules


def valid_capabilities() -> list[dict[str, str]]:
    values = ["SendReceive", "Send", "Receive", "None"]
    every = [{"Audio": a, "Video": v, "Content": c} for a in values for v in values for c in values]
    return [
        caps
        for caps in every
        if not (caps["Content"] in ("SendReceive", "Receive") and caps["Video"] in ("Send", "None"))
    ]


def test_capabilities_are_every_combination_the_service_accepts() -> None:
    found = collect(chime_st.attendee_capabilities(), 500)
    assert {tuple(sorted(caps.items())) for caps in found} == {tuple(sorted(c.items())) for c in valid_capabilities()}
    assert minimal(chime_st.attendee_capabilities()) == {
        "Audio": "SendReceive",
        "Video": "SendReceive",
        "Content": "SendReceive",
    }


@pytest.mark.parametrize("operation", ["BatchCreateAttendee", "CreateMeetingWithAttendees"])
@pytest.mark.parametrize("service", SERVICES)
@EACH_OPERATION_PURE
@given(data=st.data())
def test_batch_attendees_are_present_distinct_unreserved_and_within_the_meetings_limit(
    service: str, operation: str, data: st.DataObject
) -> None:
    params = data.draw(chime_st.requests(operation, service=service))
    users = [item["ExternalUserId"] for item in params["Attendees"]]
    assert users  # a batch asks for attendees, even where the legacy model leaves them out
    assert len(set(users)) == len(users)
    assert all(2 <= len(user) <= 64 and not user.lower().startswith("aws:") for user in users)
    limit = params.get("MeetingFeatures", {}).get("Attendee", {}).get("MaxCount")
    if limit is not None:
        assert len(users) <= limit


@EACH_OPERATION_PURE
@given(chime_st.requests("CreateMeetingWithAttendees"))
def test_meeting_with_attendees_asks_no_capability_on_a_channel_its_features_switch_off(
    params: dict[str, Any],
) -> None:
    features = params.get("MeetingFeatures", {})
    off = [channel for channel in ("Video", "Content") if features.get(channel, {}).get("MaxResolution") == "None"]
    for item in params["Attendees"]:
        assert all(item.get("Capabilities", {}).get(channel, "None") == "None" for channel in off)


def test_unpinned_ids_are_well_formed_ones_of_no_meeting_in_particular() -> None:
    for params in collect(chime_st.requests("GetAttendee"), 20):
        assert re.fullmatch(facts.MEETING_ID_PATTERN, params["MeetingId"])
        assert re.fullmatch(facts.MEETING_ID_PATTERN, params["AttendeeId"])


@pytest.mark.skipif("TagResource" not in operations.implemented(facts.MODERN), reason="the fake has no TagResource")
def test_unpinned_resource_arns_are_meeting_arns_as_the_fake_writes_them() -> None:
    arn = r"arn:aws:chime:us-east-1:123456789012:meeting/" + facts.MEETING_ID_PATTERN
    for params in collect(chime_st.requests("TagResource"), 20):
        assert re.fullmatch(arn, params["ResourceARN"])


def test_next_token_is_never_generated_and_max_results_is_in_the_models_range() -> None:
    shape = op_spec(facts.MODERN, "ListAttendees").input_shape.members["MaxResults"]
    examples = collect(chime_st.requests("ListAttendees"), 200)
    assert not any("NextToken" in params for params in examples)
    sizes = {params["MaxResults"] for params in examples if "MaxResults" in params}
    assert sizes
    assert all(shape.metadata["min"] <= size <= shape.metadata["max"] for size in sizes)


def test_pinned_ids_and_values_are_used_as_given() -> None:
    meeting_id, attendee_id = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9", "35a392d3-9502-22df-830a-ba6d047bb681"
    for params in collect(chime_st.requests("GetAttendee", meeting_id=meeting_id, attendee_id=attendee_id), 10):
        assert params == {"MeetingId": meeting_id, "AttendeeId": attendee_id}
    for params in collect(chime_st.requests("ListAttendees", meeting_id=meeting_id, max_results=None), 30):
        assert params == {"MeetingId": meeting_id}


def test_invalid_requests_never_break_a_pinned_member() -> None:
    meeting_id = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
    for invalid in collect(chime_st.invalid_requests("GetAttendee", meeting_id=meeting_id), 30):
        assert (invalid.member, invalid.rule) == ("AttendeeId", "pattern")
        assert invalid.params["MeetingId"] == meeting_id


# --- answers of every operation ------------------------------------------------------------------


def without_echo_defaults(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` without the members real responses show beyond the model's ``min`` (``"TenantIds": []``)."""
    echoed = facts.ECHO_DEFAULTS
    meetings = [body["Meeting"]] if "Meeting" in body else body.get("Meetings", [])
    for meeting in meetings:
        for name, value in echoed.items():
            if meeting.get(name) == value:
                del meeting[name]
    return body


@pytest.mark.parametrize(("service", "operation"), OPERATIONS)
@EACH_OPERATION_PURE
@given(data=st.data())
def test_responses_of_every_operation_are_what_the_stubber_accepts_as_its_output(
    service: str, operation: str, clients: dict[str, Any], data: st.DataObject
) -> None:
    body = data.draw(chime_st.responses(operation, service=service))
    with Stubber(client_for(clients, service)) as stubber:
        stubber.add_response(botocore.xform_name(operation), without_echo_defaults(copy.deepcopy(body)))
    assert set(body) <= set(op_spec(service, operation).output_shape.members) if body else True


def attendee_form(attendee: dict[str, Any]) -> dict[str, Any]:
    """An Attendee with its random parts (id, token) checked and blanked out."""
    attendee_id = attendee["AttendeeId"]
    assert re.fullmatch(facts.MEETING_ID_PATTERN, attendee_id)
    token = base64.b64decode(attendee["JoinToken"] + "=" * (-len(attendee["JoinToken"]) % 4)).decode()
    assert token.startswith(f"{attendee_id}:")
    return {**attendee, "AttendeeId": "<id>", "JoinToken": "<token>"}


@pytest.mark.parametrize("service", SERVICES)
@EACH_OPERATION
@given(data=st.data())
def test_attendees_have_the_form_the_fake_answers_the_same_request_with(
    service: str, clients: dict[str, Any], data: st.DataObject
) -> None:
    generated = data.draw(chime_st.attendees(service=service))
    client = client_for(clients, service)
    request = {name: generated[name] for name in ("ExternalUserId", "Capabilities") if name in generated}
    with FakeChime():
        meeting_id = client.create_meeting(**valid_request(service))["Meeting"]["MeetingId"]
        answered = client.create_attendee(MeetingId=meeting_id, **request)["Attendee"]
    assert attendee_form(generated) == attendee_form(answered)


@pytest.mark.parametrize("service", SERVICES)
def test_batch_responses_refuse_some_attendees_in_the_fakes_words(service: str) -> None:
    errors = [
        error
        for body in collect(chime_st.responses("BatchCreateAttendee", service=service), 50)
        for error in body["Errors"]
    ]
    assert errors
    for error in errors:
        assert error["ErrorCode"] == "BadRequest"
        assert re.match(
            r"1 validation error detected: Attendees\.\d+\.(ExternalUserId|Capabilities)", error["ErrorMessage"]
        )


@pytest.mark.parametrize("service", SERVICES)
def test_attendee_listings_sometimes_have_a_next_token(service: str) -> None:
    pages = collect(chime_st.responses("ListAttendees", service=service), 50)
    assert any("NextToken" in page for page in pages)
    assert any("NextToken" not in page for page in pages)


@pytest.mark.parametrize(("service", "operation"), OPERATIONS)
def test_error_codes_of_every_operation_are_the_modelled_ones(service: str, operation: str) -> None:
    found = set(collect(chime_st.error_codes(service=service, operation=operation), 100))
    assert found == set(model.error_codes(service, operation))


# --- the strategies' API --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("strategy", "text"),
    [
        (lambda: chime_st.requests("GetMeeting", meeting_id="m-1"), "requests('GetMeeting', meeting_id='m-1')"),
        (
            lambda: chime_st.invalid_requests("CreateAttendee", service="chime", rules=["reserved-prefix"]),
            "invalid_requests('CreateAttendee', service='chime', rules=['reserved-prefix'])",
        ),
        (
            lambda: chime_st.responses("ListAttendees", region="eu-west-2"),
            "responses('ListAttendees', region='eu-west-2')",
        ),
        (lambda: chime_st.attendees(service="chime"), "attendees(service='chime')"),
        (lambda: chime_st.error_codes(operation="GetMeeting"), "error_codes(operation='GetMeeting')"),
        (lambda: chime_st.external_user_ids(), "external_user_ids()"),
    ],
    ids=["requests", "invalid_requests", "responses", "attendees", "error_codes", "external_user_ids"],
)
def test_the_repr_shows_how_the_strategy_was_built(strategy: Callable[[], SearchStrategy[Any]], text: str) -> None:
    assert repr(strategy()) == text


@pytest.mark.parametrize(
    ("strategy", "message"),
    [
        (lambda: chime_st.requests("CreateMeetin"), "implemented: BatchCreateAttendee, "),
        (lambda: chime_st.requests("ListMeetings"), "'ListMeetings' is not an operation pytest-chime implements"),
        (lambda: chime_st.requests("GetMeeting", meetingid="x"), "valid names: meeting_id"),
        (lambda: chime_st.requests("GetMeeting", meeting_id=st.just("x")), "meeting_id=just('x') is a strategy"),
        (lambda: chime_st.requests("GetMeeting", meeting_id=None), "MeetingId is required"),
        (lambda: chime_st.requests("GetMeeting", service="chime-sdk-meeting"), "not a Chime service"),
        (lambda: chime_st.invalid_requests("GetMeeting", meeting_id="x"), "no rule left to break"),
        (lambda: chime_st.invalid_requests("GetMeeting", rules=["enum"]), "rules enum cannot be broken"),
        (lambda: chime_st.responses("ListMeetings"), "implemented: "),
        (lambda: chime_st.error_codes(operation="Nope"), "'Nope' is not an operation"),
    ],
    ids=[
        "unknown-operation",
        "unimplemented-operation",
        "unknown-member",
        "strategy-pin",
        "required-none",
        "unknown-service",
        "nothing-to-break",
        "unbreakable-rule",
        "responses",
        "error_codes",
    ],
)
def test_bad_arguments_raise_when_the_test_runs_not_when_the_strategy_is_built(
    strategy: Callable[[], SearchStrategy[Any]], message: str
) -> None:
    built = strategy()  # no error yet

    @settings(max_examples=1, database=None)
    @given(built)
    def uses(value: Any) -> None:
        pass

    with pytest.raises(InvalidArgument, match=re.escape(message)):
        uses()
