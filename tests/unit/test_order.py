"""Arrival order changes when pages go out, never which events there are or what pages.

The feeds run through the in-process runner the way a worker runs them, partitions and
stages interleaved at random as concurrent workers would, and in the orders a live feed
produces: one report a day late, a near-copy before its original, everything reversed.
Each must leave the events replay (published order) leaves, and page each once.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest

from geolab.order import extraction_once
from streams.feed import RawRecord
from streams.replay import Replay, collect
from streams.rules import get_rules
from streams.runner import Runner
from streams.settings import Settings
from tests.order import Outcome, copy_first, day_late, records, shuffled


@pytest.fixture(autouse=True)
def extract_once() -> Iterator[None]:
    with extraction_once():
        yield


@cache
def replayed(feed: str) -> Outcome:
    result = Replay(Settings(), get_rules()).run(records(feed))
    return Outcome.of(result.events.values(), result.alerts)


def run(feed: list[RawRecord], seed: int | None = None) -> tuple[Outcome, Any]:
    """The feed through the runner in this arrival order; with a seed, its partitions and
    stages taken in a random order too. State expires by the wall clock as in a worker."""
    import random

    runner = Runner(
        Settings(), get_rules(), pick=None if seed is None else random.Random(seed), live=True
    )
    runner.publish(feed, timestamp=0.0)
    runner.run()
    result = collect(runner)
    return Outcome.of(result.events.values(), result.alerts), result


def check(feed: str, arrival: list[RawRecord], seed: int | None = None) -> None:
    want = replayed(feed)
    got, result = run(arrival, seed)
    assert got.events == want.events
    assert got.pages == want.pages
    assert set(want.pages.values()) <= {1}, "an event paged new twice"
    assert len({a.alert_id for a in result.alerts}) == len(result.alerts)


@pytest.mark.parametrize("feed", ["merging", "feed"])
@pytest.mark.parametrize("seed", range(12))
def test_random_arrival_and_interleaving(feed: str, seed: int) -> None:
    check(feed, shuffled(records(feed), seed), seed)


@pytest.mark.parametrize("feed", ["merging", "feed"])
def test_reversed(feed: str) -> None:
    check(feed, list(reversed(records(feed))))


@pytest.mark.parametrize(
    ("feed", "late"),
    [("merging", "mg-01"), ("feed", "fd-03"), ("feed", "fd-14"), ("feed", "fd-10")],
)
def test_one_report_a_day_late(feed: str, late: str) -> None:
    # the first flash of a launch, of a strike, of a deployment, arriving after the follow-ups
    check(feed, day_late(records(feed), late))


@pytest.mark.parametrize(
    ("feed", "copy", "original"), [("merging", "mg-02", "mg-01"), ("feed", "fd-05", "fd-04")]
)
def test_a_near_copy_before_its_original(feed: str, copy: str, original: str) -> None:
    check(feed, copy_first(records(feed), copy, original))


def test_the_feeds_exercise_merging() -> None:
    # The properties above would hold for a service that merged nothing and paged nothing:
    # in these feeds, reports from several articles make one event, and events page.
    for feed in ("merging", "feed"):
        outcome = replayed(feed)
        sizes = [len(f[4]) for f in outcome.events]  # type: ignore[arg-type]
        assert max(sizes) >= 3 and sum(s > 1 for s in sizes) >= 3, feed
        assert len(outcome.pages) >= 3, feed
