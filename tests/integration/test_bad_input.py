"""A worker fed a thousand messages, garbage among them, dead-letters the bad and keeps going."""

from __future__ import annotations

import json
import random
from collections import Counter
from typing import Any

import pytest

from schemas import ArticleRecord, DeadLetter
from streams.errors import GeoeventsError
from streams.feed import RawRecord

pytestmark = pytest.mark.integration

TOTAL = 1000


def garbage(n: int, rng: random.Random) -> tuple[RawRecord, str]:
    """The n-th bad message and the reason intake must give for it."""
    good = {"id": f"bad-{n}", "source": "Fuzz", "body": "Talks were held.", "published_at": None}
    kinds: list[tuple[bytes, str]] = [
        (bytes(rng.randrange(128, 256) for _ in range(40)), "not_utf8"),
        (b"{'id': single quotes}" + str(n).encode(), "not_json"),
        (json.dumps([n, "list"]).encode(), "not_object"),
        (json.dumps({**good, "id": None}).encode(), "invalid_fields"),
        (json.dumps({**good, "published_at": "not a date"}).encode(), "invalid_fields"),
        (json.dumps({k: v for k, v in good.items() if k != "source"}).encode(), "invalid_fields"),
        (json.dumps({**good, "body": " \n\t "}).encode(), "empty_body"),
        (json.dumps({**good, "body": "word " * 120_000}).encode(), "too_large"),
        (b"", "not_json"),
    ]
    value, reason = kinds[n % len(kinds)]
    return RawRecord(key=f"bad-{n}".encode(), value=value, origin=f"fuzz#{n}"), reason


def valid(n: int) -> RawRecord:
    body = f"Market report {n}: shares of a shipping firm rose {n % 7} percent on strong demand."
    article = {"id": f"good-{n}", "source": "Fuzz", "body": body, "published_at": None}
    return RawRecord(key=f"good-{n}".encode(), value=json.dumps(article).encode(), origin="-")


async def test_thousand_mixed_messages(pipeline: Any) -> None:
    rng = random.Random(7)
    expected: dict[bytes, str] = {}
    records: list[RawRecord] = []
    for n in range(TOTAL):
        if rng.random() < 0.4:
            record, reason = garbage(n, rng)
            expected[record.key or b""] = reason
        else:
            record = valid(n)
        records.append(record)
    assert await pipeline.publish(records) == TOTAL
    await pipeline.drain(timeout=120)

    assert pipeline.worker.poll() is None, "the worker died"
    letters = {}
    for key, value in await pipeline.read(pipeline.settings.topics.articles_dlq):
        letter = DeadLetter.model_validate_json(value)
        letters[key] = letter
    assert {k: v.reason for k, v in letters.items()} == expected
    for key, letter in letters.items():
        original = next(r for r in records if r.key == key)
        assert letter.original == original.value and letter.stage == "intake" and letter.error
        assert letter.topic == pipeline.settings.topics.articles and letter.offset is not None

    storied_topic = pipeline.settings.internal_topics()["storied"]
    processed = [
        ArticleRecord.model_validate_json(v) for _, v in await pipeline.read(storied_topic)
    ]
    good_ids = {r.key.decode() for r in records if r.key not in expected}  # type: ignore[union-attr]
    assert {r.article.id for r in processed} == good_ids

    status, body = pipeline.get("/metrics")
    assert status == 200
    counts = Counter(expected.values())
    for reason, count in counts.items():
        line = f'geoevents_dead_letters_total{{reason="{reason}",stage="intake"}} {float(count)}'
        assert line in body.decode()


def sized(article_id: str, size: int) -> RawRecord:
    """A valid article of exactly `size` bytes: a body of three-byte characters, padded."""
    article = {"id": article_id, "source": "Fuzz", "published_at": None, "body": "", "title": ""}
    room = size - len(json.dumps(article, ensure_ascii=False).encode())
    body = "€" * min(room // 3, 180_000)
    article["body"] = body
    article["title"] = "x" * (size - len(json.dumps(article, ensure_ascii=False).encode()))
    value = json.dumps(article, ensure_ascii=False).encode()
    assert len(value) == size, (len(value), size)
    return RawRecord(key=article_id.encode(), value=value, origin=article_id)


async def test_each_size_boundary(pipeline: Any) -> None:
    limits = pipeline.settings.limits
    at_limit = sized("size-at-limit", limits.max_article_bytes)
    over = [
        sized("size-over-limit", limits.max_article_bytes + 1),
        sized("size-850k", 850_000),
        sized("size-near-message-limit", limits.max_message_bytes - 1024),
    ]
    assert await pipeline.publish([at_limit, *over]) == 4
    with pytest.raises(GeoeventsError, match="GEO_LIMITS__MAX_MESSAGE_BYTES"):
        await pipeline.publish([sized("size-over-message-limit", limits.max_message_bytes + 1)])
    await pipeline.drain(timeout=120)

    letters = {
        key: DeadLetter.model_validate_json(value)
        for key, value in await pipeline.read(pipeline.settings.topics.articles_dlq)
        if key is not None and key.startswith(b"size-")
    }
    assert set(letters) == {r.key for r in over}
    for record in over:
        letter = letters[record.key]  # type: ignore[index]
        assert letter.reason == "too_large" and letter.original_size == len(record.value)
        assert letter.original == record.value[: len(letter.original)]
        assert letter.truncated == (len(letter.original) < len(record.value))
    assert not letters[b"size-over-limit"].truncated  # whole while its base64 fits
    assert letters[b"size-850k"].truncated and letters[b"size-near-message-limit"].truncated
    storied = pipeline.settings.internal_topics()["storied"]
    kept = [
        ArticleRecord.model_validate_json(v).article.id for _, v in await pipeline.read(storied)
    ]
    assert "size-at-limit" in kept
