"""Intake turns raw bytes into articles and names the reason for every rejection."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from streams.clock import StreamClock
from streams.errors import RejectedMessage
from streams.stages.intake import check_time, parse_article

GOOD = {
    "id": "a1",
    "source": "Wire",
    "body": "Troops moved.",
    "published_at": "2026-11-20T10:00:00",
}


def parse(raw: bytes, max_bytes: int = 10_000, max_body: int = 1_000):
    return parse_article(raw, max_bytes, max_body)


def test_valid_article_is_normalised() -> None:
    raw = json.dumps({**GOOD, "body": "  Cafe\u0301 talks.\r\nSecond line.  "}).encode()
    article = parse(raw)
    assert article.body == "Caf\u00e9 talks.\nSecond line."
    assert (
        article.published_at is not None and article.published_at.utcoffset().total_seconds() == 0
    )


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\xff\xfe not utf8", "not_utf8"),
        (b"{not json", "not_json"),
        (b"[1, 2]", "not_object"),
        (json.dumps({"source": "Wire", "body": "x"}).encode(), "invalid_fields"),
        (json.dumps({**GOOD, "published_at": "yesterday-ish"}).encode(), "invalid_fields"),
        (json.dumps({**GOOD, "id": 7}).encode(), "invalid_fields"),
        (json.dumps({**GOOD, "surprise": 1}).encode(), "invalid_fields"),
        (json.dumps({**GOOD, "body": "   \n "}).encode(), "empty_body"),
        (json.dumps({**GOOD, "body": "x" * 2_000}).encode(), "too_large"),
        (b"{" + b" " * 20_000 + b"}", "too_large"),
    ],
)
def test_bad_input_is_rejected_with_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(RejectedMessage) as caught:
        parse(raw)
    assert caught.value.reason == reason
    assert str(caught.value)


def test_missing_field_is_named() -> None:
    with pytest.raises(RejectedMessage, match="id: Field required"):
        parse(json.dumps({"source": "Wire", "body": "x"}).encode())


NOW = datetime(2026, 11, 20, 12, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("published", "reason"),
    [
        ("2026-11-21T11:59:00Z", None),  # within a day ahead: a producer's clock, a time zone
        ("2026-11-21T12:01:00Z", "future_dated"),
        ("9999-12-31T23:59:59Z", "future_dated"),
        ("1970-01-01T00:00:00Z", None),
        ("1969-12-31T23:59:59Z", "too_old"),
        ("0001-01-01T00:00:00Z", "too_old"),
    ],
)
def test_an_article_dated_out_of_range_is_refused(published: str, reason: str | None) -> None:
    article = parse(json.dumps({**GOOD, "published_at": published}).encode())
    earliest = datetime(1970, 1, 1, tzinfo=UTC)
    if reason is None:
        check_time(article, NOW, 86400, earliest)
        return
    with pytest.raises(RejectedMessage) as raised:
        check_time(article, NOW, 86400, earliest)
    assert raised.value.reason == reason


def test_no_record_moves_stream_time_past_the_ceiling() -> None:
    clock = StreamClock(lambda: NOW + 3600)
    assert clock.advance(0, datetime(2026, 11, 20, tzinfo=UTC), None) < NOW
    assert clock.advance(0, datetime(9999, 1, 1, tzinfo=UTC), None) == NOW + 3600
    assert clock.advance(1, None, 1e15) == NOW + 3600  # a producer's timestamp, as well
    assert StreamClock().advance(0, None, 1e15) == 1e15  # replay: no ceiling


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (None, "tombstone"),
        (b"[" * 100_000 + b"]" * 100_000, "too_deep"),
        (json.dumps({**GOOD, "body": "Troops \ud800 moved."}).encode(), "invalid_surrogate"),
        (json.dumps({**GOOD, "title": "Talks \udfff held"}).encode(), "invalid_surrogate"),
    ],
)
def test_messages_no_stage_could_send_on_have_reasons_of_their_own(
    raw: bytes | None, reason: str
) -> None:
    with pytest.raises(RejectedMessage) as raised:
        parse(raw, max_bytes=500_000)  # type: ignore[arg-type]
    assert raised.value.reason == reason
