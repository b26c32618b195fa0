"""The small state interface stages use: get / put / delete with expiry, over any mapping."""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from typing import Any, Protocol

SWEEP_FRACTION = 0.05
"""Sweep expired state each time stream time advances by this share of its window.

A sweep reads every key, so sweeping more often costs more than the expired entries it
frees: at this rate at most a twentieth of a window's worth lingers past its expiry."""


def sweep_interval(window: float) -> float:
    """Stream seconds between sweeps of state kept for `window` seconds."""
    return window * SWEEP_FRACTION


class State(Protocol):
    """Key-value state with per-key expiry, measured in stream time (epoch seconds)."""

    def get(self, key: str, now: float) -> Any | None:
        """The live value under key, or None when absent or expired."""

    def put(self, key: str, value: Any, now: float, ttl: float | None = None) -> None:
        """Store value under key; it expires ttl seconds after now (never when None)."""

    def delete(self, key: str) -> None:
        """Forget key."""


class ExpiringState:
    """State over a MutableMapping: a dict in replay and unit tests, a Faust Table in a worker.

    Each entry is stored as {"v": value, "x": expires_at}, JSON-serialisable so a Faust
    table can changelog it. Expiry is lazy on read, plus `sweep()` run on a timer, so memory
    stays bounded however long the stream runs.
    """

    def __init__(self, mapping: MutableMapping[str, Any]) -> None:
        self._map = mapping

    def get(self, key: str, now: float) -> Any | None:
        entry = self._map.get(key)
        if entry is None:
            return None
        expires = entry.get("x")
        if expires is not None and expires <= now:
            return None
        return entry["v"]

    def put(self, key: str, value: Any, now: float, ttl: float | None = None) -> None:
        self._map[key] = {"v": value, "x": None if ttl is None else now + ttl}

    def delete(self, key: str) -> None:
        self._map.pop(key, None)

    def sweep(self, now: float, owns: Callable[[str], bool] | None = None) -> int:
        """Delete every expired entry (of the keys `owns` accepts); returns how many."""
        expired = [
            k for k, e in list(self._map.items()) if _expired(e, now) and (owns is None or owns(k))
        ]
        for key in expired:
            self._map.pop(key, None)
        return len(expired)

    def __len__(self) -> int:
        return len(self._map)

    def keys(self) -> Iterator[str]:
        return iter(list(self._map.keys()))


def _expired(entry: Any, now: float) -> bool:
    expires = entry.get("x") if isinstance(entry, dict) else None
    return expires is not None and expires <= now
