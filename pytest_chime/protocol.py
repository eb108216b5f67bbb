"""rest-json as the Chime services speak it: requests read and answers written where the model puts each member."""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import parse_qsl, unquote, urlsplit

from . import caches, facts, validate

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest, AWSResponse
    from botocore.model import Shape

    from .model import OperationSpec

#: Compact JSON, as the services write it.
_JSON = json.JSONEncoder(separators=(",", ":"), check_circular=False)  # answers are trees: no cycle to find


class Reply(NamedTuple):
    """An answer: status, headers, the JSON body (None: no body) and its bytes."""

    status: int
    headers: dict[str, str]
    body: dict[str, Any] | None
    #: The body as sent (b"" for a bodiless answer).
    payload: bytes = b""


def reply(status: int, headers: dict[str, str], body: dict[str, Any] | None) -> Reply:
    """A Reply with its body encoded now, so an answer that cannot be encoded fails where it is made."""
    return Reply(status, headers, body, b"" if body is None else _JSON.encode(body).encode())


class Layout(NamedTuple):
    """Where an operation's members live on the wire."""

    #: The model's request URI template (for messages).
    template: str
    path: re.Pattern[str]
    #: URI label -> member name, in template order.
    labels: tuple[tuple[str, str], ...]
    #: query-string name -> (member name, shape).
    query: dict[str, tuple[str, Shape]]
    #: lower-cased header name -> (member name, shape).
    headers: dict[str, tuple[str, Shape]]
    #: Whether any input member is read from the JSON body.
    body: bool


def _location(shape: Shape) -> str:
    return str(shape.serialization.get("location", "body"))


@caches.cached(maxsize=256)
def layout(service: str, operation: str) -> Layout:
    """Where ``service``'s ``operation`` reads each input member (worked out once)."""
    from .model import operation as spec_of

    spec = spec_of(service, operation)
    assert spec is not None
    template = str(spec.model.http["requestUri"]).split("?", 1)[0]
    labels: list[tuple[str, str]] = []
    members = spec.input_shape.members if spec.model.input_shape is not None else {}
    by_label = {
        str(shape.serialization.get("name", name)): name for name, shape in members.items() if _location(shape) == "uri"
    }
    pattern = ""
    for piece in re.split(r"(\{[^}]+\})", template):
        if piece.startswith("{"):
            label = piece[1:-1]
            greedy = label.endswith("+")
            label = label.rstrip("+")
            labels.append((label, by_label.get(label, label)))
            pattern += "(.+)" if greedy else "([^/]*)"
        else:
            pattern += re.escape(piece)
    query = {
        str(shape.serialization.get("name", name)): (name, shape)
        for name, shape in members.items()
        if _location(shape) == "querystring"
    }
    headers = {
        str(shape.serialization.get("name", name)).lower(): (name, shape)
        for name, shape in members.items()
        if _location(shape) == "header"
    }
    body = any(_location(shape) == "body" for shape in members.values())
    return Layout(
        str(spec.model.http["requestUri"]), re.compile(f"(?:.*?){pattern}/?$"), tuple(labels), query, headers, body
    )


def _scalar(text: str, shape: Shape) -> Any:
    """A query-string or header value as the service reads it (an unreadable one stays text, to be rejected)."""
    kind = shape.type_name
    if kind in ("integer", "long"):
        try:
            return int(text)
        except ValueError:
            return text
    if kind == "boolean":
        return {"true": True, "false": False}.get(text, text)
    return text


def read(request: AWSPreparedRequest, layout: Layout) -> tuple[dict[str, Any], str | None]:
    """The request's members, each read where ``layout`` puts it, and why it could not be read (or None)."""
    if not layout.labels and not layout.query and not layout.headers:  # CreateMeeting's shape: a body at most
        return _json_body(request.body) if layout.body else ({}, None)
    params: dict[str, Any] = {}
    split = urlsplit(request.url)
    if layout.labels:
        found = layout.path.match(split.path)
        if found is None:
            return {}, f"The request path {validate.shown(split.path)} does not match {layout.template!r}"
        for (_, member), value in zip(layout.labels, found.groups(), strict=True):
            params[member] = unquote(value)
    if layout.query and split.query:
        for key, value in parse_qsl(split.query, keep_blank_values=True):
            target = layout.query.get(key)
            if target is not None:
                member, shape = target
                if shape.type_name == "list":
                    params.setdefault(member, []).append(_scalar(value, shape.member))
                else:
                    params[member] = _scalar(value, shape)
    if layout.headers:
        for key, value in request.headers.items():
            name = key.decode("ascii", "replace") if isinstance(key, bytes) else str(key)
            target = layout.headers.get(name.lower())
            if target is not None:
                text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
                params[target[0]] = _scalar(text, target[1])
    if not layout.body:
        return params, None
    body, problem = _json_body(request.body)
    for name, value in body.items():
        params.setdefault(name, value)
    return params, problem


def _json_body(body: Any) -> tuple[dict[str, Any], str | None]:
    if body is None or body == b"" or body == "":
        return {}, None
    if not isinstance(body, (bytes, str)) and hasattr(body, "read"):
        body = body.read()
    try:
        # The service reads UTF-8 JSON (what botocore sends); decoding first skips json's encoding sniffing.
        params = json.loads(body.decode("utf-8") if isinstance(body, bytes) else body)
    except (ValueError, UnicodeDecodeError) as exc:
        return {}, f"Could not parse request body into json: {exc}"
    except RecursionError:  # nesting deeper than Python's parser goes: the service rejects it too
        return {}, "Could not parse request body into json: the document is nested too deeply"
    if not isinstance(params, dict):
        return {}, f"Request body must be a JSON object, not {type(params).__name__}"
    return params, None


# --- answers --------------------------------------------------------------------------------


class Output(NamedTuple):
    """Where an operation's answer puts each output member, and its success status."""

    status: int
    #: Output member -> the header it is sent as.
    headers: dict[str, str]
    #: Output members sent in the JSON body (none: a bodiless answer).
    body: frozenset[str]


@caches.cached(maxsize=256)
def output(service: str, operation: str) -> Output:
    """How ``service``'s ``operation`` answers (worked out once)."""
    from .model import operation as spec_of

    spec = spec_of(service, operation)
    assert spec is not None
    if spec.model.output_shape is None:
        return Output(spec.success_status, {}, frozenset())
    members = spec.output_shape.members
    headers = {
        name: str(shape.serialization.get("name", name))
        for name, shape in members.items()
        if _location(shape) == "header"
    }
    body = frozenset(name for name, shape in members.items() if _location(shape) == "body")
    return Output(spec.success_status, headers, body)


def success(layout: Output, result: dict[str, Any] | None, request_id: str) -> Reply:
    """The success answer for ``result`` (output member -> value), by each member's location."""
    header_members, body_members = layout.headers, layout.body
    headers = {"x-amzn-RequestId": request_id}
    if not body_members:
        return Reply(layout.status, headers, None, b"")
    if header_members or not result or not body_members.issuperset(result):
        body = {}
        for name, value in (result or {}).items():
            if name in body_members:
                body[name] = value
            elif name in header_members:
                headers[header_members[name]] = str(value)
    else:  # every member goes in the body (the usual case): the result is the body
        body = result
    return Reply(layout.status, headers, body, _JSON.encode(body).encode())


def error(spec: OperationSpec | None, code: str, message: str, request_id: str, *, body_code: str) -> Reply:
    """The error answer: modelled status, ``x-amzn-ErrorType``, header-bound members, the JSON envelope."""
    headers = {"x-amzn-RequestId": request_id, "x-amzn-ErrorType": code}
    status = 500
    if spec is not None and code in spec.errors:
        status = spec.errors[code]
        for member in spec.error_shape(code).members.values():
            if member.serialization.get("location") == "header":
                headers[member.serialization["name"]] = facts.RETRY_AFTER_SECONDS
    return reply(status, headers, {"Code": body_code, "Message": message, "RequestId": request_id})


class _Body(io.BytesIO):
    """A response body that reads like urllib3's."""

    def stream(self, amt: int | None = None, decode_content: bool | None = None) -> Iterator[bytes]:
        chunk = self.read(amt)  # all of it at once unless asked for less, as urllib3 may
        while chunk:
            yield chunk
            chunk = self.read(amt)


@caches.cached(maxsize=1)
def _http_date(second: int) -> str:
    """The Date header's value for ``second`` (one entry: a second's answers share it)."""
    from email.utils import formatdate

    return formatdate(second, usegmt=True)


@caches.cached(maxsize=1)
def _response_class() -> type[AWSResponse]:
    from botocore import awsrequest

    cls: type[AWSResponse] = awsrequest.AWSResponse
    return cls


@caches.cached(maxsize=1)
def _aio_classes() -> tuple[type, type]:
    """aiobotocore's response class and the fake's async body (imported once an async call is answered)."""
    from . import aio

    return aio.response_class(), aio.Body


def head(answer: Reply) -> dict[str, str]:
    """The HTTP headers of ``answer``, as the service sends them (the loopback server writes the same)."""
    date = _http_date(int(time.time()))
    if answer.body is None:
        return {"Date": date, "Content-Length": "0", "Connection": "keep-alive", **answer.headers}
    return {
        "Date": date,
        "Content-Type": "application/json",
        "Content-Length": str(len(answer.payload)),
        "Connection": "keep-alive",
        **answer.headers,
    }


def encode(answer: Reply, url: str, *, aio: bool = False) -> AWSResponse:
    """The HTTP response botocore parses: status, headers and (unless bodiless) a JSON body.

    ``aio``: for aiobotocore, an ``AioAWSResponse`` whose body is read with ``await``.
    """
    headers = head(answer)
    body = answer.payload
    if aio:
        response_class, body_class = _aio_classes()
        response: AWSResponse = response_class(url, answer.status, headers, body_class(body))
        return response
    return _response_class()(url, answer.status, headers, _Body(body))
