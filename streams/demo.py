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
from pathlib import Path

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
        asyncio.run(ensure_topics(bootstrap, service_topics(settings.topics)))
        port = free_port(settings.web_host)
        worker = _start_worker(settings, bootstrap, port)
        try:
            _wait_ready(worker, settings.web_host, port, console)
            count = asyncio.run(
                publish(read_records(inputs), bootstrap, settings.topics.articles, progress=True)
            )
            console.print(f"[green]feed[/] published {count} articles; alerts appear below")
            consumed = [settings.topics.articles, settings.topics.canonical, settings.topics.alerts]
            consumed += settings.internal_topics().values()
            asyncio.run(wait_drained(bootstrap, settings.app_id, consumed, DRAIN_TIMEOUT))
            summary = asyncio.run(_summary(bootstrap, settings))
            console.print(
                f"[green]done[/] {count} articles, {summary['dead_letters']} dead letters, "
                f"{summary['events']} canonical events, {summary['alerts']} alerts "
                f"(metrics: http://{settings.web_host}:{port}/metrics)"
            )
            if keep_running:
                console.print(f"broker {bootstrap}, worker :{port}; Ctrl-C to stop")
                worker.wait()
        except KeyboardInterrupt:
            console.print("interrupted; stopping")
        finally:
            _stop(worker)
    return 0


def _start_worker(settings: Settings, bootstrap: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "GEO_BROKER": bootstrap, "GEO_WEB_PORT": str(port)}
    log = settings.data_dir / "worker.log"
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
        [sys.executable, "-m", "streams.cli", "worker", "--logfile", str(log)],
        env=env,
        preexec_fn=die_with_parent(os.getpid()),
    )


def _wait_ready(worker: subprocess.Popen[bytes], host: str, port: int, console: Console) -> None:
    url = f"http://{host}:{port}/readyz"
    deadline = time.monotonic() + READY_TIMEOUT
    with console.status("waiting for the worker to join its group..."):
        while time.monotonic() < deadline:
            if worker.poll() is not None:
                raise GeoeventsError(f"the worker exited with status {worker.returncode}")
            try:
                with urllib.request.urlopen(url, timeout=2) as answer:
                    if json.load(answer).get("ready"):
                        console.print(f"[green]worker[/] ready on :{port}")
                        return
            except (urllib.error.URLError, OSError, ValueError):
                pass
            time.sleep(0.5)
    raise GeoeventsError(f"the worker was not ready after {READY_TIMEOUT:.0f}s")


def _stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


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


async def read_all(bootstrap: str, topic: str) -> list[tuple[bytes | None, bytes]]:
    """Every record on `topic` right now, as (key, value), without joining a group."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    try:
        partitions = consumer.assignment()
        while not partitions:
            await asyncio.sleep(0.05)
            partitions = consumer.assignment()
        ends = await consumer.end_offsets(list(partitions))
        out: list[tuple[bytes | None, bytes]] = []
        while any(await consumer.position(tp) < end for tp, end in ends.items()):
            batch = await consumer.getmany(timeout_ms=500)
            out.extend((r.key, r.value) for records in batch.values() for r in records)
        return out
    finally:
        await consumer.stop()
