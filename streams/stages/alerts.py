"""Alerts: decide when a canonical event pages: once when new, once more per escalation."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from schemas import Alert, AlertKind, CanonicalEvent
from schemas.event import SEVERITY_ORDER
from streams.rules import RuleSet
from streams.stages.state import State


def alert_id_for(event_id: str, kind: str, severity: str) -> str:
    """Deterministic, so a redelivered event produces the same alert and sinks can dedupe."""
    text = f"{event_id}|{kind}|{severity}"
    return "al-" + hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:16]


def evaluate(
    event: CanonicalEvent,
    rules: RuleSet,
    paged: State,
    now: float,
    window: float,
    created_at: datetime | None = None,
) -> Alert | None:
    """The alert this update of `event` fires, if any.

    `paged` is keyed by event id and remembers the highest severity each event has been
    evaluated at: the same facts repeated never page twice, and only a rise escalates.
    """
    seen = paged.get(event.event_id, now)
    if seen is not None and SEVERITY_ORDER[event.severity] <= SEVERITY_ORDER[seen]:
        return None
    kind: AlertKind = "new" if seen is None else "escalation"
    paged.put(event.event_id, event.severity, now, window)
    rule = rules.first_match(event, kind)
    if rule is None:
        return None
    return Alert(
        alert_id=alert_id_for(event.event_id, kind, event.severity),
        event_id=event.event_id,
        kind=kind,
        severity=event.severity,
        title=title_of(event),
        article_ids=list(event.article_ids),
        rule=rule.name,
        channels=list(rule.channels),
        created_at=datetime.now(UTC) if created_at is None else created_at,
        event=event,
    )


def title_of(event: CanonicalEvent) -> str:
    """One line an on-call engineer reads first: what, who, where."""
    what = (event.subtype or event.event_type).replace("_", " ")
    who = ", ".join(a.name for a in event.actors) or "unknown actor"
    parts = [f"{event.severity.upper()}: {what}", f"by {who}"]
    if event.weapon:
        parts[0] += f" ({event.weapon})"
    if event.recipients:
        parts.append("against " + ", ".join(a.name for a in event.recipients))
    if event.location:
        parts.append(f"in {event.location.name}")
    return " ".join(parts)
