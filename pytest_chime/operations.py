"""The fake's table of operations: one handler and its service rules per operation."""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from . import caches, facts, model, protocol, validate
from .errors import ServiceError
from .validate import rule as rule  # rules are declared with it beside their handlers

if TYPE_CHECKING:
    from .engine import Engine
    from .model import OperationSpec
    from .validate import Violation


class Request(NamedTuple):
    """One call as the service sees it after decoding."""

    service: str
    operation: str
    #: The members, decoded from the URI, query string, headers and body.
    params: dict[str, Any]
    #: The control region the call was sent to.
    region: str


Handler = Callable[["Engine", Request], "dict[str, Any] | None"]
#: A service rule: the violations it finds in a request (the model's constraints are checked first).
Rule = Callable[[Request], "Iterable[Violation]"]


@dataclass(frozen=True)
class Operation:
    """An implemented operation: its handler and the service rules its requests obey."""

    name: str
    handler: Handler
    rules: tuple[Rule, ...] = ()
    #: The services whose operation of this name it answers (where their installed model has it).
    services: tuple[str, ...] = facts.MEETING_SERVICES


#: (service, operation name) -> the implementation, filled by the resource modules.
TABLE: dict[tuple[str, str], Operation] = {}


def operation(
    name: str, *, rules: Sequence[Rule] = (), services: Sequence[str] = facts.MEETING_SERVICES
) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of operation ``name`` of ``services``
    (the meetings services unless said)."""

    def register(handler: Handler) -> Handler:
        implementation = Operation(name, handler, tuple(rules), tuple(services))
        for service in services:
            if (service, name) in TABLE:
                raise RuntimeError(f"{service} {name} is implemented twice")
            TABLE[(service, name)] = implementation
        return handler

    return register


def find(name: str, service: str | None = None) -> Operation | None:
    """The implementation of ``service``'s operation ``name`` (None: of any served service's), or None."""
    if service is not None:
        return TABLE.get((service, name))
    return next((TABLE[(s, name)] for s in facts.SERVICES if (s, name) in TABLE), None)


def names(service: str | None = None) -> tuple[str, ...]:
    """The operations the table implements for ``service`` (None: for any), sorted, whatever botocore models."""
    return tuple(sorted({name for (owner, name) in TABLE if service in (None, owner)}))


class Route(NamedTuple):
    """What answering one operation of one service needs, looked up once."""

    spec: OperationSpec
    implementation: Operation
    #: The model's constraints, compiled: ``check(params, "", out)`` appends what the members break.
    check: Callable[[Any, str, list[Violation]], None]
    #: Item limits the documentation states where the model has none: ``limits(params, out)``, or None.
    limits: Callable[[Mapping[str, Any], list[Violation]], None] | None
    #: Where the request's members are on the wire.
    layout: protocol.Layout
    #: Where the answer's members go, and its success status.
    output: protocol.Output
    #: The service rules, each with the members it reads (None: it always runs).
    rules: tuple[tuple[tuple[str, ...] | None, Rule], ...]


@caches.cached(maxsize=256)
def route(service: str, name: str) -> Route | None:
    """How the fake answers ``service``'s ``name``, or None when it does not serve it."""
    found = TABLE.get((service, name))
    spec = model.operation(service, name)
    if found is None or spec is None:
        return None
    return Route(
        spec,
        found,
        *validate.compiled(service, name),
        protocol.layout(service, name),
        protocol.output(service, name),
        tuple((validate.rule_info(check).reads, check) for check in found.rules),
    )


def implemented(service: str | None = None) -> tuple[str, ...]:
    """The operations the fake answers for ``service`` (None: for any served service), sorted."""
    wanted = (service,) if service else facts.SERVICES
    return tuple(sorted({name for (owner, name) in TABLE if owner in wanted and model.operation(owner, name)}))


def rule_names(operation: str, service: str | None = None) -> tuple[str, ...]:
    """The names of the service rules ``operation`` declares (``Violation.rule``), in declaration order."""
    found = find(operation, service)
    if found is None:
        raise KeyError(f"{operation} is not implemented")
    return tuple(dict.fromkeys(name for check in found.rules for name in validate.rule_info(check).names))


def violations(found: Route, request: Request) -> list[Violation]:
    """Every rule ``request`` breaks: the model's constraints, then the operation's service rules."""
    params = request.params
    broken: list[Violation] = []
    found.check(params, "", broken)
    if found.limits is not None:
        found.limits(params, broken)
    for members, check in found.rules:
        if members is None:
            broken += check(request)
            continue
        for member in members:
            if member in params:
                broken += check(request)
                break
    return broken


def check(service: str, operation: str, params: dict[str, Any], region: str = facts.DEFAULT_REGION) -> list[Violation]:
    """The rules ``params`` breaks as ``service``'s ``operation`` sent to ``region`` (for tests and strategies)."""
    found = route(service, operation)
    if found is None:
        raise KeyError(f"{service} {operation} is not implemented")
    return violations(found, Request(service, operation, params, region))


# --- paging -----------------------------------------------------------------------------------

T = TypeVar("T")


def page(items: Sequence[tuple[int, T]], request: Request, *, scope: str, key: str) -> tuple[list[T], str | None]:
    """One page of ``items`` ((creation number, item) in creation order) and the next page's token.

    ``MaxResults`` defaults to the model's maximum. The token names the last item's
    creation number, so walking every page yields each item once even while items are
    added or deleted between pages. A token from another listing, or not one of ours, is
    a BadRequestException.
    """
    limit = request.params.get("MaxResults")
    if limit is None:
        limit = _page_size(request.service, request.operation)
    after = 0
    token = request.params.get("NextToken")
    if token is not None:
        after = _read_token(token, scope, key)
    rest = [(number, item) for number, item in items if number > after]
    chosen = rest[:limit]
    more = len(rest) > limit
    next_token = _token(scope, chosen[-1][0]) if more and chosen else None
    return [item for _, item in chosen], next_token


@caches.cached(maxsize=64)
def _page_size(service: str, operation: str) -> int:
    """A page's size when MaxResults is left out: the model's maximum, else ``facts.DEFAULT_PAGE_SIZE``."""
    spec = model.operation(service, operation)
    assert spec is not None
    size: int = spec.input_shape.members["MaxResults"].metadata.get("max", facts.DEFAULT_PAGE_SIZE)
    return size


def _token(scope: str, number: int) -> str:
    text = f"{scope}\n{number}"
    return base64.urlsafe_b64encode(f"{text}\n{_seal(text)}".encode()).decode("ascii")


def _seal(text: str) -> str:
    """A checksum of a token's text: a token changed by hand (or forged) does not carry it."""
    return hashlib.blake2b(text.encode(), digest_size=8, key=b"pytest-chime NextToken").hexdigest()


def _read_token(token: str, scope: str, key: str) -> int:
    try:
        text = base64.urlsafe_b64decode(token.encode("ascii")).decode("utf-8")
        body, seal = text.rsplit("\n", 1)
        found_scope, number = body.rsplit("\n", 1)
        if found_scope == scope and seal == _seal(body) and number.isdigit():
            return int(number)
    except (ValueError, UnicodeError, binascii.Error):
        pass
    raise ServiceError(
        "BadRequestException",
        f"Invalid {key}: pass the NextToken of the previous page of this listing, unchanged",
    )


# The resource modules register their operations in TABLE as they load.
from . import attendees, dialouts, meetings, pipelines, tags, transcription  # noqa: E402, F401
