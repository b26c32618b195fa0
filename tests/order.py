"""What arrival order must not change: the canonical events and the pages a feed produces.

Shared by the in-process property tests (tests/unit/test_order.py) and the stream-versus-
replay check through a worker (tests/integration/test_order.py).
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from schemas import Alert, CanonicalEvent
from streams.feed import RawRecord, read_records
from tests.conftest import ROOT

FEEDS = {
    "merging": ROOT / "tests" / "fixtures" / "merging" / "articles.jsonl",
    "feed": ROOT / "tests" / "fixtures" / "feed" / "articles.jsonl",
}


def records(name: str) -> list[RawRecord]:
    return list(read_records([FEEDS[name]]))


def facts(event: CanonicalEvent) -> tuple[object, ...]:
    """What an event says, without its id or the times a worker saw it."""
    return (
        event.event_type,
        event.mode,
        event.subtype,
        event.severity,
        tuple(event.article_ids),
        tuple(a.code for a in event.actors),
        tuple(a.code for a in event.recipients),
        event.location.model_dump_json() if event.location else None,
        event.weapon,
        event.event_date,
        tuple(q.model_dump_json() for q in event.quantities),
    )


@dataclass(frozen=True)
class Outcome:
    """The events a feed left open, and the events its "new" pages were for."""

    events: Counter[tuple[object, ...]]
    pages: Counter[tuple[object, ...]]
    """Per open event (followed through retirements): how many "new" pages it had."""
    merged: Counter[tuple[object, ...]]
    """Per open event: how many events were retired into it."""

    @classmethod
    def of(cls, events: Iterable[CanonicalEvent], alerts: Iterable[Alert]) -> Outcome:
        latest = {e.event_id: e for e in events}

        def final(event_id: str) -> CanonicalEvent:
            seen = set()
            event = latest[event_id]
            while event.merged_into is not None and event.event_id not in seen:
                seen.add(event.event_id)
                event = latest[event.merged_into]
            return event

        open_events = Counter(facts(e) for e in latest.values() if e.status == "open")
        pages = Counter(facts(final(a.event_id)) for a in alerts if a.kind == "new")
        retired = [e for e in latest.values() if e.status == "retired"]
        merged = Counter(facts(final(e.event_id)) for e in retired)
        return cls(open_events, pages, merged)


def shuffled(items: list[RawRecord], seed: int) -> list[RawRecord]:
    out = list(items)
    random.Random(seed).shuffle(out)
    return out


def published(record: RawRecord) -> datetime:
    return datetime.fromisoformat(json.loads(record.value)["published_at"])


def day_late(items: list[RawRecord], article_id: str) -> list[RawRecord]:
    """Published order, but `article_id` arrives after everything published within a day
    after it (a syndication delay)."""
    ordered = sorted(items, key=published)
    late = next(r for r in ordered if r.key == article_id.encode())
    ordered.remove(late)
    due = published(late) + timedelta(days=1)
    at = next((i for i, r in enumerate(ordered) if published(r) > due), len(ordered))
    return [*ordered[:at], late, *ordered[at:]]


def copy_first(items: list[RawRecord], copy: str, original: str) -> list[RawRecord]:
    """Published order, but a near-copy arrives just before its original."""
    ordered = sorted(items, key=published)
    first = next(r for r in ordered if r.key == copy.encode())
    ordered.remove(first)
    at = next(i for i, r in enumerate(ordered) if r.key == original.encode())
    return [*ordered[:at], first, *ordered[at:]]
