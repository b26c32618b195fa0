"""Events agent: merge mentions into canonical events where their block's state lives."""

from __future__ import annotations

from typing import Any

from schemas import EventMention
from streams import tables, topics
from streams.app import app, metrics, settings
from streams.clock import stream_time
from streams.dlq import dead_letters
from streams.stages import events as stage


@app.agent(topics.by_block, name="events")
async def events(stream: Any) -> None:
    """mentions-by-block -> events.mentions, events.canonical (both keyed by event id)"""
    window = settings.state.event_window_seconds
    sweeper = tables.Sweeper(
        tables.blocks, settings.topics.partitions, window, key_of=stage.block_of
    )
    async for event in stream.events():
        async with dead_letters("events", event, topics.articles_dlq):
            mention = EventMention.model_validate_json(event.value)
            now = stream_time(mention.published_at, event.message.timestamp)
            merged = stage.merge_mention(mention, tables.blocks, now, window)
            sweeper.maybe(now, event.message.partition)
            key = (merged.mention.event_id or "").encode() or None
            await topics.mentions.send(key=key, value=merged.mention.to_json_bytes())
            if merged.event is not None:
                metrics.events.labels(change="new" if merged.created else "updated").inc()
                await topics.canonical.send(
                    key=merged.event.event_id.encode(), value=merged.event.to_json_bytes()
                )
