"""Alertmanager v2 API: one alert with labels its routing tree can match on."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from schemas import Alert
from streams.delivery.channels.base import HttpRequest, Links, figures, json_request, where
from streams.delivery.channels.config import Target
from streams.rules import AlertmanagerOptions, ChannelOptions

PATH = "/api/v2/alerts"


def labels_of(alert: Alert, options: AlertmanagerOptions) -> dict[str, str]:
    """Labels for routing and inhibition. alert_id makes each alert (and escalation) its own;
    posting the same labels again only refreshes the alert Alertmanager already has."""
    event = alert.event
    found = {
        **options.labels,
        "alertname": options.alertname,
        "severity": options.severity[alert.severity],
        "geo_severity": alert.severity,
        "kind": alert.kind,
        "rule": alert.rule,
        "event_type": event.event_type,
        "mode": event.mode or "",
        "subtype": event.subtype or "",
        "actor": event.actors[0].code if event.actors else "",
        "recipient": event.recipients[0].code if event.recipients else "",
        "country": (event.location.country or "") if event.location else "",
        "event_id": alert.event_id,
        "alert_id": alert.alert_id,
        "source": "geoevents",
    }
    # An empty value means "no such label" to Alertmanager; leave those out.
    return {k: v for k, v in found.items() if v}


def annotations_of(alert: Alert, links: Links) -> dict[str, str]:
    """Text for templates: summary and description, plus the facts behind them."""
    event = alert.event
    lines = [alert.title]
    if alert.change:
        lines.append(f"Change: {alert.change}")
    for name, value in (("Figures", figures(event)), ("Where", where(event))):
        if value:
            lines.append(f"{name}: {value}")
    lines.append(f"Sources: {', '.join(event.sources)} ({event.article_count} articles)")
    lines.append(f"First seen: {event.first_seen.isoformat()}")
    found = {
        "summary": alert.title,
        "description": "\n".join(lines),
        "sources": ", ".join(event.sources),
        "article_ids": ", ".join(alert.article_ids),
        "first_seen": event.first_seen.isoformat(),
        "change": alert.change or "",
    }
    article_urls = [u for u in (links.article(a) for a in alert.article_ids) if u]
    if article_urls:
        found["article_urls"] = "\n".join(article_urls)
    return {k: v for k, v in found.items() if v}


def payload(alert: Alert, options: AlertmanagerOptions, links: Links) -> list[dict[str, Any]]:
    """The list of alerts the v2 API takes: here, one.

    endsAt is fixed from the alert's own time, so a resend carries the same interval and
    the alert resolves by itself `resolve_after_seconds` later.
    """
    ends = alert.created_at + timedelta(seconds=options.resolve_after_seconds)
    item: dict[str, Any] = {
        "labels": labels_of(alert, options),
        "annotations": annotations_of(alert, links),
        "startsAt": alert.created_at.isoformat(),
        "endsAt": ends.isoformat(),
    }
    generator = links.event(alert.event_id)
    if generator:
        item["generatorURL"] = generator
    return [item]


def build(alert: Alert, target: Target, options: ChannelOptions, links: Links) -> HttpRequest:
    """The POST to {base URL}/api/v2/alerts."""
    assert isinstance(options, AlertmanagerOptions)
    url = target.url.get_secret_value().rstrip("/") + PATH
    return json_request(url, payload(alert, options, links))
