"""Alerts agent: apply the rules to each canonical event update; write alerts to the outbox."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from schemas import CanonicalEvent
from streams import tables, topics
from streams.app import app, metrics, settings
from streams.clock import stream_time
from streams.dlq import dead_letters
from streams.rules import get_rules
from streams.stages import alerts as stage


@app.agent(topics.canonical, name="alerts")
async def alerts(stream: Any) -> None:
    """events.canonical -> alerts"""
    rules = get_rules()
    window = settings.state.event_window_seconds
    sweeper = tables.Sweeper(tables.paged, settings.topics.partitions, window)
    async for event in stream.events():
        async with dead_letters("alerts", event, topics.alerts_dlq):
            canonical = CanonicalEvent.model_validate_json(event.value)
            now = stream_time(canonical.last_seen, event.message.timestamp)
            alert = stage.evaluate(canonical, rules, tables.paged, now, window)
            sweeper.maybe(now, event.message.partition)
            if alert is None:
                continue
            metrics.alerts.labels(kind=alert.kind, severity=alert.severity).inc()
            if canonical.last_received_at is not None:
                lag = datetime.now(UTC) - canonical.last_received_at
                metrics.intake_to_alert_seconds.observe(max(lag.total_seconds(), 0.0))
            # last_seen: the publication time of the latest article merged into the event.
            published = datetime.now(UTC) - canonical.last_seen
            metrics.published_to_alert_seconds.observe(max(published.total_seconds(), 0.0))
            await topics.alerts.send(key=alert.event_id.encode(), value=alert.to_json_bytes())
