"""Delivery policy: backoff with jitter, Retry-After, rate limits, acks in offset order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from streams.delivery.ledger import AckLedger, Origin, delivery_dead_letter
from streams.delivery.policy import (
    RateLimiter,
    RetryPolicy,
    mark_delivered,
    parse_retry_after,
    pending_channels,
)
from streams.state.expiring import ExpiringState
from tests.unit.delivery.test_payloads import make_alert

POLICY = RetryPolicy(max_attempts=5, base=1.0, cap=8.0, max_retry_after=120.0)


def test_backoff_doubles_within_jitter_and_stops_at_the_cap() -> None:
    lows = [POLICY.backoff(n, lambda: 0.0) for n in range(1, 7)]
    highs = [POLICY.backoff(n, lambda: 1.0) for n in range(1, 7)]
    assert lows == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert highs == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_gives_up_after_the_last_attempt() -> None:
    assert POLICY.delay(4, None, lambda: 0.5) is not None
    assert POLICY.delay(5, None, lambda: 0.5) is None


def test_retry_after_is_a_floor_and_too_long_gives_up() -> None:
    assert POLICY.delay(1, 30.0, lambda: 1.0) == 30.0
    assert POLICY.delay(4, 1.0, lambda: 1.0) == 8.0  # backoff is longer: keep it
    assert POLICY.delay(1, 121.0, lambda: 0.0) is None


def test_parse_retry_after() -> None:
    now = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == 90.0
    assert parse_retry_after(format_datetime(now - timedelta(seconds=5), usegmt=True), now) == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after(" ") is None


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_spaces_turns_evenly() -> None:
    clock = Clock()
    slack = RateLimiter(60, clock)  # one a second
    assert [slack.reserve() for _ in range(3)] == [0.0, 1.0, 2.0]
    clock.now += 10
    assert slack.reserve() == 0.0
    assert RateLimiter(None, clock).reserve() == 0.0


def test_retry_after_holds_the_whole_channel() -> None:
    clock = Clock()
    pagerduty = RateLimiter(120, clock)
    assert pagerduty.reserve() == 0.0
    pagerduty.defer(30)
    assert pagerduty.reserve() == 30.0
    assert pagerduty.reserve() == 30.5


def test_ledger_acks_each_partition_in_offset_order() -> None:
    ledger: AckLedger[str] = AckLedger()
    a0 = ledger.track("alerts", 0, 10, "a0")
    a1 = ledger.track("alerts", 0, 11, "a1")
    b0 = ledger.track("alerts", 1, 5, "b0")
    a2 = ledger.track("alerts", 0, 12, "a2")
    assert ledger.settle(a1) == []  # a0 still delivering: a1 must wait
    assert ledger.settle(b0) == ["b0"]  # another partition is not held up
    assert ledger.settle(a0) == ["a0", "a1"]
    assert len(ledger) == 1
    assert ledger.settle(a2) == ["a2"]
    assert len(ledger) == 0


def test_released_messages_are_never_acked() -> None:
    ledger: AckLedger[str] = AckLedger()
    first = ledger.track("alerts", 0, 1, "m1")
    second = ledger.track("alerts", 0, 2, "m2")
    ledger.settle(second)
    assert sorted(ledger.release()) == ["m1", "m2"]
    assert ledger.settle(first) == [] and len(ledger) == 0
    assert first.item is None  # no reference kept to the message


def test_pending_channels_skip_what_was_delivered() -> None:
    alert = make_alert().model_copy(update={"channels": ["slack", "pagerduty", "slack"]})
    state = ExpiringState({})
    assert pending_channels(alert, state, 0.0) == ["slack", "pagerduty"]
    mark_delivered(state, alert, "slack", 0.0, 100.0)
    assert pending_channels(alert, state, 50.0) == ["pagerduty"]
    assert pending_channels(alert, state, 150.0) == ["slack", "pagerduty"]  # expired


def test_dead_letter_has_channel_attempts_and_origin() -> None:
    alert = make_alert()
    origin = Origin(b"ev-1", alert.to_json_bytes(), "alerts", 3, 42)
    letter = delivery_dead_letter(origin, "pagerduty", "delivery_failed", "HTTP 503", 8)
    assert (letter.stage, letter.reason, letter.channel, letter.attempts) == (
        "deliver",
        "delivery_failed",
        "pagerduty",
        8,
    )
    assert (letter.topic, letter.partition, letter.offset, letter.key) == ("alerts", 3, 42, b"ev-1")
    assert letter.error == "pagerduty: HTTP 503" and letter.original == alert.to_json_bytes()


@pytest.mark.parametrize("attempt", [1, 2, 3])
def test_delay_is_positive(attempt: int) -> None:
    delay = POLICY.delay(attempt, None, lambda: 0.0)
    assert delay is not None and delay > 0
