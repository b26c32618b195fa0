"""Building a canonical event from its reports, and the digest of the reports an event
holds past those it keeps in full."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from schemas import CanonicalEvent
from schemas.event import SEVERITY_ORDER
from streams.state.codec import Digest, Document, Figure, Report

LISTED = 100
"""Ids and sources an event lists for the reports past those it keeps in full, and figures
it keeps of them (the newest); its counts (`mention_count`, `article_count`) go on."""


def build(
    event_id: str,
    documents: list[Document],
    reports: dict[str, Report],
    more: Digest | None = None,
) -> CanonicalEvent:
    """The canonical event its reports make: a function of the set, not of their order.

    The most severe report sets the severity (and the weapon it names), the parties are
    ranked by how many reports name them, the most specific place wins, each figure is its
    latest report's, and the day is the earliest a report names. It reads the stored JSON
    as it is: an event rebuilt on each of its reports must not parse each one. `more` is
    the digest of the reports past the ones kept in full (`fold`).
    """
    if more is None:
        more = fold([], reports)
    seen = {d["mention_id"]: _seen(d, reports) for d in documents}
    ms = sorted(documents, key=lambda d: (seen[d["mention_id"]], d["mention_id"]))
    named = [d for d in ms if d["subtype"]]
    subtype = _most_common(d["subtype"] for d in named)
    mode = next((d["mode"] for d in named if d["subtype"] == subtype and d["mode"]), None)
    dated = [d["event_date"] for d in ms if d["event_date"] and d["evidence"].get("date")]
    dated += more.dated
    dates = dated or [d["event_date"] for d in ms if d["event_date"]] + more.dates
    received = [datetime.fromisoformat(d["received_at"]) for d in ms if d.get("received_at")]
    received += [datetime.fromisoformat(r) for r in more.received]
    times = [seen[d["mention_id"]] for d in ms] + more.seen
    history = _history(ms, more.history)
    severities = [d["severity"] for d in ms] + more.severity
    articles = {d["article_id"] for d in ms} | set(more.article_ids)
    return CanonicalEvent.model_validate(
        {
            "event_id": event_id,
            "event_type": ms[0]["event_type"],
            "mode": mode or _most_common(d["mode"] for d in ms),
            "subtype": subtype,
            "severity": max(severities, key=SEVERITY_ORDER.__getitem__),
            "actors": _ranked(d["actors"] for d in ms),
            "recipients": _ranked(d["recipients"] for d in ms),
            "location": _place(d["location"] for d in ms),
            "quantities": _latest_quantities(history),
            "quantity_history": history,
            "weapon": _weapon(ms),
            "event_date": min(dates) if dates else None,
            "first_seen": datetime.fromtimestamp(min(times), UTC),
            "last_seen": datetime.fromtimestamp(max(times), UTC),
            "article_ids": sorted(articles),
            "article_count": len(articles) + more.articles - len(more.article_ids),
            "sources": sorted({d["source"] for d in ms} | set(more.sources)),
            "mention_ids": sorted([d["mention_id"] for d in ms] + more.mention_ids),
            "mention_count": len(ms) + more.mentions,
            "confidence": max(d["confidence"] for d in ms),
            "last_received_at": max(received) if received else None,
        }
    )


def _seen(document: Document, reports: dict[str, Report]) -> float:
    """When a report was published (when it came, for one without a date)."""
    if document.get("published_at"):
        return datetime.fromisoformat(document["published_at"]).timestamp()
    report = reports.get(document["mention_id"])
    return report.seen if report else 0.0


def _most_common(values: Iterable[str | None]) -> str | None:
    """The value most reports give (the earliest report's on a tie)."""
    listed = [v for v in values if v]
    if not listed:
        return None
    count = Counter(listed)
    return max(listed, key=lambda v: (count[v], -listed.index(v)))


def _weapon(documents: list[Document]) -> str | None:
    """The weapon the most severe report names (the most often named, then the earliest)."""
    armed = [d for d in documents if d["weapon"]]
    if not armed:
        return None
    count = Counter(d["weapon"] for d in armed)
    order = {id(d): i for i, d in enumerate(armed)}
    best = max(
        armed, key=lambda d: (SEVERITY_ORDER[d["severity"]], count[d["weapon"]], -order[id(d)])
    )
    return str(best["weapon"])


def _ranked(lists: Iterable[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Every party any report names, the most often named first (earliest on a tie)."""
    first: dict[str, tuple[int, dict[str, Any]]] = {}
    count: Counter[str] = Counter()
    for actors in lists:
        for actor in {a["code"]: a for a in actors}.values():
            first.setdefault(actor["code"], (len(first), actor))
            count[actor["code"]] += 1
    ranked = sorted(first, key=lambda code: (-count[code], first[code][0]))
    return [first[code][1] for code in ranked]


def _place(places: Iterable[dict[str, Any] | None]) -> dict[str, Any] | None:
    """The most specific place any report gives (a region over its country over a name),
    the most often given on a tie, then the earliest."""
    listed = [p for p in places if p is not None]
    if not listed:
        return None
    names = [(p["name"], p.get("country"), p.get("subdivision")) for p in listed]
    count = Counter(names)
    best = max(
        range(len(listed)),
        key=lambda i: (bool(names[i][2]), bool(names[i][1]), count[names[i]], -i),
    )
    return listed[best]


def _history(documents: list[Document], more: Iterable[Figure] = ()) -> list[Figure]:
    """Every figure with the report that gave it, oldest first (one per article and figure),
    with the figures of a digest (`more`, from `_history` too)."""
    figures: dict[tuple[Any, ...], Figure] = {}
    for figure in more:
        figures[_figure_key(figure)] = figure
    for d in documents:
        for q in d["quantities"]:
            figure = {  # the later report of the same figure in one article wins
                "quantity": q,
                "article_id": d["article_id"],
                "source": d["source"],
                "published_at": d.get("published_at"),
            }
            figures[_figure_key(figure)] = figure
    return [figures[key] for key in sorted(figures)]


def _figure_key(figure: Figure) -> tuple[Any, ...]:
    published = figure["published_at"]
    at = datetime.fromisoformat(published) if published else _EARLIEST
    quantity = figure["quantity"]
    return (at, figure["article_id"], quantity["unit"], quantity["value"])


def fold(documents: list[Document], reports: dict[str, Report]) -> Digest:
    """The digest of reports an event holds past the ones it keeps in full: what they add to
    the event (counts, up to LISTED ids and sources, its newest LISTED figures, severity,
    dates, times), without the reports."""
    dated = [d["event_date"] for d in documents if d["event_date"] and d["evidence"].get("date")]
    received = [d["received_at"] for d in documents if d.get("received_at")]
    articles = {d["article_id"] for d in documents}
    return Digest(
        mentions=len(documents),
        articles=len(articles),
        mention_ids=sorted(d["mention_id"] for d in documents)[:LISTED],
        article_ids=sorted(articles)[:LISTED],
        sources=sorted({d["source"] for d in documents})[:LISTED],
        severity=_extremes([d["severity"] for d in documents], SEVERITY_ORDER.__getitem__),
        history=_history(documents)[-LISTED:],
        dated=_extremes(dated),
        dates=_extremes([d["event_date"] for d in documents if d["event_date"]]),
        received=_extremes(received),
        seen=_extremes([_seen(d, reports) for d in documents]),
    )


def combine(one: Digest | None, other: Digest | None) -> Digest | None:
    """Two digests as one (an event's and one retired into it, or new reports folded in).
    An article both list is counted once; past the lists, counts can only add up."""
    if one is None or other is None:
        return one or other
    shared = len(set(one.article_ids) & set(other.article_ids))
    return Digest(
        mentions=one.mentions + other.mentions,
        articles=one.articles + other.articles - shared,
        mention_ids=sorted({*one.mention_ids, *other.mention_ids})[:LISTED],
        article_ids=sorted({*one.article_ids, *other.article_ids})[:LISTED],
        sources=sorted({*one.sources, *other.sources})[:LISTED],
        severity=_extremes([*one.severity, *other.severity], SEVERITY_ORDER.__getitem__),
        history=_history([], [*one.history, *other.history])[-LISTED:],
        dated=_extremes([*one.dated, *other.dated]),
        dates=_extremes([*one.dates, *other.dates]),
        received=_extremes([*one.received, *other.received]),
        seen=_extremes([*one.seen, *other.seen]),
    )


def _extremes(values: list[Any], key: Callable[[Any], Any] | None = None) -> list[Any]:
    """The least and the greatest of `values` (all min and max over them need), or []."""
    if not values:
        return []
    least, greatest = min(values, key=key), max(values, key=key)
    return [least] if least == greatest else [least, greatest]


_EARLIEST = datetime.min.replace(tzinfo=UTC)


def _latest_quantities(history: list[Figure]) -> list[dict[str, Any]]:
    """The newest report's figure for each unit: a later 'up to 12,000' replaces 'some 8,000'."""
    latest: dict[str, dict[str, Any]] = {}
    for report in history:  # sorted oldest first, so later reports overwrite
        latest[report["quantity"]["unit"]] = report["quantity"]
    return list(latest.values())
