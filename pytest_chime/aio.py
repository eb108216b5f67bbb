"""aiobotocore's side: the same answers for async clients (aiobotocore, aioboto3), patched only once it is imported."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from . import caches, wire


@caches.cached(maxsize=1)
def response_class() -> type:
    """aiobotocore's response class: its ``content`` is awaited."""
    from aiobotocore.awsrequest import AioAWSResponse

    cls: type = AioAWSResponse
    return cls


class Body:
    """A response body read as aiohttp's (``await read()``) and httpx's (``await aread()``) are."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._offset = 0

    async def read(self, amt: int | None = None) -> bytes:
        end = len(self._data) if amt is None else self._offset + amt
        chunk = self._data[self._offset : end]
        self._offset += len(chunk)
        return chunk

    async def aread(self) -> bytes:
        return await self.read()

    def at_eof(self) -> bool:
        return self._offset >= len(self._data)


class _InterceptingAsyncio:
    """``aiobotocore.endpoint``'s ``asyncio`` (releases that sleep with ``asyncio.sleep`` there)."""

    def __init__(self, real: ModuleType) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    async def sleep(self, delay: float, result: Any = None) -> Any:
        if wire.sleep_recorded(delay):
            return result
        return await self._real.sleep(delay, result)


def install_endpoint(endpoint: ModuleType) -> None:
    """Patch ``aiobotocore.endpoint``: the answering fake, the guard and the retry sleeps."""
    cls = endpoint.AioEndpoint
    if getattr(cls._send, "_pytest_chime", False):
        return
    send = cls._send
    send_request = cls._send_request

    async def guarded_send(self: Any, request: Any) -> Any:
        wire.guard(self, request, "an aiobotocore")
        return await send(self, request)

    async def answered_send_request(self: Any, request_dict: Any, operation_model: Any) -> Any:
        token = wire.enter_call(request_dict, operation_model, aio=True)
        if token is None:
            return await send_request(self, request_dict, operation_model)
        try:
            return await send_request(self, request_dict, operation_model)
        finally:
            wire.exit_call(token)

    guarded_send._pytest_chime = True  # type: ignore[attr-defined]
    wire.patch(cls, "_send", guarded_send)
    wire.patch(cls, "_send_request", answered_send_request)
    sleepers = [c for c in vars(endpoint).values() if isinstance(c, type) and "_sleep" in vars(c)]
    for sleeper in sleepers:  # aiobotocore 3: AioEndpoint._sleep (and AnyioEndpoint's own)
        wire.patch(sleeper, "_sleep", _recording_sleep(vars(sleeper)["_sleep"]))
    if not sleepers and not isinstance(getattr(endpoint, "asyncio", None), _InterceptingAsyncio):
        wire.patch(endpoint, "asyncio", _InterceptingAsyncio(endpoint.asyncio))


def _recording_sleep(original: Any) -> Any:
    async def _sleep(self: Any, amount: float) -> None:
        if not wire.sleep_recorded(amount):
            await original(self, amount)

    return _sleep
