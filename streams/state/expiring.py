"""The small state interface stages use: get / put / delete with expiry, over any mapping."""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from typing import Any, Protocol

from streams.state.codec import Deadline, Expiring

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

    def deadline(self, now: float, ttl: float) -> Deadline:
        """When something kept `ttl` from now expires."""

    def expired(self, deadline: Deadline, now: float) -> bool:
        """Whether `deadline` (from `deadline`) has passed."""


class ExpiringState:
    """State over a MutableMapping: a dict in replay and unit tests, a Faust Table in a worker.

    Each value is stored in an expiry envelope (streams.state.codec.Expiring), JSON so a
    Faust table can changelog it. Expiry is lazy on read, plus `sweep()` run on a timer,
    so memory stays bounded however long the stream runs.

    With a wall clock (a worker), an entry expires only when both its stream-time and its
    wall-time deadline have passed. Stream time alone would let one report dated ahead of
    the rest expire everything older, so a report arriving late (a syndication delay, a
    backfill, a shuffled feed) would no longer find the event it belongs to; wall time alone
    would keep a year of replayed news in memory. Without one (replay), stream time decides.
    """

    def __init__(
        self, mapping: MutableMapping[str, Any], wall: Callable[[], float] | None = None
    ) -> None:
        self._map = mapping
        self._wall = wall

    def get(self, key: str, now: float) -> Any | None:
        raw = self._map.get(key)
        if raw is None:
            return None
        entry = Expiring.decode(raw)
        return None if self.expired(entry.deadline, now) else entry.value

    def put(self, key: str, value: Any, now: float, ttl: float | None = None) -> None:
        deadline = Deadline(None) if ttl is None else self.deadline(now, ttl)
        self._map[key] = Expiring(value, deadline).encode()

    def delete(self, key: str) -> None:
        self._map.pop(key, None)

    def deadline(self, now: float, ttl: float) -> Deadline:
        return Deadline(now + ttl, None if self._wall is None else self._wall() + ttl)

    def expired(self, deadline: Deadline, now: float) -> bool:
        if deadline.stream is None or deadline.stream > now:
            return False
        wall = deadline.wall
        return wall is None or self._wall is None or wall <= self._wall()

    def sweep(self, now: float, owns: Callable[[str], bool] | None = None) -> int:
        """Delete every expired entry (of the keys `owns` accepts); returns how many."""
        expired = [
            k
            for k, e in list(self._map.items())
            if isinstance(e, dict)
            and self.expired(Expiring.decode(e).deadline, now)
            and (owns is None or owns(k))
        ]
        for key in expired:
            self._map.pop(key, None)
        return len(expired)

    def __len__(self) -> int:
        return len(self._map)

    def keys(self) -> Iterator[str]:
        return iter(list(self._map.keys()))
