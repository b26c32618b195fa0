"""A real Prometheus scrapes a running worker and evaluates the service's alert rules."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from streams.broker import die_with_parent, free_port
from streams.feed import read_records
from tests.conftest import ROOT, SAMPLE
from tests.integration.conftest import Pipeline
from tests.tools import tool

pytestmark = pytest.mark.integration

RULES = ROOT / "deploy" / "prometheus" / "rules.yml"
TIMEOUT = 60.0


class Prometheus:
    """The HTTP API of a Prometheus server."""

    def __init__(self, url: str, log: Path) -> None:
        self.url = url
        self.log = log

    def get(self, path: str, **params: str) -> Any:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        with urllib.request.urlopen(f"{self.url}{path}{query}", timeout=5) as answer:
            body = json.load(answer)
        assert body["status"] == "success", body
        return body["data"]

    async def value(self, query: str, at_least: float = 0.0) -> float:
        """The first sample `query` returns once it reaches `at_least`; fail after TIMEOUT."""
        deadline = time.monotonic() + TIMEOUT
        last: Any = None
        while time.monotonic() < deadline:
            try:
                last = self.get("/api/v1/query", query=query)["result"]
            except (urllib.error.URLError, OSError) as err:
                last = err  # still starting
            if isinstance(last, list) and last and float(last[0]["value"][1]) >= at_least:
                return float(last[0]["value"][1])
            await asyncio.sleep(0.5)
        log = self.log.read_text(errors="replace")[-3000:]
        raise AssertionError(f"{query} >= {at_least}: none after {TIMEOUT}s ({last!r})\n{log}")


@pytest.fixture(scope="module")
async def prometheus(
    pipeline: Pipeline, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Prometheus]:
    """Debian's prometheus, scraping the module's worker every second, with the alert rules."""
    binary = tool("prometheus")
    home = tmp_path_factory.mktemp("prometheus")
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(RULES)],
        "scrape_configs": [
            {
                "job_name": "geoevents",
                "static_configs": [{"targets": [pipeline.web.removeprefix("http://")]}],
            }
        ],
    }
    (home / "prometheus.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    port = free_port("127.0.0.1")
    log = home / "prometheus.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                binary,
                f"--config.file={home / 'prometheus.yml'}",
                f"--storage.tsdb.path={home / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent(os.getpid()),
        )
    try:
        yield Prometheus(f"http://127.0.0.1:{port}", log)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def test_a_metric_comes_back_through_prometheus(
    pipeline: Pipeline, prometheus: Prometheus
) -> None:
    assert await prometheus.value('up{job="geoevents"}', at_least=1) == 1
    assert await prometheus.value('geoevents_build_info{job="geoevents"}') == 1
    assert await pipeline.publish(list(read_records([SAMPLE]))[:1]) == 1
    assert await prometheus.value("geoevents_articles_consumed_total", at_least=1) >= 1
    assert await prometheus.value("geoevents_stories_total", at_least=1) >= 1
    # Faust's own sensor, on the same /metrics.
    assert await prometheus.value("faust_messages_received_total", at_least=1) >= 1


async def test_operational_gauges_reach_prometheus(
    pipeline: Pipeline, prometheus: Prometheus
) -> None:
    # Set by timers in streams/ops.py: the first tick comes ten seconds after the start.
    assert await prometheus.value("geoevents_worker_ready", at_least=1) == 1
    assert await prometheus.value("count(geoevents_consumer_lag)", at_least=1) >= 1


async def test_the_alert_rules_evaluate_on_real_series(prometheus: Prometheus) -> None:
    await prometheus.value("geoevents_build_info")
    expected = {
        rule["alert"]
        for group in yaml.safe_load(RULES.read_text())["groups"]
        for rule in group["rules"]
    }
    deadline = time.monotonic() + TIMEOUT
    while True:
        groups = prometheus.get("/api/v1/rules")["groups"]
        rules = {r["name"]: r for g in groups for r in g["rules"]}
        evaluated = all(not r["lastEvaluation"].startswith("0001") for r in rules.values())
        if (rules.keys() == expected and evaluated) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    assert rules.keys() == expected
    for name, rule in rules.items():
        assert rule["health"] == "ok", (name, rule.get("lastError"))
    # A healthy worker pages nobody.
    firing = [a for a in prometheus.get("/api/v1/alerts")["alerts"] if a["state"] == "firing"]
    assert firing == []
