"""Plugin-level behaviour through pytester: hooks, markers, ini and command-line options, seeds."""

from __future__ import annotations

import re
import shutil
import textwrap
from collections.abc import Iterator

import pytest

from pytest_chime import wire
from pytest_chime.options import OPTIONS
from tests.conftest import legacy_only

#: The inner projects' conftest: dummy-credential clients and a meeting factory.
CONFTEST = """
import itertools
import os

import boto3
import botocore.config
import pytest

os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
SESSION = boto3.session.Session()


@pytest.fixture
def make_client():
    def make(service="chime-sdk-meetings", region="us-east-1", endpoint_url=None, **config):
        return SESSION.client(
            service,
            region_name=region,
            endpoint_url=endpoint_url,
            aws_access_key_id="AKIDEXAMPLE",
            aws_secret_access_key="not-a-secret",
            config=botocore.config.Config(**config) if config else None,
        )

    return make


@pytest.fixture
def create(make_client):
    tokens = itertools.count(1)

    def create(client=None, **overrides):
        params = {
            "ClientRequestToken": f"token-{next(tokens):04d}",
            "MediaRegion": "us-east-1",
            "ExternalMeetingId": "standup",
            **overrides,
        }
        client = client or make_client()
        return client.create_meeting(**{k: v for k, v in params.items() if v is not None})["Meeting"]

    return create
"""

#: Tests that write the MeetingIds they get to ids/<test>.txt, spread over two modules.
ID_TESTS = """
import pathlib

import pytest

OUT = pathlib.Path(__file__).parent / "ids"


@pytest.mark.parametrize("n", range(4))
def test_ids(fake_chime, create, request, n):
    ids = [create()["MeetingId"], create()["MeetingId"]]
    name = request.node.nodeid.replace("/", "_").replace(":", "_")
    (OUT / name).write_text(" ".join(ids))
"""


@pytest.fixture(autouse=True)
def no_fake_left_active() -> Iterator[None]:
    """Inline runs share this process: each must leave no fake answering."""
    yield
    assert wire.active() is None


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(CONFTEST)
    return pytester


def run_ids(pytester: pytest.Pytester, *args: str, subprocess: bool = False) -> dict[str, str]:
    """Run the ID_TESTS project; each test's MeetingIds by test."""
    out = pytester.path / "ids"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    run = pytester.runpytest_subprocess if subprocess else pytester.runpytest
    run("-p", "no:randomly", *args).assert_outcomes(passed=8)
    return {path.name: path.read_text() for path in out.iterdir()}


@pytest.fixture
def id_project(project: pytest.Pytester) -> pytest.Pytester:
    project.makepyfile(test_one=ID_TESTS, test_two=ID_TESTS)
    return project


def all_ids(by_test: dict[str, str]) -> set[str]:
    return {meeting_id for ids in by_test.values() for meeting_id in ids.split()}


# --- hooks -------------------------------------------------------------------------------------


def test_meeting_created_hook_changes_what_the_client_sees(project: pytest.Pytester) -> None:
    project.makeconftest(
        CONFTEST
        + textwrap.dedent(
            """
            def pytest_chime_meeting_created(meeting, params):
                meeting["ExternalMeetingId"] = "hooked-" + params["ExternalMeetingId"]
                meeting["MediaPlacement"]["SignalingUrl"] = "wss://signal.example.test/" + meeting["MeetingId"]
            """
        )
    )
    project.makepyfile(
        """
        def test_hooked(fake_chime, create):
            meeting = create(ExternalMeetingId="standup")
            assert meeting["ExternalMeetingId"] == "hooked-standup"
            assert meeting["MediaPlacement"]["SignalingUrl"] == "wss://signal.example.test/" + meeting["MeetingId"]
            assert fake_chime.meetings[meeting["MeetingId"]] == meeting
        """
    )
    project.runpytest().assert_outcomes(passed=1)


def test_configure_hook_in_a_directory_applies_to_that_directory_only(project: pytest.Pytester) -> None:
    project.mkpydir("throttled")
    project.mkpydir("calm")
    (project.path / "throttled" / "conftest.py").write_text(
        textwrap.dedent(
            """
            def pytest_chime_configure(fake):
                fake.fail("ForbiddenException")
            """
        )
    )
    test = """
        import botocore.exceptions
        import pytest

        def test_call(fake_chime, create):
            if {expect_error}:
                with pytest.raises(botocore.exceptions.ClientError) as info:
                    create()
                assert info.value.response["Error"]["Code"] == "ForbiddenException"
            else:
                assert create()["MeetingId"] in fake_chime.meetings
                assert fake_chime.errors == []
        """
    (project.path / "throttled" / "test_throttled.py").write_text(textwrap.dedent(test.format(expect_error=True)))
    (project.path / "calm" / "test_calm.py").write_text(textwrap.dedent(test.format(expect_error=False)))
    project.runpytest().assert_outcomes(passed=2)


def test_configure_hook_runs_before_marker_errors_are_queued(project: pytest.Pytester) -> None:
    project.makeconftest(
        CONFTEST
        + textwrap.dedent(
            """
            def pytest_chime_configure(fake):
                assert fake.errors == []
                fake.fail("ThrottlingException", optional=True)
            """
        )
    )
    project.makepyfile(
        """
        import pytest

        @pytest.mark.chime_error("ForbiddenException", optional=True)
        def test_order(fake_chime):
            assert [e.code for e in fake_chime.errors] == ["ThrottlingException", "ForbiddenException"]
        """
    )
    project.runpytest().assert_outcomes(passed=1)


# --- seeds -------------------------------------------------------------------------------------


def test_same_chime_seed_gives_the_same_meeting_ids(id_project: pytest.Pytester) -> None:
    first = run_ids(id_project, "--chime-seed=5")
    assert first == run_ids(id_project, "--chime-seed=5")
    assert len(all_ids(first)) == 16  # every test, every call: a new id


def test_another_chime_seed_gives_other_meeting_ids(id_project: pytest.Pytester) -> None:
    assert not all_ids(run_ids(id_project, "--chime-seed=5")) & all_ids(run_ids(id_project, "--chime-seed=6"))


@pytest.mark.evidence  # pytest-xdist in a subprocess: several seconds
def test_meeting_ids_under_xdist_equal_those_of_a_plain_run(id_project: pytest.Pytester) -> None:
    plain = run_ids(id_project, "--chime-seed=5")
    assert run_ids(id_project, "--chime-seed=5", "-n", "2", subprocess=True) == plain


def test_chime_seed_ini_option_seeds_like_the_command_line(id_project: pytest.Pytester) -> None:
    from_option = run_ids(id_project, "--chime-seed=42")
    id_project.makeini("[pytest]\nchime_seed = 42\n")
    assert run_ids(id_project) == from_option
    assert run_ids(id_project, "--chime-seed=43") != from_option  # the command line beats the ini


def test_default_seed_is_zero(id_project: pytest.Pytester) -> None:
    assert run_ids(id_project) == run_ids(id_project, "--chime-seed=0")


def test_seed_is_shown_in_the_header(project: pytest.Pytester) -> None:
    result = project.runpytest("-p", "no:randomly", "--chime-seed=31337")
    result.stdout.fnmatch_lines(["chime: seed=31337 (repeat with --chime-seed=31337)"])


def test_default_seed_is_shown_in_the_header(project: pytest.Pytester) -> None:
    result = project.runpytest("-p", "no:randomly")
    result.stdout.fnmatch_lines(["chime: seed=0 (repeat with --chime-seed=0)"])


def test_pytest_randomly_seed_is_the_default_seed(project: pytest.Pytester) -> None:
    pytest.importorskip("pytest_randomly")
    result = project.runpytest("-p", "randomly", "--randomly-seed=4242")
    result.stdout.fnmatch_lines(["chime: seed=4242 *"])


def test_pytest_randomly_generated_seed_is_the_default_seed(project: pytest.Pytester) -> None:
    pytest.importorskip("pytest_randomly")
    result = project.runpytest("-p", "randomly")
    randomly = re.search(r"Using --randomly-seed=(\d+)", result.stdout.str())
    assert randomly is not None
    result.stdout.fnmatch_lines([f"chime: seed={randomly[1]} *"])


def test_chime_seed_beats_pytest_randomly_seed(project: pytest.Pytester) -> None:
    pytest.importorskip("pytest_randomly")
    result = project.runpytest("-p", "randomly", "--randomly-seed=4242", "--chime-seed=7")
    result.stdout.fnmatch_lines(["chime: seed=7 *"])


def test_chime_seed_ini_beats_pytest_randomly_seed(project: pytest.Pytester) -> None:
    pytest.importorskip("pytest_randomly")
    project.makeini("[pytest]\nchime_seed = 2024\n")
    result = project.runpytest("-p", "randomly", "--randomly-seed=4242")
    result.stdout.fnmatch_lines(["chime: seed=2024 *"])


def test_pytest_randomly_seed_reaches_xdist_workers(id_project: pytest.Pytester) -> None:
    pytest.importorskip("pytest_randomly")
    plain = run_ids(id_project, "--chime-seed=4242")
    id_project.makeini("[pytest]\naddopts = -p randomly --randomly-seed=4242\n")
    out = id_project.path / "ids"
    shutil.rmtree(out)
    out.mkdir()
    id_project.runpytest_subprocess("-n", "2").assert_outcomes(passed=8)
    assert {path.name: path.read_text() for path in out.iterdir()} == plain


# --- the fake_chime marker -----------------------------------------------------------------------


def test_closest_fake_chime_marker_wins(project: pytest.Pytester) -> None:
    project.makeini("[pytest]\nchime_quota = 7\n")
    project.makepyfile(
        test_marked="""
        import pytest

        pytestmark = pytest.mark.fake_chime(quota=3)

        def test_module_marker(fake_chime):
            assert fake_chime.quota == 3

        @pytest.mark.fake_chime(quota=2)
        class TestClass:
            def test_class_marker(self, fake_chime):
                assert fake_chime.quota == 2

            @pytest.mark.fake_chime(quota=1)
            def test_function_marker(self, fake_chime):
                assert fake_chime.quota == 1
        """,
        test_unmarked="""
        def test_ini(fake_chime):
            assert fake_chime.quota == 7
        """,
    )
    project.runpytest().assert_outcomes(passed=4)


def test_fake_chime_markers_merge_key_by_key(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.fake_chime(region="eu-west-2", quota=3)

        @pytest.mark.fake_chime(quota=1)
        def test_function_marker_keeps_the_module_region(fake_chime):
            assert (fake_chime.quota, fake_chime.region) == (1, "eu-west-2")
        """
    )
    project.runpytest().assert_outcomes(passed=1)


def test_fake_chime_marker_option_changes_behaviour(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import pytest

        @pytest.mark.fake_chime(account_id="210987654321", region="eu-central-1")
        def test_marked(fake_chime, create, make_client):
            meeting = create(make_client(region="eu-central-1"))
            assert meeting["MeetingArn"].startswith("arn:aws:chime:eu-central-1:210987654321:meeting/")
        """
    )
    project.runpytest().assert_outcomes(passed=1)


def test_unknown_fake_chime_marker_option_errors_at_setup(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import pytest

        @pytest.mark.fake_chime(qouta=1)
        def test_typo(fake_chime):
            pass
        """
    )
    result = project.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*ERROR at setup of test_typo*", "*unknown option(s) qouta; valid: *"])
    line = next(line for line in result.outlines if "unknown option(s) qouta" in line)
    for option in OPTIONS:
        assert option in line.split("valid:")[1]


def test_positional_fake_chime_marker_argument_errors_at_setup(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import pytest

        @pytest.mark.fake_chime(5)
        def test_positional(fake_chime):
            pass
        """
    )
    result = project.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fake_chime takes keyword arguments only*"])


# --- ini and command-line options ----------------------------------------------------------------


def test_chime_quota_limits_active_meetings(project: pytest.Pytester) -> None:
    project.makeini("[pytest]\nchime_quota = 1\n")
    project.makepyfile(
        """
        import botocore.exceptions
        import pytest

        def test_quota(fake_chime, create):
            create()
            with pytest.raises(botocore.exceptions.ClientError) as info:
                create()
            assert info.value.response["Error"]["Code"] == "LimitExceededException"
            assert len(fake_chime.meetings) == 1
        """
    )
    project.runpytest().assert_outcomes(passed=1)


def test_a_custom_endpoint_gets_the_client_region_signed_or_unsigned(project: pytest.Pytester) -> None:
    project.makeini("[pytest]\nchime_region = ap-south-1\n")
    project.makepyfile(
        """
        import botocore
        import pytest

        @pytest.mark.parametrize("signing", [{}, {"signature_version": botocore.UNSIGNED}])
        def test_region(fake_chime, create, make_client, signing):
            client = make_client(region="eu-central-1", endpoint_url="https://chime.internal.example", **signing)
            meeting = create(client)
            assert meeting["MeetingArn"].startswith("arn:aws:chime:eu-central-1:")
            assert meeting["MediaPlacement"]["EventIngestionUrl"].startswith("https://data.svc.ec1.")
        """
    )
    project.runpytest().assert_outcomes(passed=2)


def test_chime_region_is_the_region_of_a_request_that_shows_none() -> None:
    import json

    from botocore.awsrequest import AWSPreparedRequest, HeadersDict

    from pytest_chime import FakeChime, wire

    params = {"ClientRequestToken": "token-1", "MediaRegion": "us-east-1", "ExternalMeetingId": "standup"}
    # A custom endpoint, outside any client call: nothing shows the region.
    request = AWSPreparedRequest("POST", "http://localhost:4566/meetings", HeadersDict(), json.dumps(params), False)
    with FakeChime(region="eu-central-1") as fake:
        response = wire._on_before_send(request=request, event_name="before-send.chime-sdk-meetings.CreateMeeting")
        assert response is not None
        assert json.loads(response.content)["Meeting"]["MeetingArn"].startswith("arn:aws:chime:eu-central-1:")
        assert fake.calls[0].region == "eu-central-1"


@legacy_only
def test_chime_media_region_is_a_legacy_meetings_default_media_region(project: pytest.Pytester) -> None:
    project.makeini("[pytest]\nchime_media_region = eu-west-2\n")
    project.makepyfile(
        """
        def test_media_region(fake_chime, create, make_client):
            meeting = create(make_client("chime"), MediaRegion=None)
            assert meeting["MediaRegion"] == "eu-west-2"
            assert ".ew2.app.chime.aws" in meeting["MediaPlacement"]["SignalingUrl"]
        """
    )
    project.runpytest().assert_outcomes(passed=1)


def test_chime_account_id_is_in_the_meeting_arn(project: pytest.Pytester) -> None:
    project.makeini("[pytest]\nchime_account_id = 210987654321\n")
    project.makepyfile(
        """
        def test_account(fake_chime, create):
            assert ":210987654321:meeting/" in create()["MeetingArn"]
        """
    )
    project.runpytest().assert_outcomes(passed=1)


#: A test that fails one call with a retried error and records who slept the backoff.
SLEEP_TEST = """
import time

def test_sleep(fake_chime, create, monkeypatch):
    slept = []
    monkeypatch.setattr(time, "sleep", slept.append)
    fake_chime.fail("ThrottlingException")
    create()
    print("REAL", len(slept), "RECORDED", len(fake_chime.sleeps))
"""


@pytest.mark.parametrize(
    ("args", "ini", "real", "recorded"),
    [
        ((), "", 0, 1),
        ((), "chime_real_sleep = true", 1, 0),
        (("--chime-real-sleep",), "", 1, 0),
        (("--chime-real-sleep",), "chime_real_sleep = false", 1, 0),
    ],
    ids=["default", "ini", "option", "option-beats-ini"],
)
def test_real_sleep_lets_botocore_sleep_its_backoff(
    project: pytest.Pytester, args: tuple[str, ...], ini: str, real: int, recorded: int
) -> None:
    project.makeini(f"[pytest]\n{ini}\n")
    project.makepyfile(SLEEP_TEST)
    result = project.runpytest("-s", *args)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"*REAL {real} RECORDED {recorded}*"])


@pytest.mark.parametrize(("ini", "errors"), [("", 1), ("chime_assert_all_errors_used = false", 0)])
def test_assert_all_errors_used_decides_whether_an_unused_error_fails(
    project: pytest.Pytester, ini: str, errors: int
) -> None:
    project.makeini(f"[pytest]\n{ini}\n")
    project.makepyfile(
        """
        def test_unused(fake_chime):
            fake_chime.fail("ForbiddenException")
        """
    )
    result = project.runpytest()
    result.assert_outcomes(passed=1, errors=errors)
    if errors:
        result.stdout.fnmatch_lines(["*ERROR at teardown of test_unused*", "*ForbiddenException*never fired*"])


#: A test whose only call is answered by chaos when the rate is 1.
CHAOS_TEST = """
import botocore.exceptions
import pytest

def test_chaos(fake_chime, create, make_client):
    client = make_client(retries={"total_max_attempts": 1})
    if fake_chime.chaos:
        with pytest.raises(botocore.exceptions.ClientError) as info:
            create(client)
        assert info.value.response["Error"]["Code"] in (
            "ThrottlingException", "ServiceUnavailableException", "ServiceFailureException"
        )
    else:
        create(client)
    print("CHAOS", fake_chime.chaos, "FAULTS", fake_chime.chaos_faults)
"""


@pytest.mark.parametrize(
    ("args", "ini", "faults"),
    [
        ((), "", 0),
        ((), "chime_chaos = 1", 1),
        (("--chime-chaos=1",), "", 1),
        (("--chime-chaos=0",), "chime_chaos = 1", 0),
    ],
    ids=["default", "ini", "option", "option-beats-ini"],
)
def test_chaos_fails_that_fraction_of_calls(
    project: pytest.Pytester, args: tuple[str, ...], ini: str, faults: int
) -> None:
    project.makeini(f"[pytest]\n{ini}\n")
    project.makepyfile(CHAOS_TEST)
    result = project.runpytest("-s", *args)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"*FAULTS {faults}*"])


def test_chaos_is_reported_in_the_header_and_summary(project: pytest.Pytester) -> None:
    project.makepyfile(CHAOS_TEST)
    result = project.runpytest("-p", "no:randomly", "--chime-chaos=1", "--chime-seed=9")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "chime: seed=9, chaos=1.0 *",
            "*pytest-chime chaos*",
            "injected 1 fault(s) into 1 fake-answered call(s) at rate 1.0; seed 9 "
            "(repeat with --chime-seed=9 --chime-chaos=1.0)",
        ]
    )


@pytest.mark.evidence  # pytest-xdist in a subprocess: several seconds
def test_chaos_totals_include_every_xdist_worker(project: pytest.Pytester) -> None:
    project.makepyfile(test_one=CHAOS_TEST, test_two=CHAOS_TEST, test_three=CHAOS_TEST)
    result = project.runpytest_subprocess("-n", "2", "--chime-chaos=1")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["injected 3 fault(s) into 3 fake-answered call(s) at rate 1.0*"])


def test_a_bad_ini_value_errors_the_test_naming_the_option(project: pytest.Pytester) -> None:
    project.makeini("[pytest]\nchime_quota = lots\n")
    project.makepyfile("def test_quota(fake_chime):\n    pass\n")
    result = project.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*ini option chime_quota = 'lots' is not valid: use an integer*"])
