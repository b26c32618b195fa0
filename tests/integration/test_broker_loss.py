"""A worker whose broker dies says so: not ready within seconds, not alive after the grace,
one log line rather than a flood, and ready again once the broker is back."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from streams.broker import EmbeddedBroker, ensure_topics, free_port, service_topics
from streams.demo import stop_worker
from tests.integration.conftest import pipeline_settings, start_pipeline

pytestmark = pytest.mark.integration

GRACE = 8.0
STOP = 3.0


def probe(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as err:
        return err.code, json.load(err)


def wait_for(check: Any, timeout: float) -> float:
    """Seconds until `check()` holds; fails past `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return time.monotonic() - started
        time.sleep(0.25)
    raise AssertionError(f"not within {timeout:.0f} s")


def test_losing_the_broker_turns_probes_red_and_back(tmp_path: Path) -> None:
    broker = EmbeddedBroker(log_path=tmp_path / "broker.log")
    bootstrap = broker.start()
    port = free_port("127.0.0.1")
    settings, env = pipeline_settings(bootstrap, port, tmp_path / "worker")
    asyncio.run(ensure_topics(bootstrap, service_topics(settings)))
    env["GEO_BROKER_LOST_GRACE_SECONDS"] = str(GRACE)
    env["GEO_STOP_TIMEOUT_SECONDS"] = str(STOP)
    pipeline = start_pipeline(settings, env, tmp_path / "worker")
    try:
        assert probe(pipeline.web + "/healthz")[0] == 200
        broker.stop()
        unready = wait_for(lambda: probe(pipeline.web + "/readyz")[0] == 503, 30)
        status, body = probe(pipeline.web + "/readyz")
        assert "unreachable" in body["broker"]
        assert probe(pipeline.web + "/healthz")[0] == 200  # still within the grace
        dead = wait_for(lambda: probe(pipeline.web + "/healthz")[0] == 503, GRACE + 15)
        assert (
            unready < 10 and unready + dead >= GRACE - 2
        )  # the broker stops before stop() returns
        _, body = probe(pipeline.web + "/healthz")
        assert body["status"] == "broker lost" and body["broker_lost_seconds"] >= GRACE
        lost_lines = [
            line for line in pipeline.logfile.read_text().splitlines() if "lost the broker" in line
        ]
        assert len(lost_lines) == 1, lost_lines

        broker = EmbeddedBroker(port=broker.port, log_path=tmp_path / "broker-2.log")
        broker.start()
        asyncio.run(ensure_topics(bootstrap, service_topics(settings)))
        wait_for(lambda: probe(pipeline.web + "/healthz")[0] == 200, 30)
        wait_for(lambda: probe(pipeline.web + "/readyz")[0] == 200, 90)
        log = pipeline.logfile.read_text().splitlines()
        start = next(i for i, line in enumerate(log) if "lost the broker" in line)
        end = next(i for i, line in enumerate(log) if "answers again" in line)
        outage = log[start:end]
        print(f"{len(outage)} log lines while the broker was away")
        assert len(outage) < 100, "\n".join(outage[-30:])  # unfiltered: about 100 a second

        broker.stop()  # and a stop signal while it is away ends the worker all the same
        wait_for(lambda: probe(pipeline.web + "/readyz")[0] == 503, 30)
        started = time.monotonic()
        stop_worker(pipeline.worker, timeout=60)
        stopped = time.monotonic() - started
        assert stopped < STOP + 5
    finally:
        stop_worker(pipeline.worker)
        broker.stop()
    print(f"stopped {stopped:.1f} s after SIGTERM without a broker")
    print(f"not ready after {unready:.1f} s; not alive after {unready + dead:.1f} s")
