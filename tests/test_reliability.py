"""Reliability: many threads at once, a thousand tests in a row, and any input at all.

Three promises. Concurrent calls through real botocore clients lose, duplicate and
reorder nothing the fake counts (meetings, calls, queued errors). A test leaves nothing
behind for the next one (no handler, meeting, call or queued error). And whatever
reaches the fake, however malformed, gets a modelled HTTP answer: one of the
operation's modelled statuses, parseable by botocore, never an internal error.

The default run checks each promise at a small scale; the full scale (8 threads of 1000
calls, 1000 tests, hundreds of fuzzed inputs) is marked ``evidence`` and runs with
``--run-evidence``, as ``.ci/run`` does.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

import botocore.endpoint
import botocore.handlers
import botocore.parsers
import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse, HeadersDict
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_chime import FakeChime, HookError, facts, model, wire
from tests.conftest import SERVICES, make_client, valid_request

THREADS = 8
NO_RETRIES = {"total_max_attempts": 1}


def throttle_code(service: str) -> str:
    """The service's own throttling error (ThrottlingException or ThrottledClientException)."""
    return next(code for code in model.error_codes(service) if code.startswith("Throttl"))


def run_threads(work: Callable[[int], list[Any]], threads: int = THREADS) -> list[Any]:
    """Run ``work(n)`` on ``threads`` threads released together; their results, concatenated."""
    start = threading.Barrier(threads)

    def released(n: int) -> list[Any]:
        start.wait()
        return work(n)

    with ThreadPoolExecutor(threads) as pool:
        return [item for batch in pool.map(released, range(threads)) for item in batch]


def error_codes_of_calls(client: Any, service: str, calls: int) -> Callable[[int], list[str | None]]:
    """Work for ``run_threads``: ``calls`` CreateMeetings with fresh tokens; each one's error code (None: success)."""

    def work(thread: int) -> list[str | None]:
        outcomes: list[str | None] = []
        for i in range(calls):
            try:
                client.create_meeting(**valid_request(service, ClientRequestToken=f"t{thread}-{i}"))
                outcomes.append(None)
            except ClientError as error:
                outcomes.append(error.response["Error"]["Code"])
        return outcomes

    return work


# --- concurrency ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("threads", "calls_per_thread"),
    [(2, 50), pytest.param(8, 1000, marks=pytest.mark.evidence)],
    ids=["2x50", "8x1000"],
)
def test_threads_of_many_calls_make_as_many_distinct_meetings(
    service: str, threads: int, calls_per_thread: int
) -> None:
    client = make_client(service)  # one client shared by every thread: botocore clients are thread-safe
    total = threads * calls_per_thread

    def work(thread: int) -> list[str]:
        return [
            client.create_meeting(**valid_request(service, ClientRequestToken=f"thread-{thread}-call-{i}"))["Meeting"][
                "MeetingId"
            ]
            for i in range(calls_per_thread)
        ]

    with FakeChime(quota=total) as fake:
        meeting_ids = run_threads(work, threads)
    assert len(set(meeting_ids)) == total
    assert set(fake.meetings) == set(meeting_ids)
    assert len(fake.calls) == total
    assert all(call.error_code is None for call in fake.calls)
    assert len({call.request_id for call in fake.calls}) == total
    assert {call.params["ClientRequestToken"] for call in fake.calls} == {
        f"thread-{t}-call-{i}" for t in range(threads) for i in range(calls_per_thread)
    }


def test_threads_sharing_one_client_request_token_get_one_meeting(service: str) -> None:
    def work(thread: int) -> list[str]:
        client = make_client(service)  # a client per thread this time
        return [client.create_meeting(**valid_request(service))["Meeting"]["MeetingId"] for _ in range(50)]

    with FakeChime() as fake:
        meeting_ids = run_threads(work)
    assert len(fake.meetings) == 1
    assert set(meeting_ids) == set(fake.meetings)
    assert len(fake.calls) == THREADS * 50


def test_concurrent_calls_never_pass_the_quota(service: str) -> None:
    client = make_client(service, retries=NO_RETRIES)

    with FakeChime(quota=100) as fake:
        outcomes = run_threads(error_codes_of_calls(client, service, 40))
    assert len(fake.meetings) == 100
    assert outcomes.count(None) == 100
    assert outcomes.count(facts.QUOTA_CODES[service]) == THREADS * 40 - 100


def test_an_injected_error_fires_exactly_its_times_under_threads(service: str) -> None:
    client = make_client(service, retries=NO_RETRIES)
    code = throttle_code(service)

    with FakeChime(quota=THREADS * 50) as fake:
        injection = fake.fail(code, times=100)
        outcomes = run_threads(error_codes_of_calls(client, service, 50))
    assert outcomes.count(code) == 100
    assert outcomes.count(None) == THREADS * 50 - 100
    assert injection.fired == 100
    assert sum(call.error_code == code for call in fake.calls) == 100
    assert len(fake.meetings) == THREADS * 50 - 100


def test_an_injection_with_after_lets_exactly_after_calls_through_under_threads(service: str) -> None:
    client = make_client(service, retries=NO_RETRIES)
    code = throttle_code(service)

    def work(thread: int) -> list[bool]:
        failed = []
        for i in range(25):
            try:
                client.create_meeting(**valid_request(service, ClientRequestToken=f"t{thread}-{i}"))
                failed.append(False)
            except ClientError:
                failed.append(True)
        return failed

    with FakeChime() as fake:
        injection = fake.fail(code, times=60, after=30)
        failed = run_threads(work)
    assert sum(failed) == 60
    assert (injection.passed, injection.fired) == (30, 60)
    assert [call.error_code for call in fake.calls[:30]] == [None] * 30


def test_backoff_of_concurrent_retries_is_recorded_once_per_retry(service: str) -> None:
    client = make_client(service, retries={"mode": "legacy"})
    calls_per_thread = 10

    def work(thread: int) -> list[bool]:
        outcomes = []
        for i in range(calls_per_thread):
            try:
                client.create_meeting(**valid_request(service, ClientRequestToken=f"t{thread}-{i}"))
                outcomes.append(True)
            except ClientError:  # a call that met five throttles in a row gives up
                outcomes.append(False)
        return outcomes

    with FakeChime() as fake:
        fake.fail(throttle_code(service), times=40)
        outcomes = run_threads(work)
    client_calls = THREADS * calls_per_thread
    gave_up = outcomes.count(False)
    # Every attempt after a call's first was preceded by one (recorded, never slept) backoff.
    assert len(fake.sleeps) == len(fake.calls) - client_calls
    assert len(fake.calls) == client_calls + 40 - gave_up
    assert all(seconds >= 0 for seconds in fake.sleeps)


# --- isolation across a thousand tests ----------------------------------------------------------

ISOLATION_SUITE = '''
import sys

import boto3
import botocore.config
import botocore.handlers
import botocore.session
import pytest

from pytest_chime import wire

SERVICE = "chime-sdk-meetings"
EVENT = f"before-send.{SERVICE}.CreateMeeting"
PARAMS = dict(ClientRequestToken="the-same-token", MediaRegion="us-east-1", ExternalMeetingId="standup")

# Created at import, before any fake exists; legacy retries: one throttle is retried once.
CLIENT = boto3.session.Session().client(
    SERVICE,
    region_name="us-east-1",
    aws_access_key_id="AKIDEXAMPLE",
    aws_secret_access_key="not-a-secret",
    config=botocore.config.Config(retries={"mode": "legacy"}),
)


def handler_counts(emitter):
    """(every handler registered on the emitter, those that before-send of CreateMeeting runs)."""
    inner = getattr(emitter, "_emitter", emitter)  # an EventAliaser wraps the HierarchicalEmitter
    total, nodes = 0, [inner._handlers._root]
    while nodes:
        node = nodes.pop()
        if node["values"]:
            total += sum(len(section) for section in node["values"])
        nodes.extend(node["children"].values())
    return total, len(inner._handlers.prefix_search(EVENT))


def new_session_counts():
    return handler_counts(botocore.session.Session().get_component("event_emitter"))


CLIENT_BASELINE = handler_counts(CLIENT.meta.events)
SESSION_BASELINE = new_session_counts()
BUILTIN_BASELINE = len(botocore.handlers.BUILTIN_HANDLERS)
SEEN_MEETINGS = set()


@pytest.mark.parametrize("n", range(COUNT))
def test_one(n, fake_chime):
    assert wire._stack == (fake_chime,)
    assert (fake_chime.meetings, fake_chime.calls, fake_chime.sleeps, fake_chime.errors) == ({}, [], [], [])
    assert handler_counts(CLIENT.meta.events) == CLIENT_BASELINE
    if n % 50 == 0 or n == COUNT - 1:  # a new session costs milliseconds; a leak would accumulate
        assert new_session_counts() == SESSION_BASELINE
    assert len(botocore.handlers.BUILTIN_HANDLERS) == BUILTIN_BASELINE
    assert sys.meta_path.count(wire._watcher) == 1
    if n % 2:
        fake_chime.fail("ThrottlingException", after=5, optional=True)  # stays queued: never fires
    else:
        fake_chime.fail("ThrottlingException")  # fires once; the retry succeeds
    meeting_id = CLIENT.create_meeting(**PARAMS)["Meeting"]["MeetingId"]
    assert list(fake_chime.meetings) == [meeting_id]
    assert len(fake_chime.calls) == (1 if n % 2 else 2)
    assert meeting_id not in SEEN_MEETINGS
    SEEN_MEETINGS.add(meeting_id)
'''


def emitter_handler_total(emitter: Any) -> int:
    """How many handlers an event emitter holds, over every event name."""
    inner = getattr(emitter, "_emitter", emitter)
    total, nodes = 0, [inner._handlers._root]
    while nodes:
        node = nodes.pop()
        if node["values"]:
            total += sum(len(section) for section in node["values"])
        nodes.extend(node["children"].values())
    return total


@pytest.mark.parametrize("count", [50, pytest.param(1000, marks=pytest.mark.evidence)])
def test_many_tests_in_a_row_leave_no_handler_meeting_call_or_error_behind(
    pytester: pytest.Pytester, count: int
) -> None:
    client = make_client("chime-sdk-meetings")
    before = (
        emitter_handler_total(client.meta.events),
        emitter_handler_total(botocore.session.Session().get_component("event_emitter")),
        len(botocore.handlers.BUILTIN_HANDLERS),
    )
    pytester.makepyfile(test_many=ISOLATION_SUITE.replace("COUNT", str(count)))
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-q", "-x")
    result.assert_outcomes(passed=count)
    assert wire._stack == ()
    assert wire.active() is None
    after = (
        emitter_handler_total(client.meta.events),
        emitter_handler_total(botocore.session.Session().get_component("event_emitter")),
        len(botocore.handlers.BUILTIN_HANDLERS),
    )
    assert after == before


# --- fuzzing: any input gets a modelled answer --------------------------------------------------

URLS = {
    "chime": "https://service.chime.aws.amazon.com/meetings",
    "chime-sdk-meetings": "https://meetings-chime.us-east-1.amazonaws.com/meetings",
}

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats()  # NaN and infinities too: Python's json writes and reads them
    | st.text()
)


def _json_containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.lists(children, max_size=6), st.dictionaries(st.text(max_size=12), children, max_size=6))


JSON_VALUES = st.recursive(JSON_SCALARS, _json_containers, max_leaves=25)
HUGE_STRINGS = st.sampled_from([1025, 10**4, 10**5]).flatmap(
    lambda size: st.sampled_from(["a", "é", "😀", "-", " ", "\u0000"]).map(lambda char: char * size)
)
LONE_SURROGATES = st.text(alphabet=st.characters(categories=["Cs"]), min_size=1, max_size=3)
ODD_STRINGS = st.text() | st.text(alphabet=st.characters(codec="utf-8"), min_size=1) | LONE_SURROGATES | HUGE_STRINGS


def member_values(service: str, name: str) -> st.SearchStrategy[Any]:
    """Values for one request member: plausible ones, wrong types, odd text, huge strings."""
    options: list[st.SearchStrategy[Any]] = [shaped(input_shape(service).members[name]), JSON_VALUES, ODD_STRINGS]
    valid = valid_request(service).get(name)
    if valid is not None:
        options.insert(0, st.just(valid))
    return st.one_of(options)


def shaped(shape: Any) -> st.SearchStrategy[Any]:
    """Values of the member's modelled type (so botocore can send them) that break its constraints freely."""
    kind = shape.type_name
    if kind == "structure":
        return st.fixed_dictionaries({}, optional={name: shaped(member) for name, member in shape.members.items()})
    if kind == "list":
        return st.lists(shaped(shape.member), max_size=int(shape.metadata.get("max", 5)) + 2)
    if kind == "string":
        options = [ODD_STRINGS, st.text(min_size=1, max_size=int(shape.metadata.get("max", 64)) + 2)]
        if shape.name in ("MediaRegion", "String"):
            options.append(st.sampled_from(sorted(facts.MODERN_MEDIA_REGIONS)))
        if getattr(shape, "enum", None):
            options.append(st.sampled_from(shape.enum))
        if "Arn" in shape.name:
            options.append(st.from_regex(r"\Aarn:aws:(sns|sqs|lambda):[a-z0-9-]{1,14}:\d{12}:[A-Za-z0-9_:.-]{1,40}\Z"))
        return st.one_of(options)
    if kind in ("integer", "long"):
        return st.integers()
    if kind == "boolean":
        return st.booleans()
    return JSON_VALUES


def input_shape(service: str) -> Any:
    spec = model.operation(service)
    assert spec is not None
    return spec.input_shape


def input_members(service: str) -> list[str]:
    return list(input_shape(service).members)


@cache
def request_objects(service: str) -> st.SearchStrategy[dict[str, Any]]:
    """Request objects: a valid request with one member changed, arbitrary members, or any object."""
    names = input_members(service)
    base = valid_request(service)
    one_changed = st.sampled_from(names).flatmap(
        lambda name: member_values(service, name).map(lambda value: {**base, name: value})
    )
    typed = st.builds(lambda extra: {**base, **extra}, shaped(input_shape(service)))
    any_members = st.fixed_dictionaries({}, optional={name: member_values(service, name) for name in names})
    any_object = st.dictionaries(st.text(max_size=20), JSON_VALUES, max_size=6)
    return one_changed | typed | any_members | any_object


def to_json(value: Any, ascii_only: bool) -> bytes:
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


@cache
def bodies(service: str) -> st.SearchStrategy[bytes | str]:
    """Request bodies: JSON objects, any JSON value, truncated JSON, deep nesting, bytes that are not UTF-8."""
    json_objects = st.builds(to_json, request_objects(service), st.booleans())
    truncated = json_objects.flatmap(lambda body: st.integers(0, len(body)).map(lambda cut: body[:cut]))
    nested = st.builds(
        lambda depth, opener, closed: (
            opener * depth + ((b"1" + b"}" * depth) if opener == b'{"a":' else b"]" * depth)
            if closed
            else opener * depth
        ),
        st.integers(1, 100_000),
        st.sampled_from([b"[", b'{"a":']),
        st.booleans(),
    )
    return st.one_of(
        json_objects,
        st.builds(to_json, JSON_VALUES, st.booleans()),
        truncated,
        nested,
        st.binary(max_size=300),
        st.text(max_size=300),
        st.just(b""),
    )


#: Header values: credential scopes naming any region, odd text, raw bytes.
CREDENTIALS = st.from_regex(
    r"\AAWS4-HMAC-SHA256 Credential=[A-Z0-9]{1,20}/\d{8}/[a-z0-9-]{0,30}/[a-z-]{0,20}/", fullmatch=False
)
HEADER_VALUES = CREDENTIALS | st.text(max_size=200) | st.binary(max_size=100) | HUGE_STRINGS
HEADERS = st.dictionaries(
    st.sampled_from(["Authorization", "X-Amz-Date", "Content-Type", "Host", "X-Amz-Security-Token", "x-amzn-custom"]),
    HEADER_VALUES,
    max_size=4,
)


def assert_modelled(service: str, response: AWSResponse, fake: FakeChime) -> None:
    """The answer is one botocore parses into the operation's success or a modelled error."""
    spec = model.operation(service)
    assert spec is not None
    assert fake.internal_errors() == []
    assert response.status_code in {spec.success_status, *spec.errors.values()}
    operation = spec.model
    parsed = botocore.parsers.create_parser(operation.metadata["protocol"]).parse(
        botocore.endpoint.convert_to_response_dict(response, operation), operation.output_shape
    )
    if response.status_code == spec.success_status:
        assert parsed["Meeting"]["MeetingId"] in fake.meetings
    else:
        assert parsed["Error"]["Code"] in spec.errors
        assert spec.errors[parsed["Error"]["Code"]] == response.status_code


def prepared(service: str, body: bytes | str, headers: dict[str, Any]) -> AWSPreparedRequest:
    """A request as botocore hands it to before-send."""
    return AWSPreparedRequest("POST", URLS[service], HeadersDict(headers), body, False)


def fuzz(examples: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Run a property over ``examples`` drawn inputs, inside the calling test (no function-scoped state).

    Derandomized: the same inputs on every run, so a pass or a failure repeats.
    """
    return lambda test: settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )(test)


#: Drawn inputs for each fuzzing test in the default run (evidence runs draw hundreds).
QUICK_EXAMPLES = 50


def example_counts(full: int) -> pytest.MarkDecorator:
    """Parametrize ``examples``: a quick count in the default run, ``full`` as an evidence test."""
    return pytest.mark.parametrize(
        "examples",
        [QUICK_EXAMPLES, pytest.param(full, marks=pytest.mark.evidence)],
        ids=lambda count: f"{count}-examples",
    )


@pytest.mark.parametrize("service", SERVICES)
@example_counts(400)
def test_any_request_at_before_send_gets_a_modelled_answer(service: str, examples: int) -> None:
    statuses: list[int] = []

    @fuzz(examples)
    @given(body=bodies(service), headers=HEADERS)
    def check(body: bytes | str, headers: dict[str, Any]) -> None:
        request = prepared(service, body, headers)
        with FakeChime() as fake:
            response = wire._on_before_send(request=request, event_name=f"before-send.{service}.CreateMeeting")
            assert response is not None
            assert_modelled(service, response, fake)
            assert len(fake.calls) == 1
            statuses.append(response.status_code)

    check()
    assert_both_outcomes(service, statuses)


@cache
def unvalidated_client(service: str) -> Any:
    return make_client(service, parameter_validation=False, retries=NO_RETRIES)


@cache
def client_params(service: str) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword arguments for create_meeting: modelled member names, any values."""
    names = input_members(service)
    base = valid_request(service)
    return st.one_of(
        st.builds(lambda extra: {**base, **extra}, shaped(input_shape(service))),
        st.sampled_from(names).flatmap(
            lambda name: member_values(service, name).map(lambda value: {**base, name: value})
        ),
        st.fixed_dictionaries({}, optional={name: member_values(service, name) for name in names}),
    )


@pytest.mark.parametrize("service", SERVICES)
@example_counts(300)
def test_any_member_values_from_a_real_client_get_a_modelled_answer(service: str, examples: int) -> None:
    client = unvalidated_client(service)
    statuses: list[int] = []

    @fuzz(examples)
    @given(params=client_params(service))
    def check(params: dict[str, Any]) -> None:
        with FakeChime() as fake:
            try:
                response = client.create_meeting(**params)
            except ClientError as error:
                call = fake.calls[-1]
                assert error.response["Error"]["Code"] == call.error_code
                assert error.response["ResponseMetadata"]["HTTPStatusCode"] == call.status
                assert error.response["ResponseMetadata"]["RequestId"] == call.request_id
            except Exception:
                # botocore's serializer rejects some values itself (a string where it walks a
                # structure, an unknown nested member): then the request never reached the wire.
                # Anything else raised after the fake answered would be a bad answer.
                assert fake.calls == [], "the fake answered, yet botocore did not return or raise its answer"
            else:
                assert response["Meeting"]["MeetingId"] in fake.meetings
            assert fake.internal_errors() == []
            assert len(fake.calls) <= 1
            statuses.extend(call.status for call in fake.calls)

    check()
    assert_both_outcomes(service, statuses)
    assert len(statuses) >= examples // 3, "most drawn requests should reach the fake, or the test proves little"


def assert_both_outcomes(service: str, statuses: list[int]) -> None:
    """The drawn inputs exercised both the success path and the service's own rejections."""
    spec = model.operation(service)
    assert spec is not None
    assert spec.success_status in statuses
    assert 400 in statuses


def test_deep_nesting_is_a_bad_request_not_an_internal_error() -> None:
    request = prepared("chime-sdk-meetings", b"[" * 100_000, {})
    with FakeChime() as fake:
        response = wire._on_before_send(request=request, event_name="before-send.chime-sdk-meetings.CreateMeeting")
        assert response is not None
        assert response.status_code == 400
        assert fake.calls[0].error_code == "BadRequestException"
        assert "nested too deeply" in (fake.calls[0].message or "")


def test_a_region_with_an_empty_part_gets_a_region_code_without_failing() -> None:
    assert facts.region_code("us--east-1") == "ue1"
    placement = facts.media_placement(
        random.Random(0), meeting="m", media_region="us--east-1", control_region="a--b-1", legacy=False
    )
    assert placement["EventIngestionUrl"].startswith("https://data.svc.ab1.")


def test_an_answer_a_hook_made_unencodable_is_the_hook_error_and_leaves_no_meeting() -> None:
    client = make_client("chime-sdk-meetings", retries=NO_RETRIES)
    fake = FakeChime(on_meeting_created=lambda meeting, params: meeting.update(MediaRegion=object()))
    with fake:
        with pytest.raises(HookError, match=r"the hook <lambda> made the CreateMeeting answer") as raised:
            client.create_meeting(**valid_request("chime-sdk-meetings"))
        assert fake.meetings == {} and fake.calls == []
        assert fake.internal_errors() == []
        errors = fake.hook_errors()
        fake.reset()  # leave the with block cleanly: the failure was checked here
    assert "Meeting.MediaRegion" in str(raised.value)
    assert len(errors) == 1
