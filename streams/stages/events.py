"""Events: merge mentions that report one real-world event into one canonical event."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from schemas import Actor, CanonicalEvent, EventMention, QuantityReport
from schemas.event import SEVERITY_ORDER
from streams.extraction.coding import STATEMENTS
from streams.stages.state import State

# How far apart two reports' event dates may be and still be one event. A launch or a
# strike is a point in time; a deployment or a sanctions regime is reported over weeks.
POINT_TOLERANCE_DAYS = 1
# A report that names no day for the act: the news of the last three days (timing.NEWS_DAYS).
UNDATED_TOLERANCE_DAYS = 3
ONGOING_TOLERANCE_DAYS = 21
ONGOING_SUBTYPES = frozenset(
    {"troop_deployment", "military_cooperation", "arms_transfer", "sanctions", "military_exercise"}
)


# Statements (coding.STATEMENTS) are told apart by who makes them; acts by where they happen.
# Roots whose modes are different kinds of act: a weapons test is no troop deployment.
_KIND_BY_MODE = frozenset({"MOBILIZE", "SANCTION", "RETREAT", "PROTEST"})


def blocking_key(mention: EventMention) -> str:
    """Where candidate events meet: the root (with the mode where modes are different acts)
    and the state it is anchored in, so reports that name the act differently (a bombing, a
    drone strike) or leave out its author still meet. A statement is anchored in its
    speaker's state, an act where it happened, else its target's, else its author's."""
    kind = mention.mode if mention.event_type in _KIND_BY_MODE and mention.mode else "-"
    return f"{mention.event_type}|{kind}|{anchor(mention)}"


def anchor(mention: EventMention) -> str:
    """The state code a mention is anchored in (see blocking_key)."""
    actors = [a.code for a in mention.actors]
    recipients = [a.code for a in mention.recipients]
    place = mention.location.country if mention.location else None
    if mention.event_type in STATEMENTS:
        order = [*actors[:1], place, *recipients[:1]]
    else:
        order = [place, *recipients[:1], *actors[:1]]
    return next((code for code in order if code), "-")


@dataclass(frozen=True)
class Merge:
    """What merging one mention did."""

    mention: EventMention
    event: CanonicalEvent | None
    """The event's new state, or None when nothing changed (a redelivered mention)."""
    created: bool = False


def merge_mention(mention: EventMention, blocks: State, now: float, window: float) -> Merge:
    """Merge `mention` into an open event of its block, or open a new one.

    Only news opens or changes an event (`opens`, `news`): a historical, planned,
    hypothetical or negated mention only links to an open event that matches it. A block's
    entry holds a small reference per open event (date, place, parties, last seen); each
    event's full state has an entry of its own, so a merge reads and writes one event however
    many the block holds. Idempotent: a mention already merged changes
    nothing. A mention from a duplicate article only ever joins an existing event; it never
    starts one.
    """
    key = blocking_key(mention)
    refs = [r for r in blocks.get(key, now) or [] if r["seen"] + window > now]
    match: CanonicalEvent | None = None
    for ref in refs:
        if _same_event(ref, mention):
            stored = blocks.get(event_key(key, ref["id"]), now)
            if stored is not None:
                match = CanonicalEvent.model_validate(stored)
                break
    if match is not None and (mention.mention_id in match.mention_ids or not news(mention)):
        # a redelivery, or history, a plan or a possibility: it refers to the event and
        # changes nothing of it
        return Merge(mention.model_copy(update={"event_id": match.event_id}), None)
    if match is None:
        if mention.duplicate_of is not None or not opens(mention):
            return Merge(mention, None)
        event, created = _open(mention, key, {r["id"] for r in refs}), True
    else:
        event, created = _absorb(match, mention), False
    refs = [r for r in refs if r["id"] != event.event_id] + [_ref(event)]
    blocks.put(event_key(key, event.event_id), event.model_dump(mode="json"), now, window)
    blocks.put(key, refs, now, window)
    return Merge(mention.model_copy(update={"event_id": event.event_id}), event, created)


def news(mention: EventMention) -> bool:
    """Told as done or under way, and part of the article's news rather than its history."""
    return mention.factuality == "asserted" and not mention.historical


# A mention opens an event only when the classifier is at least this sure of its type:
# below it, about half are right (docs/extraction.md, reliability table). It may still join
# an event opened by a surer report.
MIN_OPEN_CONFIDENCE = 0.5


def opens(mention: EventMention) -> bool:
    """Whether a mention may open a canonical event: news the classifier is sure enough of,
    with a party or a place that anchors it (an act by no one nowhere cannot be told apart
    from any other)."""
    return (
        news(mention)
        and mention.confidence >= MIN_OPEN_CONFIDENCE
        and bool(mention.actors or mention.recipients or mention.location)
    )


def event_key(block: str, event_id: str) -> str:
    """The state key of one event's full state: its block, so it lives on the block's partition."""
    return f"{block}#{event_id}"


def block_of(state_key: str) -> str:
    """The block (the message key on the events topic) a state key belongs to."""
    return state_key.split("#", 1)[0]


def _ref(event: CanonicalEvent) -> dict[str, Any]:
    """What matching needs of an event, kept in its block's entry."""
    where = event.location
    return {
        "id": event.event_id,
        "date": event.event_date.isoformat() if event.event_date else None,
        "country": where.country if where else None,
        "subdivision": where.subdivision if where else None,
        "recipients": [a.code for a in event.recipients],
        "actors": [a.code for a in event.actors],
        "seen": event.last_seen.timestamp(),
    }


def _same_event(ref: dict[str, Any], mention: EventMention) -> bool:
    """Whether a mention can report this event: close in time, compatible place and parties.

    A mention whose sentence names no day carries its article's date: the act may have
    happened in the days before, so it may match an event that many days older."""
    ongoing = mention.subtype in ONGOING_SUBTYPES
    tolerance = ONGOING_TOLERANCE_DAYS if ongoing else POINT_TOLERANCE_DAYS
    if mention.evidence.date is None:
        tolerance = max(tolerance, UNDATED_TOLERANCE_DAYS)
    if ref["date"] and mention.event_date:
        if abs((date.fromisoformat(ref["date"]) - mention.event_date).days) > tolerance:
            return False
    where = mention.location
    there = (where.country, where.subdivision) if where else (None, None)
    return (
        _places_compatible((ref["country"], ref["subdivision"]), there, ongoing)
        and _parties_compatible(ref["recipients"], [a.code for a in mention.recipients])
        and _parties_compatible(ref.get("actors", []), [a.code for a in mention.actors])
    )


def _places_compatible(
    here: tuple[str | None, str | None], there: tuple[str | None, str | None], ongoing: bool
) -> bool:
    """A place is compatible with itself and with what contains it (Kursk Oblast, Russia).

    Each side is (country, subdivision). Two different subdivisions of one country are two
    events for a strike or a launch; a deployment or an exercise is reported region by
    region and stays one.
    """
    (country, subdivision), (other_country, other_subdivision) = here, there
    if country and other_country and country != other_country:
        return False
    if subdivision and other_subdivision and subdivision != other_subdivision:
        return ongoing
    return True


def _parties_compatible(ours: list[str], theirs: list[str]) -> bool:
    """Different targets or partners named on both sides mean different events."""
    if not ours or not theirs:
        return True
    return bool(set(ours) & set(theirs))


def _event_id(key: str, anchor: date | None, country: str | None, salt: str = "") -> str:
    text = f"{key}|{anchor}|{country or '-'}|{salt}"
    return "ev-" + hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:16]


def _seen_at(mention: EventMention) -> datetime:
    return mention.published_at or datetime.now(UTC)


def _open(mention: EventMention, key: str, taken: set[str]) -> CanonicalEvent:
    country = mention.location.country if mention.location else None
    event_id = _event_id(key, mention.event_date, country)
    if event_id in taken:
        # Another event of this block already holds that id (same day, no distinguishing
        # place); fall back to the mention's own id, which is unique.
        event_id = _event_id(key, mention.event_date, country, mention.mention_id)
    seen = _seen_at(mention)
    return CanonicalEvent(
        event_id=event_id,
        event_type=mention.event_type,
        mode=mention.mode,
        subtype=mention.subtype,
        severity=mention.severity,
        actors=list(mention.actors),
        recipients=list(mention.recipients),
        location=mention.location,
        quantities=list(mention.quantities),
        quantity_history=_reports(mention),
        weapon=mention.weapon,
        event_date=mention.event_date,
        first_seen=seen,
        last_seen=seen,
        article_ids=[mention.article_id],
        sources=[mention.source],
        mention_ids=[mention.mention_id],
        confidence=mention.confidence,
        last_received_at=mention.received_at,
    )


def _absorb(event: CanonicalEvent, mention: EventMention) -> CanonicalEvent:
    seen = _seen_at(mention)
    history = _merge_history(event.quantity_history, _reports(mention))
    location = event.location
    if mention.location and (
        location is None or (mention.location.subdivision and not location.subdivision)
    ):
        location = mention.location
    dates = [d for d in (event.event_date, mention.event_date) if d is not None]
    return event.model_copy(
        update={
            "severity": max(event.severity, mention.severity, key=SEVERITY_ORDER.__getitem__),
            "actors": _union(event.actors, mention.actors),
            "recipients": _union(event.recipients, mention.recipients),
            "location": location,
            "quantities": _latest_quantities(history),
            "quantity_history": history,
            "subtype": event.subtype or mention.subtype,
            # a subtype named later brings its mode
            "mode": (event.mode or mention.mode) if event.subtype else (mention.mode or event.mode),
            "weapon": event.weapon or mention.weapon,
            "event_date": min(dates) if dates else None,
            "first_seen": min(event.first_seen, seen),
            "last_seen": max(event.last_seen, seen),
            "article_ids": sorted({*event.article_ids, mention.article_id}),
            "sources": sorted({*event.sources, mention.source}),
            "mention_ids": sorted({*event.mention_ids, mention.mention_id}),
            "confidence": max(event.confidence, mention.confidence),
            "last_received_at": mention.received_at,
        }
    )


def _union(current: list[Actor], new: list[Actor]) -> list[Actor]:
    codes = {a.code for a in current}
    return [*current, *(a for a in new if a.code not in codes)]


def _reports(mention: EventMention) -> list[QuantityReport]:
    return [
        QuantityReport(
            quantity=q,
            article_id=mention.article_id,
            source=mention.source,
            published_at=mention.published_at,
        )
        for q in mention.quantities
    ]


def _report_order(report: QuantityReport) -> tuple[Any, ...]:
    published = report.published_at or datetime.min.replace(tzinfo=UTC)
    return (published, report.article_id, report.quantity.unit, report.quantity.value)


def _merge_history(old: list[QuantityReport], new: list[QuantityReport]) -> list[QuantityReport]:
    known = {(r.article_id, r.quantity.unit, r.quantity.value) for r in old}
    fresh = [r for r in new if (r.article_id, r.quantity.unit, r.quantity.value) not in known]
    return sorted([*old, *fresh], key=_report_order)


def _latest_quantities(history: list[QuantityReport]) -> list[Any]:
    """The newest report's figure for each unit: a later 'up to 12,000' replaces 'some 8,000'."""
    latest: dict[str, Any] = {}
    for report in history:  # sorted oldest first, so later reports overwrite
        latest[report.quantity.unit] = report.quantity
    return list(latest.values())
