"""Integration fixtures: one embedded broker per session, fresh names per test."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from streams.broker import EmbeddedBroker, ensure_topics, free_port, service_topics
from streams.demo import read_all, start_worker, stop_worker, wait_ready
from streams.feed import RawRecord, publish
from streams.lag import wait_drained
from streams.settings import Settings, TopicSettings


@pytest.fixture(scope="session")
def broker() -> Iterator[str]:
    """The bootstrap address of an embedded broker shared by the whole session."""
    with EmbeddedBroker() as embedded:
        yield embedded.bootstrap


@pytest.fixture
def unique_topic() -> str:
    """A topic name no other test uses."""
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def unique_group() -> str:
    """A consumer group id no other test uses."""
    return f"test-group-{uuid.uuid4().hex[:12]}"


@dataclass
class Pipeline:
    """A running worker with its own app id and topics on the session's broker."""

    settings: Settings
    worker: subprocess.Popen[bytes]
    web: str
    logfile: Path

    @property
    def bootstrap(self) -> str:
        return self.settings.bootstrap_servers

    async def publish(self, records: list[RawRecord]) -> int:
        return await publish(records, self.bootstrap, self.settings.topics.articles, progress=False)

    async def read(self, topic: str) -> list[tuple[bytes | None, bytes]]:
        return await read_all(self.bootstrap, topic)

    async def drain(self, timeout: float = 90.0, settle: float = 0.5) -> None:
        consumed = self.settings.consumed_topics()
        await wait_drained(self.bootstrap, self.settings.app_id, consumed, timeout, settle)

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.web + path, timeout=5) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()


def pipeline_settings(bootstrap: str, port: int, data_dir: Path) -> tuple[Settings, dict[str, str]]:
    """Settings, and the GEO_* environment that gives a worker the same, with unique names."""
    run = uuid.uuid4().hex[:8]
    env = {
        "GEO_BROKER": bootstrap,
        "GEO_APP_ID": f"geoevents-test-{run}",
        "GEO_WEB_PORT": str(port),
        "GEO_DATA_DIR": str(data_dir),
        "GEO_LOG_LEVEL": "INFO",
    }
    for field in ("articles", "articles_dlq", "mentions", "canonical", "alerts", "alerts_dlq"):
        default = getattr(TopicSettings(), field)
        env[f"GEO_TOPICS__{field.upper()}"] = f"{run}.{default}"
    settings = Settings(
        broker=bootstrap,
        app_id=env["GEO_APP_ID"],
        web_port=port,
        data_dir=data_dir,
        topics=TopicSettings(
            **{
                key.removeprefix("GEO_TOPICS__").lower(): value
                for key, value in env.items()
                if key.startswith("GEO_TOPICS__")
            }
        ),
    )
    return settings, env


def start_pipeline(
    settings: Settings,
    env: dict[str, str],
    data_dir: Path,
    extra_env: dict[str, str] | None = None,
    name: str = "worker",
) -> Pipeline:
    """Start a worker with `env` plus `extra_env` (channels, rules) and wait until it is ready.

    Call it again with the same settings and env to restart a worker of the same app.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    logfile = data_dir / f"{name}.log"
    worker = start_worker({**env, **(extra_env or {})}, logfile)
    web = f"http://127.0.0.1:{settings.web_port}"
    try:
        wait_ready(worker, web + "/readyz", timeout=90)
    except Exception:
        sys.stderr.write(logfile.read_text(errors="replace")[-5000:] if logfile.exists() else "")
        stop_worker(worker)
        raise
    return Pipeline(settings, worker, web, logfile)


@pytest.fixture(scope="module")
def pipeline(broker: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    """A worker of its own for each test module, so modules never see each other's events."""
    data_dir = tmp_path_factory.mktemp("worker")
    port = free_port("127.0.0.1")
    settings, env = pipeline_settings(broker, port, data_dir)
    asyncio.run(ensure_topics(broker, service_topics(settings)))
    logfile = data_dir / "worker.log"
    worker = start_worker(env, logfile)
    web = f"http://127.0.0.1:{port}"
    try:
        wait_ready(worker, web + "/readyz", timeout=90)
        yield Pipeline(settings, worker, web, logfile)
    except Exception:
        sys.stderr.write(logfile.read_text(errors="replace")[-5000:] if logfile.exists() else "")
        raise
    finally:
        stop_worker(worker)
