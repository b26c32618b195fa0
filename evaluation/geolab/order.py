"""Arrival order: does a feed give the same events and pages whatever order it arrives in?

`geolab eval order FILE` replays the feed in published order, then runs it through the
in-process runner (streams/runner.py) in shuffled orders, each with its partitions and
stages interleaved at random as concurrent workers would take them, state expiring by the
wall clock as in a worker. Each order must leave the same canonical events (what they say
and which articles report them) and page the same events.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from schemas import Alert, ArticleRecord, CanonicalEvent, EventMention
from streams.extraction import mentions
from streams.feed import RawRecord
from streams.replay import Replay, collect
from streams.rules import RuleSet
from streams.runner import Runner
from streams.settings import Settings


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


@contextmanager
def extraction_once() -> Iterator[None]:
    """Extract each article once however many orders run: extraction is deterministic (and
    measured on its own), and here only what happens after it is on trial."""
    real = mentions.extract
    found: dict[str, tuple[EventMention, ...]] = {}

    def cached(record: ArticleRecord, *args: Any) -> list[EventMention]:
        key = record.model_dump_json(exclude={"received_at"})
        if key not in found:
            found[key] = tuple(real(record, *args))
        return list(found[key])

    mentions.extract = cached  # type: ignore[assignment]
    try:
        yield
    finally:
        mentions.extract = real


def run(records: list[RawRecord], settings: Settings, rules: RuleSet, seed: int) -> Outcome:
    """The records in this order, partitions and stages taken in a random order (`seed`)."""
    pick = random.Random(seed)  # noqa: S311 -- reproducible orders, not secrets
    runner = Runner(settings, rules, pick=pick, live=True)
    runner.publish(records, timestamp=0.0)
    runner.run()
    result = collect(runner)
    return Outcome.of(result.events.values(), result.alerts)


@dataclass
class OrderReport:
    """How the shuffled orders compared with replay."""

    articles: int
    events: int
    pages: int
    orders: int = 0
    same_events: int = 0
    same_pages: int = 0
    paged_twice: int = 0
    """Orders in which some event had a second "new" page."""
    paged_beyond_merges: int = 0
    """Orders in which some event had more "new" pages than 1 + the events retired into it:
    a second page that no late merge of two paged events explains."""
    differences: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "events": self.events,
            "pages": self.pages,
            "orders": self.orders,
            "same_events": self.same_events,
            "same_pages": self.same_pages,
            "orders_with_an_event_paged_twice": self.paged_twice,
            "orders_paging_beyond_merges": self.paged_beyond_merges,
            "differences": self.differences[:5],
        }


def evaluate(
    records: list[RawRecord], settings: Settings, rules: RuleSet, orders: int, seed: int = 0
) -> OrderReport:
    """Replay in published order, then `orders` shuffled orders; compare each with replay."""
    with extraction_once():
        replayed = Replay(settings, rules).run(records)
        want = Outcome.of(replayed.events.values(), replayed.alerts)
        report = OrderReport(len(records), sum(want.events.values()), sum(want.pages.values()))
        for n in range(orders):
            shuffled = list(records)
            random.Random(seed + n).shuffle(shuffled)  # noqa: S311 -- reproducible orders
            got = run(shuffled, settings, rules, seed + n)
            report.orders += 1
            report.same_events += got.events == want.events
            report.same_pages += got.pages == want.pages
            report.paged_twice += any(count > 1 for count in got.pages.values())
            report.paged_beyond_merges += any(
                count > 1 + got.merged[event] for event, count in got.pages.items()
            )
            if got.events != want.events or got.pages != want.pages:
                report.differences.append(
                    {
                        "order": seed + n,
                        "events_only_in_replay": len(want.events - got.events),
                        "events_only_in_this_order": len(got.events - want.events),
                        "pages_only_in_replay": len(want.pages - got.pages),
                        "pages_only_in_this_order": len(got.pages - want.pages),
                    }
                )
    return report
