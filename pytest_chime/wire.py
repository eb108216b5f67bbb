"""Install and route: botocore's event hooks and patches, and which fake is active.

The fake answers at ``before-send`` with a real ``AWSResponse`` (made by
:mod:`pytest_chime.protocol`), so botocore's own
serializer, signer, parser, retry handler and exception factory all run. Handlers are
registered once, through ``botocore.handlers.BUILTIN_HANDLERS``, so every session
created afterwards (and every client of it) carries them; they do nothing while no
fake is active. botocore is imported lazily: an import hook applies the patches when
the code under test imports botocore's modules itself.
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.machinery
import re
import sys
import threading
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import facts, operations, protocol
from .errors import ChimeFakeError, FakeChimeStateError, UnsupportedOperationError

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest, AWSResponse

    from .fake import FakeChime

_stack: list[FakeChime] = []
_stack_lock = threading.Lock()
#: ``fake``: the fake answering the current Chime call on this thread (for sleeps).
_local = threading.local()
_UNSIGNED = "pytest_chime.unsigned"


def active() -> FakeChime | None:
    """The fake answering Chime calls now (the innermost started), or None."""
    stack = _stack
    return stack[-1] if stack else None


def activate(fake: FakeChime) -> None:
    """Make ``fake`` answer every Chime call until ``deactivate``."""
    install()
    with _stack_lock:
        if fake in _stack:
            raise FakeChimeStateError("this FakeChime is already started; stop() it before starting it again")
        _stack.append(fake)


def deactivate(fake: FakeChime) -> None:
    """Stop ``fake`` answering; it must be the innermost active fake."""
    with _stack_lock:
        if not _stack or _stack[-1] is not fake:
            state = "not started" if fake not in _stack else "not the innermost active FakeChime"
            raise FakeChimeStateError(f"cannot stop this FakeChime: it is {state}; stop nested fakes innermost first")
        _stack.pop()


# --- event handlers -----------------------------------------------------------------------


def _on_before_call(request_signer: Any = None, context: Any = None, **_: Any) -> None:
    # A client without credentials would raise NoCredentialsError while signing: the
    # fake needs none, so such a client's calls go unsigned while a fake is active.
    if _stack and context is not None and getattr(request_signer, "_credentials", True) is None:
        context[_UNSIGNED] = True


def _on_choose_signer(context: Any = None, **_: Any) -> Any:
    if _stack and context is not None and context.get(_UNSIGNED):
        import botocore

        return botocore.UNSIGNED
    return None


def _refusal(service: str, operation: str) -> str:
    return (
        f"pytest-chime's fake does not implement {service} {operation}, so the call was stopped before reaching "
        f"the network. Implemented on {service}: {', '.join(operations.implemented(service)) or 'nothing'}. "
        "Serve it another way (a botocore Stubber) or ask for it."
    )


def _on_before_send(request: AWSPreparedRequest, event_name: str, **_: Any) -> AWSResponse | None:
    if not _stack:
        return None
    fake = _stack[-1]
    service, operation = event_name.split(".", 2)[1:]
    route = operations.route(service, operation)
    if route is None:
        reason = _refusal(service, operation)
        fake.refuse(service, operation, reason, region=client_region(request, service, fake.region))
        raise UnsupportedOperationError(reason)
    _local.fake = fake
    reply = None
    try:
        params, problem = protocol.decode(request, route.spec)
        reply = fake.handle(
            service, operation, params, region=client_region(request, service, fake.region), decode_error=problem
        )
        return protocol.encode(reply, request.url)  # inside: a result a hook made unencodable is a failure too
    except ChimeFakeError:
        raise
    except Exception as error:  # a fake bug must not escape into botocore as something else
        replaces = reply.headers.get("x-amzn-RequestId") if reply is not None else None
        return protocol.encode(fake.internal_failure(service, operation, error, replaces=replaces), request.url)


def _on_call_done(**_: Any) -> None:
    _local.fake = None


def _handler_specs() -> list[tuple[str, Callable[..., Any]]]:
    specs: list[tuple[str, Callable[..., Any]]] = []
    for service in facts.SERVICES:
        specs += [
            (f"before-call.{service}", _on_before_call),
            (f"choose-signer.{service}", _on_choose_signer),
            (f"before-send.{service}", _on_before_send),
            (f"after-call.{service}", _on_call_done),
            (f"after-call-error.{service}", _on_call_done),
        ]
    return specs


# --- where a request went -----------------------------------------------------------------

_CREDENTIAL_REGION = r"Credential=[^/,\s]+/\d{8}/([a-z0-9-]+)/"
_HOST_REGION = r"meetings-chime(?:-fips)?\.([a-z0-9-]+)\."


@functools.cache
def _regex(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled on first use (compiling at import would slow pytest's start-up)."""
    return re.compile(pattern)


def client_region(request: AWSPreparedRequest, service: str, default: str) -> str:
    """The control region a request went to: the endpoint's host, then the signing scope, then ``default``."""
    if service == facts.LEGACY:
        return facts.LEGACY_CONTROL_REGION
    url = request.url
    start = url.find("://") + 3
    found = _regex(_HOST_REGION).match(url, start if start > 2 else 0)
    if found:
        return found.group(1)
    auth = request.headers.get("Authorization")
    if auth:
        text = auth.decode("ascii", "replace") if isinstance(auth, bytes) else str(auth)
        found = _regex(_CREDENTIAL_REGION).search(text)
        if found:
            return found.group(1)
    return default


# --- installation -------------------------------------------------------------------------


def _install_handlers(handlers: ModuleType) -> None:
    builtin = handlers.BUILTIN_HANDLERS
    specs = _handler_specs()
    if specs[0] in builtin:
        return
    builtin.extend(specs)
    # Sessions made before now lack the handlers; boto3's default one is the one that matters.
    boto3 = sys.modules.get("boto3")
    session = getattr(boto3, "DEFAULT_SESSION", None)
    events = getattr(getattr(session, "_session", None), "_events", None)
    if events is not None:
        for event, handler in specs:
            events.register(event, handler, unique_id=f"pytest-chime-{event}")


class _InterceptingTime:
    """``botocore.endpoint``'s ``time``: sleeps for fake-answered calls are recorded, not slept."""

    def __init__(self, real: ModuleType) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def sleep(self, seconds: float) -> None:
        fake = getattr(_local, "fake", None)
        if fake is not None and not fake.real_sleep:
            fake.record_sleep(seconds)
            return
        self._real.sleep(seconds)


_CHIME_HOST = r"^(?:meetings-chime[.-]|service\.chime\.aws\.amazon\.com$)"


def _install_endpoint(endpoint: ModuleType) -> None:
    current = getattr(endpoint, "time")  # noqa: B009 - a module attribute mypy cannot see
    if not isinstance(current, _InterceptingTime):
        setattr(endpoint, "time", _InterceptingTime(current))  # noqa: B010
    send = endpoint.Endpoint._send
    if getattr(send, "_pytest_chime", False):
        return

    def guarded_send(self: Any, request: AWSPreparedRequest) -> Any:
        if _stack and _regex(_CHIME_HOST).match(urlsplit(request.url).hostname or ""):
            raise FakeChimeStateError(
                f"a Chime request to {request.url} got past the active FakeChime and was stopped before the "
                "network: its client comes from a botocore session created before pytest_chime was imported. "
                "Import pytest_chime (or load the plugin) before creating that session."
            )
        return send(self, request)

    guarded_send._pytest_chime = True  # type: ignore[attr-defined]
    endpoint.Endpoint._send = guarded_send


def _install_rate_limiter(bucket: ModuleType) -> None:
    token_bucket = bucket.TokenBucket
    original = token_bucket.acquire
    if getattr(original, "_pytest_chime", False):
        return

    def acquire(self: Any, amount: int = 1, block: bool = True) -> Any:
        fake = getattr(_local, "fake", None)
        if fake is None or fake.real_sleep or not block:
            return original(self, amount, block)
        with self._new_fill_rate_condition:
            try:
                return self._acquire(amount=amount, block=False)
            except bucket.CapacityNotAvailableError:
                fake.record_sleep(self._sleep_amount(amount))
                self._current_capacity = 0
                return True

    acquire._pytest_chime = True  # type: ignore[attr-defined]
    token_bucket.acquire = acquire


_PATCHES: dict[str, Callable[[ModuleType], None]] = {
    "botocore.handlers": _install_handlers,
    "botocore.endpoint": _install_endpoint,
    "botocore.retries.bucket": _install_rate_limiter,
}


class _PatchingLoader(importlib.abc.Loader):
    def __init__(self, loader: Any, patch: Callable[[ModuleType], None]) -> None:
        self._loader = loader
        self._patch = patch

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)  # type: ignore[no-any-return]

    def exec_module(self, module: ModuleType) -> None:
        module.__loader__ = self._loader
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        self._loader.exec_module(module)
        self._patch(module)


class _Watcher(importlib.abc.MetaPathFinder):
    """Applies a patch to a botocore module right after the code under test imports it."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        patch = _PATCHES.get(fullname)
        if patch is None:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is None or not hasattr(spec.loader, "exec_module"):
                    return None
                spec.loader = _PatchingLoader(spec.loader, patch)
                return spec
        return None


_watcher = _Watcher()
_install_lock = threading.Lock()


def watch() -> None:
    """Patch botocore's modules as they are imported (now, for those already imported)."""
    with _install_lock:
        if _watcher not in sys.meta_path:
            sys.meta_path.insert(0, _watcher)
        for name, patch in _PATCHES.items():
            module = sys.modules.get(name)
            if module is not None:
                patch(module)


def install() -> None:
    """Import botocore's patched modules now (a fake is starting, so botocore is wanted)."""
    watch()
    import botocore.endpoint
    import botocore.handlers
    import botocore.retries.bucket  # noqa: F401
