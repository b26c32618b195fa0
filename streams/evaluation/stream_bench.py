"""Benchmarks of the whole service: throughput and latency through the broker, memory in replay."""

from __future__ import annotations

import asyncio
import json
import os
import random
import resource
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer

from schemas import Alert
from streams.broker import EmbeddedBroker, ensure_topics, free_port, service_topics
from streams.demo import start_worker, stop_worker, wait_ready
from streams.feed import RawRecord, publish
from streams.lag import wait_drained
from streams.rules import get_rules
from streams.runner import Runner
from streams.settings import Settings, TopicSettings

STATES = [
    ("North Korea", "Pyongyang"),
    ("Iran", "Tehran"),
    ("Russia", "Moscow"),
    ("China", "Beijing"),
    ("Pakistan", "Islamabad"),
    ("India", "New Delhi"),
]
# Background prose: sentences drawn from a plain vocabulary that names no state and no
# event, so the extractor finds nothing in it and no two articles are near-copies.
VOCABULARY = """
budget review harvest port upgrade census rail tender audit inflation exports fuel prices
housing tourism fisheries analysts officials markets shares traders growth forecast quarter
month week council committee report survey figures demand supply farmers workers teachers
nurses drivers students schools hospitals roads bridges water power grid weather rainfall
season crops wheat coffee cocoa cotton copper timber textiles retail sales consumer credit
lending savings pension wages prices rents tenants landlords builders permits planning zoning
museum festival library concert theatre gallery archive bakery market stall harbour ferry
airport terminal cargo freight shipping containers warehouse logistics software network
rose fell steadied widened narrowed improved slowed expanded eased tightened held rallied
said noted added expected estimated reported projected calculated recorded published reviewed
early late steady modest strong weak mixed uneven broad narrow local regional seasonal annual
""".split()


def _filler(rng: random.Random, words: int) -> str:
    paragraphs = []
    count = 0
    while count < words:
        sentences = [
            " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(9, 16))).capitalize() + "."
            for _ in range(3)
        ]
        paragraphs.append(" ".join(sentences))
        count += sum(len(x.split()) for x in sentences)
    return "\n\n".join(paragraphs)


def synthetic_stream(
    n: int, every: int = 10, words: int = 400, seed: int = 7
) -> Iterator[tuple[RawRecord, bool]]:
    """N wire-style articles of about `words` words, time-ordered; every `every`-th one reports a
    new missile test that pages (a new canonical event), the rest are background news.

    Yields (record, pages). Articles are an hour apart, so one state's launches are days
    apart and none merges with another.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    start = datetime(2024, 1, 1, tzinfo=UTC)  # in the past: later dates are refused
    run = uuid.uuid4().hex[:6]
    for i in range(n):
        published = start + timedelta(hours=i)
        pages = i % every == 0
        body = _filler(rng, words - (40 if pages else 0))
        if pages:
            state, capital = STATES[(i // every) % len(STATES)]
            body = (
                f"{capital.upper()} (Bench Wire) — {state} test-fired an intercontinental "
                f"ballistic missile today, its military said, in a launch watched closely by "
                f"its neighbours.\n\n" + body
            )
        article = {
            "id": f"bench-{run}-{i}",
            "source": "Bench Wire",
            "published_at": published.isoformat(),
            "title": "",
            "body": body,
        }
        key = article["id"].encode()
        yield RawRecord(key=key, value=json.dumps(article).encode(), origin="bench"), pages


def rss_bytes() -> int:
    """Resident memory of this process now (Linux), or its peak elsewhere."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def replay_memory(total: int, checkpoints: list[int], words: int) -> list[dict[str, float]]:
    """Replay `total` synthetic articles through every stage; RSS and speed at each checkpoint.

    An hour of stream time per article, so the default windows (7 days for copies, 30 for
    events) fill after 720 articles and memory should stay flat after that.
    """
    runner = Runner(Settings(), get_rules())
    rows = []
    started = time.perf_counter()
    done = 0
    marks = sorted(checkpoints)
    for record, _ in synthetic_stream(total, words=words):
        runner.send("articles", record.key, record.value, time.time(), record.origin)
        runner.run()
        # The runner keeps every record it sent; a benchmark of state must not.
        runner.sent.clear()
        runner.seconds.clear()
        done += 1
        if marks and done == marks[0]:
            marks.pop(0)
            elapsed = time.perf_counter() - started
            rows.append(
                {
                    "articles": done,
                    "rss_mb": rss_bytes() / 2**20,
                    "articles_per_s": done / elapsed,
                    "copies": len(runner.tables["first-copies"]),
                    "event_blocks": len(runner.tables["event-blocks"]),
                }
            )
    return rows


async def stream_bench(total: int, rate: float, latency_articles: int) -> dict[str, Any]:
    """Latency at a steady rate, then sustained throughput, through a real broker and worker."""
    with tempfile.TemporaryDirectory() as tmp, EmbeddedBroker() as broker:
        run = uuid.uuid4().hex[:6]
        topics = TopicSettings(
            **{
                f: f"{run}.{v}"
                for f, v in TopicSettings().model_dump().items()
                if isinstance(v, str)
            }
        )
        settings = Settings(broker=broker.bootstrap, app_id=f"bench-{run}", topics=topics)
        await ensure_topics(broker.bootstrap, service_topics(settings))
        port = free_port("127.0.0.1")
        env = {
            "GEO_BROKER": broker.bootstrap,
            "GEO_APP_ID": settings.app_id,
            "GEO_WEB_PORT": str(port),
            "GEO_DATA_DIR": tmp,
            **{
                f"GEO_TOPICS__{k.upper()}": v
                for k, v in topics.model_dump().items()
                if isinstance(v, str)
            },
        }
        worker = start_worker(env, Path(tmp) / "worker.log", stdout=subprocess.DEVNULL)
        try:
            wait_ready(worker, f"http://127.0.0.1:{port}/readyz", timeout=120)
            stream = list(synthetic_stream(latency_articles + total))
            latency = await _latency(settings, stream[:latency_articles], rate)
            throughput = await _throughput(settings, stream[latency_articles:])
        finally:
            stop_worker(worker)
    return {"latency": latency, "throughput": throughput}


async def _latency(
    settings: Settings, stream: list[tuple[RawRecord, bool]], rate: float
) -> dict[str, float]:
    bootstrap = settings.bootstrap_servers
    sent: dict[str, float] = {}
    seen: dict[str, float] = {}
    expected = sum(pages for _, pages in stream)
    consumer = AIOKafkaConsumer(
        settings.topics.alerts, bootstrap_servers=bootstrap, auto_offset_reset="earliest"
    )
    await consumer.start()

    async def collect() -> None:
        while len(seen) < expected:
            batch = await consumer.getmany(timeout_ms=200)
            for records in batch.values():
                for message in records:
                    alert = Alert.model_validate_json(message.value)
                    seen.setdefault(alert.article_ids[0], message.timestamp / 1000)

    collector = asyncio.create_task(collect())
    try:
        for record, _ in stream:
            key = (record.key or b"").decode()
            sent[key] = time.time()
            await publish([record], bootstrap, settings.topics.articles, progress=False)
            await asyncio.sleep(1 / rate)
        await asyncio.wait_for(collector, timeout=120)
    finally:
        collector.cancel()
        await consumer.stop()
    waits = sorted(seen[k] - sent[k] for k in seen)
    return {
        "rate_articles_per_s": rate,
        "alerts": len(waits),
        "p50_s": statistics.median(waits),
        "p99_s": waits[min(len(waits) - 1, int(len(waits) * 0.99))],
        "max_s": waits[-1],
    }


async def _throughput(settings: Settings, stream: list[tuple[RawRecord, bool]]) -> dict[str, float]:
    bootstrap = settings.bootstrap_servers
    started = time.perf_counter()
    await publish([r for r, _ in stream], bootstrap, settings.topics.articles, progress=False)
    published = time.perf_counter() - started
    await wait_drained(
        bootstrap, settings.app_id, settings.consumed_topics(), timeout=1800, settle=0.5
    )
    elapsed = time.perf_counter() - started
    return {
        "articles": len(stream),
        "publish_s": published,
        "drained_s": elapsed,
        "articles_per_s": len(stream) / elapsed,
    }
