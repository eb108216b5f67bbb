"""No network, no real credentials, nothing outliving its test, and settings refused at start-up."""

from __future__ import annotations

import os
import stat
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.endpoint
import botocore.handlers
import botocore.retries.bucket
import botocore.session
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

import pytest_chime
from pytest_chime import FakeChime, FakeChimeStateError, HookError, UnknownErrorCodeError, caches, facts, wire
from tests.conftest import LEGACY_AVAILABLE, SERVICES, legacy_only, make_client, valid_request

MODERN = "chime-sdk-meetings"


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No AWS variable at all (metadata service not disabled either), and empty config files."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    (tmp_path / "credentials").write_text("")
    (tmp_path / "config").write_text("")
    return tmp_path


def pre_import_session() -> Any:
    """A botocore session as one made before pytest_chime was imported: without the fake's handlers."""
    session = botocore.session.get_session()
    for event, handler in wire._handler_specs():
        session.unregister(event, handler)
    return session


# --- 1. every host of a served service is guarded ------------------------------------------------


@pytest.mark.parametrize(
    "config",
    [
        {"region_name": "us-east-1"},
        {"region_name": "us-east-1", "config": botocore.config.Config(use_fips_endpoint=True)},
        {"region_name": "us-east-1", "config": botocore.config.Config(use_dualstack_endpoint=True)},
        {"region_name": "us-gov-west-1"},
        {"region_name": "eu-central-1", "endpoint_url": "https://chime-proxy.internal.example"},
    ],
    ids=["regional", "fips", "dualstack", "govcloud", "custom-endpoint"],
)
def test_a_pre_import_modern_client_is_stopped_before_the_network_on_every_host(
    fake_chime: FakeChime, no_network: list[Any], config: dict[str, Any]
) -> None:
    client = pre_import_session().create_client(MODERN, aws_access_key_id="a", aws_secret_access_key="b", **config)
    with pytest.raises(FakeChimeStateError, match="created before pytest_chime was imported"):
        client.create_meeting(**valid_request(MODERN))
    assert no_network == []


def test_a_pre_import_legacy_client_is_stopped_before_the_network(fake_chime: FakeChime, no_network: list[Any]) -> None:
    client = pre_import_session().create_client(
        "chime", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    call = client.create_meeting if LEGACY_AVAILABLE else client.list_accounts
    with pytest.raises(FakeChimeStateError, match=r"chime\.us-east-1\.amazonaws\.com"):
        call(**(valid_request("chime") if LEGACY_AVAILABLE else {}))
    assert no_network == []


# --- 2. credentials resolved at signing time never run ------------------------------------------


def _profile(tmp_path: Path, text: str) -> None:
    (tmp_path / "config").write_text(text)


def test_an_assume_role_profile_does_not_call_sts(clean_environment: Path, no_network: list[Any]) -> None:
    (clean_environment / "credentials").write_text(
        "[source]\naws_access_key_id = AKIDSOURCE\naws_secret_access_key = source-secret\n"
    )
    _profile(
        clean_environment,
        "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/tester\nsource_profile = source\n",
    )
    client = boto3.session.Session(profile_name="role").client(MODERN, region_name="us-east-1")
    with FakeChime() as fake:
        client.create_meeting(**valid_request(MODERN))
        assert len(fake.meetings) == 1
        fake.reset()
    assert no_network == []


def test_an_sso_profile_does_not_fetch_a_role(clean_environment: Path, no_network: list[Any]) -> None:
    _profile(
        clean_environment,
        "[profile sso]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\n"
        "sso_account_id = 123456789012\nsso_role_name = tester\n",
    )
    client = boto3.session.Session(profile_name="sso").client(MODERN, region_name="us-east-1")
    with FakeChime() as fake:
        client.create_meeting(**valid_request(MODERN))
        fake.reset()
    assert no_network == []


@pytest.mark.parametrize("kind", ["refreshable", "deferred"])
def test_credentials_that_would_be_fetched_are_never_fetched_during_a_call(kind: str) -> None:
    """What every fetching provider (container, instance metadata, SSO, assume-role, process) hands a client."""
    from botocore.credentials import DeferredRefreshableCredentials, RefreshableCredentials

    fetched: list[str] = []

    def fetch() -> dict[str, str]:
        fetched.append("fetch")
        return {"access_key": "AKIDFETCHED", "secret_key": "s", "token": "t", "expiry_time": "2000-01-01T00:00:00Z"}

    if kind == "refreshable":
        credentials: Any = RefreshableCredentials.create_from_metadata(fetch(), fetch, "container-role")
    else:
        credentials = DeferredRefreshableCredentials(fetch, "container-role")
    client = make_client(MODERN)
    client._request_signer._credentials = credentials
    before = len(fetched)
    with FakeChime() as fake:
        client.create_meeting(**valid_request(MODERN))
        fake.reset()
    assert len(fetched) == before


def test_expiring_process_credentials_are_not_refreshed_during_a_call(clean_environment: Path) -> None:
    runs = clean_environment / "runs"
    script = clean_environment / "creds.py"
    script.write_text(
        "import json, pathlib\n"
        f"pathlib.Path({str(runs)!r}).open('a').write('run\\n')\n"
        'print(json.dumps({"Version": 1, "AccessKeyId": "AKIDPROCESS", "SecretAccessKey": "s", '
        '"SessionToken": "t", "Expiration": "2000-01-01T00:00:00Z"}))\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    _profile(clean_environment, f"[profile process]\ncredential_process = {sys.executable} {script}\n")
    client = boto3.session.Session(profile_name="process").client(MODERN, region_name="us-east-1")
    before = runs.read_text().count("run") if runs.exists() else 0
    with FakeChime() as fake:
        client.create_meeting(**valid_request(MODERN))
        fake.reset()
    after = runs.read_text().count("run") if runs.exists() else 0
    assert after == before


# --- 3. no probe of the metadata service -----------------------------------------------------


def test_a_client_made_during_a_fake_does_not_probe_the_metadata_service(
    clean_environment: Path, no_network: list[Any]
) -> None:
    with FakeChime() as fake:
        client = boto3.session.Session().client(MODERN, region_name="us-east-1")
        client.create_meeting(**valid_request(MODERN))
        assert os.environ["AWS_EC2_METADATA_DISABLED"] == "true"
        fake.reset()
    assert no_network == []
    assert "AWS_EC2_METADATA_DISABLED" not in os.environ
    assert "AWS_ACCESS_KEY_ID" not in os.environ


def test_keys_already_in_the_environment_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDMINE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "mine")
    with FakeChime():
        assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIDMINE"
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIDMINE"


# --- 4. control regions without the service ------------------------------------------------------


@pytest.mark.parametrize("region", ["mars-1", "ap-southeast-3", "eu-west-1"])
def test_a_control_region_without_the_service_has_no_endpoint(fake_chime: FakeChime, region: str) -> None:
    client = make_client(MODERN, region=region, retries={"total_max_attempts": 1})
    for _ in range(2):  # the wire remembers the regions of endpoints it has seen: not this one
        with pytest.raises(EndpointConnectionError):
            client.create_meeting(**valid_request(MODERN))
    assert fake_chime.meetings == {}
    assert fake_chime.calls == []


def test_every_control_region_botocore_knows_is_served(fake_chime: FakeChime) -> None:
    for region in sorted(pytest_chime.model.control_regions(MODERN)):
        media = "us-gov-west-1" if region.startswith("us-gov-") else "us-east-1"
        client = make_client(MODERN, region=region)
        client.create_meeting(**valid_request(MODERN, ClientRequestToken=f"t-{region}", MediaRegion=media))
    assert {call.region for call in fake_chime.calls} == pytest_chime.model.control_regions(MODERN)


# --- 5. a fake left started ----------------------------------------------------------------------


def test_a_fake_left_started_fails_its_test_and_answers_no_later_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from pytest_chime import FakeChime, wire

        def test_leaves_a_fake(fake_chime):
            FakeChime().start()

        def test_leaves_a_fake_without_the_fixture():
            FakeChime().start()

        def test_next():
            assert wire.active() is None
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=3, errors=2)
    result.stdout.fnmatch_lines(["*this test left 1 FakeChime(s) started*"])


# --- 6. the fake answering a call lives in a ContextVar, reset in a finally ----------------------


class Interrupt(BaseException):
    """Not an Exception: botocore's after-call-error event never sees it."""


def test_a_base_exception_inside_a_call_leaves_no_fake_answering(fake_chime: FakeChime) -> None:
    client = make_client(MODERN)

    def interrupt(**_: Any) -> None:
        raise Interrupt

    client.meta.events.register("needs-retry", interrupt)
    with pytest.raises(Interrupt):
        client.create_meeting(**valid_request(MODERN))
    assert wire._answering.get() is None
    client.meta.events.unregister("needs-retry", interrupt)


def test_each_thread_sees_the_fake_of_its_own_call() -> None:
    seen: list[Any] = []
    with FakeChime() as fake:
        worker = threading.Thread(target=lambda: seen.append(wire._answering.get()))
        worker.start()
        worker.join()
        fake.reset()
    assert seen == [None]


# --- 7. no race on the stack ----------------------------------------------------------------------


def test_fakes_stopping_on_another_thread_never_break_a_call(fake_chime: FakeChime) -> None:
    client = make_client(MODERN)
    errors: list[BaseException] = []
    done = threading.Event()

    def churn() -> None:
        while not done.is_set():
            inner = FakeChime(quota=10**6)
            try:
                inner.start()
                inner.stop()
            except BaseException as error:  # pragma: no cover - the failure this test looks for
                errors.append(error)

    thread = threading.Thread(target=churn)
    thread.start()
    try:
        for n in range(200):
            try:
                client.create_meeting(**valid_request(MODERN, ClientRequestToken=f"race-{n}"))
            except ClientError:
                pass
    finally:
        done.set()
        thread.join()
    assert errors == []
    assert wire.active_fakes() == (fake_chime,)


# --- 8. every patch is undone ----------------------------------------------------------------------


def test_uninstall_undoes_every_patch_and_a_new_fake_installs_them_again() -> None:
    real_send = botocore.endpoint.Endpoint._send
    try:
        pytest_chime.uninstall()
        assert not any(spec in botocore.handlers.BUILTIN_HANDLERS for spec in wire._handler_specs())
        assert not getattr(botocore.endpoint.Endpoint._send, "_pytest_chime", False)
        assert not getattr(botocore.retries.bucket.TokenBucket.acquire, "_pytest_chime", False)
        assert not getattr(botocore.session.Session.create_client, "_pytest_chime", False)
        assert botocore.endpoint.time is __import__("time")
        assert wire._watcher not in sys.meta_path
    finally:
        with FakeChime():
            assert getattr(botocore.endpoint.Endpoint._send, "_pytest_chime", False)
            assert getattr(botocore.session.Session.create_client, "_pytest_chime", False)
            assert wire._handler_specs()[0] in botocore.handlers.BUILTIN_HANDLERS
    assert real_send is not None


def test_uninstall_empties_every_cache() -> None:
    with FakeChime() as fake:
        make_client(MODERN).create_meeting(**valid_request(MODERN))
        fake.reset()
    assert any(cache.cache_info().currsize for cache in caches._ALL)
    try:
        pytest_chime.uninstall()
        assert [cache for cache in caches._ALL if cache.cache_info().currsize] == []
    finally:
        with FakeChime():  # installed again: sessions the next tests make carry the handlers
            pass


def test_uninstall_is_refused_while_a_fake_is_active(fake_chime: FakeChime) -> None:
    with pytest.raises(FakeChimeStateError, match="while a FakeChime is active"):
        pytest_chime.uninstall()


@pytest.mark.evidence  # a pytest subprocess
def test_the_end_of_the_pytest_session_undoes_every_patch(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import atexit, pathlib, sys

        def report():
            import botocore.endpoint, botocore.handlers, botocore.session
            from pytest_chime import wire
            patched = (
                any(type(finder).__module__ == "pytest_chime.wire" for finder in sys.meta_path)
                or getattr(botocore.endpoint.Endpoint._send, "_pytest_chime", False)
                or getattr(botocore.session.Session.create_client, "_pytest_chime", False)
                or any(spec in botocore.handlers.BUILTIN_HANDLERS for spec in wire._handler_specs())
            )
            pathlib.Path("installed.txt").write_text(str(patched))

        atexit.register(report)
        """
    )
    pytester.makepyfile("def test_uses_it(fake_chime):\n    pass\n")
    pytester.runpytest_subprocess("-p", "no:randomly").assert_outcomes(passed=1)
    assert (pytester.path / "installed.txt").read_text() == "False"


# --- 9. a thread outliving its test ---------------------------------------------------------------


def test_a_call_from_a_thread_that_outlived_its_test_is_refused(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import threading
        import boto3
        import pytest

        GO = threading.Event()
        OUTCOME = []

        def late_call():
            GO.wait(10)
            client = boto3.client("chime-sdk-meetings", region_name="us-east-1",
                                  aws_access_key_id="a", aws_secret_access_key="b")
            try:
                client.create_meeting(ClientRequestToken="late", MediaRegion="us-east-1", ExternalMeetingId="xy")
                OUTCOME.append("answered")
            except Exception as error:
                OUTCOME.append(type(error).__name__ + ": " + str(error))

        THREAD = threading.Thread(target=late_call, name="late-caller")

        def test_starts_a_thread(fake_chime):
            THREAD.start()

        def test_later(fake_chime):
            GO.set()
            THREAD.join(10)
            assert fake_chime.meetings == {}
            assert OUTCOME and OUTCOME[0].startswith("FakeChimeStateError")
            assert "late-caller" in OUTCOME[0] and "test_starts_a_thread" in OUTCOME[0]
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_a_thread_pool_shared_across_tests_is_still_answered(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from concurrent.futures import ThreadPoolExecutor
        import boto3

        POOL = ThreadPoolExecutor(max_workers=1)

        def create(token):
            client = boto3.client("chime-sdk-meetings", region_name="us-east-1",
                                  aws_access_key_id="a", aws_secret_access_key="b")
            return client.create_meeting(ClientRequestToken=token, MediaRegion="us-east-1", ExternalMeetingId="xy")

        def test_first(fake_chime):
            POOL.submit(create, "one").result()

        def test_second(fake_chime):
            POOL.submit(create, "two").result()
            assert len(fake_chime.meetings) == 1
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


# --- 10. skipped and xfailed tests are not checked -------------------------------------------------


def test_skipped_and_xfailed_tests_are_not_checked_but_an_xpass_is(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.chime_error("ThrottlingException")
        def test_skips_itself(fake_chime):
            pytest.skip("not today")

        @pytest.mark.chime_error("ThrottlingException")
        def test_import_skip(fake_chime):
            pytest.importorskip("a_module_nobody_has")

        @pytest.mark.xfail(reason="known", strict=False)
        @pytest.mark.chime_error("ThrottlingException")
        def test_xfails(fake_chime):
            assert False

        @pytest.mark.xfail(reason="known", strict=False)
        @pytest.mark.chime_error("ThrottlingException")
        def test_xpasses(fake_chime):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:randomly", "-rA")
    # The xpass's unused injection fails its teardown, which pytest reports as an xfail of
    # the teardown (the xfail marker covers it; pytest 9 says "XFAIL at teardown of"):
    # the one extra outcome of the four tests.
    result.assert_outcomes(skipped=2, xfailed=2, xpassed=1)
    result.stdout.fnmatch_lines(["XFAIL *::test_xfails - known", "XFAIL *::test_xpasses - known"])
    assert "ERROR" not in result.stdout.str()


# --- 11. bad settings stop the run -----------------------------------------------------------------


@pytest.mark.parametrize("rate", ["2", "-0.5", "nan", "inf"])
def test_a_bad_chaos_rate_on_the_command_line_stops_the_run(pytester: pytest.Pytester, rate: str) -> None:
    pytester.makepyfile("def test_x():\n    pass\n")
    result = pytester.runpytest(f"--chime-chaos={rate}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--chime-chaos=* is not valid: use a number from 0 to 1*"])


@pytest.mark.parametrize(
    ("ini", "message"),
    [
        ("chime_chaos = lots", "*ini option chime_chaos = 'lots' is not valid: use a number from 0 to 1*"),
        ("chime_real_sleep = maybe", "*ini option chime_real_sleep is not valid: use true or false*"),
        ("chime_quota = -3", "*ini option chime_quota = '-3' is not valid: use an integer >= 0*"),
    ],
)
def test_a_bad_ini_value_stops_the_run_even_under_q(pytester: pytest.Pytester, ini: str, message: str) -> None:
    pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile("def test_x():\n    pass\n")
    result = pytester.runpytest("-q")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ("real_sleep='no'", "*real_sleep='no' is not valid: use True or False*"),
        ("assert_all_errors_used='false'", "*assert_all_errors_used='false' is not valid: use True or False*"),
        ("region=123", "*region=123 is not valid: use a region name*"),
        ("quota='5'", "*quota='5' is not valid: use an integer >= 0*"),
        ("chaos='0.5'", "*chaos='0.5' is not valid: use a number from 0 to 1*"),
    ],
)
def test_a_bad_marker_value_errors_the_test_naming_the_option(
    pytester: pytest.Pytester, marker: str, message: str
) -> None:
    pytester.makepyfile(f"import pytest\n\n@pytest.mark.fake_chime({marker})\ndef test_x(fake_chime):\n    pass\n")
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*@pytest.mark.fake_chime: " + message.lstrip("*")])


# --- 12. the hooks of a disabled plugin --------------------------------------------------------------


def test_optional_hooks_in_a_conftest_work_with_the_plugin_disabled(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.hookimpl(optionalhook=True)
        def pytest_chime_configure(fake):
            fake.quota = 5
        """
    )
    pytester.makepyfile("def test_x():\n    pass\n")
    pytester.runpytest("-p", "no:chime").assert_outcomes(passed=1)


# --- 14. chaos injects only what every retry mode retries --------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("mode", ["legacy", "standard", "adaptive"])
def test_chaos_faults_are_retried_by_every_retry_mode(service: str, mode: str) -> None:
    client = make_client(service, retries={"mode": mode, "total_max_attempts": 2})
    with FakeChime(chaos=0.5, seed=3) as fake:
        for n in range(30):
            try:
                client.create_meeting(**valid_request(service, ClientRequestToken=f"chaos-{n}"))
            except ClientError:
                pass
        faults = [call for call in fake.calls if call.error_code is not None]
        retried = sum(1 for i, call in enumerate(fake.calls[:-1]) if call.error_code and fake.calls[i + 1].params)
        assert faults and retried == len([c for c in fake.calls[:-1] if c.error_code])
        assert {c.error_code for c in faults} <= set(facts.CHAOS_CODES[service])
        fake.reset()


@legacy_only
def test_legacy_chaos_never_injects_throttled_client_exception() -> None:
    assert "ThrottledClientException" not in facts.CHAOS_CODES["chime"]


# --- 15. documented patterns the model lacks ---------------------------------------------------------


def test_an_external_meeting_id_outside_the_documented_pattern_is_a_bad_request(fake_chime: FakeChime) -> None:
    client = make_client(MODERN)
    with pytest.raises(client.exceptions.BadRequestException, match=r"'ExternalMeetingId' failed .* pattern"):
        client.create_meeting(**valid_request(MODERN, ExternalMeetingId="a<script>"))


def test_an_external_user_id_outside_the_documented_pattern_is_a_bad_request(fake_chime: FakeChime) -> None:
    client = make_client(MODERN)
    meeting = client.create_meeting(**valid_request(MODERN))["Meeting"]
    with pytest.raises(client.exceptions.BadRequestException, match=r"'ExternalUserId' failed .* pattern"):
        client.create_attendee(MeetingId=meeting["MeetingId"], ExternalUserId="ali\x00ce")


def test_the_documented_external_id_characters_are_accepted(fake_chime: FakeChime) -> None:
    client = make_client(MODERN)
    meeting = client.create_meeting(**valid_request(MODERN, ExternalMeetingId="Team «Ops» #3 (día) & co."))
    client.create_attendee(MeetingId=meeting["Meeting"]["MeetingId"], ExternalUserId="737c4f63#sugiy")


# --- 17. messages ------------------------------------------------------------------------------------


def test_a_huge_value_is_cut_in_the_message(fake_chime: FakeChime) -> None:
    client = make_client(MODERN, retries={"total_max_attempts": 1})
    with pytest.raises(client.exceptions.BadRequestException) as raised:
        client.create_meeting(**valid_request(MODERN, MediaRegion="x" * 2_000_000))
    message = raised.value.response["Error"]["Message"]
    assert len(message) < 1000
    assert "(2000000 characters)" in message


@pytest.mark.skipif(LEGACY_AVAILABLE, reason="this botocore has the legacy chime meeting operations")
def test_injecting_into_legacy_chime_on_a_newer_botocore_says_it_is_gone() -> None:
    with pytest.raises(pytest_chime.UnknownOperationError, match=r"removed in botocore 1\.37\.2"):
        FakeChime().fail("BadRequestException", service="chime")


def test_an_exception_in_a_hook_is_that_hook_error(fake_chime: FakeChime) -> None:
    def broken_hook(meeting: dict[str, Any], params: dict[str, Any]) -> None:
        raise KeyError("oops")

    fake_chime.meeting_hooks.append(broken_hook)
    client = make_client(MODERN)
    with pytest.raises(HookError, match=r"the hook broken_hook raised KeyError\('oops'\)"):
        client.create_meeting(**valid_request(MODERN))
    assert fake_chime.meetings == {}
    assert fake_chime.internal_errors() == []
    assert "broken_hook" in fake_chime.problems()
    fake_chime.reset()


def test_a_value_a_hook_makes_invalid_is_that_hook_error(fake_chime: FakeChime) -> None:
    fake_chime.meeting_hooks.append(lambda meeting, params: meeting.update(MediaRegion=5))
    client = make_client(MODERN)
    with pytest.raises(HookError, match=r"Invalid type for parameter Meeting\.MediaRegion, value: 5"):
        client.create_meeting(**valid_request(MODERN))
    assert fake_chime.meetings == {}
    fake_chime.reset()


def test_an_unknown_code_with_owners_suggests_no_lookalike() -> None:
    with pytest.raises(UnknownErrorCodeError) as raised:
        FakeChime().fail("NotFoundException")
    assert "Did you mean" not in str(raised.value)


@pytest.fixture(autouse=True)
def no_fake_left() -> Iterator[None]:
    yield
    assert wire.active() is None


def test_after_uninstall_a_default_session_client_is_answered_once() -> None:
    made_before = boto3.client(MODERN, region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    pytest_chime.uninstall()
    with FakeChime() as fake:
        made_after = boto3.client(MODERN, region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
        made_before.create_meeting(**valid_request(MODERN, ClientRequestToken="before"))
        made_after.create_meeting(**valid_request(MODERN, ClientRequestToken="after"))
        assert len(fake.calls) == 2
        fake.reset()


def test_the_default_session_forgets_the_dummy_keys_when_the_fake_stops(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3.session

    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # the session looks again after the fake: no probe
    previous = boto3.DEFAULT_SESSION
    boto3.DEFAULT_SESSION = None
    try:
        with FakeChime() as fake:
            boto3.client(MODERN, region_name="us-east-1").create_meeting(**valid_request(MODERN))
            boto3.client("sts", region_name="us-east-1")  # not Chime: it finds the dummy keys in the environment
            fake.reset()
        assert boto3.DEFAULT_SESSION is not None
        assert boto3.DEFAULT_SESSION.get_credentials() is None  # no keys in this environment, and no dummy ones left
    finally:
        boto3.DEFAULT_SESSION = previous
