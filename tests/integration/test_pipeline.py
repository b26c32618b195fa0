"""The sample corpus through a real broker and worker: events, alerts, parity with replay."""

from __future__ import annotations

import json
from typing import Any

import pytest

from schemas import Alert, CanonicalEvent
from streams.feed import read_records
from streams.replay import Replay
from streams.rules import load_rules
from streams.settings import DATA_DIR, Settings
from tests.conftest import SAMPLE

pytestmark = pytest.mark.integration

# The rules the workers run with: none of these tests sets GEO_RULES_FILE for them.
DEFAULT_RULES = DATA_DIR / "rules.yaml"

# Fields that record when a worker received something: wall-clock, not content.
TIMING = {"last_received_at"}


@pytest.fixture(scope="module")
async def streamed(pipeline: Any) -> dict[str, Any]:
    """Feed the sample corpus once, wait for the worker to finish, read every output topic.

    Articles go in one at a time, each after the last has been fully processed: on several
    partitions a worker may otherwise see a later report first, and the first report of an
    event names it. Replay reads in published_at order; this makes the stream do the same.
    """
    records = list(read_records([SAMPLE]))
    for record in records:
        assert await pipeline.publish([record]) == 1
        await pipeline.drain(settle=0.1)
    topics = pipeline.settings.topics
    canonical = [
        CanonicalEvent.model_validate_json(v) for _, v in await pipeline.read(topics.canonical)
    ]
    latest: dict[str, CanonicalEvent] = {}
    for event in canonical:  # a compacted topic: the last record per key is the event
        latest[event.event_id] = event
    return {
        "events": latest,
        "alerts": [Alert.model_validate_json(v) for _, v in await pipeline.read(topics.alerts)],
        "dead_letters": await pipeline.read(topics.articles_dlq),
        "mentions": await pipeline.read(topics.mentions),
        "count": len(records),
    }


async def test_one_alert_per_serious_event(streamed: dict[str, Any]) -> None:
    alerts = streamed["alerts"]
    subtypes = sorted(a.event.subtype or "" for a in alerts)
    assert subtypes == ["missile_test", "troop_deployment"], [a.title for a in alerts]
    launch = next(a for a in alerts if a.event.subtype == "missile_test")
    assert launch.severity == "critical" and launch.event.weapon == "ICBM"
    assert [actor.code for actor in launch.event.actors][:1] == ["PRK"]
    # Both outlets' reports merged into the one event the alert names.
    assert len(streamed["events"][launch.event_id].article_ids) >= 2
    deployment = next(a for a in alerts if a.event.subtype == "troop_deployment")
    assert deployment.severity == "high"
    assert streamed["dead_letters"] == []


async def test_growing_deployment_is_one_updated_event(streamed: dict[str, Any]) -> None:
    deployments = [e for e in streamed["events"].values() if e.subtype == "troop_deployment"]
    assert len(deployments) == 1
    history = [
        r.quantity.value for r in deployments[0].quantity_history if r.quantity.unit == "troops"
    ]
    assert 8000 in history and 12000 in history
    assert [q.value for q in deployments[0].quantities if q.unit == "troops"] == [12000]


async def test_mentions_are_keyed_by_their_event(streamed: dict[str, Any]) -> None:
    assert streamed["mentions"]
    for key, value in streamed["mentions"]:
        mention = json.loads(value)
        if mention["event_id"] is not None:
            assert key == mention["event_id"].encode()
            assert mention["event_id"] in streamed["events"]


async def test_replay_and_stream_agree(streamed: dict[str, Any]) -> None:
    replayed = Replay(Settings(), load_rules(DEFAULT_RULES)).run(read_records([SAMPLE]))
    stream_events = {
        k: v.model_dump(mode="json", exclude=TIMING) for k, v in streamed["events"].items()
    }
    replay_events = {
        k: v.model_dump(mode="json", exclude=TIMING) for k, v in replayed.events.items()
    }
    assert stream_events == replay_events

    def alert_facts(alerts: list[Alert]) -> list[tuple[str, ...]]:
        return sorted((a.alert_id, a.event_id, a.kind, a.severity, a.rule) for a in alerts)

    assert alert_facts(streamed["alerts"]) == alert_facts(replayed.alerts)


async def test_metrics_and_probes(pipeline: Any, streamed: dict[str, Any]) -> None:
    status, body = pipeline.get("/metrics")
    text = body.decode()
    assert status == 200
    assert f"geoevents_articles_consumed_total {float(streamed['count'])}" in text
    assert 'geoevents_alerts_total{kind="new",severity="critical"} 1.0' in text
    assert "geoevents_intake_to_alert_seconds_count 2.0" in text
    assert 'geoevents_stage_seconds_count{stage="extract"}' in text
    assert pipeline.get("/healthz")[0] == 200
    status, body = pipeline.get("/readyz")
    assert status == 200 and json.loads(body)["ready"] is True
