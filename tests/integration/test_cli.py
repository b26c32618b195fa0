"""The CLI against a real broker: ingest wire copy and JSONL; a bad rules file stops a worker."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from streams.cli import cli
from streams.demo import read_all
from streams.settings import get_settings
from tests.conftest import SAMPLE

pytestmark = pytest.mark.integration


def test_ingest_wire_and_jsonl(
    broker: str, unique_topic: str, seed_text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = tmp_path / "seed.txt"
    seed.write_text(seed_text, encoding="utf-8")
    monkeypatch.setenv("GEO_BROKER", broker)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            cli, ["ingest", str(seed), str(SAMPLE), "--topic", unique_topic, "--no-progress"]
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    records = asyncio.run(read_all(broker, unique_topic))
    assert len(records) == 2 + 12
    wire = [json.loads(v) for k, v in records if k and k.startswith(b"wire-")]
    assert len(wire) == 2
    assert {a["source"] for a in wire} == {"AP"}
    assert all(a["published_at"].startswith("2024-02-06") for a in wire)
    assert all(k == json.loads(v)["id"].encode() for k, v in records)


def geoevents(*args: str, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a process of its own, its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "streams.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_worker_refuses_a_bad_rules_file(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: page\n    channels: [carrier-pigeon]\n", encoding="utf-8")
    env = {**os.environ, "GEO_RULES_FILE": str(rules), "GEO_BROKER": "127.0.0.1:1"}
    done = geoevents("worker", env=env, timeout=60)
    assert done.returncode == 2
    assert f"{rules}:3: rules.0.channels.0" in done.stderr


def test_the_main_job_shows_the_two_sample_alerts_as_plain_text(tmp_path: Path) -> None:
    env = {**os.environ, "GEO_DATA_DIR": str(tmp_path / "data")}
    env.pop("GEO_BROKER", None)
    done = geoevents("run", env=env, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    pages = [line for line in done.stdout.splitlines() if line.startswith("[")]
    assert sorted(pages) == [
        "[NEW] CRITICAL: North Korea test-fires an ICBM",
        "[NEW] HIGH: North Korea deploys about 8,000 troops to Russia's Kursk Oblast",
    ], done.stdout
    assert "\x1b" not in done.stdout  # no cursor or colour codes where pages are read
