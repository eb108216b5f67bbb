"""Living with other fakes and with the code under test's imports.

moto's ``mock_aws``, botocore's ``Stubber`` and other FakeChimes can be active in the
same test; each keeps answering what it answers. Which one wins where they overlap is
decided by botocore's event order, and these tests pin it down:

- With moto active, Chime calls go to the fake, whichever started first: the fake's
  handler is registered for ``before-send.<chime service>``, moto's for every
  ``before-send``, and botocore runs the more specific handler first and takes the
  first answer. Every other service goes to moto.
- A ``Stubber`` on a Chime client wins over the fake, as expected: it answers at
  ``before-call``, before the request is built, so the fake never sees the call.
- Nested fakes: the innermost started answers; they must stop innermost first.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from contextlib import ExitStack
from pathlib import Path

import pytest
from botocore.stub import Stubber

from pytest_chime import FakeChime, FakeChimeStateError
from tests.conftest import make_client, valid_request

ROOT = Path(__file__).resolve().parent.parent
MODERN = "chime-sdk-meetings"
MOTO_ACCOUNT = "123456789012"


# --- moto -------------------------------------------------------------------------------------


@pytest.mark.parametrize("first", ["moto", "fake"])
def test_with_moto_active_chime_goes_to_the_fake_and_other_services_to_moto(first: str, service: str) -> None:
    moto = pytest.importorskip("moto")
    fake = FakeChime()
    with ExitStack() as stack:
        for which in (first, "fake" if first == "moto" else "moto"):
            stack.enter_context(moto.mock_aws() if which == "moto" else fake)
        s3, sts, chime = make_client("s3"), make_client("sts"), make_client(service)
        s3.create_bucket(Bucket="pytest-chime-coexistence")
        meeting = chime.create_meeting(**valid_request(service))["Meeting"]
        assert [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]] == ["pytest-chime-coexistence"]
        assert sts.get_caller_identity()["Account"] == MOTO_ACCOUNT
    assert list(fake.meetings) == [meeting["MeetingId"]]
    assert [(call.service, call.operation) for call in fake.calls] == [(service, "CreateMeeting")]


def test_moto_stopping_first_leaves_the_fake_answering() -> None:
    moto = pytest.importorskip("moto")
    client = make_client(MODERN)
    with FakeChime() as fake:
        with moto.mock_aws():
            client.create_meeting(**valid_request(MODERN, ClientRequestToken="during-moto"))
        client.create_meeting(**valid_request(MODERN, ClientRequestToken="after-moto"))
    assert [call.params["ClientRequestToken"] for call in fake.calls] == ["during-moto", "after-moto"]


# --- botocore's Stubber ------------------------------------------------------------------------


def test_a_stubbed_s3_client_and_the_fake_answer_side_by_side(fake_chime: FakeChime, service: str) -> None:
    s3, chime = make_client("s3"), make_client(service)
    with Stubber(s3) as stub:
        stub.add_response("list_buckets", {"Buckets": [{"Name": "stubbed"}]})
        stub.add_response("head_bucket", {}, {"Bucket": "stubbed"})
        assert s3.list_buckets()["Buckets"][0]["Name"] == "stubbed"
        meeting = chime.create_meeting(**valid_request(service))["Meeting"]
        s3.head_bucket(Bucket="stubbed")
        stub.assert_no_pending_responses()
    assert list(fake_chime.meetings) == [meeting["MeetingId"]]
    assert len(fake_chime.calls) == 1


def test_a_stubber_on_a_chime_client_wins_over_the_fake(fake_chime: FakeChime, service: str) -> None:
    """Expected, and documented: the Stubber answers at before-call, so the fake never sees the call.

    Once the Stubber is deactivated the same client is the fake's again.
    """
    client = make_client(service)
    stubbed = {"Meeting": {"MeetingId": "11111111-2222-4333-8444-555555555555"}}
    with Stubber(client) as stub:
        stub.add_response("create_meeting", stubbed, valid_request(service))
        assert client.create_meeting(**valid_request(service))["Meeting"] == stubbed["Meeting"]
    assert fake_chime.calls == []
    assert fake_chime.meetings == {}
    meeting = client.create_meeting(**valid_request(service))["Meeting"]
    assert list(fake_chime.meetings) == [meeting["MeetingId"]]


# --- nested fakes --------------------------------------------------------------------------------


def test_in_nested_fakes_the_innermost_answers() -> None:
    client = make_client(MODERN)
    with FakeChime(seed="outer") as outer:
        client.create_meeting(**valid_request(MODERN, ClientRequestToken="before"))
        with FakeChime(seed="inner") as inner:
            client.create_meeting(**valid_request(MODERN, ClientRequestToken="inside"))
        client.create_meeting(**valid_request(MODERN, ClientRequestToken="after"))
    assert [call.params["ClientRequestToken"] for call in outer.calls] == ["before", "after"]
    assert [call.params["ClientRequestToken"] for call in inner.calls] == ["inside"]
    assert not set(outer.meetings) & set(inner.meetings)


def test_a_fake_inside_a_test_using_the_fixture_answers_until_it_stops(fake_chime: FakeChime) -> None:
    client = make_client(MODERN)
    with FakeChime() as inner:
        client.create_meeting(**valid_request(MODERN, ClientRequestToken="inner"))
    client.create_meeting(**valid_request(MODERN, ClientRequestToken="fixture"))
    assert [call.params["ClientRequestToken"] for call in inner.calls] == ["inner"]
    assert [call.params["ClientRequestToken"] for call in fake_chime.calls] == ["fixture"]


def test_stopping_an_outer_fake_first_fails_clearly_and_changes_nothing() -> None:
    client = make_client(MODERN)
    outer = FakeChime().start()
    inner = FakeChime().start()
    try:
        with pytest.raises(FakeChimeStateError, match=r"not the innermost active FakeChime.*innermost first"):
            outer.stop()
        client.create_meeting(**valid_request(MODERN))
        assert len(inner.calls) == 1 and outer.calls == []
    finally:
        inner.stop()
        outer.stop()


def test_stopping_a_fake_that_never_started_fails_clearly() -> None:
    with pytest.raises(FakeChimeStateError, match="not started"):
        FakeChime().stop()


def test_starting_a_started_fake_again_fails_clearly() -> None:
    with FakeChime() as fake, pytest.raises(FakeChimeStateError, match="already started"):
        fake.start()


# --- the plugin switched off -------------------------------------------------------------------


def test_disabling_the_plugin_with_p_no_chime_removes_the_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_wants_the_fake(fake_chime):
            pass
        """
    )
    enabled = pytester.runpytest("-p", "no:cacheprovider")
    enabled.assert_outcomes(passed=1)
    disabled = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:chime")
    disabled.assert_outcomes(errors=1)
    disabled.stdout.fnmatch_lines(["*fixture 'fake_chime' not found*"])


# --- start-up cost and import order ------------------------------------------------------------

HEAVY = ("boto3", "botocore", "hypothesis", "faker", "moto")


def run_python(code: str) -> str:
    """Run ``code`` in a fresh interpreter with no network and no AWS configuration; its stdout."""
    guard = textwrap.dedent(
        """
        import os, socket
        os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
        def _refuse(*args, **kwargs):
            raise OSError("network blocked in this test")
        socket.socket.connect = socket.create_connection = socket.getaddrinfo = _refuse
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", guard + textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_importing_the_plugin_imports_no_heavy_dependency() -> None:
    out = run_python(
        f"""
        import json, sys
        import pytest_chime.plugin
        print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY!r})))
        """
    )
    assert json.loads(out) == []


CATCH_A_LATE_CLIENT = """
import json, sys
{first}
{second}
client = boto3.session.Session().client(
    "chime-sdk-meetings", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
)
with FakeChime() as fake:
    meeting = client.create_meeting(
        ClientRequestToken="t-1", MediaRegion="us-east-1", ExternalMeetingId="e-1"
    )["Meeting"]
print(json.dumps([meeting["MeetingId"] in fake.meetings, len(fake.calls)]))
"""


@pytest.mark.parametrize("botocore_imported", ["after pytest_chime", "before pytest_chime"])
def test_a_client_made_after_the_code_under_test_imports_botocore_is_caught(botocore_imported: str) -> None:
    ours = "from pytest_chime import FakeChime\nassert 'botocore' not in sys.modules"
    theirs = "import boto3"
    first, second = (ours, theirs) if botocore_imported == "after pytest_chime" else (theirs, ours.splitlines()[0])
    out = run_python(CATCH_A_LATE_CLIENT.format(first=first, second=second))
    assert json.loads(out) == [True, 1]


def test_a_boto3_default_session_made_before_pytest_chime_is_caught() -> None:
    out = run_python(
        CATCH_A_LATE_CLIENT.format(
            first="import boto3\nboto3.setup_default_session()",
            second="from pytest_chime import FakeChime",
        ).replace("boto3.session.Session().client(", "boto3.client(")
    )
    assert json.loads(out) == [True, 1]
