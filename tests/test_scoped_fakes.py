"""Fakes of module- and session-scoped fixtures serve every test of their scope; a fake a test leaves still fails it."""

from __future__ import annotations

import pytest

#: A project's conftest: clients with dummy keys, and no connection ever.
CONFTEST = """
import socket

import boto3
import pytest

from pytest_chime import FakeChime


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"a test tried to open a connection: {args!r}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def create(token):
    client = boto3.client(
        "chime-sdk-meetings", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    return client.create_meeting(ClientRequestToken=token, MediaRegion="us-east-1", ExternalMeetingId="standup")
"""

#: Three tests calling through the fixture named ``shared``; each sees its own meeting answered by it.
MODULE = """
from conftest import create


def test_first(shared):
    meeting = create("{name}-1")["Meeting"]
    assert meeting["MeetingId"] in shared.meetings


def test_second(shared):
    meeting = create("{name}-2")["Meeting"]
    assert meeting["MeetingId"] in shared.meetings


def test_third(shared):
    meeting = create("{name}-3")["Meeting"]
    assert meeting["MeetingId"] in shared.meetings
"""


def tokens_file(pytester: pytest.Pytester) -> list[str]:
    return (pytester.path / "tokens.txt").read_text().split()


def test_a_module_scoped_fake_serves_every_test_of_its_module(pytester: pytest.Pytester) -> None:
    fixture = """
@pytest.fixture(scope="module")
def shared(request):
    with FakeChime() as fake:
        yield fake
    with open("tokens.txt", "a") as out:
        out.write(" ".join(call.params["ClientRequestToken"] for call in fake.calls) + "\\n")
"""
    pytester.makeconftest(CONFTEST + fixture)
    pytester.makepyfile(test_a=MODULE.format(name="a"), test_b=MODULE.format(name="b"))
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=6)
    assert (pytester.path / "tokens.txt").read_text().splitlines() == ["a-1 a-2 a-3", "b-1 b-2 b-3"]


def test_a_session_scoped_fake_serves_every_test_of_the_session(pytester: pytest.Pytester) -> None:
    fixture = """
@pytest.fixture(scope="session")
def shared():
    with FakeChime() as fake:
        yield fake
    with open("tokens.txt", "w") as out:
        out.write(" ".join(call.params["ClientRequestToken"] for call in fake.calls))
"""
    pytester.makeconftest(CONFTEST + fixture)
    pytester.makepyfile(test_a=MODULE.format(name="a"), test_b=MODULE.format(name="b"))
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=6)
    assert tokens_file(pytester) == ["a-1", "a-2", "a-3", "b-1", "b-2", "b-3"]


def test_a_scoped_fake_started_without_with_serves_its_scope_and_stops_cleanly(pytester: pytest.Pytester) -> None:
    fixture = """
@pytest.fixture(scope="module")
def shared():
    fake = FakeChime().start()
    yield fake
    fake.stop()
"""
    pytester.makeconftest(CONFTEST + fixture)
    pytester.makepyfile(test_a=MODULE.format(name="a"), test_b=MODULE.format(name="b"))
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=6)


def test_the_fixtures_fake_answers_its_test_inside_a_scoped_fake(pytester: pytest.Pytester) -> None:
    fixture = """
@pytest.fixture(scope="session")
def shared():
    with FakeChime() as fake:
        yield fake
"""
    pytester.makeconftest(CONFTEST + fixture)
    pytester.makepyfile(
        """
        from conftest import create

        def test_own_fake(shared, fake_chime):
            create("token-1")
            assert (len(fake_chime.calls), len(shared.calls)) == (1, 0)

        def test_shared_again(shared):
            create("token-2")
            assert len(shared.calls) == 1
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_a_fake_a_test_leaves_started_still_fails_that_test_under_a_scoped_fake(pytester: pytest.Pytester) -> None:
    fixture = """
@pytest.fixture(scope="module")
def shared():
    with FakeChime() as fake:
        yield fake
"""
    pytester.makeconftest(CONFTEST + fixture)
    pytester.makepyfile(
        """
        from pytest_chime import FakeChime, wire
        from conftest import create

        def test_leaves_a_fake(shared):
            FakeChime().start()

        def test_next_is_answered_by_the_shared_fake(shared):
            create("token-1")
            assert len(shared.calls) == 1
            assert wire.active_fakes() == (shared,)
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        ["*ERROR at teardown of test_leaves_a_fake*", "*this test left 1 FakeChime(s) started*"]
    )


def test_a_fake_a_function_scoped_fixture_leaves_started_fails_the_test(pytester: pytest.Pytester) -> None:
    fixture = """
@pytest.fixture
def leaky():
    yield FakeChime().start()
"""
    pytester.makeconftest(CONFTEST + fixture)
    pytester.makepyfile(
        """
        from pytest_chime import wire

        def test_uses_it(leaky):
            pass

        def test_next():
            assert wire.active_fakes() == ()
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*this test left 1 FakeChime(s) started*"])


def test_a_scoped_fixture_that_leaves_its_fake_started_fails_the_test_tearing_it_down(
    pytester: pytest.Pytester,
) -> None:
    fixture = """
@pytest.fixture(scope="module")
def shared():
    yield FakeChime().start()
"""
    pytester.makeconftest(CONFTEST + fixture)
    pytester.makepyfile(
        test_a="""
        def test_one(shared):
            pass

        def test_two(shared):
            pass
        """,
        test_b="""
        from pytest_chime import wire

        def test_after(shared):
            assert wire.active_fakes() == (shared,)
        """,
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=3, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_two*",
            "*the fixture 'shared', torn down, left 1 FakeChime(s) started*",
            "*ERROR at teardown of test_after*",
        ]
    )
