"""Console channel: the alert as readable text on the worker's stdout, for development."""

from __future__ import annotations

from schemas import Alert
from streams.delivery.channels.base import Links, figures, printable
from streams.rules import ChannelOptions


def text(alert: Alert, options: ChannelOptions | None = None, links: Links | None = None) -> str:
    """A readable page: what, who, where, figures, sources, first seen; control characters
    from the articles escaped."""
    event = alert.event
    marker = (options or ChannelOptions()).severity[alert.severity]
    lines = [f"[{alert.kind.upper()}] {alert.title}"]
    if marker.lower() != alert.severity:
        lines[0] += f"  ({marker})"
    if alert.change:
        lines.append(f"  change: {alert.change}")
    shown = figures(event)
    if shown:
        lines.append(f"  figures: {shown}")
    if event.event_date:
        lines.append(f"  date: {event.event_date.isoformat()}")
    lines.append(f"  sources: {', '.join(event.sources)} ({event.article_count} articles)")
    urls = [u for u in (links.article(a) for a in event.article_ids) if u] if links else []
    for url in urls:
        lines.append(f"    {url}")
    lines.append(f"  first seen: {event.first_seen.isoformat()}  event: {event.event_id}")
    lines.append(f"  rule: {alert.rule}  alert: {alert.alert_id}")
    # One line per fact, each with whatever an article put in it made visible, not obeyed.
    return "\n".join(printable(line) for line in lines)
