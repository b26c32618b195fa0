"""Stream time: the clock that state expiry runs on, the same in a worker and in replay."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from datetime import datetime


class StreamClock:
    """Stream time per partition: the latest record time it has seen, so it never runs
    backwards. A record's time is its own (an article's publication) or, without one, its
    broker timestamp. A report that arrives late is matched by its own dates; only expiry
    goes by this clock, so a late report cannot revive state that already expired.

    `ceiling` (in a worker: the clock plus GEO_LIMITS__MAX_AHEAD_SECONDS) caps each record's
    time: intake refuses articles dated further ahead, and a producer's timestamp or a
    record on an internal topic cannot move stream time past it either.
    """

    def __init__(self, ceiling: Callable[[], float] | None = None) -> None:
        self._marks: dict[Hashable, float] = {}
        self._ceiling = ceiling

    @classmethod
    def capped(cls, ahead: float) -> StreamClock:
        """A worker's clock: no record time counts past the wall clock plus `ahead` seconds
        (GEO_LIMITS__MAX_AHEAD_SECONDS)."""
        return cls(lambda: time.time() + ahead)

    def advance(self, partition: Hashable, own: datetime | None, timestamp: float | None) -> float:
        """Stream time on `partition` after a record with these times."""
        at = own.timestamp() if own is not None else float(timestamp or 0.0)
        if self._ceiling is not None:
            at = min(at, self._ceiling())
        now = max(self._marks.get(partition, at), at)
        self._marks[partition] = now
        return now

    def now(self, partition: Hashable, timestamp: float | None) -> float:
        """Stream time on `partition` for a record whose own time could not be read."""
        return self._marks.get(partition, float(timestamp or 0.0))
