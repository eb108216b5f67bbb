"""What a successful CreateMeeting answer looks like, on both services."""

from __future__ import annotations

import datetime
import email.utils
import json
import re
import uuid
from typing import Any

import pytest
from botocore.awsrequest import AWSPreparedRequest, HeadersDict

from pytest_chime import FakeChime, facts, wire
from tests.conftest import legacy_only, make_client, valid_request

UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def test_meeting_id_is_a_lowercase_uuid4(fake_chime: FakeChime, client: Any, service: str) -> None:
    meeting_id = client.create_meeting(**valid_request(service))["Meeting"]["MeetingId"]
    assert UUID4.fullmatch(meeting_id)
    assert uuid.UUID(meeting_id).version == 4


def test_media_placement_urls_carry_region_code_and_meeting_id(
    fake_chime: FakeChime, client: Any, service: str
) -> None:
    meeting = client.create_meeting(**valid_request(service, MediaRegion="eu-west-2"))["Meeting"]
    mid = meeting["MeetingId"]
    placement = meeting["MediaPlacement"]
    cell = r"m[1-3]\.ew2\.app\.chime\.aws"
    assert re.fullmatch(rf"[0-9a-f]{{32}}\.k\.{cell}:3478", placement["AudioHostUrl"])
    assert re.fullmatch(rf"wss://wss\.k\.{cell}:443/calls/{mid}", placement["AudioFallbackUrl"])
    assert re.fullmatch(rf"wss://signal\.{cell}/control/{mid}", placement["SignalingUrl"])
    assert re.fullmatch(rf"wss://bitpw\.{cell}:443/v2/screen/{mid}", placement["ScreenDataUrl"])
    assert re.fullmatch(rf"wss://bitpw\.{cell}:443/v2/screen/{mid}", placement["ScreenSharingUrl"])
    assert re.fullmatch(
        rf"wss://bitpw\.{cell}:443/ws/connect\?passcode=null&viewer_uuid=null&X-BitHub-Call-Id={mid}",
        placement["ScreenViewingUrl"],
    )
    assert set(placement) == {
        "AudioHostUrl",
        "AudioFallbackUrl",
        "SignalingUrl",
        "TurnControlUrl",
        "ScreenDataUrl",
        "ScreenViewingUrl",
        "ScreenSharingUrl",
        "EventIngestionUrl",
    }


@pytest.mark.parametrize("region", facts.LEGACY_MEDIA_REGIONS)
def test_every_media_region_has_its_code_in_the_urls(
    fake_chime: FakeChime, client: Any, service: str, region: str
) -> None:
    meeting = client.create_meeting(**valid_request(service, MediaRegion=region))["Meeting"]
    assert meeting["MediaRegion"] == region
    assert f".{facts.REGION_CODES[region]}.app.chime.aws" in meeting["MediaPlacement"]["SignalingUrl"]


def test_modern_answer_is_200_with_meeting_arn_in_the_client_region(fake_chime: FakeChime) -> None:
    client = make_client("chime-sdk-meetings", region="eu-central-1")
    response = client.create_meeting(**valid_request("chime-sdk-meetings", MediaRegion="eu-west-1"))
    meeting = response["Meeting"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert meeting["MeetingArn"] == f"arn:aws:chime:eu-central-1:123456789012:meeting/{meeting['MeetingId']}"
    placement = meeting["MediaPlacement"]
    assert placement["EventIngestionUrl"] == "https://data.svc.ec1.ingest.chime.aws/v1/client-events"
    short = meeting["MeetingId"].replace("-", "")[-4:]
    assert placement["TurnControlUrl"] == f"https://{short}.cell.eu-central-1.meetings.chime.aws/v2/turn_sessions"


def test_modern_answer_echoes_host_features_primary_and_tenants(fake_chime: FakeChime) -> None:
    client = make_client("chime-sdk-meetings")
    features = {"Audio": {"EchoReduction": "AVAILABLE"}, "Attendee": {"MaxCount": 10}}
    primary = "0b9c5a5e-1f2d-4c3b-9a8e-7d6c5b4a3f2e"
    meeting = client.create_meeting(
        **valid_request(
            "chime-sdk-meetings",
            MeetingHostId="host-7",
            MeetingFeatures=features,
            PrimaryMeetingId=primary,
            TenantIds=["tenant-a", "tenant-b"],
        )
    )["Meeting"]
    assert meeting["MeetingHostId"] == "host-7"
    assert meeting["MeetingFeatures"] == features
    assert meeting["PrimaryMeetingId"] == primary
    assert meeting["TenantIds"] == ["tenant-a", "tenant-b"]


def test_optional_members_left_out_are_absent_from_the_answer(fake_chime: FakeChime) -> None:
    meeting = make_client("chime-sdk-meetings").create_meeting(**valid_request("chime-sdk-meetings"))["Meeting"]
    assert not {"MeetingHostId", "MeetingFeatures", "PrimaryMeetingId"} & set(meeting)


def test_tenant_ids_left_out_are_answered_as_an_empty_list_as_real_responses_show(fake_chime: FakeChime) -> None:
    meeting = make_client("chime-sdk-meetings").create_meeting(**valid_request("chime-sdk-meetings"))["Meeting"]
    assert meeting["TenantIds"] == []


def test_an_empty_meeting_features_is_not_echoed_as_real_responses_show(fake_chime: FakeChime) -> None:
    client = make_client("chime-sdk-meetings")
    meeting = client.create_meeting(**valid_request("chime-sdk-meetings", MeetingFeatures={}))["Meeting"]
    assert "MeetingFeatures" not in meeting


@legacy_only
def test_legacy_answer_is_201_without_arn_and_defaults_to_us_east_1(fake_chime: FakeChime) -> None:
    response = make_client("chime").create_meeting(ClientRequestToken="legacy-token-1")
    meeting = response["Meeting"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert "MeetingArn" not in meeting
    assert meeting["MediaRegion"] == "us-east-1"
    assert meeting["MediaPlacement"]["TurnControlUrl"] == "https://ccp.cp.ue1.app.chime.aws/v2/turn_sessions"
    assert meeting["MediaPlacement"]["EventIngestionUrl"] == "https://data.svc.ue1.ingest.chime.aws/v1/client-events"


@pytest.mark.fake_chime(media_region="eu-west-1")
@legacy_only
def test_legacy_default_media_region_is_configurable(fake_chime: FakeChime) -> None:
    meeting = make_client("chime").create_meeting(ClientRequestToken="legacy-token-1")["Meeting"]
    assert meeting["MediaRegion"] == "eu-west-1"


def test_response_headers_are_real_ones(fake_chime: FakeChime, client: Any, service: str) -> None:
    response = client.create_meeting(**valid_request(service))
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["content-type"] == "application/json"
    assert headers["x-amzn-requestid"] == response["ResponseMetadata"]["RequestId"]
    assert UUID4.fullmatch(response["ResponseMetadata"]["RequestId"])
    assert int(headers["content-length"]) > 0


def test_meetings_holds_each_meeting_as_returned(fake_chime: FakeChime, client: Any, service: str) -> None:
    first = client.create_meeting(**valid_request(service, ClientRequestToken="token-a"))["Meeting"]
    second = client.create_meeting(**valid_request(service, ClientRequestToken="token-b"))["Meeting"]
    assert fake_chime.meetings == {first["MeetingId"]: first, second["MeetingId"]: second}


def test_members_the_response_model_lacks_are_not_echoed(fake_chime: FakeChime) -> None:
    # botocore's serializer refuses unknown members, so they can only arrive on the raw wire
    features = {"Audio": {"EchoReduction": "AVAILABLE", "Loudness": "max"}, "Smell": {"Level": 3}}
    params = valid_request("chime-sdk-meetings", MeetingFeatures=features)
    request = AWSPreparedRequest(
        "POST", "https://meetings-chime.us-east-1.amazonaws.com/meetings", HeadersDict(), json.dumps(params), False
    )
    response = wire._on_before_send(request=request, event_name="before-send.chime-sdk-meetings.CreateMeeting")
    assert response is not None and response.status_code == 200
    assert json.loads(response.content)["Meeting"]["MeetingFeatures"] == {"Audio": {"EchoReduction": "AVAILABLE"}}


def test_the_date_header_is_the_http_date_of_the_answer(fake_chime: FakeChime, client: Any, service: str) -> None:
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    headers = client.create_meeting(**valid_request(service))["ResponseMetadata"]["HTTPHeaders"]
    assert headers["date"].endswith(" GMT")
    assert before <= email.utils.parsedate_to_datetime(headers["date"]) <= datetime.datetime.now(datetime.timezone.utc)


def test_the_answer_body_is_compact_json(fake_chime: FakeChime, client: Any, service: str) -> None:
    bodies: list[bytes] = []
    client.meta.events.register(
        f"before-parse.{client.meta.service_model.service_id.hyphenize()}",
        lambda response_dict, **_: bodies.append(response_dict["body"]),
    )
    meeting = client.create_meeting(**valid_request(service))["Meeting"]
    assert json.loads(bodies[0]) == {"Meeting": meeting}
    assert bodies[0] == json.dumps(json.loads(bodies[0]), separators=(",", ":")).encode()
