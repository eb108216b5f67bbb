"""The fake over loopback HTTP: other processes and languages reach the same engine.

Why it is built this way (a path prefix per service, the 403 answers, the bounds): docs/processes.rst.
"""

from __future__ import annotations

import os
import re
import socket
import socketserver
import threading
import uuid
from collections.abc import Mapping
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

from . import caches, facts, model, operations, protocol, wire
from .errors import ChimeFakeError

if TYPE_CHECKING:
    from .engine import Engine
    from .protocol import Reply

#: The only address the server binds (and the only one its URLs name).
HOST = "127.0.0.1"
#: The largest request body read; a larger one is answered 413 unread.
MAX_BODY = 10 * 1024 * 1024
#: The longest request line or header line read, and the most header lines.
_MAX_LINE = 65536
_MAX_HEADERS = 100
#: The front end's error codes for HTTP it cannot read (what AWS's front end answers, JSON).
_HTTP_ERRORS = {
    400: "BadRequestException",
    404: "UnknownOperationException",
    408: "RequestTimeoutException",
    411: "LengthRequiredException",
    413: "RequestEntityTooLargeException",
    414: "RequestURITooLongException",
    431: "RequestHeaderFieldsTooLargeException",
    501: "NotImplementedException",
}
_CREDENTIAL = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=[^/,\s]+/(\d{8})/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request\s*,"
    r".*SignedHeaders=[^,\s]+.*Signature=[0-9a-f]+",
    re.S,
)


@caches.cached(maxsize=1)
def served() -> tuple[str, ...]:
    """The services the server answers: every served service the installed botocore models."""
    return tuple(service for service in facts.SERVICES if model.service_model(service) is not None)


def variable(service: str) -> str:
    """The endpoint variable botocore, the aws CLI and the JavaScript SDK read for ``service``."""
    spec = model.service_model(service)
    if spec is None:
        raise ValueError(f"the installed botocore does not model {service!r}")
    return "AWS_ENDPOINT_URL_" + str(spec.service_id).replace(" ", "_").replace("-", "_").upper()


# --- routing: method, path and query to an operation -----------------------------------------------


class _Target(NamedTuple):
    operation: str
    path: re.Pattern[str]
    #: The query discriminators of the request URI (``operation=batch-create``); value None: any.
    query: tuple[tuple[str, str | None], ...]


def _target(name: str, uri: str) -> _Target:
    path, _, query = uri.partition("?")
    pattern = ""
    for piece in re.split(r"(\{[^}]+\})", path):
        if piece.startswith("{"):
            pattern += ".+" if piece.endswith("+}") else "[^/]+"
        else:
            pattern += re.escape(piece)
    wanted = tuple((key, value or None) for key, value in parse_qsl(query, keep_blank_values=True))
    return _Target(name, re.compile(pattern), wanted)


@caches.cached(maxsize=8)
def _routes(service: str) -> dict[tuple[str, str], tuple[_Target, ...]]:
    """(method, first path segment or "" for a label) -> the modelled operations there, most specific first."""
    spec = model.service_model(service)
    assert spec is not None
    table: dict[tuple[str, str], list[_Target]] = {}
    for name in spec.operation_names:
        http = spec.operation_model(name).http
        uri = str(http["requestUri"])
        first = uri.partition("?")[0].split("/", 2)[1] if uri.startswith("/") else ""
        table.setdefault((str(http["method"]), "" if first.startswith("{") else first), []).append(_target(name, uri))
    return {
        key: tuple(sorted(found, key=lambda t: (-len(t.query), -len(t.path.pattern.replace("[^/]+", "")))))
        for key, found in table.items()
    }


def find(service: str, method: str, path: str, query: str) -> str | None:
    """The operation of ``service`` a request is for (path without the service's prefix), or None."""
    routes = _routes(service)
    first = path.split("/", 2)[1] if path.startswith("/") and len(path) > 1 else ""
    pairs: dict[str, str] | None = None
    for key in ((method, first), (method, "")):
        for target in routes.get(key, ()):
            if target.path.fullmatch(path) is None:
                continue
            if target.query:
                if pairs is None:
                    pairs = dict(parse_qsl(query, keep_blank_values=True))
                if any(pairs.get(k) is None or (v is not None and pairs[k] != v) for k, v in target.query):
                    continue
            return target.operation
    return None


# --- answers of the front end (before the service) ------------------------------------------------


def front_error(status: int, code: str, message: str) -> Reply:
    """An answer of AWS's front end: ``x-amzn-ErrorType`` and a ``{"message": ...}`` body; no call is recorded."""
    request_id = str(uuid.uuid4())
    return protocol.reply(status, {"x-amzn-RequestId": request_id, "x-amzn-ErrorType": code}, {"message": message})


def credential_scope(authorization: str | None, service: str) -> tuple[str, Reply | None]:
    """The region of a SigV4 ``Authorization`` header's scope, or the 403 answer to a request without a valid one."""
    if not authorization:
        return "", front_error(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
    found = _CREDENTIAL.match(authorization.strip())
    if found is None:
        return "", front_error(
            403,
            "IncompleteSignatureException",
            "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters "
            "(AWS4-HMAC-SHA256 with the scope <key>/<date>/<region>/<service>/aws4_request).",
        )
    region, signed_for = found.group(2), found.group(3)
    signing_name = _signing_name(service)
    if signed_for != signing_name:
        return "", front_error(
            403, "InvalidSignatureException", f"Credential should be scoped to correct service: '{signing_name}'. "
        )
    return region, None


@caches.cached(maxsize=8)
def _signing_name(service: str) -> str:
    spec = model.service_model(service)
    assert spec is not None
    return str(spec.signing_name)


class _Request(NamedTuple):
    """What protocol.read reads (botocore's prepared request has the same three)."""

    url: str
    headers: Any
    body: bytes


def respond(engine: Engine, method: str, target: str, headers: Any, body: bytes) -> Reply:
    """The answer to one HTTP request (``target``: the request line's path and query) from ``engine``."""
    split = urlsplit(target)
    path = split.path
    service, _, rest = path[1:].partition("/")
    if service not in served():
        return front_error(
            404,
            "UnknownOperationException",
            f"Nothing is served at {path[:200]!r}: the endpoints are /{', /'.join(served())} (see fake.environ)",
        )
    scope_region, refused = credential_scope(headers.get("authorization"), service)
    if refused is not None:
        return refused
    rest = "/" + rest
    name = find(service, method, rest, split.query)
    if name is None:
        return front_error(404, "UnknownOperationException", f"{service} has no operation at {method} {rest[:200]!r}")
    region = wire.where(HOST, service, scope_region)[0]
    route = operations.route(service, name)
    if route is None:
        reason = wire.refusal(service, name)
        engine.refuse(service, name, reason, region=region)
        return front_error(501, "UnsupportedOperationException", reason)
    try:
        params, problem = protocol.read(_Request(target, headers, body), route.layout)
        return engine.answer(route, params, region, problem)
    except ChimeFakeError as error:  # a hook's error: the engine recorded it, and it fails the test
        code = "ServiceFailureException"
        return protocol.error(route.spec, code, str(error), str(uuid.uuid4()), body_code=facts.body_code(code))
    except Exception as error:  # a fake bug: recorded, answered as the service's failure
        return engine.internal_failure(service, name, error)


def response(reply: Reply) -> bytes:
    """The whole HTTP/1.1 response to write: status line, the in-process fake's headers, body."""
    lines = [f"HTTP/1.1 {reply.status} {_phrase(reply.status)}"]
    lines += [f"{name}: {value}" for name, value in protocol.head(reply).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + reply.payload


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


# --- the server -----------------------------------------------------------------------------------


class _Headers(dict[str, str]):
    """A request's headers, by lower-cased name (repeated ones joined with ", ")."""


class _Handler(socketserver.StreamRequestHandler):
    """HTTP/1.1 with keep-alive, read by hand: http.server's email-based header parsing costs more
    than the fake's answer. What cannot be read gets an AWS-style JSON error and the connection closes."""

    #: An idle keep-alive connection is closed after this many seconds.
    timeout = 60
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.opened(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.closed(self.connection)

    def handle(self) -> None:
        try:
            while self._one():
                pass
        except (OSError, ValueError):  # the client went away, timed out, or the server closed the connection
            pass

    def _fail(self, status: int, message: str) -> bool:
        self.wfile.write(response(front_error(status, _HTTP_ERRORS.get(status, "BadRequestException"), message)))
        return False

    def _one(self) -> bool:
        """Read and answer one request; whether to read another on this connection."""
        line = self.rfile.readline(_MAX_LINE + 1)
        while line in (b"\r\n", b"\n"):  # blank lines before a request are allowed (RFC 9112)
            line = self.rfile.readline(_MAX_LINE + 1)
        if not line:
            return False
        if len(line) > _MAX_LINE:
            return self._fail(414, "The request line is too long")
        parts = line.decode("latin-1").split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/1.") or not parts[1].startswith("/"):
            return self._fail(400, f"Malformed request line: {line[:100]!r}")
        method, target, version = parts
        headers = _Headers()
        for _ in range(_MAX_HEADERS + 1):
            raw = self.rfile.readline(_MAX_LINE + 1)
            if raw in (b"\r\n", b"\n"):
                break
            if not raw:
                return False
            if len(raw) > _MAX_LINE:
                return self._fail(431, "A request header is too long")
            name, colon, value = raw.decode("latin-1").partition(":")
            if not colon or not name or name != name.strip():
                return self._fail(400, f"Malformed request header: {raw[:100]!r}")
            key = name.lower()
            value = value.strip()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        else:
            return self._fail(431, f"More than {_MAX_HEADERS} request headers")
        keep = headers.get("connection", "").lower()
        again = "close" not in keep and (version != "HTTP/1.0" or "keep-alive" in keep)
        body = self._body(headers)
        if body is None:
            return False
        reply = respond(self.server.engine, method, target, headers, body)
        self.wfile.write(response(reply))
        return again

    def _body(self, headers: _Headers) -> bytes | None:
        """The request body (None: answered already, as malformed or too large; the connection closes)."""
        if headers.get("expect", "").lower() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return self._chunked()
        length = headers.get("content-length")
        if length is None:
            return b""
        if not length.isdigit():
            self._fail(400, f"Invalid Content-Length: {length[:40]!r}")
            return None
        size = int(length)
        if size > MAX_BODY:
            self._fail(413, f"The request body ({size} bytes) is over the {MAX_BODY} bytes served")
            return None
        body = self.rfile.read(size)
        if len(body) < size:
            return None  # the client went away mid-body
        return body

    def _chunked(self) -> bytes | None:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024).split(b";", 1)[0].strip()
            try:
                size = int(line, 16)
            except ValueError:
                self._fail(400, "Malformed chunked request body")
                return None
            total += size
            if total > MAX_BODY:
                self._fail(413, f"The request body is over the {MAX_BODY} bytes served")
                return None
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)


class _HTTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, port: int, engine: Engine) -> None:
        self.engine = engine
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__((HOST, port), _Handler)

    def opened(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(connection)

    def closed(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    def close_connections(self) -> None:
        with self._connections_lock:
            open_now = list(self._connections)
        for connection in open_now:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-request is no failure of the fake's."""


class LoopbackServer:
    """One fake's engine served on ``http://127.0.0.1:<port>/<service>``, in daemon threads."""

    def __init__(self, engine: Engine, port: int = 0) -> None:
        self._httpd = _HTTPServer(port, engine)
        #: The port bound on 127.0.0.1.
        self.port: int = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"pytest-chime server 127.0.0.1:{self.port}",
            daemon=True,
        )
        self._thread.start()

    def url(self, service: str) -> str:
        """``service``'s base URL (a path prefix tells services that share request paths apart)."""
        if service not in served():
            raise ValueError(f"{service!r} is not served here; served: {', '.join(served())}")
        return f"http://{HOST}:{self.port}/{service}"

    def environ(self, region: str, environment: Mapping[str, str] = os.environ) -> dict[str, str]:
        """The variables another process needs: endpoints, the dummy keys and a region where none are set."""
        found = {variable(service): self.url(service) for service in served()}
        key = environment.get("AWS_ACCESS_KEY_ID")
        if (not key and not environment.get("AWS_SECRET_ACCESS_KEY")) or key == facts.DUMMY_ACCESS_KEY_ID:
            found |= {"AWS_ACCESS_KEY_ID": facts.DUMMY_ACCESS_KEY_ID, "AWS_SECRET_ACCESS_KEY": facts.DUMMY_SECRET_KEY}
        region = environment.get("AWS_REGION") or environment.get("AWS_DEFAULT_REGION") or region
        for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):  # the JavaScript SDK reads the first, botocore the second
            if not environment.get(name):
                found[name] = region
        found["AWS_EC2_METADATA_DISABLED"] = "true"
        return found

    def close(self) -> None:
        """Stop serving: the port is closed and open connections are cut when this returns."""
        self._httpd.shutdown()
        self._httpd.server_close()
        self._httpd.close_connections()
        self._thread.join()
