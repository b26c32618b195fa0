"""An article dated out of range is dead-lettered and moves no clock: state stays as it was.

Stream time follows publication times, so one copy of a paged launch dated in the year 9999
would expire every table's state at once: the launch would page again and the copies after
it would no longer be recognised. Through a worker, after the merging fixture: copies of
its latest launch report dated 9999 and 0001, then a copy dated like the original.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from schemas import Alert, ArticleRecord, DeadLetter
from streams.feed import RawRecord
from tests.order import records

pytestmark = pytest.mark.integration


def copy_of(record: RawRecord, article_id: str, published_at: str) -> RawRecord:
    article = json.loads(record.value)
    article.update(id=article_id, published_at=published_at, source="Mirror Wire")
    return RawRecord(key=article_id.encode(), value=json.dumps(article).encode(), origin="-")


async def test_a_far_dated_copy_changes_nothing(pipeline: Any) -> None:
    feed = records("merging")
    newest = next(r for r in feed if r.key == b"mg-09")  # the latest launch report
    late = [
        copy_of(newest, "mg-09-far-future", "9999-12-31T00:00:00Z"),
        copy_of(newest, "mg-09-far-past", "0001-01-01T00:00:00Z"),
        copy_of(newest, "mg-09-copy", "2026-11-13T11:00:00Z"),
    ]
    topics = pipeline.settings.topics
    assert await pipeline.publish(feed) == len(feed)
    await pipeline.drain(timeout=120)
    pages = [Alert.model_validate_json(v) for _, v in await pipeline.read(topics.alerts)]
    assert pages, "the fixture pages"

    assert await pipeline.publish(late) == len(late)
    await pipeline.drain(timeout=120)
    assert pipeline.worker.poll() is None, "the worker died"

    dead = await pipeline.read(topics.articles_dlq)
    letters = [DeadLetter.model_validate_json(v) for _, v in dead]
    assert {(d.key, d.reason) for d in letters} == {
        (b"mg-09-far-future", "future_dated"),
        (b"mg-09-far-past", "too_old"),
    }
    storied = pipeline.settings.internal_topics()["storied"]
    copy = next(
        record
        for _, v in await pipeline.read(storied)
        if (record := ArticleRecord.model_validate_json(v)).article.id == "mg-09-copy"
    )
    assert copy.duplicate_of == "mg-09", "the first copy was still remembered"
    after = [Alert.model_validate_json(v) for _, v in await pipeline.read(topics.alerts)]
    assert sorted(a.alert_id for a in after) == sorted(a.alert_id for a in pages), "paged again"
