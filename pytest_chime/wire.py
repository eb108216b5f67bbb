"""botocore's event hooks and patches, and which active fake answers each Chime call.

Why it is built this way: docs/how-it-works.rst, "Installation without import cost" and the sections after it.
"""

from __future__ import annotations

import contextvars
import importlib.abc
import importlib.machinery
import inspect
import os
import re
import sys
import threading
import weakref
from collections.abc import Callable, Iterable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from . import caches, facts
from .delivery import MARK
from .errors import ChimeFakeError, EventDeliveryError, FakeChimeStateError, UnsupportedOperationError

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest, AWSResponse

    from .fake import FakeChime
    from .operations import Route
    from .protocol import Reply


class Engine(Protocol):
    """What answers the wire for one fake (``FakeChime.start()`` hands it to :func:`activate`)."""

    @property
    def real_sleep(self) -> bool:
        """Whether botocore's sleeps for this fake's calls are slept for real."""

    @property
    def region(self) -> str:
        """The control region assumed when a request does not show one."""

    def answer(self, route: Route, params: dict[str, Any], region: str, decode_error: str | None) -> Reply:
        """The answer to one decoded request."""

    def refuse(self, service: str, operation: str, reason: str, *, region: str) -> None:
        """Record a call the fake will not answer."""

    def internal_failure(self, service: str, operation: str, error: BaseException) -> Reply:
        """Record a failure inside the fake; the answer to send instead."""

    def record_sleep(self, seconds: float) -> None:
        """Note a delay botocore asked for while this fake answered the call."""


# --- which fake answers -------------------------------------------------------------------


class _Activation:
    """One started fake: the user's ``FakeChime``, its engine, and the fakes it was started inside."""

    __slots__ = ("engine", "fake", "live", "outer")

    def __init__(self, fake: FakeChime, engine: Engine, outer: tuple[_Activation, ...]) -> None:
        self.fake = fake
        self.engine = engine
        #: The active fakes of the task or thread that started this one (it is nested in them).
        self.outer = outer
        #: False once stopped (a context may still hold it in ``_own``).
        self.live = True


#: Every active fake, in the order started (the last is the innermost started anywhere).
#: Replaced whole under ``_lock``, so readers need no lock.
_activations: tuple[_Activation, ...] = ()
#: The same fakes as the user sees them.
_stack: tuple[FakeChime, ...] = ()
_lock = threading.Lock()
#: The fakes started in this context (task or thread) or the context it was copied from.
_own: contextvars.ContextVar[tuple[_Activation, ...]] = contextvars.ContextVar("pytest_chime_own", default=())


class _Answering(NamedTuple):
    """The Chime call running in this context: the fake answering it, the client's region, and whether it is async."""

    activation: _Activation
    client_region: str | None
    #: An aiobotocore call: the answer must be an ``AioAWSResponse``.
    aio: bool = False


_answering: contextvars.ContextVar[_Answering | None] = contextvars.ContextVar("pytest_chime_answering", default=None)


def _innermost() -> _Activation | None:
    """This context's innermost active fake, else the innermost started anywhere (None: no fake)."""
    for activation in reversed(_own.get()):
        if activation.live:
            return activation
    activations = _activations
    return activations[-1] if activations else None


def active() -> FakeChime | None:
    """The fake that answers a Chime call made here now, or None."""
    activation = _innermost()
    return None if activation is None else activation.fake


def active_fakes() -> tuple[FakeChime, ...]:
    """Every active fake, in the order they were started."""
    return _stack


def activate(fake: FakeChime, engine: Engine) -> None:
    """Make ``fake`` (answered by ``engine``) answer this task's or thread's Chime calls until :func:`deactivate`."""
    global _activations, _stack
    install()
    with _lock:
        if any(activation.fake is fake for activation in _activations):
            raise FakeChimeStateError("this FakeChime is already started; stop() it before starting it again")
        outer = tuple(activation for activation in _own.get() if activation.live)
        started = _Activation(fake, engine, outer)
        if not _activations:
            _environment.enter()
        _activations = (*_activations, started)
        _stack = (*_stack, fake)
    _own.set((*outer, started))


def deactivate(fake: FakeChime) -> None:
    """Stop ``fake`` answering; no fake started inside it (in its task or thread) may still be active."""
    global _activations, _stack
    with _lock:
        stopped = next((activation for activation in _activations if activation.fake is fake), None)
        if stopped is None or any(stopped in activation.outer for activation in _activations):
            state = "not started" if stopped is None else "not the innermost active FakeChime"
            raise FakeChimeStateError(f"cannot stop this FakeChime: it is {state}; stop nested fakes innermost first")
        stopped.live = False
        _activations = tuple(activation for activation in _activations if activation is not stopped)
        _stack = tuple(activation.fake for activation in _activations)
        if not _activations:
            _environment.exit()
    own = _own.get()
    if stopped in own:
        _own.set(tuple(activation for activation in own if activation.live))


def stop_fakes(fakes: Iterable[FakeChime]) -> list[FakeChime]:
    """Stop those of ``fakes`` still active, the last started first; the fakes stopped."""
    wanted = [fake for fake in fakes if fake in _stack]
    stopped = []
    for fake in reversed(_stack):
        if fake in wanted and fake in _stack:
            fake.stop()
            stopped.append(fake)
    return stopped


# --- threads that outlive their test ---------------------------------------------------------

#: Thread ident -> (the thread, what it outlived): threads a stopped fake left running.
_orphans: dict[int, tuple[weakref.ref[threading.Thread], str]] = {}
#: At most this many are remembered (the oldest forgotten first).
_ORPHANS_KEPT = 256


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
    with _lock:
        for ident, (ref, _) in list(_orphans.items()):
            thread = ref()
            if thread is None or not thread.is_alive():
                del _orphans[ident]
        for thread in left:
            if thread.ident is not None:
                _orphans[thread.ident] = (weakref.ref(thread), owner)
        while len(_orphans) > _ORPHANS_KEPT:
            del _orphans[next(iter(_orphans))]
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
        _orphans.pop(threading.get_ident(), None)
        return
    raise FakeChimeStateError(
        f"a Chime call from thread {thread.name!r}, which {entry[1]} left running, came after that fake "
        "stopped, and was refused: the fake active now belongs to another test. Join the threads a test "
        "starts before it ends."
    )


# --- the environment botocore's credential chain sees -------------------------------------------


class _Environment:
    """Metadata service off and dummy keys in ``os.environ`` while a fake is active; what was there put back after."""

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


# --- credentials: at client creation and during a call ------------------------------------------


def client_arguments(session: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """``create_client``'s keyword arguments, with the dummy keys added for a Chime client made while a fake is active.

    Only when no keys are passed and the session holds no credentials yet: then botocore
    would run its credential chain (a process, a container or metadata endpoint, a role).
    """
    service = args[0] if args else kwargs.get("service_name")
    if not _activations or service not in facts.SERVICES or getattr(session, "_credentials", None) is not None:
        return kwargs
    try:
        given = _create_client_signature().bind(session, *args, **kwargs).arguments
    except TypeError:  # botocore reports the misuse itself
        return kwargs
    if given.get("aws_access_key_id") is not None or given.get("aws_secret_access_key") is not None:
        return kwargs
    return {**kwargs, "aws_access_key_id": facts.DUMMY_ACCESS_KEY_ID, "aws_secret_access_key": facts.DUMMY_SECRET_KEY}


@caches.cached(maxsize=1)
def _create_client_signature() -> inspect.Signature:
    """botocore's ``Session.create_client`` signature (aiobotocore's takes the same arguments)."""
    from botocore.session import Session

    return inspect.signature(Session.create_client)  # follows __wrapped__ past the patch


def patch_create_client(cls: type) -> None:
    """Patch ``cls.create_client`` (botocore's or aiobotocore's session) to pass :func:`client_arguments`."""
    original = cls.create_client  # type: ignore[attr-defined]
    if getattr(original, "_pytest_chime", False):
        return

    def create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
        return original(self, *args, **client_arguments(self, args, kwargs))

    create_client.__wrapped__ = original  # type: ignore[attr-defined]
    create_client._pytest_chime = True  # type: ignore[attr-defined]
    patch(cls, "create_client", create_client)


@caches.cached(maxsize=1)
def _credential_classes() -> tuple[type, type]:
    from botocore import credentials

    return credentials.Credentials, credentials.RefreshableCredentials


def _static(credentials: object) -> bool:
    """Keys already in hand (botocore's or aiobotocore's static credentials), which signing cannot fetch."""
    static, refreshable = _credential_classes()
    return isinstance(credentials, static) and not isinstance(credentials, refreshable)


_UNSIGNED = "pytest_chime.unsigned"


def _on_before_call(request_signer: Any = None, context: Any = None, **_: Any) -> None:
    if _activations and context is not None and not _static(getattr(request_signer, "_credentials", None)):
        context[_UNSIGNED] = True


def _on_choose_signer(context: Any = None, **_: Any) -> Any:
    if _activations and context is not None and context.get(_UNSIGNED):
        import botocore

        return botocore.UNSIGNED
    return None


# --- answering ------------------------------------------------------------------------------


def refusal(service: str, operation: str) -> str:
    """Why the fake refuses ``service``'s ``operation``, naming what it implements there (wire and server)."""
    from . import operations

    return (
        f"pytest-chime's fake does not implement {service} {operation}, so the call was stopped before reaching "
        f"the network. Implemented on {service}: {', '.join(operations.implemented(service)) or 'nothing'}. "
        "Serve it another way (a botocore Stubber) or ask for it." + _NOT_FAKED.get(service, "")
    )


#: What a service's refusal adds: the parts of it the fake leaves out on purpose.
_NOT_FAKED: dict[str, str] = {
    facts.MEDIA_PIPELINES: " Media insights, speaker search and voice tone analysis are not faked.",
}


def _on_before_send(request: AWSPreparedRequest, event_name: str, **_: Any) -> AWSResponse | None:
    from . import protocol

    answering = _answering.get()
    if answering is None:
        activation = _innermost()
        if activation is None:
            return None
        answering = _Answering(activation, None)
    engine = answering.activation.engine
    service, operation, route = _target(event_name)
    url = request.url
    region, served = _host_region(service, url[: url.find("/", 8)])
    if not served:
        _no_endpoint(url)
    if region is None:
        region = answering.client_region or engine.region
    if route is None:
        reason = refusal(service, operation)
        engine.refuse(service, operation, reason, region=region)
        raise UnsupportedOperationError(reason)
    try:
        params, problem = protocol.read(request, route.layout)
        reply = engine.answer(route, params, region, problem)
        return protocol.encode(reply, url, aio=answering.aio)
    except ChimeFakeError:
        raise
    except Exception as error:  # a fake bug must not escape into botocore as something else
        return protocol.encode(engine.internal_failure(service, operation, error), url, aio=answering.aio)


@caches.cached(maxsize=512)
def _target(event_name: str) -> tuple[str, str, Route | None]:
    """A before-send event's service, operation, and its route (None: the fake does not serve it)."""
    from . import operations

    service, operation = event_name.split(".", 2)[1:]
    return service, operation, operations.route(service, operation)


@caches.cached(maxsize=256)
def _host_region(service: str, host: str) -> tuple[str | None, bool]:
    """The control region of a request to ``host`` (scheme and host; None: a custom endpoint, use the client's),
    and whether the service has an endpoint there."""
    from . import model

    region, aws_host = where(host, service, "")
    if not aws_host:
        return region or None, True
    return region, region in model.control_regions(service)


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


_HOST_REGION = r"(?:meetings|media-pipelines)-chime(?:-fips)?\.([a-z0-9-]+)\."


@caches.cached(maxsize=8)
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


def enter_call(
    request_dict: Any, operation_model: Any, *, aio: bool = False
) -> contextvars.Token[_Answering | None] | None:
    """Keep the fake answering this Chime call for its whole run (None: not a Chime call, or no fake)."""
    if not _activations or operation_model.service_model.service_name not in facts.SERVICES:
        return None
    if _orphans:
        _refuse_orphan()
    activation = _innermost()
    if activation is None:  # stopped meanwhile
        return None
    context = request_dict.get("context") or {}
    return _answering.set(_Answering(activation, context.get("client_region"), aio))


def exit_call(token: contextvars.Token[_Answering | None]) -> None:
    """The call :func:`enter_call` kept a fake for is over."""
    _answering.reset(token)


def guard(endpoint: Any, request: AWSPreparedRequest, session_kind: str) -> None:
    """Stop a Chime request that reached the network while a fake is active (its session lacks the handlers),
    and an event delivery that nothing in the process answered."""
    if MARK in request.headers:
        raise EventDeliveryError(
            f"nothing in the process answered {request.method} {request.url}, so it was stopped before the network"
        )
    if _activations and (_answering.get() is not None or endpoint._endpoint_prefix in _chime_prefixes()):
        raise FakeChimeStateError(
            f"a Chime request to {request.url} got past the active FakeChime and was stopped before the "
            f"network: its client comes from {session_kind} session created before pytest_chime was imported "
            "(or between pytest_chime.uninstall() and the next fake's start). Import pytest_chime (or load "
            "the plugin) before creating that session."
        )


@caches.cached(maxsize=1)
def _chime_prefixes() -> frozenset[str]:
    """The endpoint prefixes of the served services (``meetings-chime``, ``chime``)."""
    from . import model

    found = set()
    for service in facts.SERVICES:
        spec = model.service_model(service)
        if spec is not None:
            found.add(spec.endpoint_prefix)
    return frozenset(found)


# --- sleeps and waits -------------------------------------------------------------------------


def _recording_engine() -> Engine | None:
    """The engine answering this call, unless it sleeps for real: the one that records this call's waits."""
    answering = _answering.get()
    if answering is None:
        return None
    engine = answering.activation.engine
    return None if engine.real_sleep else engine


def sleep_recorded(seconds: float) -> bool:
    """Record ``seconds`` of retry backoff in the fake answering this call, if one does (and does not sleep)."""
    engine = _recording_engine()
    if engine is None:
        return False
    engine.record_sleep(seconds)
    return True


class _InterceptingTime:
    """``botocore.endpoint``'s ``time``: sleeps for fake-answered calls are recorded, not slept."""

    def __init__(self, real: ModuleType) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def sleep(self, seconds: float) -> None:
        if not sleep_recorded(seconds):
            self._real.sleep(seconds)


def _wait_skipped(engine: Engine, bucket: Any, amount: int) -> bool:
    """A rate limiter out of capacity: record the wait it would make, spend what it has, and let the call go."""
    engine.record_sleep(bucket._sleep_amount(amount))
    bucket._current_capacity = 0
    return True


def _install_rate_limiter(module: ModuleType, class_name: str = "TokenBucket") -> None:
    """Patch a token bucket's ``acquire`` (botocore's, or aiobotocore's async one): a wait is recorded, not waited."""
    cls = getattr(module, class_name)
    original = cls.acquire
    if getattr(original, "_pytest_chime", False):
        return
    full = module.CapacityNotAvailableError
    acquire: Any  # one of the two below

    if inspect.iscoroutinefunction(original):

        async def acquire(self: Any, amount: int = 1, block: bool = True) -> Any:
            engine = _recording_engine() if block else None
            if engine is None:
                return await original(self, amount, block)
            try:
                return await original(self, amount, False)
            except full:
                return _wait_skipped(engine, self, amount)

    else:

        def acquire(self: Any, amount: int = 1, block: bool = True) -> Any:
            engine = _recording_engine() if block else None
            if engine is None:
                return original(self, amount, block)
            try:
                return original(self, amount, False)
            except full:
                return _wait_skipped(engine, self, amount)

    acquire._pytest_chime = True
    patch(cls, "acquire", acquire)


# --- installation -------------------------------------------------------------------------

#: (object, attribute) -> the original value, for every patch applied.
_originals: dict[tuple[Any, str], Any] = {}


def patch(owner: Any, name: str, value: Any) -> None:
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


def _install_session(session: ModuleType) -> None:
    patch_create_client(session.Session)


def _install_endpoint(endpoint: ModuleType) -> None:
    if not isinstance(getattr(endpoint, "time"), _InterceptingTime):  # noqa: B009 - a module attribute
        patch(endpoint, "time", _InterceptingTime(getattr(endpoint, "time")))  # noqa: B009
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
            exit_call(token)

    guarded_send._pytest_chime = True  # type: ignore[attr-defined]
    patch(cls, "_send", guarded_send)
    patch(cls, "_send_request", answered_send_request)


def _install_aio_endpoint(endpoint: ModuleType) -> None:
    from . import aio  # only once the code under test imports aiobotocore

    aio.install_endpoint(endpoint)


def _install_aio_session(session: ModuleType) -> None:
    patch_create_client(session.AioSession)


def _install_aio_rate_limiter(bucket: ModuleType) -> None:
    _install_rate_limiter(bucket, "AsyncTokenBucket")


_PATCHES: dict[str, Callable[[ModuleType], None]] = {
    "botocore.handlers": _install_handlers,
    "botocore.session": _install_session,
    "botocore.endpoint": _install_endpoint,
    "botocore.retries.bucket": _install_rate_limiter,
    "aiobotocore.session": _install_aio_session,
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
    watch()
    import botocore.endpoint
    import botocore.handlers
    import botocore.retries.bucket
    import botocore.session  # noqa: F401


def uninstall() -> None:
    """Undo every patch (the import hook, botocore's builtin handlers, the patched methods) and empty every cache.

    Sessions created while installed keep the (idle) handlers; a fake started later
    installs everything again. Refused while a fake is active.
    """
    with _install_lock:
        if _activations:
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
        caches.clear()


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
        if _holders == 0 and not _activations:
            uninstall()
