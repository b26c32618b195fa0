"""The main job on the embedded default: broker, one worker, a feed, alerts on screen."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer
from rich.console import Console

from streams.broker import EmbeddedBroker, die_with_parent, ensure_topics, free_port, service_topics
from streams.errors import GeoeventsError
from streams.feed import publish, read_records
from streams.lag import wait_drained
from streams.settings import Settings, get_settings

READY_TIMEOUT = 90.0
DRAIN_TIMEOUT = 120.0


def run_demo(inputs: list[Path], keep_running: bool, console: Console) -> int:
    """Start everything, feed `inputs`, wait for the worker to finish them, stop cleanly."""
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with EmbeddedBroker() as broker:
        bootstrap = broker.bootstrap
        console.print(f"[green]broker[/] embedded Kafka-protocol broker on {bootstrap}")
        asyncio.run(ensure_topics(bootstrap, service_topics(settings)))
        port = free_port(settings.web_host)
        env = {"GEO_BROKER": bootstrap, "GEO_WEB_PORT": str(port)}
        worker = start_worker(env, settings.data_dir / "worker.log")
        try:
            with console.status("waiting for the worker to join its group..."):
                wait_ready(worker, f"http://{settings.web_host}:{port}/readyz", READY_TIMEOUT)
            console.print(f"[green]worker[/] ready on :{port}")
            count = asyncio.run(
                publish(
                    list(read_records(inputs)),
                    bootstrap,
                    settings.topics.articles,
                    max_message_bytes=settings.limits.max_message_bytes,
                )
            )
            console.print(f"[green]feed[/] published {count} articles; alerts appear below")
            asyncio.run(
                wait_drained(bootstrap, settings.app_id, settings.consumed_topics(), DRAIN_TIMEOUT)
            )
            summary = asyncio.run(_summary(bootstrap, settings))
            console.print(
                f"[green]done[/] {count} articles, {summary['dead_letters']} dead letters, "
                f"{summary['events']} canonical events, {summary['alerts']} alerts "
                f"(metrics: http://{settings.web_host}:{port}/metrics)"
            )
            if keep_running:
                console.print(f"broker {bootstrap}, worker :{port}; Ctrl-C to stop")
                return _watch(broker, worker, console)
        except KeyboardInterrupt:
            console.print("interrupted; stopping")
        finally:
            stop_worker(worker)
    return 0


def _watch(broker: EmbeddedBroker, worker: subprocess.Popen[bytes], console: Console) -> int:
    """Wait while both run; say which stopped, and return 1, when one of them does."""
    while True:
        if not broker.running:
            console.print("[red]the embedded broker exited[/]; stopping the worker")
            return 1
        if worker.poll() is not None:
            console.print(f"[red]the worker exited[/] with status {worker.returncode}")
            return 1
        time.sleep(0.5)


def start_worker(
    env: dict[str, str], logfile: Path, stdout: int | None = None
) -> subprocess.Popen[bytes]:
    """Start `geoevents worker` as a child that dies with this process; env adds GEO_* vars.

    The worker's stdout (where its console channel pages) is this process's unless `stdout`
    redirects it (subprocess.DEVNULL for a benchmark).
    """
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
        [sys.executable, "-m", "streams.cli", "worker", "--logfile", str(logfile)],
        env={**os.environ, **env},
        stdout=stdout,
        # Safe here: no other threads run yet; the worker must not outlive this process.
        preexec_fn=die_with_parent(os.getpid()),
    )


def wait_ready(worker: subprocess.Popen[bytes], url: str, timeout: float) -> None:
    """Poll the worker's /readyz until it says ready; fail if it exits or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise GeoeventsError(f"the worker exited with status {worker.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - loopback
                if json.load(answer).get("ready"):
                    return
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(0.25)
    raise GeoeventsError(f"the worker was not ready after {timeout:.0f}s")


def stop_worker(worker: subprocess.Popen[bytes], timeout: float = 30.0) -> int:
    """SIGTERM the worker, wait for a clean shutdown, SIGKILL past the timeout."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    return worker.returncode


async def _summary(bootstrap: str, settings: Settings) -> dict[str, int]:
    """Count what the run produced by reading the output topics back."""
    names = settings.topics
    counts = {}
    for label, topic in (
        ("dead_letters", names.articles_dlq),
        ("alerts", names.alerts),
    ):
        counts[label] = len(await read_all(bootstrap, topic))
    counts["events"] = len({key for key, _ in await read_all(bootstrap, names.canonical)})
    return counts


async def read_all(
    bootstrap: str, topic: str, options: Mapping[str, Any] | None = None
) -> list[tuple[bytes | None, bytes]]:
    """Every record on `topic` right now, as (key, value), without joining a group."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **(options or {}),
    )
    await consumer.start()
    try:
        partitions = consumer.assignment()
        while not partitions:
            await asyncio.sleep(0.05)
            partitions = consumer.assignment()
        ends = await consumer.end_offsets(list(partitions))
        out: list[tuple[bytes | None, bytes]] = []
        while not await _caught_up(consumer, ends):
            batch = await consumer.getmany(timeout_ms=500)
            out.extend((r.key, r.value) for records in batch.values() for r in records)
        return out
    finally:
        await consumer.stop()


async def _caught_up(consumer: AIOKafkaConsumer, ends: dict[Any, int]) -> bool:
    for tp, end in ends.items():
        if await consumer.position(tp) < end:
            return False
    return True
