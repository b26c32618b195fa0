"""Stories agent: mark near-duplicates and assign story ids on the one partition that sees all."""

from __future__ import annotations

from typing import Any

from schemas import ArticleRecord
from streams import tables, topics
from streams.app import app, metrics, settings
from streams.clock import stream_time
from streams.dlq import dead_letters
from streams.stages.clustering import story_id_for
from streams.stages.stories import StoryStage


@app.agent(topics.for_stories, name="stories")
async def stories(stream: Any) -> None:
    """articles-for-stories -> articles-storied (keyed by article id, all partitions)"""
    windows = settings.state
    stage = StoryStage(tables.copies, tables.stories, windows)
    sweepers = [
        tables.Sweeper(tables.copies, 1, windows.duplicate_window_seconds),
        tables.Sweeper(tables.stories, 1, windows.story_window_seconds),
    ]
    generation = None
    async for event in stream.events():
        async with dead_letters("stories", event, topics.articles_dlq):
            record = ArticleRecord.model_validate_json(event.value)
            now = stream_time(record.article.published_at, event.message.timestamp)
            if generation != app.consumer_generation_id:
                # Tables are recovered before a new assignment's first message arrives: the
                # in-memory indexes are rebuilt from them once per rebalance.
                stage.rebuild(now)
                generation = app.consumer_generation_id
            record = stage.assign(record, now)
            for sweeper in sweepers:
                sweeper.maybe(now, event.message.partition)
            if record.duplicate_of is not None:
                metrics.duplicates.inc()
            elif record.story_id == story_id_for(record.article.id):
                metrics.stories.inc()  # this article opened its story
            await topics.storied.send(key=record.article.id.encode(), value=record.to_json_bytes())
