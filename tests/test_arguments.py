"""Arguments declared once and checked where they are given: the options, the error-injection
arguments and the call-query keywords."""

from __future__ import annotations

import importlib.util
import inspect
from pathlib import Path
from typing import Any

import pytest

from pytest_chime import MEDIA_REGIONS, ErrorInjection, FakeChime
from pytest_chime.calls import FILTER_TYPES
from pytest_chime.injection import ARGUMENT_TYPES
from pytest_chime.options import OPTIONS
from tests.conftest import make_client, valid_request

ROOT = Path(__file__).resolve().parents[1]


def load_docs_script() -> Any:
    spec = importlib.util.spec_from_file_location("options_table", ROOT / "docs" / "options_table.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- options ----------------------------------------------------------------------------------


def test_the_docs_options_table_is_the_one_generated_from_the_options_table() -> None:
    script = load_docs_script()
    text = script.PAGE.read_text(encoding="utf-8")
    assert script.page(text) == text, "run python docs/options_table.py"
    for option in OPTIONS.values():
        assert text.count(f"   * - ``{option.ini}``") == 1


def test_help_shows_every_flag_and_ini_option_of_the_table(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    out = result.stdout.str()
    for option in OPTIONS.values():
        assert f"{option.ini} " in out
        if option.flag is not None:
            assert option.flag in out


def test_the_fake_chime_marker_is_registered_with_every_option_and_its_default(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    defaults = ", ".join(f"{option.name}={option.default!r}" for option in OPTIONS.values())
    result.stdout.fnmatch_lines([f"@pytest.mark.fake_chime({defaults}): *"])


def test_fake_chime_takes_every_option_as_a_keyword() -> None:
    given = {"seed": "s", "chaos": 0.5, "real_sleep": True, "quota": 3, "region": "eu-west-2"}
    given |= {"media_region": "eu-west-1", "account_id": "000011112222", "assert_all_errors_used": False}
    fake = FakeChime(**given)
    assert {name: getattr(fake, name) for name in given} == given
    every = FakeChime(**{name: option.default for name, option in OPTIONS.items()})
    assert {name: getattr(every, name) for name in OPTIONS} == {name: o.default for name, o in OPTIONS.items()}


def test_fake_chime_defaults_are_the_tables() -> None:
    fake = FakeChime()
    assert {name: getattr(fake, name) for name in OPTIONS} == {name: o.default for name, o in OPTIONS.items()}


def test_an_unknown_fake_chime_keyword_raises_type_error_listing_the_options() -> None:
    with pytest.raises(TypeError, match="FakeChime got unknown option.s. qouta; valid: " + ", ".join(OPTIONS)):
        FakeChime(qouta=1)


def test_a_fake_chime_keyword_of_the_wrong_type_raises_type_error_saying_what_is_valid() -> None:
    with pytest.raises(TypeError, match=r"FakeChime: quota='5' is not valid: use an integer >= 0"):
        FakeChime(quota="5")


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("quota", "5", r"FakeChime.quota = '5' is not valid: use an integer >= 0"),
        ("real_sleep", "no", r"FakeChime.real_sleep = 'no' is not valid: use True or False"),
        ("seed", 1.5, r"FakeChime.seed = 1.5 is not valid: use an integer or a string"),
    ],
)
def test_assigning_an_option_of_the_wrong_type_raises_type_error_at_the_assignment(
    name: str, value: object, expected: str
) -> None:
    fake = FakeChime()
    with pytest.raises(TypeError, match=expected):
        setattr(fake, name, value)
    assert getattr(fake, name) == OPTIONS[name].default


def test_assigning_an_option_out_of_range_raises_value_error_at_the_assignment() -> None:
    fake = FakeChime()
    with pytest.raises(ValueError, match=r"FakeChime.chaos = 2 is not valid: use a number from 0 to 1"):
        fake.chaos = 2


def test_an_assigned_option_applies_to_the_next_call() -> None:
    client = make_client("chime-sdk-meetings")
    with FakeChime() as fake:
        fake.quota = 0
        with pytest.raises(client.exceptions.LimitExceededException):
            client.create_meeting(**valid_request("chime-sdk-meetings"))


@pytest.mark.parametrize("region", ["mars-1", "il-central-1"])
def test_fake_chime_refuses_a_media_region_the_legacy_service_lacks(region: str) -> None:
    listed = ", ".join(MEDIA_REGIONS["chime"])
    with pytest.raises(ValueError, match=f"media_region='{region}' is not valid: use .*legacy chime.*: {listed}$"):
        FakeChime(media_region=region)


def test_the_ini_file_refuses_a_media_region_the_legacy_service_lacks(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nchime_media_region = mars-1\n")
    pytester.makepyfile("def test_nothing(fake_chime):\n    pass\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*ini option chime_media_region = 'mars-1' is not valid: use a media region of the legacy chime service: *"]
    )


def test_the_marker_refuses_a_media_region_the_legacy_service_lacks(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.fake_chime(media_region="mars-1")
        def test_mars(fake_chime):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*@pytest.mark.fake_chime: media_region='mars-1' is not valid: use a media region*"])


def test_a_bad_command_line_value_stops_the_run_naming_the_flag(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest("--chime-chaos=often")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--chime-chaos=often is not valid: use a number from 0 to 1*"])


def test_a_bad_ini_switch_stops_the_run_naming_it(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nchime_real_sleep = sometimes\n")
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*ini option chime_real_sleep is not valid: use true or false*"])


# --- error-injection arguments ----------------------------------------------------------------

SIGNATURE = "(code, *, times=1, after=0, operation='CreateMeeting', service=None, message=None, optional=False)"


def test_the_injection_arguments_are_the_fields_of_error_injection() -> None:
    signature = inspect.signature(ErrorInjection)
    plain = [p.replace(annotation=inspect.Parameter.empty) for p in signature.parameters.values()]
    assert str(signature.replace(parameters=plain, return_annotation=inspect.Signature.empty)) == SIGNATURE


def test_the_docs_describe_every_injection_argument() -> None:
    text = (ROOT / "docs" / "errors.rst").read_text(encoding="utf-8")
    for name in ARGUMENT_TYPES:
        assert f"\n``{name}``\n" in text


def test_the_chime_error_marker_is_registered_with_the_injection_arguments(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines([f"@pytest.mark.chime_error{SIGNATURE}: *"])


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"optional": "no"}, "optional='no' is not valid: optional must be True or False"),
        ({"message": 404}, "message=404 is not valid: message must be a str or None"),
        ({"times": "2"}, "times='2' is not valid: times must be an int or None"),
        ({"after": 1.5}, "after=1.5 is not valid: after must be an int"),
        ({"tims": 2}, "got an unexpected keyword argument 'tims'"),
    ],
    ids=["optional", "message", "times", "after", "unknown"],
)
def test_fail_refuses_an_argument_of_the_wrong_type_listing_the_valid_ones(
    fake_chime: FakeChime, arguments: dict[str, Any], expected: str
) -> None:
    with pytest.raises(TypeError) as info:
        fake_chime.fail("ForbiddenException", **arguments)
    assert str(info.value) == f"fail(): {expected}. Use fail{SIGNATURE}"
    assert fake_chime.errors == []


def test_an_error_injection_made_directly_is_checked_too() -> None:
    with pytest.raises(TypeError, match="optional='yes' is not valid: optional must be True or False"):
        ErrorInjection("ForbiddenException", optional="yes")  # type: ignore[arg-type]


def test_the_chime_error_marker_refuses_an_argument_of_the_wrong_type_at_setup(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.chime_error("ForbiddenException", optional="no")
        def test_optional(fake_chime):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of test_optional*",
            "bad @pytest.mark.chime_error('ForbiddenException', optional='no'): optional='no' is not valid: "
            f"optional must be True or False. Use chime_error{SIGNATURE} (on *test_optional)",
        ]
    )


def test_a_chime_error_marker_on_a_test_without_fake_chime_fails_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.chime_error("ThrottlingException")

        def test_without_the_fixture():
            pass

        def test_with_the_fixture(fake_chime):
            fake_chime.errors[0].optional = True
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*_ test_without_the_fixture _*",
            "pytest-chime: this test has a @pytest.mark.chime_error but does not use the fake_chime fixture, *"
            "Request fake_chime *",
        ]
    )


# --- call-query keywords ----------------------------------------------------------------------


def test_the_docs_describe_every_query_keyword() -> None:
    text = (ROOT / "docs" / "reporting.rst").read_text(encoding="utf-8")
    for name in FILTER_TYPES:
        assert f"``{name}" in text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "200"}, "status='200' is not valid: status must be an int or None"),
        ({"succeeded": "yes"}, "succeeded='yes' is not valid: succeeded must be True or False or None"),
        ({"retries": 0}, "retries=0 is not valid: retries must be True or False"),
        ({"service": 1}, "service=1 is not valid: service must be a str or None"),
        ({"region": ["us-east-1"]}, r"region=\['us-east-1'\] is not valid: region must be a str or None"),
        ({"error_code": 429}, "error_code=429 is not valid: error_code must be a str or None"),
        ({"params": [("MeetingId", "m")]}, "params=.* is not valid: params must be a mapping"),
    ],
    ids=["status", "succeeded", "retries", "service", "region", "error_code", "params"],
)
def test_a_query_keyword_of_the_wrong_type_raises_type_error_saying_what_it_must_be(
    fake_chime: FakeChime, query: dict[str, Any], expected: str
) -> None:
    for method in (fake_chime.calls_of, fake_chime.last_call_of, fake_chime.assert_called):
        with pytest.raises(TypeError, match=expected):
            method("CreateMeeting", **query)
    with pytest.raises(TypeError, match=expected):
        fake_chime.assert_not_called(**query)


def test_a_query_keyword_neither_a_filter_nor_a_member_lists_the_filters(fake_chime: FakeChime) -> None:
    with pytest.raises(
        TypeError, match=r"statuss=200 is not a query keyword: use service, region, status, .*MeetingId"
    ):
        fake_chime.assert_not_called(statuss=200)


def test_camel_case_query_keywords_are_request_members_merged_over_params(fake_chime: FakeChime) -> None:
    client = make_client("chime-sdk-meetings")
    client.create_meeting(**valid_request("chime-sdk-meetings", ExternalMeetingId="standup"))
    wanted = {"ExternalMeetingId": "retro", "MediaRegion": "us-east-1"}
    assert fake_chime.calls_of("CreateMeeting", params=wanted) == []
    assert fake_chime.calls_of("CreateMeeting", params=wanted, ExternalMeetingId="standup") == fake_chime.calls
