"""PagerDuty Events API v2: a trigger whose dedup_key PagerDuty uses to drop a repeat."""

from __future__ import annotations

import hashlib
from typing import Any

from schemas import Alert
from streams.delivery.channels.base import HttpRequest, Links, details, json_request, truncate
from streams.delivery.channels.config import Target
from streams.rules import ChannelOptions

DEDUP_KEY_LIMIT = 255
SUMMARY_LIMIT = 1024


def dedup_key(alert: Alert) -> str:
    """Derived from the canonical event and the alert, so every resend of it is one incident.

    PagerDuty drops a trigger whose dedup_key matches an open alert: a worker that sent and
    then died before recording it sends the same key again, and nobody is paged twice.
    """
    key = f"geoevents/{alert.event_id}/{alert.kind}/{alert.alert_id}"
    if len(key) > DEDUP_KEY_LIMIT:
        digest = hashlib.sha256(key.encode()).hexdigest()
        key = f"geoevents/{digest}"
    return key


def payload(
    alert: Alert, routing_key: str, options: ChannelOptions, links: Links
) -> dict[str, Any]:
    """The trigger event."""
    event = alert.event
    place = event.location.name if event.location else None
    actors = ", ".join(a.code for a in event.actors)
    body: dict[str, Any] = {
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": dedup_key(alert),
        "payload": {
            "summary": truncate(alert.title, SUMMARY_LIMIT),
            # PagerDuty's "affected system": here, where the event happens, or who acts.
            "source": place or actors or "geoevents",
            "severity": options.severity[alert.severity],
            "timestamp": alert.created_at.isoformat(),
            "component": event.subtype or event.event_type,
            "group": actors or "unknown",
            "class": event.event_type + (f"/{event.mode}" if event.mode else ""),
            "custom_details": {k: v for k, v in details(alert).items() if v not in (None, [])},
        },
        "client": "geoevents",
    }
    hrefs = [(links.article(a), f"article {a}") for a in alert.article_ids[:5]]
    hrefs.insert(0, (links.event(alert.event_id), "event"))
    found = [{"href": href, "text": text} for href, text in hrefs if href]
    if found:
        body["links"] = found
    return body


def build(alert: Alert, target: Target, options: ChannelOptions, links: Links) -> HttpRequest:
    """The POST to the Events API endpoint; the routing key travels in the body."""
    assert target.key is not None, "a PagerDuty target always has its routing key"
    routing_key = target.key.get_secret_value()
    return json_request(target.url.get_secret_value(), payload(alert, routing_key, options, links))
