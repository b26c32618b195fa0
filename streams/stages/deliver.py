"""Deliver: hand each alert to its channels once; the console channel for now."""

from __future__ import annotations

import logging
from collections.abc import Callable

from schemas import Alert
from streams.stages.state import State

log = logging.getLogger(__name__)

Sink = Callable[[Alert], None]


def console_text(alert: Alert) -> str:
    """A readable page: what, who, where, figures, sources, first seen."""
    event = alert.event
    lines = [f"[{alert.kind.upper()}] {alert.title}"]
    if event.quantities:
        figures = ", ".join(
            f"{q.qualifier.replace('_', ' ')} {q.value:,.0f} {q.unit}".replace("exact ", "")
            for q in event.quantities
        )
        lines.append(f"  figures: {figures}")
    if event.event_date:
        lines.append(f"  date: {event.event_date.isoformat()}")
    lines.append(f"  sources: {', '.join(event.sources)} ({len(event.article_ids)} articles)")
    lines.append(f"  first seen: {event.first_seen.isoformat()}  event: {event.event_id}")
    lines.append(f"  rule: {alert.rule}  alert: {alert.alert_id}")
    return "\n".join(lines)


def deliver(
    alert: Alert, sinks: dict[str, Sink], delivered: State, now: float, window: float
) -> list[str]:
    """Send `alert` to each of its channels not yet delivered; returns the channels sent.

    `delivered` is keyed by alert id and channel, so a redelivered alert is not sent again.
    """
    sent = []
    for channel in alert.channels:
        key = f"{alert.alert_id}|{channel}"
        if delivered.get(key, now) is not None:
            continue
        sink = sinks.get(channel)
        if sink is None:
            log.error("alert %s names unknown channel %r", alert.alert_id, channel)
            continue
        sink(alert)
        delivered.put(key, True, now, window)
        sent.append(channel)
    return sent
