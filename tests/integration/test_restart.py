"""A worker killed mid-stream and replaced keeps merging into the same events and pages once."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

from schemas import Alert, ArticleRecord, CanonicalEvent
from streams.broker import ensure_topics, free_port, service_topics
from streams.demo import start_worker, stop_worker, wait_ready
from streams.feed import read_records
from streams.replay import Replay
from streams.rules import load_rules
from streams.settings import DATA_DIR, Settings
from streams.stages.intake import parse_article
from tests.integration.conftest import Pipeline, pipeline_settings
from tests.merging import ARTICLES, check

pytestmark = pytest.mark.integration

# The rules the workers run with: none of these tests sets GEO_RULES_FILE for them.
DEFAULT_RULES = DATA_DIR / "rules.yaml"


def in_time_order() -> list:
    records = list(read_records([ARTICLES]))
    return sorted(records, key=lambda r: parse_article(r.value, 1 << 20, 1 << 20).published_at)


def start(env: dict[str, str], settings: Settings, data_dir: Path) -> Pipeline:
    env = {**env, "GEO_DATA_DIR": str(data_dir), "GEO_STORE": "rocksdb://"}
    worker = start_worker(env, data_dir / "worker.log")
    web = f"http://127.0.0.1:{settings.web_port}"
    wait_ready(worker, web + "/readyz", timeout=120)
    return Pipeline(settings, worker, web, data_dir / "worker.log")


async def test_restart_mid_stream(broker: str, tmp_path: Path) -> None:
    settings, env = pipeline_settings(broker, free_port("127.0.0.1"), tmp_path / "first")
    await ensure_topics(broker, service_topics(settings))
    records = in_time_order()
    first = start(env, settings, tmp_path / "first")
    try:
        for record in records[:4]:
            await first.publish([record])
            await first.drain(settle=0.1)
        # The fifth goes in and the worker dies without warning, perhaps before committing:
        # the next worker may see it again, and must neither re-merge nor re-page it.
        await first.publish([records[4]])
        await asyncio.sleep(0.5)
    finally:
        first.worker.send_signal(signal.SIGKILL)
        first.worker.wait()

    # A fresh disk: the replacement has only the changelog topics to recover its tables from.
    second = start(env, settings, tmp_path / "second")
    try:
        for record in records[5:]:
            await second.publish([record])
            await second.drain(settle=0.1)
        await second.drain()
        topics = settings.topics
        latest: dict[str, CanonicalEvent] = {}
        for _, value in await second.read(topics.canonical):
            event = CanonicalEvent.model_validate_json(value)
            latest[event.event_id] = event
        alerts = [Alert.model_validate_json(v) for _, v in await second.read(topics.alerts)]
        storied = [
            ArticleRecord.model_validate_json(v)
            for _, v in await second.read(settings.internal_topics()["storied"])
        ]
    finally:
        stop_worker(second.worker)

    duplicates = {r.article.id: r.duplicate_of for r in storied}
    check(latest.values(), alerts, duplicates)
    replayed = Replay(Settings(), load_rules(DEFAULT_RULES)).run(read_records([ARTICLES]))
    assert set(latest) == set(replayed.events), "an old event got a new id after the restart"
    assert sorted(a.alert_id for a in alerts) == sorted(a.alert_id for a in replayed.alerts)
