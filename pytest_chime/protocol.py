"""rest-json, as the Chime services speak it: requests decoded and answers encoded by location.

Each input member is read from where the installed model puts it: the URI
(``/meetings/{MeetingId}``), the query string (``max-results``), a header, or the JSON
body. An answer's output members go back the same way; an answer with no body members
(DeleteMeeting's 204) has no body at all. Errors carry their modelled status, the
``x-amzn-ErrorType`` header and the service's ``{"Code", "Message", "RequestId"}`` body.
"""

from __future__ import annotations

import functools
import io
import re
import time as _time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import parse_qsl, unquote, urlsplit

from . import facts

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest, AWSResponse
    from botocore.model import Shape

    from .model import OperationSpec


class Reply(NamedTuple):
    """An answer: status, headers, the JSON body (None: no body) and its bytes."""

    status: int
    headers: dict[str, str]
    body: dict[str, Any] | None
    #: The body as sent (b"" for a bodiless answer).
    payload: bytes = b""


def reply(status: int, headers: dict[str, str], body: dict[str, Any] | None) -> Reply:
    """A Reply with its body encoded now, so an answer that cannot be encoded fails where it is made."""
    return Reply(status, headers, body, b"" if body is None else _encode_json(body).encode())


def _encode_json(value: Any) -> str:
    """Compact JSON (json's C encoder, made on first use)."""
    global _encode_json
    _encode_json = _json_encoder()  # type: ignore[assignment]  # replaced by the encoder itself
    return _encode_json(value)


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


@functools.cache
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


def decode(request: AWSPreparedRequest, spec: OperationSpec) -> tuple[dict[str, Any], str | None]:
    """The request's members by the model's locations, and why it could not be read (or None)."""
    return read(request, layout(spec.service, spec.name))


def read(request: AWSPreparedRequest, layout: Layout) -> tuple[dict[str, Any], str | None]:
    """:func:`decode` with the operation's layout in hand (the wire looks it up once per operation)."""
    if not layout.labels and not layout.query and not layout.headers:  # CreateMeeting's shape: a body at most
        return _json_body(request.body) if layout.body else ({}, None)
    params: dict[str, Any] = {}
    split = urlsplit(request.url)
    if layout.labels:
        found = layout.path.match(split.path)
        if found is None:
            return {}, f"The request path {split.path!r} does not match {layout.template!r}"
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
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        params = None
        if text[:1] == "{":  # one JSON object and nothing more (botocore's body) goes to json's scanner directly
            try:
                params, end = (_scan or _make_scanner())(text, 0)
            except (StopIteration, ValueError):
                params = None  # json.loads says why, in its words
            else:
                if end != len(text):
                    params = None
        if params is None:
            import json

            params = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        return {}, f"Could not parse request body into json: {exc}"
    except RecursionError:  # nesting deeper than Python's parser goes: the service rejects it too
        return {}, "Could not parse request body into json: the document is nested too deeply"
    if not isinstance(params, dict):
        return {}, f"Request body must be a JSON object, not {type(params).__name__}"
    return params, None


def _make_scanner() -> Callable[[str, int], tuple[Any, int]]:
    global _scan
    import json
    import json.scanner

    _scan = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]  # typeshed names the class
    return _scan


#: json's scanner (C where available), made on first use: ``_scan(text, index) -> (value, end)``.
_scan: Callable[[str, int], tuple[Any, int]] | None = None


# --- answers --------------------------------------------------------------------------------


class Output(NamedTuple):
    """Where an operation's answer puts each output member, and its success status."""

    status: int
    #: Output member -> the header it is sent as.
    headers: dict[str, str]
    #: Output members sent in the JSON body (none: a bodiless answer).
    body: frozenset[str]


@functools.cache
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
    # tuple.__new__: a NamedTuple's own __new__ is a Python function (this is every answer's path)
    return tuple.__new__(Reply, (layout.status, headers, body, _encode_json(body).encode()))


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


@functools.cache
def _json_encoder() -> Callable[[Any], str]:
    """Compact JSON, with json's C encoder made once (``JSONEncoder.encode`` makes it per call)."""
    import json

    plain = json.JSONEncoder(separators=(",", ":"))
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return plain.encode
    chunks = make(None, plain.default, json.encoder.encode_basestring_ascii, None, ":", ",", False, False, True)
    return lambda value: "".join(chunks(value, 0))


#: (second, its HTTP date): formatting the Date header once a second, not per call.
_date: tuple[int, str] = (0, "")


@functools.cache
def _response_class() -> type[AWSResponse]:
    from botocore import awsrequest

    cls: type[AWSResponse] = awsrequest.AWSResponse
    return cls


def encode(answer: Reply, url: str, *, aio: bool = False) -> AWSResponse:
    """The HTTP response botocore parses: status, headers and (unless bodiless) a JSON body.

    ``aio``: for aiobotocore, an ``AioAWSResponse`` whose body is read with ``await``.
    """
    global _date
    now = int(_time.time())
    if _date[0] != now:
        from email.utils import formatdate

        _date = (now, formatdate(now, usegmt=True))
    body = answer.payload
    if answer.body is None:
        headers = {"Date": _date[1], "Content-Length": "0", "Connection": "keep-alive", **answer.headers}
    else:
        headers = {
            "Date": _date[1],
            "Content-Type": "application/json",
            "Content-Length": str(len(body)),
            "Connection": "keep-alive",
            **answer.headers,
        }
    if aio:
        response_class, body_class = _aio_classes or _load_aio_classes()
        response: AWSResponse = response_class(url, answer.status, headers, body_class(body))
        return response
    return _response_class()(url, answer.status, headers, _Body(body))


#: aiobotocore's response class and the fake's async body, once an async call is first answered.
_aio_classes: tuple[type, type] | None = None


def _load_aio_classes() -> tuple[type, type]:
    global _aio_classes
    from . import aio

    _aio_classes = (aio.response_class(), aio.Body)
    return _aio_classes
