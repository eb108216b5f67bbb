"""Server-side validation: what botocore lets through and the service rejects."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from pytest_chime import FakeChime, HookError, caches, facts, model, protocol, validate
from tests.conftest import legacy_only, make_client, valid_request

MODERN = "chime-sdk-meetings"


def rejected(client: Any, **params: Any) -> str:
    """The BadRequestException message the service answers ``params`` with."""
    with pytest.raises(ClientError) as info:
        client.create_meeting(**params)
    error = info.value.response["Error"]
    assert error["Code"] == "BadRequestException"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return str(error["Message"])


def test_unknown_media_region_is_rejected_naming_the_member(fake_chime: FakeChime, client: Any, service: str) -> None:
    message = rejected(client, **valid_request(service, MediaRegion="mars-north-1"))
    assert "MediaRegion 'mars-north-1' is not a supported media region" in message
    assert "eu-west-2" in message


def test_external_meeting_id_over_max_length_is_rejected(fake_chime: FakeChime, client: Any, service: str) -> None:
    message = rejected(client, **valid_request(service, ExternalMeetingId="x" * 65))
    assert "at 'ExternalMeetingId' failed to satisfy constraint: Member must have length less than or equal to 64" in (
        message
    )


def test_sensitive_values_are_not_echoed_in_messages(fake_chime: FakeChime, client: Any, service: str) -> None:
    message = rejected(client, **valid_request(service, ExternalMeetingId="secret" * 20))
    assert "secret" not in message


def test_client_request_token_pattern_is_enforced(fake_chime: FakeChime, client: Any, service: str) -> None:
    message = rejected(client, **valid_request(service, ClientRequestToken="has spaces!"))
    assert "at 'ClientRequestToken'" in message
    assert "Member must satisfy regular expression pattern: [-_a-zA-Z0-9]*" in message


def test_more_than_fifty_tags_are_rejected(fake_chime: FakeChime, client: Any, service: str) -> None:
    tags = [{"Key": f"k{i}", "Value": "v"} for i in range(51)]
    message = rejected(client, **valid_request(service, Tags=tags))
    assert "at 'Tags' failed to satisfy constraint: Member must have length less than or equal to 50" in message


def test_tag_value_over_256_is_rejected(fake_chime: FakeChime, client: Any, service: str) -> None:
    message = rejected(client, **valid_request(service, Tags=[{"Key": "team", "Value": "v" * 257}]))
    assert "at 'Tags.1.Value'" in message
    assert "length less than or equal to 256" in message


def test_reserved_tag_prefix_is_rejected(fake_chime: FakeChime, client: Any, service: str) -> None:
    message = rejected(client, **valid_request(service, Tags=[{"Key": "aws:owner", "Value": "me"}]))
    assert "Tag keys starting with 'aws:' are reserved" in message
    assert "Tags.1.Key" in message


def test_duplicate_tag_keys_are_rejected(fake_chime: FakeChime, client: Any, service: str) -> None:
    tags = [{"Key": "team", "Value": "a"}, {"Key": "team", "Value": "b"}]
    message = rejected(client, **valid_request(service, Tags=tags))
    assert "Duplicate tag key 'team' at Tags.2.Key" in message


def test_modern_tag_key_pattern_is_enforced(fake_chime: FakeChime) -> None:
    message = rejected(make_client(MODERN), **valid_request(MODERN, Tags=[{"Key": "bad key!", "Value": "v"}]))
    assert "at 'Tags.1.Key' failed to satisfy constraint: Member must satisfy regular expression pattern" in message


def test_notification_arn_pattern_is_enforced(fake_chime: FakeChime, client: Any, service: str) -> None:
    config = {"SnsTopicArn": "not-an-arn"}
    message = rejected(client, **valid_request(service, NotificationsConfiguration=config))
    assert "at 'NotificationsConfiguration.SnsTopicArn'" in message
    assert "regular expression pattern" in message


def test_notification_arn_must_name_its_target_service(fake_chime: FakeChime, client: Any, service: str) -> None:
    config = {"SqsQueueArn": "arn:aws:sns:us-east-1:123456789012:topic"}
    message = rejected(client, **valid_request(service, NotificationsConfiguration=config))
    assert "NotificationsConfiguration.SqsQueueArn is not a valid ARN for its target" in message


def test_valid_notification_arns_are_accepted(fake_chime: FakeChime, client: Any, service: str) -> None:
    config = {
        "SnsTopicArn": "arn:aws:sns:us-east-1:123456789012:meeting-events",
        "SqsQueueArn": "arn:aws:sqs:us-east-1:123456789012:meeting-events",
    }
    assert client.create_meeting(**valid_request(service, NotificationsConfiguration=config))["Meeting"]


@pytest.mark.skipif(
    "MediaPlacementNetworkType" not in model.operation(MODERN).input_shape.members,  # type: ignore[union-attr]
    reason="this botocore's chime-sdk-meetings has no MediaPlacementNetworkType",
)
def test_enum_members_are_checked(fake_chime: FakeChime) -> None:
    client = make_client(MODERN)
    message = rejected(client, **valid_request(MODERN, MediaPlacementNetworkType="IPv6Only"))
    assert "at 'MediaPlacementNetworkType' failed to satisfy constraint: Member must satisfy enum value set" in message


def test_attendee_max_count_over_250_is_rejected(fake_chime: FakeChime) -> None:
    features = {"Attendee": {"MaxCount": 251}}
    message = rejected(make_client(MODERN), **valid_request(MODERN, MeetingFeatures=features))
    assert "at 'MeetingFeatures.Attendee.MaxCount'" in message
    assert "Member must have value less than or equal to 250" in message


def test_primary_meeting_id_must_be_a_meeting_id(fake_chime: FakeChime) -> None:
    message = rejected(make_client(MODERN), **valid_request(MODERN, PrimaryMeetingId="not-a-meeting"))
    assert "PrimaryMeetingId must be a meeting ID" in message


def test_tenant_id_pattern_is_enforced(fake_chime: FakeChime) -> None:
    message = rejected(make_client(MODERN), **valid_request(MODERN, TenantIds=["aaaa"]))
    assert "at 'TenantIds.1'" in message


def test_media_region_must_be_in_the_control_regions_partition(fake_chime: FakeChime) -> None:
    message = rejected(make_client(MODERN, region="us-east-1"), **valid_request(MODERN, MediaRegion="us-gov-west-1"))
    assert "is not in the partition of the control region 'us-east-1'" in message


def test_every_violation_is_listed(fake_chime: FakeChime, client: Any, service: str) -> None:
    message = rejected(client, **valid_request(service, MediaRegion="nowhere-1", ExternalMeetingId="y" * 80))
    assert message.startswith("2 validation errors detected: ")


def test_min_length_is_checked_server_side_when_botocore_does_not(fake_chime: FakeChime) -> None:
    client = make_client(MODERN, parameter_validation=False)
    message = rejected(client, **valid_request(MODERN, ExternalMeetingId="x"))
    assert "Member must have length greater than or equal to 2" in message


def test_missing_required_member_is_rejected_server_side(fake_chime: FakeChime) -> None:
    client = make_client(MODERN, parameter_validation=False)
    params = valid_request(MODERN)
    del params["ExternalMeetingId"]
    message = rejected(client, **params)
    assert "Value at 'ExternalMeetingId' failed to satisfy constraint: Member must not be null" in message


def test_a_rejected_request_creates_no_meeting(fake_chime: FakeChime, client: Any, service: str) -> None:
    rejected(client, **valid_request(service, MediaRegion="nowhere-1"))
    assert fake_chime.meetings == {}
    assert [call.error_code for call in fake_chime.calls] == ["BadRequestException"]


@legacy_only
def test_legacy_accepts_any_of_its_18_media_regions_but_not_modern_only_ones(fake_chime: FakeChime) -> None:
    client = make_client("chime")
    message = rejected(client, ClientRequestToken="legacy-token-1", MediaRegion="il-central-1")
    assert "MediaRegion 'il-central-1' is not a supported media region" in message


@legacy_only
def test_legacy_tag_value_must_not_be_empty_server_side(fake_chime: FakeChime) -> None:
    client = make_client("chime", parameter_validation=False)
    message = rejected(client, ClientRequestToken="legacy-token-1", Tags=[{"Key": "k", "Value": ""}])
    assert "at 'Tags.1.Value' failed to satisfy constraint: Member must have length greater than or equal to 1" in (
        message
    )


def test_reserved_prefix_is_rejected_for_external_ids(fake_chime: FakeChime, client: Any, service: str) -> None:
    message = rejected(client, **valid_request(service, ExternalMeetingId="AWS:standup"))
    assert "ExternalMeetingId values starting with 'aws:' are reserved for AWS use" in message


def test_high_resolution_video_allows_at_most_25_attendees(fake_chime: FakeChime) -> None:
    client = make_client(MODERN)
    features = {"Video": {"MaxResolution": "FHD"}, "Attendee": {"MaxCount": 26}}
    message = rejected(client, **valid_request(MODERN, MeetingFeatures=features))
    assert "MeetingFeatures.Attendee.MaxCount 26 is over 25" in message
    features["Attendee"]["MaxCount"] = 25
    assert client.create_meeting(**valid_request(MODERN, MeetingFeatures=features))["Meeting"]


def test_a_value_seen_to_pass_lets_no_other_value_through(fake_chime: FakeChime, client: Any, service: str) -> None:
    client.create_meeting(**valid_request(service, ClientRequestToken="token-seen-1"))
    client.create_meeting(**valid_request(service, ClientRequestToken="token-seen-1"))  # remembered as passing
    message = rejected(client, **valid_request(service, ClientRequestToken="token seen 1"))
    assert "at 'ClientRequestToken' failed to satisfy constraint: Member must satisfy regular expression pattern" in (
        message
    )


def hook_error(change: Any) -> str:
    """The HookError a CreateMeeting answer changed by ``change(meeting)`` gets (the model cannot carry it)."""
    client = make_client(MODERN)
    with pytest.raises(HookError, match="a hook failed"), FakeChime(on_meeting_created=lambda m, p: change(m)) as fake:
        with pytest.raises(HookError) as raised:
            client.create_meeting(**valid_request(MODERN))
        assert fake.meetings == {}
    return str(raised.value)


def test_a_member_a_hook_gives_the_wrong_type_is_reported_by_botocores_validator() -> None:
    message = hook_error(lambda meeting: meeting.update(MediaRegion=5))
    assert "Invalid type for parameter Meeting.MediaRegion, value: 5" in message


def test_a_member_a_hook_adds_that_the_model_lacks_is_reported_by_botocores_validator() -> None:
    message = hook_error(lambda meeting: meeting.update(Smell="none"))
    assert 'Unknown parameter in Meeting: "Smell"' in message


def test_many_problems_a_hook_makes_are_listed_the_first_few_and_how_many_more() -> None:
    message = hook_error(lambda meeting: meeting.update({f"Extra{index}": 1 for index in range(50)}))
    assert message.endswith(f"; and {50 - facts.MESSAGE_ITEMS_SHOWN} more")
    assert len(message) < 4096


def test_an_answer_breaking_a_min_constraint_as_real_answers_do_is_no_problem() -> None:
    client = make_client(MODERN)
    with FakeChime(on_meeting_created=lambda meeting, params: meeting.update(TenantIds=[])) as fake:
        meeting = client.create_meeting(**valid_request(MODERN))["Meeting"]  # TenantIds' min is 1
        assert meeting["TenantIds"] == []
        assert fake.hook_errors() == []


def test_clearing_the_caches_empties_the_compiled_checks_the_wire_layouts_and_the_models() -> None:
    validate.compiled(MODERN, "CreateMeeting")
    protocol.layout(MODERN, "CreateMeeting")
    protocol.output(MODERN, "CreateMeeting")
    model.operation(MODERN, "CreateMeeting")
    caches.clear()
    for cache in (validate.compiled, protocol.layout, protocol.output, model.operation, model.service_model):
        assert cache.cache_info().currsize == 0  # type: ignore[attr-defined]
