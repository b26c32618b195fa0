"""Stream time: the clock that state expiry runs on, the same in a worker and in replay."""

from __future__ import annotations

from datetime import datetime


def stream_time(when: datetime | None, message_timestamp: float | None) -> float:
    """Epoch seconds of a record: its own time when it has one, else the Kafka timestamp."""
    if when is not None:
        return when.timestamp()
    return float(message_timestamp or 0.0)
