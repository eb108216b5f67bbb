"""The fake over loopback HTTP (issue 22): real clients in other processes, the socket's answers, its life."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from pytest_chime import FakeChime, FakeChimeStateError, facts, model, operations
from pytest_chime.server import MAX_BODY, find, variable

from .conftest import SERVICES, make_client, valid_request

pytestmark = pytest.mark.loopback

AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261206/us-east-1/{name}/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64
)

#: boto3 in a child process that has only its environment: the steps given as JSON in argv[1].
CHILD = textwrap.dedent(
    """
    import json, sys, threading
    import boto3

    service, steps = json.loads(sys.argv[1])
    out = []
    lock = threading.Lock()

    def run(steps):
        client = boto3.session.Session().client(service)  # a client per thread, as boto3 advises
        for step in steps:
            call(client, step)

    def call(client, step):
        method, params = step
        try:
            answer = getattr(client, method)(**params)
            result = {k: v for k, v in answer.items() if k != "ResponseMetadata"}
            result["retries"] = answer["ResponseMetadata"]["RetryAttempts"]
        except client.exceptions.ClientError as error:
            result = {"error": error.response["Error"]["Code"]}
        with lock:
            out.append(result)

    if steps and steps[0] == "parallel":
        threads = [threading.Thread(target=run, args=(s,)) for s in steps[1]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        run(steps)
    print(json.dumps(out, default=str))
    """
)


def child(service: str, steps: Any) -> list[dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps([service, steps])], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout))


def raw(
    fake: FakeChime, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One request with http.client (no botocore: the fake's wire handlers do not see it)."""
    connection = http.client.HTTPConnection("127.0.0.1", port_of(fake))
    try:
        connection.request(method, path, body, headers or {})
        answer = connection.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    finally:
        connection.close()


def port_of(fake: FakeChime) -> int:
    return int(fake.endpoint_url(facts.MODERN).split(":")[2].split("/")[0])


def signed(name: str = "chime") -> dict[str, str]:
    return {"Authorization": AUTH.format(name=name), "X-Amz-Date": "20261206T000000Z"}


# --- real clients in other processes ---------------------------------------------------------


@pytest.mark.chime_error("ServiceUnavailableException", operation="CreateAttendee", times=1)
def test_boto3_in_a_subprocess_reaches_the_same_fake_with_its_own_retries(fake_chime_server, service):
    """The child has only the environment; the test mixes its own calls with the child's."""
    here = make_client(service)
    meeting = here.create_meeting(**valid_request(service))["Meeting"]
    meeting_id = meeting["MeetingId"]

    found = child(
        service,
        [
            ["get_meeting", {"MeetingId": meeting_id}],
            ["create_attendee", {"MeetingId": meeting_id, "ExternalUserId": "alice-in-the-child"}],
            ["list_attendees", {"MeetingId": meeting_id}],
        ],
    )

    assert found[0]["Meeting"] == meeting
    assert found[1]["retries"] == 1  # the child's botocore retried the 503 itself
    alice = found[1]["Attendee"]
    assert found[2]["Attendees"] == [alice]
    assert list(fake_chime_server.attendees[meeting_id]) == [alice["AttendeeId"]]
    assert here.list_attendees(MeetingId=meeting_id)["Attendees"] == [alice]
    assert [(c.operation, c.status) for c in fake_chime_server.calls] == [
        ("CreateMeeting", 200 if service == facts.MODERN else 201),
        ("GetMeeting", 200),
        ("CreateAttendee", 503),
        ("CreateAttendee", 200 if service == facts.MODERN else 201),
        ("ListAttendees", 200),
        ("ListAttendees", 200),
    ]
    here.delete_meeting(MeetingId=meeting_id)
    assert child(service, [["get_meeting", {"MeetingId": meeting_id}]]) == [{"error": "NotFoundException"}]


def test_parallel_clients_lose_nothing(fake_chime_server):
    """Eight threads of boto3 clients in a child create 80 attendees at once."""
    meeting_id = make_client(facts.MODERN).create_meeting(**valid_request(facts.MODERN))["Meeting"]["MeetingId"]
    steps = [
        [["create_attendee", {"MeetingId": meeting_id, "ExternalUserId": f"user-{t}-{n}"}] for n in range(10)]
        for t in range(8)
    ]
    found = child(facts.MODERN, ["parallel", steps])
    assert len(found) == 80 and all("Attendee" in item for item in found)
    assert len(fake_chime_server.attendees[meeting_id]) == 80
    assert len({item["Attendee"]["AttendeeId"] for item in found}) == 80
    assert len(fake_chime_server.calls_of("CreateAttendee", succeeded=True)) == 80


# --- the fixture, the properties, the life of the server ------------------------------------


def test_the_fixture_puts_the_environment_in_place(fake_chime_server):
    for service in SERVICES:
        name = variable(service)
        assert os.environ[name] == fake_chime_server.endpoint_url(service)
        assert fake_chime_server.endpoint_url(service).startswith("http://127.0.0.1:")
    assert os.environ["AWS_EC2_METADATA_DISABLED"] == "true"
    assert "AWS_ENDPOINT_URL_CHIME_SDK_MEETINGS" in fake_chime_server.environ


def test_variables_come_from_each_served_services_model():
    with FakeChime() as fake:
        fake.serve()
        names = {variable(s) for s in facts.SERVICES if model.service_model(s) is not None}
        assert names <= set(fake.environ)
        assert all(
            fake.environ[n].startswith(f"http://127.0.0.1:{fake.endpoint_url(facts.MODERN)[17:22]}") for n in names
        )
        with pytest.raises(ValueError, match="not served"):
            fake.endpoint_url("s3")


def test_real_keys_are_left_alone(monkeypatch):
    # Set before the fake starts: monkeypatch puts back, after the fake stops, what it found.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALKEY")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-secret")
    monkeypatch.setenv("AWS_REGION", "eu-west-2")
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    with FakeChime() as fake:
        environ = fake.serve().environ
        assert "AWS_ACCESS_KEY_ID" not in environ and "AWS_SECRET_ACCESS_KEY" not in environ
        assert environ["AWS_DEFAULT_REGION"] == "eu-west-2" and "AWS_REGION" not in environ


def test_the_server_never_outlives_its_fake():
    fake = FakeChime().start()
    with pytest.raises(FakeChimeStateError, match="not served"):
        fake.endpoint_url(facts.MODERN)
    port = port_of(fake.serve())
    assert fake.serve() is fake  # serving again: the same server
    status, _, _ = raw(fake, "GET", "/nothing")
    assert status == 404
    fake.stop()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    with pytest.raises(FakeChimeStateError, match="not served"):
        fake.environ  # noqa: B018
    with pytest.raises(FakeChimeStateError, match="start the FakeChime"):
        fake.serve()


# --- faithful at the socket ---------------------------------------------------------------------


def test_answers_are_byte_for_byte_the_in_process_ones():
    sent: list[Any] = []
    received: list[Any] = []
    client = make_client(facts.MODERN)
    client.meta.events.register("before-send", lambda request, **_: sent.append(request.body) and None)
    client.meta.events.register("after-call", lambda http_response, **_: received.append(http_response))
    with FakeChime(seed="bytes", scope="same") as fake:
        client.create_meeting(**valid_request(facts.MODERN))
    with FakeChime(seed="bytes", scope="same") as fake:
        status, headers, body = raw(fake.serve(), "POST", "/chime-sdk-meetings/meetings", sent[0], signed())
    expected = received[0]
    assert status == expected.status_code
    assert body == expected.content
    assert [k for k in headers] == list(expected.headers)
    assert {k: v for k, v in headers.items() if k != "Date"} == {
        k: v for k, v in expected.headers.items() if k != "Date"
    }


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 403, "MissingAuthenticationTokenException"),
        ({"Authorization": "AWS4-HMAC-SHA256 garbage"}, 403, "IncompleteSignatureException"),
        (signed("meetings-chime"), 403, "InvalidSignatureException"),
    ],
)
def test_a_request_needs_sigv4_for_the_services_signing_name(headers, status, code):
    with FakeChime() as fake:
        got, answer_headers, body = raw(fake.serve(), "POST", "/chime-sdk-meetings/meetings", b"{}", headers)
        assert (got, answer_headers["x-amzn-ErrorType"]) == (status, code)
        assert json.loads(body)["message"]
        assert fake.calls == []  # the front end answered: the service saw nothing


def test_the_region_comes_from_the_credential_scope():
    with FakeChime() as fake:
        body = json.dumps(valid_request(facts.MODERN, MediaRegion="eu-west-2")).encode()
        headers = {"Authorization": AUTH.format(name="chime").replace("us-east-1", "eu-west-2")}
        status, _, answer = raw(fake.serve(), "POST", "/chime-sdk-meetings/meetings", body, headers)
        assert status == 200
        assert ":eu-west-2:" in json.loads(answer)["Meeting"]["MeetingArn"]
        assert fake.last_call.region == "eu-west-2"


def test_bad_http_gets_aws_style_errors_and_the_server_keeps_serving():
    with FakeChime() as fake:
        fake.serve()
        port = port_of(fake)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"NONSENSE\r\n\r\n")
            answer = sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 400 ") and b"x-amzn-ErrorType: BadRequestException" in answer
        assert (
            raw(fake, "POST", "/chime-sdk-meetings/meetings", b"x" * 10, {"Content-Length": "-1", **signed()})[0] == 400
        )
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"POST /chime-sdk-meetings/meetings HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % (MAX_BODY + 1))
            answer = sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 413 ") and b"RequestEntityTooLargeException" in answer
        assert raw(fake, "GET", "/s3/bucket", b"", signed())[0] == 404
        status, headers, _ = raw(fake, "PATCH", "/chime-sdk-meetings/meetings", b"", signed())
        assert (status, headers["x-amzn-ErrorType"]) == (404, "UnknownOperationException")
        status, headers, _ = raw(fake, "POST", "/chime-sdk-meetings/meetings", b"{not json", signed())
        assert (status, headers["x-amzn-ErrorType"]) == (400, "BadRequestException")
        chunked = b'{"ClientRequestToken":"chunk-token","MediaRegion":"us-east-1","ExternalMeetingId":"chunky"}'
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(
                b"POST /chime-sdk-meetings/meetings HTTP/1.1\r\nTransfer-Encoding: chunked\r\nAuthorization: "
                + AUTH.format(name="chime").encode()
                + b"\r\nConnection: close\r\n\r\n%x\r\n%s\r\n0\r\n\r\n" % (len(chunked), chunked)
            )
            answer = b"".join(iter(lambda: sock.recv(65536), b""))
        assert answer.startswith(b"HTTP/1.1 200 ") and b'"ExternalMeetingId":"chunky"' in answer
        assert [c.status for c in fake.calls] == [400, 200]  # only what reached the service is a call


def test_an_operation_the_fake_does_not_implement_is_refused_as_in_process():
    unimplemented = [
        (s, n)
        for s in facts.SERVICES
        if model.service_model(s)
        for n in model.operation_names(s)
        if n == "ListAccounts"
    ]
    if not unimplemented:
        pytest.skip("this botocore's legacy chime has no ListAccounts")
    fake = FakeChime().start()
    try:
        status, headers, body = raw(fake.serve(), "GET", "/chime/accounts", b"", signed())
    finally:
        fake.stop()
    assert (status, headers["x-amzn-ErrorType"]) == (501, "UnsupportedOperationException")
    assert "does not implement chime ListAccounts" in json.loads(body)["message"]
    assert [(c.operation, c.refused is not None) for c in fake.refused_calls()] == [("ListAccounts", True)]


def test_operations_sharing_a_path_are_told_apart_by_the_query():
    with FakeChime() as fake:
        client = make_client(facts.MODERN)
        meeting_id = client.create_meeting(**valid_request(facts.MODERN))["Meeting"]["MeetingId"]
        body = json.dumps({"Attendees": [{"ExternalUserId": "batch-user"}]}).encode()
        path = f"/chime-sdk-meetings/meetings/{meeting_id}/attendees?operation=batch-create"
        status, _, answer = raw(fake.serve(), "POST", path, body, signed())
        assert status == 200 and json.loads(answer)["Attendees"][0]["ExternalUserId"] == "batch-user"
        body = json.dumps({"ExternalUserId": "single-user"}).encode()
        status, _, _ = raw(fake, "POST", f"/chime-sdk-meetings/meetings/{meeting_id}/attendees", body, signed())
        assert status == 200
        assert [c.operation for c in fake.calls] == ["CreateMeeting", "BatchCreateAttendee", "CreateAttendee"]


# --- outside pytest ----------------------------------------------------------------------------


def test_python_m_pytest_chime_serve_prints_the_variables_and_a_summary():
    server = subprocess.Popen(
        [sys.executable, "-m", "pytest_chime", "serve", "--seed", "compose", "--region", "eu-west-2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        exports = {}
        for line in server.stdout:
            if line.startswith("export "):
                name, value = line[7:].strip().split("=", 1)
                exports[name] = value
            if "AWS_EC2_METADATA_DISABLED" in exports:
                break
        url = exports["AWS_ENDPOINT_URL_CHIME_SDK_MEETINGS"]
        port = int(url.split(":")[2].split("/")[0])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        body = json.dumps(valid_request(facts.MODERN, MediaRegion="eu-west-2")).encode()
        connection.request("POST", "/chime-sdk-meetings/meetings", body, signed())
        assert connection.getresponse().status == 200
        connection.close()
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=30)
    assert server.returncode == 0, err
    assert "CreateMeeting" in out


@pytest.mark.parametrize("served_service", [s for s in facts.SERVICES if model.service_model(s) is not None])
def test_the_router_finds_every_operation_the_fake_answers(served_service):
    """The server is refused nothing it should answer: each implemented operation's own request URI,
    labels filled in, routes back to that operation."""
    spec = model.service_model(served_service)
    assert spec is not None
    for name in operations.implemented(served_service):
        http_spec = spec.operation_model(name).http
        path, _, query = str(http_spec["requestUri"]).partition("?")
        path = re.sub(r"\{[^}]+\}", "label-value", path)
        assert find(served_service, http_spec["method"], path, query) == name, name


def test_the_fixture_restores_the_environment_and_stops_serving(pytester):
    pytester.makepyfile(
        """
        import os
        import socket

        import pytest

        PORT = []


        def test_served(fake_chime_server):
            url = fake_chime_server.endpoint_url("chime-sdk-meetings")
            assert os.environ["AWS_ENDPOINT_URL_CHIME_SDK_MEETINGS"] == url
            PORT.append(int(url.split(":")[2].split("/")[0]))


        def test_after():
            assert not any(name.startswith("AWS_ENDPOINT_URL_") for name in os.environ)
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection(("127.0.0.1", PORT[0]), timeout=5).close()
        """
    )
    pytester.runpytest_inprocess("-p", "no:randomly", "-p", "no:cacheprovider").assert_outcomes(passed=2)
