"""Error injection: every modelled exception, faithful on the wire, retried as botocore retries."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from pytest_chime import FakeChime, UnknownErrorCodeError, UnknownOperationError, error_codes, model
from pytest_chime.engine import default_message
from tests.conftest import SERVICES, make_client, valid_request

#: HTTP status per code, as botocore's models give them.
STATUS = {
    "BadRequestException": 400,
    "ConflictException": 409,
    "ForbiddenException": 403,
    "ResourceLimitExceededException": 400,
    "LimitExceededException": 400,
    "ThrottledClientException": 429,
    "ThrottlingException": 429,
    "UnauthorizedClientException": 401,
    "UnauthorizedException": 401,
    "ServiceUnavailableException": 503,
    "ServiceFailureException": 500,
}
#: Codes each retry mode retries, as measured against botocore 1.37.1 and 1.43.11.
RETRIED = {
    "legacy": {
        "ThrottledClientException",
        "ThrottlingException",
        "ServiceUnavailableException",
        "ServiceFailureException",
    },
    "standard": {
        "ThrottlingException",
        "ServiceUnavailableException",
        "ServiceFailureException",
        "LimitExceededException",
    },
}
ATTEMPTS = {"legacy": 5, "standard": 3}

CASES = [(service, code) for service in SERVICES for code in error_codes(service)]


@pytest.mark.parametrize(("service", "code"), CASES)
@pytest.mark.parametrize("mode", ["legacy", "standard"])
def test_injected_error_is_the_modelled_exception_retried_as_botocore_does(
    fake_chime: FakeChime, service: str, code: str, mode: str
) -> None:
    client = make_client(service, retries={"mode": mode})
    fake_chime.fail(code, times=None)
    with pytest.raises(ClientError) as info:
        client.create_meeting(**valid_request(service))
    error = info.value
    assert type(error) is getattr(client.exceptions, code)
    assert error.response["Error"]["Code"] == code
    assert error.response["Error"]["Message"] == default_message(code, fake_chime.account_id)
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == STATUS[code]
    assert error.response["ResponseMetadata"]["RequestId"] == fake_chime.calls[-1].request_id
    attempts = ATTEMPTS[mode] if code in RETRIED[mode] else 1
    assert len(fake_chime.calls) == attempts
    assert {(call.status, call.error_code) for call in fake_chime.calls} == {(STATUS[code], code)}
    assert len(fake_chime.sleeps) == attempts - 1


def test_four_throttles_then_success_records_the_backoff_and_sleeps_none_of_it(
    fake_chime: FakeChime, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = SERVICES[0]
    code = "ThrottledClientException" if service == "chime" else "ThrottlingException"
    client = make_client(service, retries={"mode": "legacy"})
    fake_chime.fail(code, times=4)
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    meeting = client.create_meeting(**valid_request(service))["Meeting"]
    assert meeting["MeetingId"] in fake_chime.meetings
    assert [call.error_code for call in fake_chime.calls] == [code] * 4 + [None]
    assert len(fake_chime.sleeps) == 4
    assert all(delay > 0 for delay in fake_chime.sleeps)
    assert slept == []  # what botocore wanted to sleep was recorded, not slept


@pytest.mark.fake_chime(real_sleep=True)
def test_real_sleep_option_lets_botocore_sleep(fake_chime: FakeChime, monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    fake_chime.fail("ServiceFailureException", times=2)
    make_client(SERVICES[0]).create_meeting(**valid_request(SERVICES[0]))
    assert len(slept) == 2
    assert fake_chime.sleeps == []


def test_adaptive_mode_rate_limiter_never_waits_for_fake_answers(
    fake_chime: FakeChime, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = "chime-sdk-meetings"
    client = make_client(service, retries={"mode": "adaptive"})
    fake_chime.fail("ThrottlingException", times=None)
    slept: list[float] = []
    waits: list[float | None] = []
    real_wait = threading.Condition.wait

    def wait(self: threading.Condition, timeout: float | None = None) -> bool:
        waits.append(timeout)  # the rate limiter's token bucket blocks here
        return real_wait(self, timeout)

    monkeypatch.setattr(time, "sleep", slept.append)
    monkeypatch.setattr(threading.Condition, "wait", wait)
    for i in range(10):
        with pytest.raises(client.exceptions.ThrottlingException):
            client.create_meeting(**valid_request(service, ClientRequestToken=f"token-{i}"))
    assert (slept, waits) == ([], [])
    assert len(fake_chime.calls) == 30
    assert len(fake_chime.sleeps) > 20  # backoffs plus the rate limiter's waits


def test_custom_message_is_answered(fake_chime: FakeChime, client: Any, service: str) -> None:
    fake_chime.fail("ForbiddenException", message="Account suspended")
    with pytest.raises(client.exceptions.ForbiddenException, match="Account suspended"):
        client.create_meeting(**valid_request(service))


def test_error_body_carries_code_message_and_request_id(fake_chime: FakeChime, client: Any, service: str) -> None:
    fake_chime.fail("BadRequestException")
    with pytest.raises(ClientError) as info:
        client.create_meeting(**valid_request(service))
    response = info.value.response
    assert response["Code"] == "BadRequest"  # botocore copies the body's members to the top level
    shape = model.operation(service).error_shape("BadRequestException")  # type: ignore[union-attr]
    if "RequestId" in shape.members:  # legacy chime sends it but does not model it, so botocore drops it
        assert response["RequestId"] == response["ResponseMetadata"]["RequestId"]
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == "BadRequestException"


@pytest.mark.skipif("chime-sdk-meetings" not in SERVICES, reason="needs chime-sdk-meetings")
def test_service_unavailable_carries_retry_after(fake_chime: FakeChime) -> None:
    client = make_client("chime-sdk-meetings", retries={"total_max_attempts": 1})
    fake_chime.fail("ServiceUnavailableException")
    with pytest.raises(client.exceptions.ServiceUnavailableException) as info:
        client.create_meeting(**valid_request("chime-sdk-meetings"))
    assert info.value.response["RetryAfterSeconds"] == "1"
    assert info.value.response["ResponseMetadata"]["HTTPHeaders"]["retry-after"] == "1"


def test_after_lets_the_first_calls_succeed(fake_chime: FakeChime, client: Any, service: str) -> None:
    fake_chime.fail("ForbiddenException", after=2)
    client.create_meeting(**valid_request(service, ClientRequestToken="token-1"))
    client.create_meeting(**valid_request(service, ClientRequestToken="token-2"))
    with pytest.raises(client.exceptions.ForbiddenException):
        client.create_meeting(**valid_request(service, ClientRequestToken="token-3"))
    client.create_meeting(**valid_request(service, ClientRequestToken="token-4"))
    assert [c.error_code for c in fake_chime.calls] == [None, None, "ForbiddenException", None]


def test_times_none_fails_every_matching_call(fake_chime: FakeChime, client: Any, service: str) -> None:
    fake_chime.fail("ForbiddenException", times=None)
    for i in range(3):
        with pytest.raises(client.exceptions.ForbiddenException):
            client.create_meeting(**valid_request(service, ClientRequestToken=f"token-{i}"))


def test_queued_errors_fire_in_order(fake_chime: FakeChime, client: Any, service: str) -> None:
    fake_chime.fail("ForbiddenException")
    fake_chime.fail("BadRequestException")
    codes = []
    for i in range(3):
        try:
            client.create_meeting(**valid_request(service, ClientRequestToken=f"token-{i}"))
            codes.append(None)
        except ClientError as error:
            codes.append(error.response["Error"]["Code"])
    assert codes == ["ForbiddenException", "BadRequestException", None]


@pytest.mark.skipif(len(SERVICES) < 2, reason="needs both Chime services")
def test_service_filter_fails_only_that_service(fake_chime: FakeChime) -> None:
    fake_chime.fail("ForbiddenException", service="chime")
    make_client("chime-sdk-meetings").create_meeting(**valid_request("chime-sdk-meetings"))
    with pytest.raises(ClientError, match="ForbiddenException"):
        make_client("chime").create_meeting(**valid_request("chime"))


def test_error_codes_lists_the_installed_models_codes(service: str) -> None:
    codes = error_codes(service)
    assert "BadRequestException" in codes
    assert set(codes) <= set(STATUS)
    assert codes == tuple(model.operation(service).errors)  # type: ignore[union-attr]


def test_error_codes_of_an_unknown_operation_lists_the_implemented_ones() -> None:
    with pytest.raises(UnknownOperationError, match=r"'DeleteEverything' is not an operation .* Implemented on"):
        error_codes("chime-sdk-meetings", "DeleteEverything")


def test_unknown_code_raises_at_once_listing_valid_codes(fake_chime: FakeChime) -> None:
    with pytest.raises(UnknownErrorCodeError) as info:
        fake_chime.fail("ThrottledException")
    message = str(info.value)
    assert "'ThrottledException' is not an error botocore" in message
    assert "Valid codes: " in message
    assert "BadRequestException" in message


@pytest.mark.skipif("chime" in SERVICES, reason="only on a botocore without the legacy chime CreateMeeting")
def test_legacy_code_on_a_modern_only_botocore_names_the_modern_one(fake_chime: FakeChime) -> None:
    with pytest.raises(UnknownErrorCodeError) as info:
        fake_chime.fail("ThrottledClientException")
    message = str(info.value)
    assert "chime-sdk-meetings calls it ThrottlingException" in message
    assert "removed in botocore 1.37.2" in message


@pytest.mark.skipif("chime" not in SERVICES, reason="needs the legacy chime CreateMeeting")
def test_code_of_the_other_service_names_its_equivalent(fake_chime: FakeChime) -> None:
    with pytest.raises(UnknownErrorCodeError, match="chime calls it ThrottledClientException"):
        fake_chime.fail("ThrottlingException", service="chime")


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"times": 0}, "times=0 is not valid: times must be an integer >= 1 or None"),
        ({"after": -1}, "after=-1 is not valid: after must be an integer >= 0"),
        ({"service": "s3"}, "service='s3' is not a Chime service"),
    ],
)
def test_bad_injection_arguments_say_what_is_valid(fake_chime: FakeChime, kwargs: Any, expected: str) -> None:
    with pytest.raises(UnknownErrorCodeError, match=expected.replace("(", r"\(")):
        fake_chime.fail("ForbiddenException", **kwargs)


def test_unused_injection_fails_verify_naming_why() -> None:
    fake = FakeChime()
    with pytest.raises(AssertionError, match=r"ForbiddenException .* never fired as asked: .*no .*CreateMeeting call"):
        with fake:
            fake.fail("ForbiddenException")


def test_optional_injection_may_go_unused() -> None:
    with FakeChime() as fake:
        fake.fail("ForbiddenException", optional=True)


@pytest.mark.chime_error("ForbiddenException")
def test_marker_injects_an_error(fake_chime: FakeChime, client: Any, service: str) -> None:
    with pytest.raises(client.exceptions.ForbiddenException):
        client.create_meeting(**valid_request(service))


STACKED = """
import boto3, pytest
from botocore.exceptions import ClientError

pytestmark = [pytest.mark.chime_error("ServiceFailureException", service="chime-sdk-meetings"),
              pytest.mark.chime_error("ConflictException")]

def codes(n):
    client = boto3.client("chime-sdk-meetings", region_name="us-east-1", aws_access_key_id="a",
                          aws_secret_access_key="b", config=__import__("botocore.config").config.Config(
                              retries={"total_max_attempts": 1}))
    out = []
    for i in range(n):
        try:
            client.create_meeting(ClientRequestToken=f"t-{i}", MediaRegion="us-east-1", ExternalMeetingId="e-1")
            out.append(None)
        except ClientError as error:
            out.append(error.response["Error"]["Code"])
    return out

@pytest.mark.chime_error("ThrottlingException")
class TestStack:
    @pytest.mark.chime_error("ForbiddenException")
    @pytest.mark.chime_error("BadRequestException")
    def test_order(self, fake_chime):
        assert codes(6) == ["ForbiddenException", "BadRequestException", "ThrottlingException",
                            "ServiceFailureException", "ConflictException", None]
"""


def test_stacked_markers_fire_in_reading_order(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(STACKED)
    pytester.runpytest("--strict-markers").assert_outcomes(passed=1)


def test_unused_marker_error_fails_the_test_at_teardown(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.chime_error("ForbiddenException", times=2)
        def test_never_calls(fake_chime):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_never_calls*",
            "*@pytest.mark.chime_error('ForbiddenException', times=2)*never fired as asked: "
            "it fired 0 of 2 time(s): no *CreateMeeting call reached the fake*",
            "*optional=True*",
        ]
    )


def test_unused_check_can_be_turned_off_suite_wide(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nchime_assert_all_errors_used = false\n")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.chime_error("ForbiddenException")
        def test_never_calls(fake_chime):
            pass
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_unused_check_is_skipped_when_the_test_already_failed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.chime_error("ForbiddenException")
        def test_fails(fake_chime):
            assert False, "the real failure"
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    assert "never fired" not in result.stdout.str()


def test_unknown_marker_code_errors_the_test_at_setup(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.chime_error("NoSuchException")
        def test_bad(fake_chime):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*ERROR at setup of test_bad*", "*'NoSuchException' is not an error*Valid codes:*"])


def test_bad_marker_arguments_error_the_test_listing_the_signature(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.chime_error("ForbiddenException", tims=2)
        def test_bad(fake_chime):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*bad @pytest.mark.chime_error*unexpected keyword argument 'tims'*times=1*"])


def test_markers_are_registered_for_strict_markers(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.chime_error(code, *, times=1, after=0*", "@pytest.mark.fake_chime(*"])


CHAOS = """
import boto3

def test_many(fake_chime):
    client = boto3.client("chime-sdk-meetings", region_name="us-east-1", aws_access_key_id="a",
                          aws_secret_access_key="b")
    for i in range(40):
        client.create_meeting(ClientRequestToken=f"t-{i}", MediaRegion="us-east-1", ExternalMeetingId="e-1")
    print("FAULTS", fake_chime.chaos_faults)
"""


def test_chaos_fails_a_share_of_calls_reproducibly_and_reports_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(CHAOS)
    first = pytester.runpytest("--chime-chaos=0.2", "--chime-seed=7", "-s")
    first.assert_outcomes(passed=1)
    first.stdout.fnmatch_lines(
        ["*pytest-chime chaos*", "injected * fault(s) into * fake-answered call(s) at rate 0.2; seed 7*"]
    )
    second = pytester.runpytest("--chime-chaos=0.2", "--chime-seed=7", "-s")
    faults = [line for line in first.outlines if line.startswith("FAULTS")]
    assert faults == [line for line in second.outlines if line.startswith("FAULTS")]
    assert faults != ["FAULTS 0"]


def test_unused_message_counts_only_calls_after_the_injection_was_queued(
    fake_chime: FakeChime, client: Any, service: str
) -> None:
    client.create_meeting(**valid_request(service))
    fake_chime.fail("ForbiddenException")
    (line,) = fake_chime.unused_errors()
    assert "no " in line and "CreateMeeting call reached the fake (it answered 1 call(s) in all)" in line
    fake_chime.reset()
