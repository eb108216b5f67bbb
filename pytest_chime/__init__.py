"""pytest-chime: a faithful fake of Amazon Chime's meetings API for pytest.

Importing this package installs a cheap import hook so that botocore sessions created
afterwards carry the fake's event handlers; botocore itself is not imported here.

PYTEST_DONT_REWRITE: the plugin asserts nothing, so pytest need not rewrite it (and must
not warn when a nested pytest run finds it already imported).
"""

from __future__ import annotations

from . import wire as _wire
from .errors import (
    ChimeFakeError,
    FakeChimeStateError,
    HookError,
    InternalFakeError,
    UnknownErrorCodeError,
    UnknownOperationError,
    UnsupportedOperationError,
    UnusedErrorInjectionError,
)
from .facts import MEDIA_REGIONS
from .fake import Call, FakeChime
from .injection import ErrorInjection, error_codes
from .model import services
from .wire import uninstall

__all__ = [
    "MEDIA_REGIONS",
    "Call",
    "ChimeFakeError",
    "ErrorInjection",
    "FakeChime",
    "FakeChimeStateError",
    "HookError",
    "InternalFakeError",
    "UnknownErrorCodeError",
    "UnknownOperationError",
    "UnsupportedOperationError",
    "UnusedErrorInjectionError",
    "error_codes",
    "services",
    "uninstall",
]

_wire.watch()
