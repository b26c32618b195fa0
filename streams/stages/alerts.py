"""Alerts: decide when a canonical event pages: once when new, once more per escalation."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from schemas import Alert, AlertKind, CanonicalEvent
from schemas.event import SEVERITY_ORDER
from streams.rules import Escalation, RuleSet
from streams.stages.headline import headline
from streams.stages.state import State


def alert_id_for(event_id: str, kind: str, severity: str, detail: str = "") -> str:
    """Deterministic, so a redelivered event produces the same alert and sinks can dedupe.

    `detail` names what escalated when it was not the severity (a grown figure), so two
    escalations at one severity are two alerts; it is empty otherwise, keeping ids stable.
    """
    text = f"{event_id}|{kind}|{severity}" + (f"|{detail}" if detail else "")
    return "al-" + hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:16]


@dataclass
class Baseline:
    """What an event looked like when it last paged (or was first evaluated)."""

    severity: str
    figures: dict[str, float] = field(default_factory=dict)

    @classmethod
    def load(cls, value: Any) -> Baseline | None:
        if value is None:
            return None
        if isinstance(value, str):  # state written before figures were remembered
            return cls(severity=value)
        return cls(severity=value["s"], figures=dict(value.get("f") or {}))

    def dump(self) -> dict[str, Any]:
        return {"s": self.severity, "f": self.figures}


def evaluate(
    event: CanonicalEvent,
    rules: RuleSet,
    paged: State,
    now: float,
    window: float,
    created_at: datetime | None = None,
) -> Alert | None:
    """The alert this update of `event` fires, if any.

    `paged` is keyed by event id and remembers the event as it was at its last change that
    counted (see `Escalation`): the same facts repeated never page twice, and only a rise
    escalates. Rules are asked only after that, so an event below every rule's threshold
    that rises into one pages as an escalation.
    """
    seen = Baseline.load(paged.get(event.event_id, now))
    figures = _figures(event, rules.escalation)
    if seen is None:
        kind: AlertKind = "new"
        change, detail = None, ""
    else:
        escalated = _escalation(event, seen, figures, rules.escalation)
        if escalated is None:
            if set(figures) - set(seen.figures):  # a unit first reported: remember its figure
                seen.figures = {**figures, **seen.figures}
                paged.put(event.event_id, seen.dump(), now, window)
            return None
        kind = "escalation"
        change, detail = escalated
    highest = event.severity
    if seen is not None and SEVERITY_ORDER[seen.severity] > SEVERITY_ORDER[highest]:
        highest = seen.severity  # type: ignore[assignment]  # a Severity either way
    paged.put(event.event_id, Baseline(highest, figures).dump(), now, window)
    rule = rules.first_match(event, kind, when=datetime.fromtimestamp(now, UTC))
    if rule is None:
        return None
    return Alert(
        alert_id=alert_id_for(event.event_id, kind, event.severity, detail),
        event_id=event.event_id,
        kind=kind,
        severity=event.severity,
        title=title_of(event),
        change=change,
        article_ids=list(event.article_ids),
        rule=rule.name,
        channels=list(rule.channels),
        created_at=datetime.now(UTC) if created_at is None else created_at,
        event=event,
    )


def _figures(event: CanonicalEvent, escalation: Escalation) -> dict[str, float]:
    if escalation.figures is None:
        return {}
    units = escalation.figures.units
    return {q.unit: q.value for q in event.quantities if not units or q.unit in units}


def _escalation(
    event: CanonicalEvent, seen: Baseline, figures: dict[str, float], escalation: Escalation
) -> tuple[str, str] | None:
    """(what changed, id detail) when the event escalated since `seen`, else None."""
    rise = SEVERITY_ORDER[event.severity] - SEVERITY_ORDER[seen.severity]
    if escalation.severity_rise and rise >= escalation.severity_rise:
        return f"severity rose from {seen.severity} to {event.severity}", ""
    if escalation.figures is None:
        return None
    grown = [
        (unit, seen.figures[unit], value)
        for unit, value in sorted(figures.items())
        if seen.figures.get(unit)
        and value >= seen.figures[unit] * (1 + escalation.figures.increase)
    ]
    if not grown:
        return None
    change = "; ".join(f"{unit} rose from {old:,.0f} to {new:,.0f}" for unit, old, new in grown)
    return change, ",".join(f"{unit}={new:g}" for unit, _, new in grown)


def title_of(event: CanonicalEvent) -> str:
    """One line an on-call engineer reads first: the severity and what happened, in an
    analyst's words ("HIGH: North Korea deploys about 8,000 troops to Russia's Kursk
    Oblast")."""
    return f"{event.severity.upper()}: {headline(event)}"
