"""Every cache pytest-chime keeps: bounded, and cleared together by :func:`clear`."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

_F = TypeVar("_F", bound=Callable[..., Any])

#: The caches made by :func:`cached`, cleared by :func:`clear`.
_ALL: list[Any] = []


def cached(maxsize: int = 256) -> Callable[[_F], _F]:
    """``functools.lru_cache(maxsize)``, registered so that :func:`clear` empties it."""

    def wrap(function: _F) -> _F:
        wrapped = functools.lru_cache(maxsize=maxsize)(function)
        _ALL.append(wrapped)
        return wrapped  # type: ignore[return-value]  # the same call signature

    return wrap


def clear() -> None:
    """Empty every cache (``pytest_chime.uninstall()`` calls it)."""
    for cache in _ALL:
        cache.cache_clear()
