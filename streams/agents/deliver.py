"""Deliver agent: hand each alert in the outbox to its channels, once per channel."""

from __future__ import annotations

import logging
from typing import Any

from schemas import Alert
from streams import tables, topics
from streams.app import app, metrics, settings
from streams.clock import stream_time
from streams.dlq import dead_letters
from streams.stages import deliver as stage

log = logging.getLogger(__name__)


def _console(alert: Alert) -> None:
    # print, not log: the console channel is for a person watching the worker.
    print(stage.console_text(alert), flush=True)
    log.warning("ALERT %s %s", alert.alert_id, alert.title)


SINKS: dict[str, stage.Sink] = {"console": _console}


@app.agent(topics.alerts, name="deliver")
async def deliver(stream: Any) -> None:
    """alerts -> channels"""
    window = settings.state.event_window_seconds
    async for event in stream.events():
        async with dead_letters("deliver", event, topics.alerts_dlq):
            alert = Alert.model_validate_json(event.value)
            now = stream_time(alert.created_at, event.message.timestamp)
            for channel in stage.deliver(alert, SINKS, tables.delivered, now, window):
                metrics.deliveries.labels(channel=channel, outcome="sent").inc()
