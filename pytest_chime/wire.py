"""Install and route: botocore's event hooks and patches, and which fake is active.

The fake answers at ``before-send`` with a real ``AWSResponse`` (made by
:mod:`pytest_chime.protocol`), so botocore's own serializer, signer, parser, retry
handler and exception factory all run. Handlers are registered once, through
``botocore.handlers.BUILTIN_HANDLERS``, so every session created afterwards (and every
client of it) carries them; they do nothing while no fake is active. botocore is
imported lazily: an import hook applies the patches when the code under test imports
botocore's modules itself. Every patch is undone by :func:`uninstall` (the plugin calls
it when the last pytest session ends).

While a Chime call runs, ``Endpoint._send_request`` (patched) keeps the fake answering
it, and the client's region, in a ContextVar, set and reset in a ``finally``: retry
sleeps and the adaptive rate limiter read it, and the network guard in
``Endpoint._send`` stops any Chime request that reaches it.
"""

from __future__ import annotations

import contextvars
import functools
import importlib.abc
import importlib.machinery
import os
import re
import sys
import threading
import weakref
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, NamedTuple

from . import facts
from .errors import ChimeFakeError, FakeChimeStateError, UnsupportedOperationError

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest, AWSResponse

    from . import model, operations, protocol
    from .fake import FakeChime
else:  # imported by install(), when a fake first starts: watching for botocore needs none of them
    model = operations = protocol = None


def _load() -> None:
    global model, operations, protocol
    from . import model as _model
    from . import operations as _operations
    from . import protocol as _protocol

    model, operations, protocol = _model, _operations, _protocol


#: The active fakes, innermost last. Replaced whole under the lock, so a reader needs no lock.
_stack: tuple[FakeChime, ...] = ()
_stack_lock = threading.Lock()
_UNSIGNED = "pytest_chime.unsigned"


class _Answering(NamedTuple):
    """The fake answering the Chime call running in this context, the client's region, and whether it is async."""

    fake: FakeChime
    client_region: str | None
    #: An aiobotocore call: the answer must be an ``AioAWSResponse``.
    aio: bool = False


_answering: contextvars.ContextVar[_Answering | None] = contextvars.ContextVar("pytest_chime_answering", default=None)

#: Thread ident -> (the thread, what it outlived): threads a stopped fake left running.
_orphans: dict[int, tuple[weakref.ref[threading.Thread], str]] = {}


def active() -> FakeChime | None:
    """The fake answering Chime calls now (the innermost started), or None."""
    stack = _stack
    return stack[-1] if stack else None


def activate(fake: FakeChime, engine: Any = None) -> None:
    """Make ``fake`` answer every Chime call until ``deactivate``."""
    global _stack
    install()
    with _stack_lock:
        if fake in _stack:
            raise FakeChimeStateError("this FakeChime is already started; stop() it before starting it again")
        if not _stack:
            _environment.enter()
        _stack = (*_stack, fake)


def deactivate(fake: FakeChime) -> None:
    """Stop ``fake`` answering; it must be the innermost active fake."""
    global _stack
    with _stack_lock:
        if not _stack or _stack[-1] is not fake:
            state = "not started" if fake not in _stack else "not the innermost active FakeChime"
            raise FakeChimeStateError(f"cannot stop this FakeChime: it is {state}; stop nested fakes innermost first")
        _stack = _stack[:-1]
        if not _stack:
            _environment.exit()


def depth() -> int:
    """How many fakes are active."""
    return len(_stack)


def stop_above(level: int) -> list[FakeChime]:
    """Stop every fake started above ``level`` active ones (innermost first); the fakes stopped."""
    stopped = []
    while len(_stack) > level:
        fake = _stack[-1]
        fake.stop()
        stopped.append(fake)
    return stopped


def leave_threads(started: frozenset[threading.Thread], owner: str) -> list[threading.Thread]:
    """Threads started since ``started`` that are still running: their later Chime calls are refused.

    A ThreadPoolExecutor's workers are left out: a pool outlives the task that started its
    threads by design, and its later tasks belong to whoever submits them.
    """
    current = threading.current_thread()
    left = [
        t
        for t in threading.enumerate()
        if t not in started and t is not current and t.is_alive() and not _pool_worker(t)
    ]
    for thread in left:
        if thread.ident is not None:
            _orphans[thread.ident] = (weakref.ref(thread), owner)
    return left


def _pool_worker(thread: threading.Thread) -> bool:
    target = getattr(thread, "_target", None)
    return getattr(target, "__module__", "") == "concurrent.futures.thread"


def _refuse_orphan() -> None:
    entry = _orphans.get(threading.get_ident())
    if entry is None:
        return
    thread = entry[0]()
    if thread is not threading.current_thread():  # the ident was reused by a new thread
        del _orphans[threading.get_ident()]
        return
    raise FakeChimeStateError(
        f"a Chime call from thread {thread.name!r}, which {entry[1]} left running, came after that fake "
        "stopped, and was refused: the fake active now belongs to another test. Join the threads a test "
        "starts before it ends."
    )


class _Environment:
    """What botocore's credential chain sees while a fake is active (as moto's ``mock_aws`` does).

    The instance metadata service is switched off, and dummy keys are provided when the
    environment has none, so clients created meanwhile neither probe 169.254.169.254 nor
    fail for want of credentials. What was there is put back when the last fake stops.
    """

    def __init__(self) -> None:
        self._saved: dict[str, str | None] = {}
        self._set: dict[str, str] = {}

    def enter(self) -> None:
        wanted = {"AWS_EC2_METADATA_DISABLED": "true"}
        if not os.environ.get("AWS_ACCESS_KEY_ID") and not os.environ.get("AWS_SECRET_ACCESS_KEY"):
            wanted |= {"AWS_ACCESS_KEY_ID": facts.DUMMY_ACCESS_KEY_ID, "AWS_SECRET_ACCESS_KEY": facts.DUMMY_SECRET_KEY}
        self._saved = {name: os.environ.get(name) for name in wanted}
        self._set = wanted
        os.environ.update(wanted)

    def exit(self) -> None:
        if "AWS_ACCESS_KEY_ID" in self._set:
            _forget_dummy_keys()
        for name, value in self._set.items():
            if os.environ.get(name) != value:  # the test changed it since: leave its value
                continue
            previous = self._saved.get(name)
            if previous is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = previous
        self._saved, self._set = {}, {}


_environment = _Environment()


def _forget_dummy_keys() -> None:
    """boto3's default session caches the keys it found: if those were the fake's dummy keys, it finds again."""
    session = getattr(getattr(sys.modules.get("boto3"), "DEFAULT_SESSION", None), "_session", None)
    credentials = getattr(session, "_credentials", None)
    if getattr(credentials, "access_key", None) == facts.DUMMY_ACCESS_KEY_ID:
        session._credentials = None  # type: ignore[union-attr]


# --- event handlers -----------------------------------------------------------------------


@functools.cache
def _credential_classes() -> tuple[type, type]:
    from botocore import credentials

    return credentials.Credentials, credentials.RefreshableCredentials


def _static(credentials: object) -> bool:
    """Keys already in hand (botocore's or aiobotocore's static credentials), which signing cannot fetch."""
    static, refreshable = _credential_classes()
    return isinstance(credentials, static) and not isinstance(credentials, refreshable)


def _on_before_call(request_signer: Any = None, context: Any = None, **_: Any) -> None:
    # Signing reads the client's credentials, and refreshable ones (assume-role, SSO,
    # container, process, instance metadata) may fetch from the network to do it. While
    # a fake is active, a Chime call is signed only with static keys already in hand;
    # any other call goes unsigned (the fake needs no signature), so no provider runs.
    if _stack and context is not None and not _static(getattr(request_signer, "_credentials", None)):
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
    answering = _answering.get()
    if answering is None:
        stack = _stack
        if not stack:
            return None
        answering = _Answering(stack[-1], None)
    fake = answering.fake
    target = _targets.get(event_name) or _target(event_name)
    service, operation, route = target
    url = request.url
    host = (service, url[: url.find("/", 8)])
    region = _host_regions.get(host)
    if region is None:
        region = _region_of(url, host, answering.client_region or fake.region)
    if route is None:
        reason = _refusal(service, operation)
        fake.refuse(service, operation, reason, region=region)
        raise UnsupportedOperationError(reason)
    try:
        params, problem = protocol.read(request, route.layout)
        reply = fake.answer(route, params, region, problem)
        return protocol.encode(reply, url, aio=answering.aio)
    except ChimeFakeError:
        raise
    except Exception as error:  # a fake bug must not escape into botocore as something else
        return protocol.encode(fake.internal_failure(service, operation, error), url, aio=answering.aio)


#: before-send event name -> (service, operation, its route or None when the fake does not serve it).
_targets: dict[str, tuple[str, str, operations.Route | None]] = {}


def _target(event_name: str) -> tuple[str, str, operations.Route | None]:
    service, operation = event_name.split(".", 2)[1:]
    found = _targets[event_name] = (service, operation, operations.route(service, operation))
    return found


#: (service, scheme and host of a request) -> the control region of an AWS endpoint with meetings there.
_host_regions: dict[tuple[str, str], str] = {}


def _region_of(url: str, host: tuple[str, str], default: str) -> str:
    """The control region of a request whose ``host`` (service, scheme and host) is not in
    ``_host_regions``: an AWS endpoint's region (remembered), or ``default`` for a custom one;
    EndpointConnectionError for an AWS endpoint in a region where the service has none."""
    service = host[0]
    region, aws_host = where(url, service, default)
    if not aws_host:
        return region
    if region not in model.control_regions(service):
        _no_endpoint(url)
    if len(_host_regions) < 256:
        _host_regions[host] = region
    return region


def _no_endpoint(url: str) -> None:
    """What botocore raises for a host that does not resolve (the service has no endpoint there)."""
    from botocore.exceptions import EndpointConnectionError

    raise EndpointConnectionError(
        endpoint_url=url,
        error="pytest-chime: the service has no endpoint in this region (botocore's endpoint data)",
    )


def _handler_specs() -> list[tuple[str, Callable[..., Any]]]:
    specs: list[tuple[str, Callable[..., Any]]] = []
    for service in facts.SERVICES:
        specs += [
            (f"before-call.{service}", _on_before_call),
            (f"choose-signer.{service}", _on_choose_signer),
            (f"before-send.{service}", _on_before_send),
        ]
    return specs


# --- where a request went -----------------------------------------------------------------

_HOST_REGION = r"meetings-chime(?:-fips)?\.([a-z0-9-]+)\."


@functools.cache
def _regex(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled on first use (compiling at import would slow pytest's start-up)."""
    return re.compile(pattern)


def where(url: str, service: str, default: str) -> tuple[str, bool]:
    """The control region a request to ``url`` went to, and whether its host is an AWS endpoint of the service.

    Read from the endpoint's host, else ``default`` (the client's region, when known).
    """
    if service == facts.LEGACY:
        return facts.LEGACY_CONTROL_REGION, False
    start = url.find("://") + 3
    found = _regex(_HOST_REGION).match(url, start if start > 2 else 0)
    if found:
        return found.group(1), True
    return default, False


# --- installation -------------------------------------------------------------------------

#: (object, attribute) -> the original value, for every patch applied.
_originals: dict[tuple[Any, str], Any] = {}


def _patch(owner: Any, name: str, value: Any) -> None:
    """Set ``owner.name`` to ``value``, keeping the original once for ``uninstall``."""
    _originals.setdefault((owner, name), getattr(owner, name))
    setattr(owner, name, value)


def _install_handlers(handlers: ModuleType) -> None:
    builtin = handlers.BUILTIN_HANDLERS
    specs = _handler_specs()
    if specs[0] in builtin:
        return
    builtin.extend(specs)
    # Sessions made before now lack the handlers; boto3's default one is the one that matters.
    events = _default_session_events()
    if events is not None:
        for event, handler in specs:
            events.unregister(event, handler)  # copied in from the builtins before an uninstall: once only
            events.register(event, handler, unique_id=f"pytest-chime-{event}")


def _default_session_events() -> Any:
    boto3 = sys.modules.get("boto3")
    session = getattr(boto3, "DEFAULT_SESSION", None)
    return getattr(getattr(session, "_session", None), "_events", None)


def _uninstall_handlers(handlers: ModuleType) -> None:
    specs = _handler_specs()
    handlers.BUILTIN_HANDLERS[:] = [spec for spec in handlers.BUILTIN_HANDLERS if spec not in specs]
    events = _default_session_events()
    if events is not None:
        for event, handler in specs:
            events.unregister(event, unique_id=f"pytest-chime-{event}")
            events.unregister(event, handler)


class _InterceptingTime:
    """``botocore.endpoint``'s ``time``: sleeps for fake-answered calls are recorded, not slept."""

    def __init__(self, real: ModuleType) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def sleep(self, seconds: float) -> None:
        if not sleep_recorded(seconds):
            self._real.sleep(seconds)


def sleep_recorded(seconds: float) -> bool:
    """Record ``seconds`` of retry backoff in the fake answering this call, if one does (and does not sleep)."""
    answering = _answering.get()
    if answering is None or answering.fake.real_sleep:
        return False
    answering.fake.record_sleep(seconds)
    return True


def answering_fake() -> FakeChime | None:
    """The fake answering this call, unless it sleeps for real: the one whose rate-limiter waits are recorded."""
    answering = _answering.get()
    return None if answering is None or answering.fake.real_sleep else answering.fake


def guard(endpoint: Any, request: AWSPreparedRequest, session_kind: str) -> None:
    """Stop a Chime request that reached the network while a fake is active (its session lacks the handlers)."""
    if _stack and (_answering.get() is not None or endpoint._endpoint_prefix in _chime_prefixes()):
        raise FakeChimeStateError(
            f"a Chime request to {request.url} got past the active FakeChime and was stopped before the "
            f"network: its client comes from {session_kind} session created before pytest_chime was imported "
            "(or between pytest_chime.uninstall() and the next fake's start). Import pytest_chime (or load "
            "the plugin) before creating that session."
        )


def enter_call(
    request_dict: Any, operation_model: Any, *, aio: bool = False
) -> contextvars.Token[_Answering | None] | None:
    """Keep the active fake as the one answering this Chime call (None: not a Chime call, or no fake)."""
    stack = _stack
    if not stack or operation_model.service_model.service_name not in facts.SERVICES:
        return None
    if _orphans:
        _refuse_orphan()
    context = request_dict.get("context") or {}
    # tuple.__new__: a NamedTuple's own __new__ is a Python function (every Chime call passes here)
    return _answering.set(tuple.__new__(_Answering, (stack[-1], context.get("client_region"), aio)))


@functools.cache
def _chime_prefixes() -> frozenset[str]:
    """The endpoint prefixes of the served services (``meetings-chime``, ``chime``)."""
    found = set()
    for service in facts.SERVICES:
        spec = model.service_model(service)
        if spec is not None:
            found.add(spec.endpoint_prefix)
    return frozenset(found)


def _install_endpoint(endpoint: ModuleType) -> None:
    if not isinstance(getattr(endpoint, "time"), _InterceptingTime):  # noqa: B009 - a module attribute
        _patch(endpoint, "time", _InterceptingTime(getattr(endpoint, "time")))  # noqa: B009
    cls = endpoint.Endpoint
    if getattr(cls._send, "_pytest_chime", False):
        return
    send = cls._send
    send_request = cls._send_request

    def guarded_send(self: Any, request: AWSPreparedRequest) -> Any:
        guard(self, request, "a botocore")
        return send(self, request)

    def answered_send_request(self: Any, request_dict: Any, operation_model: Any) -> Any:
        token = enter_call(request_dict, operation_model)
        if token is None:
            return send_request(self, request_dict, operation_model)
        try:
            return send_request(self, request_dict, operation_model)
        finally:
            _answering.reset(token)

    guarded_send._pytest_chime = True  # type: ignore[attr-defined]
    _patch(cls, "_send", guarded_send)
    _patch(cls, "_send_request", answered_send_request)


def _install_rate_limiter(bucket: ModuleType) -> None:
    token_bucket = bucket.TokenBucket
    original = token_bucket.acquire
    if getattr(original, "_pytest_chime", False):
        return

    def acquire(self: Any, amount: int = 1, block: bool = True) -> Any:
        fake = answering_fake()
        if fake is None or not block:
            return original(self, amount, block)
        with self._new_fill_rate_condition:
            try:
                return self._acquire(amount=amount, block=False)
            except bucket.CapacityNotAvailableError:
                fake.record_sleep(self._sleep_amount(amount))
                self._current_capacity = 0
                return True

    acquire._pytest_chime = True  # type: ignore[attr-defined]
    _patch(token_bucket, "acquire", acquire)


def _install_aio_endpoint(endpoint: ModuleType) -> None:
    from . import aio  # only once the code under test imports aiobotocore

    aio.install_endpoint(endpoint)


def _install_aio_rate_limiter(bucket: ModuleType) -> None:
    from . import aio

    aio.install_rate_limiter(bucket)


_PATCHES: dict[str, Callable[[ModuleType], None]] = {
    "botocore.handlers": _install_handlers,
    "botocore.endpoint": _install_endpoint,
    "botocore.retries.bucket": _install_rate_limiter,
    "aiobotocore.endpoint": _install_aio_endpoint,
    "aiobotocore.retries.bucket": _install_aio_rate_limiter,
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
_install_lock = threading.RLock()
#: pytest sessions holding the installation (nested pytester runs share one process).
_holders = 0


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
    if operations is None:
        _load()
    watch()
    import botocore.endpoint
    import botocore.handlers
    import botocore.retries.bucket  # noqa: F401


def installed() -> bool:
    """Whether any of pytest-chime's patches is in place."""
    return _watcher in sys.meta_path or bool(_originals)


def uninstall() -> None:
    """Undo every patch: the import hook, botocore's builtin handlers, the endpoint and rate-limiter patches.

    Sessions created while installed keep the (idle) handlers; a fake started later
    installs everything again. Refused while a fake is active.
    """
    with _install_lock:
        if _stack:
            raise FakeChimeStateError("cannot uninstall pytest-chime while a FakeChime is active; stop it first")
        while _watcher in sys.meta_path:
            sys.meta_path.remove(_watcher)
        handlers = sys.modules.get("botocore.handlers")
        if handlers is not None:
            _uninstall_handlers(handlers)
        for (owner, name), value in _originals.items():
            setattr(owner, name, value)
        _originals.clear()
        _orphans.clear()


def hold() -> None:
    """A pytest session starts using the installation."""
    global _holders
    with _install_lock:
        _holders += 1


def release() -> None:
    """A pytest session ends; the last one out uninstalls (unless a fake is still active)."""
    global _holders
    with _install_lock:
        _holders = max(_holders - 1, 0)
        if _holders == 0 and not _stack:
            uninstall()
