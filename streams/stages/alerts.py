"""Alerts: decide when a canonical event pages: once when new, once more per escalation."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from schemas import Alert, AlertKind, CanonicalEvent
from schemas.event import SEVERITY_ORDER
from streams.headline import headline
from streams.ids import content_id
from streams.rules import Escalation, RuleSet
from streams.state.codec import Baseline


def alert_id_for(event_id: str, kind: str, severity: str, detail: str = "") -> str:
    """Deterministic, so a redelivered event produces the same alert and sinks can dedupe.

    An event pages "new" once, whatever its severity then, so its id is the event's alone;
    an escalation's names the severity it rose to, and `detail` what grew when it was not
    the severity (a figure), so two escalations at one severity are two alerts.
    """
    if kind == "new":
        text = f"{event_id}|new"
    else:
        text = f"{event_id}|{kind}|{severity}" + (f"|{detail}" if detail else "")
    return content_id(text, "al-")


def combined(baselines: Iterable[Baseline | None]) -> Baseline | None:
    """The baseline of an event that absorbed others: paged if any of them paged, at the
    highest severity and figures any of them paged at (their pages were sent)."""
    known = [b for b in baselines if b is not None]
    if not known:
        return None
    paged = [b for b in known if b.paged] or known
    figures: dict[str, float] = {}
    for b in paged:
        for unit, value in b.figures.items():
            figures[unit] = max(value, figures.get(unit, value))
    severity = max((b.severity for b in paged), key=SEVERITY_ORDER.__getitem__)
    return Baseline(paged=bool(paged[0].paged), severity=severity, figures=figures)


def evaluate(
    event: CanonicalEvent,
    rules: RuleSet,
    baseline: Baseline | None,
    now: float,
    created_at: datetime,
) -> tuple[Alert | None, Baseline]:
    """The alert this update of `event` fires, if any, and the event's baseline after it.

    An event that has not paged pages "new" as soon as a rule takes it, whether that is its
    first report or a later one that made it serious: its first page. After that, only a
    change that counts (`Escalation`) pages, as an escalation, so the same facts repeated
    never page twice and one event never pages "new" twice.
    """
    figures = _figures(event, rules.escalation)
    when = datetime.fromtimestamp(now, UTC)
    if baseline is None or not baseline.paged:
        rule = rules.first_match(event, "new", when=when)
        if rule is None:
            return None, Baseline(False, event.severity, figures)
        kind: AlertKind = "new"
        change, detail = None, ""
    else:
        escalated = _escalation(event, baseline, figures, rules.escalation)
        if escalated is None:
            # a unit first reported: remember its figure, so only its growth escalates
            return None, Baseline(True, baseline.severity, {**figures, **baseline.figures})
        kind = "escalation"
        change, detail = escalated
        rule = rules.first_match(event, kind, when=when)
    highest = event.severity
    if baseline is not None and SEVERITY_ORDER[baseline.severity] > SEVERITY_ORDER[highest]:
        highest = baseline.severity  # type: ignore[assignment]  # a Severity either way
    after = Baseline(True, highest, figures)
    if rule is None:
        return None, after
    alert = Alert(
        alert_id=alert_id_for(event.event_id, kind, event.severity, detail),
        event_id=event.event_id,
        kind=kind,
        severity=event.severity,
        title=title_of(event),
        change=change,
        article_ids=list(event.article_ids),
        rule=rule.name,
        channels=list(rule.channels),
        created_at=created_at,
        event=event,
    )
    return alert, after


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
