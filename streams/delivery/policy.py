"""Delivery policy: send an alert once per channel, with retries, a rate and Retry-After."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Literal, TypeVar

from schemas import Alert
from streams.state.expiring import State

T = TypeVar("T")

Failure = Literal["not_deliverable", "delivery_failed"]
"""Why an alert went to alerts.dlq: the channel refused it, or the last attempt failed."""
Result = Literal["sent", "not_deliverable", "delivery_failed"]
"""sent: the channel acknowledged it; a Failure goes to alerts.dlq with that reason."""


def delivered_key(alert_id: str, channel: str) -> str:
    """The delivered-state key: one entry per alert and channel."""
    return f"{alert_id}|{channel}"


def pending_channels(alert: Alert, delivered: State, now: float) -> list[str]:
    """The alert's channels not yet delivered, in order and without repeats."""
    channels = dict.fromkeys(alert.channels)
    return [c for c in channels if delivered.get(delivered_key(alert.alert_id, c), now) is None]


def mark_delivered(delivered: State, alert: Alert, channel: str, now: float, ttl: float) -> None:
    """Remember that `channel` acknowledged `alert`, for as long as its event stays open."""
    delivered.put(delivered_key(alert.alert_id, channel), True, now, ttl)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, a cap on attempts, and Retry-After honoured."""

    max_attempts: int = 8
    base: float = 1.0
    cap: float = 60.0
    max_retry_after: float = 600.0

    def backoff(self, attempt: int, rand: Callable[[], float]) -> float:
        """The wait after failed attempt number `attempt` (1-based), before any Retry-After.

        "Equal jitter": half the exponential step, plus a random part of the other half,
        so retries from many alerts spread out but none comes back at once.
        """
        step = min(self.cap, self.base * 2 ** (attempt - 1))
        return step / 2 + rand() * step / 2

    def delay(
        self, attempt: int, retry_after: float | None, rand: Callable[[], float]
    ) -> float | None:
        """Seconds to wait before the next attempt, or None when it is time to give up.

        A Retry-After is a floor, never shortened; one longer than `max_retry_after` gives up
        rather than hold the alert for hours (it goes to the dead-letter topic instead).
        """
        if attempt >= self.max_attempts:
            return None
        if retry_after is not None and retry_after > self.max_retry_after:
            return None
        wait = self.backoff(attempt, rand)
        return max(wait, retry_after) if retry_after is not None else wait


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date; None if absent or bad."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now or datetime.now(UTC)
    return max((when - current).total_seconds(), 0.0)


class RateLimiter:
    """A token bucket of one: requests at most `per_minute` a minute, evenly spaced.

    `reserve` answers how long the caller must wait for its turn and books that turn, so
    concurrent callers queue behind each other. `defer` holds the whole channel back, as a
    429's Retry-After asks.
    """

    def __init__(self, per_minute: float | None, clock: Callable[[], float]) -> None:
        self.interval = 60.0 / per_minute if per_minute else 0.0
        self._clock = clock
        self._next = 0.0

    def reserve(self) -> float:
        """Book the next turn; returns seconds until it (0 when free now)."""
        now = self._clock()
        turn = max(now, self._next)
        self._next = turn + self.interval
        return turn - now

    def defer(self, seconds: float) -> None:
        """No turn starts within `seconds` from now."""
        self._next = max(self._next, self._clock() + seconds)
