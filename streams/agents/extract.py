"""Extract agent: code event mentions from each article, route them by blocking key."""

from __future__ import annotations

from typing import Any

from schemas import ArticleRecord
from streams import topics
from streams.app import app, metrics
from streams.dlq import dead_letters
from streams.stages import events as events_stage
from streams.stages import extract as stage


@app.agent(topics.storied, name="extract")
async def extract(stream: Any) -> None:
    """articles-storied -> mentions-by-block"""
    async for event in stream.events():
        async with dead_letters("extract", event, topics.articles_dlq):
            record = ArticleRecord.model_validate_json(event.value)
            for mention in stage.extract(record):
                mention = mention.model_copy(update={"received_at": record.received_at})
                metrics.mentions.labels(event_type=mention.event_type).inc()
                await topics.by_block.send(
                    key=events_stage.blocking_key(mention).encode(),
                    value=mention.to_json_bytes(),
                )
