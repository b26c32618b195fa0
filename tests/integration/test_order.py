"""A shuffled feed through a worker on four partitions leaves what replay leaves.

The merging fixture and the multi-story feed go in together, shuffled, all at once: the
worker's intake, extract and events partitions then interleave them as they will, so
reports arrive at their events late and out of order. The canonical events (by what they
say and which articles report them) and the "new" pages must be those of replay in
published order, each event paged once.
"""

from __future__ import annotations

from typing import Any

import pytest

from schemas import Alert, CanonicalEvent
from streams.replay import Replay
from streams.rules import load_rules
from streams.settings import DATA_DIR, Settings
from tests.order import Outcome, records, shuffled

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def feed() -> list[Any]:
    return records("merging") + records("feed")


async def test_a_shuffled_feed_gives_replays_events_and_pages(
    pipeline: Any, feed: list[Any]
) -> None:
    assert pipeline.settings.topics.partitions == 4
    assert await pipeline.publish(shuffled(feed, seed=20261206)) == len(feed)
    await pipeline.drain(timeout=180)
    topics = pipeline.settings.topics
    events = [
        CanonicalEvent.model_validate_json(v) for _, v in await pipeline.read(topics.canonical)
    ]
    alerts = [Alert.model_validate_json(v) for _, v in await pipeline.read(topics.alerts)]
    streamed = Outcome.of(events, alerts)

    replayed = Replay(Settings(), load_rules(DATA_DIR / "rules.yaml")).run(feed)
    want = Outcome.of(replayed.events.values(), replayed.alerts)
    assert streamed.events == want.events
    assert streamed.pages == want.pages
    assert set(streamed.pages.values()) == {1}, "an event paged new twice"
    assert len({a.alert_id for a in alerts}) == len(alerts)
    assert await pipeline.read(topics.articles_dlq) == []
