"""The Faker provider: reproducible from a seed, and in the same formats as the fake's answers."""

from __future__ import annotations

import base64
import random
import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from faker import Faker

from pytest_chime import FakeChime, UnknownOperationError, facts, model
from pytest_chime.providers import ChimeProvider, add_to
from tests.conftest import LEGACY_AVAILABLE, SERVICES, valid_request

# The MediaPlacement templates of real responses (captured from chime-sdk-meetings), written out here
# independently of facts.py: <rc> region code, <N> 1-3, <id> MeetingId, <ctl> control region.
_ID = r"(?P<id>[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})"
_CELL = r"m(?P<n>[1-3])\.(?P<rc>[a-z]{2}[0-9])\.app\.chime\.aws"
PLACEMENT: dict[str, str] = {
    "AudioHostUrl": rf"[0-9a-f]{{32}}\.k\.{_CELL}:3478",
    "AudioFallbackUrl": rf"wss://wss\.k\.{_CELL}:443/calls/{_ID}",
    "SignalingUrl": rf"wss://signal\.{_CELL}/control/{_ID}",
    "ScreenDataUrl": rf"wss://bitpw\.{_CELL}:443/v2/screen/{_ID}",
    "ScreenSharingUrl": rf"wss://bitpw\.{_CELL}:443/v2/screen/{_ID}",
    "ScreenViewingUrl": rf"wss://bitpw\.{_CELL}:443/ws/connect\?passcode=null&viewer_uuid=null&X-BitHub-Call-Id={_ID}",
    "EventIngestionUrl": r"https://data\.svc\.(?P<ctl_rc>[a-z]{2}[0-9])\.ingest\.chime\.aws/v1/client-events",
}
TURN_CONTROL: dict[str, str] = {
    "chime": r"https://ccp\.cp\.ue1\.app\.chime\.aws/v2/turn_sessions",
    "chime-sdk-meetings": r"https://(?P<tail>[0-9a-f]{4})\.cell\.(?P<ctl>[a-z0-9-]+)\.meetings\.chime\.aws/v2/turn_sessions",
}
ARN = r"arn:aws:chime:(?P<ctl>[a-z0-9-]+):(?P<account>\d{12}):meeting/" + _ID
#: Media regions whose code was seen in real responses.
VERIFIED_CODES = [("us-east-1", "ue1"), ("eu-west-2", "ew2"), ("ap-south-1", "ao1"), ("ap-northeast-2", "an2")]


def check_real_formats(meeting: dict[str, Any], service: str, region_code: str) -> None:
    """Assert that ``meeting``'s URLs (and ARN) follow the real templates, for a meeting made in us-east-1."""
    placement = meeting["MediaPlacement"]
    meeting_id = meeting["MeetingId"]
    assert set(placement) == {*PLACEMENT, "TurnControlUrl"}
    cells = set()
    for name, pattern in PLACEMENT.items():
        found = re.fullmatch(pattern, placement[name])
        assert found, f"{name}={placement[name]!r} does not match {pattern!r}"
        groups = found.groupdict()
        if "id" in groups:
            assert groups["id"] == meeting_id
        if "rc" in groups:
            assert groups["rc"] == region_code
            cells.add(groups["n"])
        if "ctl_rc" in groups:
            assert groups["ctl_rc"] == "ue1"
    assert len(cells) == 1, "every media URL of one meeting names the same cell"
    turn = re.fullmatch(TURN_CONTROL[service], placement["TurnControlUrl"])
    assert turn, placement["TurnControlUrl"]
    if service == "chime-sdk-meetings":
        assert turn["tail"] == meeting_id[-4:]
        assert turn["ctl"] == "us-east-1"
        arn = re.fullmatch(ARN, meeting["MeetingArn"])
        assert arn
        assert (arn["ctl"], arn["account"], arn["id"]) == ("us-east-1", facts.DEFAULT_ACCOUNT_ID, meeting_id)
    else:
        assert "MeetingArn" not in meeting


def chime_faker(seed: int, locale: str | list[str] | None = None) -> Faker:
    fake = Faker(locale)
    if isinstance(locale, list):
        add_to(fake)  # a multi-locale Faker has no add_provider of its own
    else:
        fake.add_provider(ChimeProvider)
    fake.seed_instance(seed)
    return fake


def draw_everything(fake: Faker) -> list[Any]:
    """One value from every chime_* method, in a fixed order."""
    return [
        fake.chime_meeting_id(),
        fake.chime_request_id(),
        fake.chime_client_request_token(),
        fake.chime_external_meeting_id(),
        fake.chime_account_id(),
        fake.chime_media_region(),
        fake.chime_media_region_code(),
        fake.chime_media_placement(),
        fake.chime_meeting_arn(),
        fake.chime_meeting(),
        fake.chime_create_meeting_params(),
        fake.chime_tag(),
        fake.chime_tags(),
        fake.chime_error_code(),
        fake.chime_error_code(retryable=True),
        fake.chime_attendee_id(),
        fake.chime_external_user_id(),
        fake.chime_join_token(),
        fake.chime_capabilities(),
        fake.chime_attendee(),
        fake.chime_create_attendee_params(),
    ]


# --- reproducibility ---------------------------------------------------------------------


def test_same_seed_gives_the_same_values() -> None:
    assert draw_everything(chime_faker(7)) == draw_everything(chime_faker(7))


def test_different_seeds_give_different_values() -> None:
    first, second = draw_everything(chime_faker(7)), draw_everything(chime_faker(8))
    assert first[0] != second[0]
    assert first[9]["MeetingId"] != second[9]["MeetingId"]
    assert first[7]["AudioHostUrl"] != second[7]["AudioHostUrl"]
    assert first[19]["AttendeeId"] != second[19]["AttendeeId"]


def test_values_do_not_depend_on_the_global_random_state() -> None:
    fake = chime_faker(7)
    random.seed(1)
    first = draw_everything(fake)
    fake.seed_instance(7)
    random.seed(2)
    random.random()
    assert draw_everything(fake) == first


def test_reseeding_an_instance_restarts_its_sequence() -> None:
    fake = chime_faker(3)
    first = [fake.chime_meeting_id() for _ in range(3)]
    fake.seed_instance(3)
    assert [fake.chime_meeting_id() for _ in range(3)] == first
    assert len(set(first)) == 3


def test_every_locale_of_a_multi_locale_faker_is_reproducible() -> None:
    first = chime_faker(11, ["en_US", "ja_JP"])
    second = chime_faker(11, ["en_US", "ja_JP"])
    assert [first.chime_meeting() for _ in range(4)] == [second.chime_meeting() for _ in range(4)]


# --- the same formats as the fake ---------------------------------------------------------


@pytest.mark.parametrize(("region", "code"), VERIFIED_CODES)
@pytest.mark.parametrize("service", SERVICES)
def test_provider_meeting_urls_follow_the_real_templates(service: str, region: str, code: str) -> None:
    meeting = chime_faker(1).chime_meeting(service, MediaRegion=region)
    check_real_formats(meeting, service, code)


@pytest.mark.parametrize(("region", "code"), VERIFIED_CODES)
def test_fake_meeting_urls_follow_the_same_templates(
    fake_chime: FakeChime, client: Any, service: str, region: str, code: str
) -> None:
    meeting = client.create_meeting(**valid_request(service, MediaRegion=region))["Meeting"]
    check_real_formats(meeting, service, code)


def test_provider_meeting_has_the_members_of_a_fake_meeting(fake_chime: FakeChime, client: Any, service: str) -> None:
    provided = chime_faker(1).chime_meeting(service)
    request = valid_request(service, MediaRegion="us-east-1", ExternalMeetingId="standup")
    answered = client.create_meeting(**request)["Meeting"]
    assert set(provided) == set(answered)
    assert set(provided["MediaPlacement"]) == set(answered["MediaPlacement"])


@pytest.mark.parametrize("seed", range(10))
def test_create_meeting_params_are_accepted_by_the_fake(
    fake_chime: FakeChime, client: Any, service: str, seed: int
) -> None:
    fake = chime_faker(seed)
    params = fake.chime_create_meeting_params(service, Tags=fake.chime_tags())
    meeting = client.create_meeting(**params)["Meeting"]
    assert meeting["ExternalMeetingId"] == params["ExternalMeetingId"]
    assert meeting["MediaRegion"] == params["MediaRegion"]


def test_provider_meeting_round_trips_through_the_modelled_response(service: str) -> None:
    """A provided Meeting is one botocore's parser would give back: every member modelled."""
    spec = model.operation(service)
    assert spec is not None
    members = spec.output_shape.members["Meeting"].members
    meeting = chime_faker(2).chime_meeting(service)
    assert set(meeting) <= set(members)
    assert set(meeting["MediaPlacement"]) <= set(members["MediaPlacement"].members)


# --- regions -------------------------------------------------------------------------------


@pytest.mark.parametrize("service", facts.SERVICES)
def test_media_region_is_one_the_service_accepts_in_the_commercial_partition(service: str) -> None:
    fake = chime_faker(5)
    drawn = {fake.chime_media_region(service) for _ in range(300)}
    commercial = {r for r in facts.MEDIA_REGIONS[service] if not r.startswith("us-gov-")}
    assert drawn == commercial


def test_media_region_for_a_govcloud_control_region_is_a_govcloud_one() -> None:
    fake = chime_faker(5)
    drawn = {fake.chime_media_region(control_region="us-gov-west-1") for _ in range(50)}
    assert drawn == {"us-gov-east-1", "us-gov-west-1"}


@pytest.mark.parametrize(("region", "code"), VERIFIED_CODES)
def test_media_region_code_is_the_one_real_urls_carry(region: str, code: str) -> None:
    assert chime_faker(0).chime_media_region_code(region) == code


def test_unknown_service_is_refused_with_the_valid_ones() -> None:
    with pytest.raises(ValueError, match=r"chime, chime-sdk-meetings"):
        chime_faker(0).chime_media_region("chime-sdk-voice")


# --- overrides -----------------------------------------------------------------------------


def test_meeting_overrides_are_what_the_urls_and_arn_carry() -> None:
    meeting_id = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
    meeting = chime_faker(0).chime_meeting(
        MeetingId=meeting_id, MediaRegion="eu-west-2", control_region="eu-central-1", account_id="210987654321"
    )
    assert meeting["MeetingId"] == meeting_id
    assert meeting["MediaPlacement"]["SignalingUrl"].endswith(f".ew2.app.chime.aws/control/{meeting_id}")
    assert meeting["MediaPlacement"]["EventIngestionUrl"] == "https://data.svc.ec1.ingest.chime.aws/v1/client-events"
    assert meeting["MeetingArn"] == f"arn:aws:chime:eu-central-1:210987654321:meeting/{meeting_id}"


def test_unknown_meeting_member_is_refused_with_the_valid_ones() -> None:
    with pytest.raises(ValueError, match=r"no member\(s\) MeetingName; valid: MeetingId, .*MediaPlacement"):
        chime_faker(0).chime_meeting(MeetingName="x")


def test_none_override_leaves_a_request_member_out() -> None:
    params = chime_faker(0).chime_create_meeting_params("chime-sdk-meetings", ExternalMeetingId=None)
    assert "ExternalMeetingId" not in params
    assert "ClientRequestToken" in params


@pytest.mark.skipif(LEGACY_AVAILABLE, reason="this botocore still models the legacy chime CreateMeeting")
def test_meeting_of_a_service_this_botocore_lacks_is_refused() -> None:
    with pytest.raises(UnknownOperationError, match="Services with CreateMeeting here: chime-sdk-meetings"):
        chime_faker(0).chime_meeting("chime")


def test_meeting_arn_defaults_to_the_default_fakes_region_and_account() -> None:
    meeting_id = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
    arn = chime_faker(0).chime_meeting_arn(meeting_id=meeting_id)
    assert arn == f"arn:aws:chime:us-east-1:123456789012:meeting/{meeting_id}"


def test_govcloud_meeting_arn_is_in_the_govcloud_partition() -> None:
    assert chime_faker(0).chime_meeting_arn("us-gov-west-1").startswith("arn:aws-us-gov:chime:us-gov-west-1:")


# --- tags and errors -------------------------------------------------------------------------


def test_tags_have_distinct_keys_and_no_reserved_prefix() -> None:
    fake = chime_faker(9)
    for _ in range(50):
        tags = fake.chime_tags(5)
        keys = [t["Key"] for t in tags]
        assert len(set(keys)) == 5
        assert not any(k.lower().startswith("aws:") for k in keys)


def test_tag_count_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="ask for 0 to"):
        chime_faker(0).chime_tags(51)


def test_error_code_is_one_the_model_lists(service: str) -> None:
    fake = chime_faker(4)
    drawn = {fake.chime_error_code(service) for _ in range(200)}
    assert drawn == set(model.error_codes(service))


def test_retryable_error_code_is_a_chaos_code(service: str) -> None:
    fake = chime_faker(4)
    drawn = {fake.chime_error_code(service, retryable=True) for _ in range(100)}
    assert drawn == set(facts.CHAOS_CODES[service])


@pytest.mark.parametrize(
    "method",
    [
        lambda f: f.chime_meeting_id(),
        lambda f: f.chime_request_id(),
        lambda f: f.chime_client_request_token(),
    ],
    ids=["meeting_id", "request_id", "client_request_token"],
)
def test_identifiers_are_uuid4s(method: Callable[[Faker], str]) -> None:
    assert re.fullmatch(_ID, method(chime_faker(0)))


def test_external_meeting_id_and_account_id_fit_the_model() -> None:
    fake = chime_faker(0)
    for _ in range(100):
        assert 2 <= len(fake.chime_external_meeting_id()) <= 64
        assert re.fullmatch(r"\d{12}", fake.chime_account_id())


# --- the faker fixture -------------------------------------------------------------------------


def test_faker_fixture_has_the_provider(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import re

        def test_chime_values(faker):
            assert re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", faker.chime_meeting_id())
            assert faker.chime_meeting()["MediaPlacement"]
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_faker_fixture_with_several_locales_has_the_provider(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture
        def faker_locale():
            return ["en_US", "ja_JP"]

        def test_chime_values(faker):
            assert faker.chime_media_region()
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_faker_fixture_gets_the_provider_once_per_generator(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("n", range(3))
        def test_chime_values(faker, n):
            assert [p.__provider__ for p in faker.get_providers()].count("chime") == 1
        """
    )
    pytester.runpytest().assert_outcomes(passed=3)


def test_faker_fixture_values_follow_faker_seed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture(autouse=True)
        def faker_seed():
            return 1234

        @pytest.mark.parametrize("n", range(2))
        def test_chime_values(faker, n):
            print("ID", faker.chime_meeting_id())
        """
    )
    result = pytester.runpytest("-s")
    result.assert_outcomes(passed=2)
    ids = re.findall(r"ID (\S+)", result.stdout.str())
    assert ids == [chime_faker(1234).chime_meeting_id()] * 2


def test_plugin_start_up_does_not_import_faker() -> None:
    code = "import sys, pytest_chime.plugin; print('faker' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "False"


# --- attendees -----------------------------------------------------------------------------------


def attendee_form(attendee: dict[str, Any]) -> dict[str, Any]:
    """An Attendee with its id and token checked (the token names the id) and blanked out."""
    attendee_id = attendee["AttendeeId"]
    assert re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", attendee_id)
    token = attendee["JoinToken"]
    assert re.fullmatch(r"[a-zA-Z0-9+/]{2,2048}", token)
    assert base64.b64decode(token + "=" * (-len(token) % 4)).decode().startswith(f"{attendee_id}:")
    return {**attendee, "AttendeeId": "<id>", "JoinToken": "<token>"}


def test_provider_attendee_has_the_form_of_a_fake_attendee(fake_chime: FakeChime, client: Any, service: str) -> None:
    provided = chime_faker(1).chime_attendee(service)
    meeting_id = client.create_meeting(**valid_request(service))["Meeting"]["MeetingId"]
    answered = client.create_attendee(MeetingId=meeting_id, ExternalUserId=provided["ExternalUserId"])["Attendee"]
    assert attendee_form(provided) == attendee_form(answered)


def test_attendee_overrides_are_what_the_join_token_carries() -> None:
    attendee_id = "35a392d3-9502-22df-830a-ba6d047bb681"
    capabilities = {"Audio": "Send", "Video": "None", "Content": "None"}
    attendee = chime_faker(0).chime_attendee(
        AttendeeId=attendee_id, ExternalUserId="guest-1", Capabilities=capabilities
    )
    assert attendee_form(attendee) == {
        "ExternalUserId": "guest-1",
        "AttendeeId": "<id>",
        "JoinToken": "<token>",
        "Capabilities": capabilities,
    }


def test_unknown_attendee_member_is_refused_with_the_valid_ones() -> None:
    with pytest.raises(ValueError, match=r"no member\(s\) Name; valid: ExternalUserId, AttendeeId, JoinToken"):
        chime_faker(0).chime_attendee(Name="x")


def test_capabilities_are_every_combination_the_service_accepts_and_no_other() -> None:
    fake = chime_faker(6)
    drawn = {tuple(sorted(fake.chime_capabilities().items())) for _ in range(1000)}
    values = ("SendReceive", "Send", "Receive", "None")
    valid = {
        tuple(sorted({"Audio": a, "Video": v, "Content": c}.items()))
        for a in values
        for v in values
        for c in values
        if not (c in ("SendReceive", "Receive") and v in ("Send", "None"))
    }
    assert drawn == valid


@pytest.mark.parametrize("seed", range(5))
def test_create_attendee_params_are_accepted_by_the_fake(
    fake_chime: FakeChime, client: Any, service: str, seed: int
) -> None:
    fake = chime_faker(seed)
    meeting_id = client.create_meeting(**valid_request(service))["Meeting"]["MeetingId"]
    extra = {"Capabilities": fake.chime_capabilities()} if service == facts.MODERN else {}
    params = fake.chime_create_attendee_params(service, meeting_id=meeting_id, **extra)
    attendee = client.create_attendee(**params)["Attendee"]
    assert attendee["ExternalUserId"] == params["ExternalUserId"]
    assert fake_chime.attendees[meeting_id] == {attendee["AttendeeId"]: attendee}


def test_create_attendee_params_without_a_meeting_name_a_new_meeting_id() -> None:
    params = chime_faker(0).chime_create_attendee_params()
    assert set(params) == {"MeetingId", "ExternalUserId"}
    assert re.fullmatch(_ID, params["MeetingId"])


def test_external_user_id_fits_the_model_and_is_never_reserved() -> None:
    fake = chime_faker(0)
    for _ in range(100):
        user = fake.chime_external_user_id()
        assert 2 <= len(user) <= 64
        assert not user.lower().startswith("aws:")


def test_join_token_names_the_attendee_it_is_for() -> None:
    attendee_id = "35a392d3-9502-22df-830a-ba6d047bb681"
    token = chime_faker(0).chime_join_token(attendee_id)
    assert base64.b64decode(token + "=" * (-len(token) % 4)).decode().startswith(f"{attendee_id}:")
