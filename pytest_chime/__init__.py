"""pytest-chime: a faithful fake of Amazon Chime's meetings API for pytest.

Importing this package installs a cheap import hook so that botocore sessions created
afterwards carry the fake's event handlers; botocore itself is not imported here.

PYTEST_DONT_REWRITE: the plugin asserts nothing, so pytest need not rewrite it (and must
not warn when a nested pytest run finds it already imported).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import wire as _wire
from .errors import (
    ChimeFakeError,
    EventDeliveryError,
    FakeChimeStateError,
    HookError,
    InternalFakeError,
    PresenceError,
    UnknownErrorCodeError,
    UnknownOperationError,
    UnsupportedOperationError,
    UnusedErrorInjectionError,
)
from .facts import MEDIA_REGIONS
from .wire import uninstall

if TYPE_CHECKING:
    from .fake import Call, FakeChime
    from .injection import ErrorInjection, error_codes
    from .model import services

#: Public names loaded on first use, so that loading the plugin imports little.
_LAZY = {
    "Call": "fake",
    "FakeChime": "fake",
    "ErrorInjection": "injection",
    "error_codes": "injection",
    "services": "model",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_chime' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "MEDIA_REGIONS",
    "Call",
    "ChimeFakeError",
    "ErrorInjection",
    "EventDeliveryError",
    "FakeChime",
    "FakeChimeStateError",
    "HookError",
    "InternalFakeError",
    "PresenceError",
    "UnknownErrorCodeError",
    "UnknownOperationError",
    "UnsupportedOperationError",
    "UnusedErrorInjectionError",
    "error_codes",
    "services",
    "uninstall",
]

_wire.watch()
