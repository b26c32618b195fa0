"""Feeds and arrival orders for the order tests (what must not change: Outcome in
evaluation/geolab/order.py).

Shared by the in-process property tests (tests/unit/test_order.py) and the stream-versus-
replay check through a worker (tests/integration/test_order.py).
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

from geolab.order import Outcome
from streams.feed import RawRecord, read_records
from tests.conftest import ROOT

__all__ = ["Outcome", "copy_first", "day_late", "records", "shuffled"]

FEEDS = {
    "merging": ROOT / "tests" / "fixtures" / "merging" / "articles.jsonl",
    "feed": ROOT / "tests" / "fixtures" / "feed" / "articles.jsonl",
}


def records(name: str) -> list[RawRecord]:
    return list(read_records([FEEDS[name]]))


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
