"""Stories agent: mark copies and assign story ids where every copy of a text meets."""

from __future__ import annotations

from typing import Any

from schemas import ArticleRecord
from streams import tables, topics
from streams.app import app, metrics, settings
from streams.clock import stream_time
from streams.dlq import dead_letters
from streams.stages import stories as stage


@app.agent(topics.by_fingerprint, name="stories")
async def stories(stream: Any) -> None:
    """articles-by-fingerprint -> articles-storied (keyed by article id again)"""
    window = settings.state.duplicate_window_seconds
    async for event in stream.events():
        async with dead_letters("stories", event, topics.articles_dlq):
            record = ArticleRecord.model_validate_json(event.value)
            now = stream_time(record.article.published_at, event.message.timestamp)
            record = stage.assign_story(record, tables.fingerprints, now, window)
            if record.duplicate_of is not None:
                metrics.duplicates.inc()
            await topics.storied.send(key=record.article.id.encode(), value=record.to_json_bytes())
