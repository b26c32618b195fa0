"""Intake agent: validate raw articles, dead-letter bad ones, send good ones to the story stage."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from streams import topics
from streams.app import app, metrics, settings
from streams.dlq import dead_letters
from streams.stages import intake as stage


@app.agent(topics.articles, name="intake")
async def intake(stream: Any) -> None:
    """articles.raw -> articles-for-stories | articles.dlq"""
    limits = settings.limits
    async for event in stream.events():
        metrics.articles_consumed.inc()
        async with dead_letters("intake", event, topics.articles_dlq):
            article = stage.parse_article(
                event.value, limits.max_article_bytes, limits.max_body_chars
            )
            # The signature is computed here, partition-parallel, so the one story partition
            # only compares compact features.
            record = stage.to_record(article).model_copy(update={"received_at": datetime.now(UTC)})
            await topics.for_stories.send(key=article.id.encode(), value=record.to_json_bytes())
            metrics.articles_accepted.inc()
