"""Intake turns raw bytes into articles and names the reason for every rejection."""

from __future__ import annotations

import json

import pytest

from streams.errors import RejectedMessage
from streams.stages.intake import parse_article

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
