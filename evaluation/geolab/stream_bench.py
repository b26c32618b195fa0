"""Benchmarks of the whole service: throughput and latency through the broker, memory in replay."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import random
import resource
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from schemas import Alert
from streams.broker import EmbeddedBroker, ensure_topics, free_port, service_topics
from streams.demo import start_worker, stop_worker, wait_ready
from streams.errors import BrokerError, GeoeventsError
from streams.feed import RawRecord, publish
from streams.lag import wait_drained
from streams.pipeline import TOPICS
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
    n: int,
    every: int = 10,
    words: int = 400,
    seed: int = 7,
    bodies: Iterator[str] | None = None,
) -> Iterator[tuple[RawRecord, bool]]:
    """N wire-style articles of about `words` words, time-ordered; every `every`-th one reports a
    new missile test that pages (a new canonical event), the rest are background news.

    The background is filler prose that names nothing, or the texts `bodies` yields (news:
    the paging report then leads a news article). Yields (record, pages). Articles are an
    hour apart, so one state's launches are days apart and none merges with another.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    start = datetime(2024, 1, 1, tzinfo=UTC)  # in the past: later dates are refused
    run = uuid.uuid4().hex[:6]
    for i in range(n):
        published = start + timedelta(hours=i)
        pages = i % every == 0
        body = next(bodies) if bodies is not None else _filler(rng, words - (40 if pages else 0))
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


LATENCY_SEED = 8
"""Seed of the news the latency phase's reports lead, apart from the throughput phase's (7),
so no latency article is a near-copy of a throughput one."""


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank `q` quantile (0 < q <= 1) of `values`: the smallest value that at least
    a share `q` of them do not exceed."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    return ordered[min(len(ordered), max(1, math.ceil(q * len(ordered)))) - 1]


def worker_envs(
    common: Mapping[str, str], ports: Sequence[int], root: Path
) -> list[dict[str, str]]:
    """One environment per worker of one consumer group: the same broker, app id and topics
    (`common`), each its own HTTP port and data directory under `root`."""
    if len(set(ports)) != len(ports):
        raise ValueError(f"two workers cannot share a port: {list(ports)}")
    return [
        {**common, "GEO_WEB_PORT": str(port), "GEO_DATA_DIR": str(root / f"worker-{i}")}
        for i, port in enumerate(ports)
    ]


def assignment_settled(
    held: Sequence[Mapping[str, Sequence[int]]], partitions: Mapping[str, int]
) -> bool:
    """Whether the workers' partitions (one {topic: partitions} per worker) hold every
    partition of every topic in `partitions` ({topic: count}) exactly once between them."""
    for topic, count in partitions.items():
        owned = sorted(p for worker in held for p in worker.get(topic, ()))
        if owned != list(range(count)):
            return False
    return True


def cpu_seconds(stat: str, ticks_per_second: int) -> float:
    """User plus system CPU time of a process from its /proc/<pid>/stat line."""
    # The command name (field 2) is in parentheses and may hold spaces; count from after it:
    # state is field 3, utime 14 and stime 15.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / ticks_per_second


def process_cpu(pid: int) -> float | None:
    """CPU seconds process `pid` has used so far (Linux), or None where /proc cannot say."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return cpu_seconds(stat.read(), os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return None


def machine_ticks(stat: str) -> tuple[int, int]:
    """(busy, total) clock ticks of all CPUs together from /proc/stat's first line."""
    fields = [int(x) for x in stat.split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle and waiting for I/O
    # guest and guest_nice (fields 9 and 10) are already counted in user and nice.
    total = sum(fields[:8])
    return total - idle, total


def machine_busy() -> tuple[int, int] | None:
    """(busy, total) CPU ticks of the machine so far (Linux), or None."""
    try:
        with open("/proc/stat") as stat:
            return machine_ticks(stat.read())
    except (OSError, ValueError, IndexError):
        return None


def stage_totals(metrics: str) -> dict[str, tuple[float, float]]:
    """{stage: (seconds, messages)} from a worker's /metrics text (geoevents_stage_seconds)."""
    totals: dict[str, list[float]] = {}
    for line in metrics.splitlines():
        for suffix, slot in (("_sum", 0), ("_count", 1)):
            prefix = f"geoevents_stage_seconds{suffix}{{"
            if line.startswith(prefix):
                labels, _, value = line[len(prefix) :].partition("} ")
                stage = labels.partition('stage="')[2].partition('"')[0]
                totals.setdefault(stage, [0.0, 0.0])[slot] += float(value)
    return {stage: (seconds, count) for stage, (seconds, count) in totals.items()}


def news_bodies(base: Path, n: int, seed: int) -> Iterator[str]:
    """The bodies of `n` news-like articles (window.NewsStream) built from `base`."""
    from geolab.window import NewsStream

    for record in NewsStream(base, seed=seed).records(n):
        yield json.loads(record.value)["body"]


def news_records(base: Path, n: int) -> list[RawRecord]:
    """`n` news-like articles (window.NewsStream, `bench window`'s stream) built from `base`;
    dated from 2025 at world rate, in the past, so intake takes them all."""
    from geolab.window import NewsStream

    return list(NewsStream(base).records(n))


async def stream_bench(
    total: int,
    rate: float,
    latency_articles: int,
    workers: int = 1,
    news: Path | None = None,
) -> dict[str, Any]:
    """Latency at a steady rate, then sustained throughput, through a real broker and
    `workers` worker processes of one consumer group.

    With `news` (an article file), the throughput phase runs news-like articles built from
    it and the latency phase's missile-test reports lead news articles instead of filler.
    """
    if workers < 1:
        raise ValueError("at least one worker")
    if news is not None:
        bodies = news_bodies(news, latency_articles, LATENCY_SEED)
        paging = list(synthetic_stream(latency_articles, bodies=bodies))
        bulk = news_records(news, total)
    else:
        stream = list(synthetic_stream(latency_articles + total))
        paging, bulk = stream[:latency_articles], [r for r, _ in stream[latency_articles:]]
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
        common = {
            "GEO_BROKER": broker.bootstrap,
            "GEO_APP_ID": settings.app_id,
            **{
                f"GEO_TOPICS__{k.upper()}": v
                for k, v in topics.model_dump().items()
                if isinstance(v, str)
            },
        }
        ports = _free_ports(workers)
        envs = worker_envs(common, ports, Path(tmp))
        procs: list[subprocess.Popen[bytes]] = []
        try:
            for env in envs:
                Path(env["GEO_DATA_DIR"]).mkdir()
                log = Path(env["GEO_DATA_DIR"]) / "worker.log"
                procs.append(start_worker(env, log, stdout=subprocess.DEVNULL))
            for proc, port in zip(procs, ports, strict=True):
                wait_ready(proc, f"http://127.0.0.1:{port}/readyz", timeout=180)
            counts = await _partition_counts(settings)
            held = await _wait_settled(procs, ports, counts, timeout=120)
            latency = await _latency(settings, paging, rate)
            throughput = await _throughput(
                settings, bulk, list(zip(procs, ports, strict=True)), broker.pid
            )
        finally:
            for proc in procs:
                stop_worker(proc)
    names = _logical_names(settings)
    throughput["workers"] = [
        {"partitions": {names.get(t, t): p for t, p in h.items()}, **cpu}
        for h, cpu in zip(held, throughput.pop("worker_cpu"), strict=True)
    ]
    throughput["lag_peak"] = {names.get(t, t): v for t, v in throughput["lag_peak"].items()}
    throughput["lag_mean"] = {names.get(t, t): v for t, v in throughput["lag_mean"].items()}
    return {
        "workers": workers,
        "input": "news" if news is not None else "synthetic",
        "latency": latency,
        "throughput": throughput,
    }


def _free_ports(n: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < n:
        port = free_port("127.0.0.1")
        if port not in ports:
            ports.append(port)
    return ports


def _logical_names(settings: Settings) -> dict[str, str]:
    """Topic name -> the pipeline's name for it (articles, for_stories, storied, ...)."""
    return {spec.name(settings): logical for logical, spec in TOPICS.items()}


async def _partition_counts(settings: Settings) -> dict[str, int]:
    """{topic: partitions} of every topic the group consumes, as the broker has them."""
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap_servers)
    await consumer.start()
    try:
        await consumer.topics()
        counts = {
            t: len(consumer.partitions_for_topic(t) or ()) for t in settings.consumed_topics()
        }
    finally:
        await consumer.stop()
    missing = [t for t, n in counts.items() if not n]
    if missing:
        raise BrokerError(f"the workers are ready but these topics do not exist: {missing}")
    return counts


def _readyz(port: int) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}/readyz"
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            body: dict[str, Any] = json.load(answer)
    except urllib.error.HTTPError as err:  # 503 while not ready, with the same body
        body = json.load(err)
    except (urllib.error.URLError, OSError, ValueError):
        body = {}
    return body


async def _wait_settled(
    procs: Sequence[subprocess.Popen[bytes]],
    ports: Sequence[int],
    partitions: Mapping[str, int],
    timeout: float,
) -> list[dict[str, list[int]]]:
    """Wait until every worker is ready and between them they hold each consumed partition
    once, the same on two looks a second apart (the rebalance has settled); return what each
    worker holds."""
    deadline = time.monotonic() + timeout
    previous: list[dict[str, list[int]]] | None = None
    while time.monotonic() < deadline:
        for proc in procs:
            if proc.poll() is not None:
                raise GeoeventsError(f"a worker exited with status {proc.returncode}")
        answers = [await asyncio.to_thread(_readyz, port) for port in ports]
        held = [
            {t: list(p) for t, p in a.get("partitions", {}).items() if t in partitions}
            for a in answers
        ]
        if all(a.get("ready") for a in answers) and assignment_settled(held, partitions):
            if held == previous:
                return held
            previous = held
        else:
            previous = None
        await asyncio.sleep(1.0)
    raise GeoeventsError(f"the workers' partitions did not settle within {timeout:.0f}s")


async def _latency(
    settings: Settings, stream: list[tuple[RawRecord, bool]], rate: float
) -> dict[str, float]:
    """Publish at `rate`; time each paging article from its publish to its alert (nearest-rank
    percentiles), and say at what rate the articles actually went out."""
    bootstrap = settings.bootstrap_servers
    sent: dict[str, float] = {}
    seen: dict[str, float] = {}
    expected = {(r.key or b"").decode() for r, pages in stream if pages}
    consumer = AIOKafkaConsumer(
        settings.topics.alerts, bootstrap_servers=bootstrap, auto_offset_reset="earliest"
    )
    await consumer.start()

    async def collect() -> None:
        while not expected <= seen.keys():
            batch = await consumer.getmany(timeout_ms=200)
            for records in batch.values():
                for message in records:
                    alert = Alert.model_validate_json(message.value)
                    # News text pages on its own events too; only the reports it leads with
                    # page on their own article, so only they time publish to alert.
                    if alert.article_ids[0] in expected:
                        seen.setdefault(alert.article_ids[0], message.timestamp / 1000)

    collector = asyncio.create_task(collect())
    # One producer for the whole phase, each article on a fixed schedule: starting a producer
    # per article, or sleeping after each send, would publish slower than `rate`.
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=False, linger_ms=0
    )
    await producer.start()
    try:
        loop = asyncio.get_running_loop()
        start = loop.time()
        for i, (record, _) in enumerate(stream):
            await asyncio.sleep(max(0.0, start + i / rate - loop.time()))
            sent[(record.key or b"").decode()] = time.time()
            await producer.send_and_wait(settings.topics.articles, record.value, key=record.key)
        published = loop.time() - start
        # A report that never pages (one the pipeline merged into another) is counted as
        # missing rather than failing the run.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(collector, timeout=120)
    finally:
        collector.cancel()
        await consumer.stop()
        await producer.stop()
    waits = [seen[k] - sent[k] for k in seen]
    if not waits:
        raise GeoeventsError(f"none of {len(expected)} paging reports paged within 120 s")
    return {
        "rate_articles_per_s": rate,
        "published_per_s": round((len(stream) - 1) / published, 1) if published > 0 else rate,
        "alerts": len(waits),
        "missing": len(expected) - len(waits),
        "p50_s": percentile(waits, 0.5),
        "p99_s": percentile(waits, 0.99),
        "max_s": max(waits),
    }


async def _throughput(
    settings: Settings,
    records: list[RawRecord],
    workers: Sequence[tuple[subprocess.Popen[bytes], int]],
    broker_pid: int | None,
) -> dict[str, Any]:
    """Publish `records` at once, and time until the group has committed everything; with the
    CPU time each process (and the whole machine) used meanwhile, each worker's time per
    stage, and the consumer lag per topic along the way."""
    bootstrap = settings.bootstrap_servers
    pids: dict[str, int | None] = {"broker": broker_pid, "bench": os.getpid()}
    pids.update({f"worker-{i}": worker.pid for i, (worker, _) in enumerate(workers)})
    cpu = {name: _cpu_of(pid) for name, pid in pids.items()}
    machine = machine_busy()
    stages = [await asyncio.to_thread(_stages, port) for _, port in workers]
    started = time.perf_counter()
    await publish(records, bootstrap, settings.topics.articles, progress=False)
    published = time.perf_counter() - started
    samples = await _drain(settings, started, timeout=1800, interval=0.5)
    elapsed = samples[-1][0]
    used = {name: _used(before, _cpu_of(pids[name])) for name, before in cpu.items()}
    machine_used = _machine_used(machine, machine_busy())
    ours = sum(v for v in used.values() if v is not None)
    lags = [lag for _, lag in samples]
    topics = sorted({t for lag in lags for t in lag})
    per_worker = []
    for i, ((_, port), before_stages) in enumerate(zip(workers, stages, strict=True)):
        after_stages = await asyncio.to_thread(_stages, port)
        spent = {
            stage: round(seconds - before_stages.get(stage, (0.0, 0.0))[0], 2)
            for stage, (seconds, _) in sorted(after_stages.items())
        }
        per_worker.append({**_cores(used.get(f"worker-{i}"), elapsed), "stage_s": spent})
    return {
        "articles": len(records),
        "publish_s": round(published, 2),
        "drained_s": round(elapsed, 2),
        "articles_per_s": round(len(records) / elapsed, 1),
        "worker_cpu": per_worker,
        "broker": _cores(used.get("broker"), elapsed),
        "bench": _cores(used.get("bench"), elapsed),
        # Everything else the machine ran meanwhile: on a shared machine, what was left.
        "others": _cores(None if machine_used is None else machine_used - ours, elapsed),
        "lag_peak": {t: max(lag.get(t, 0) for lag in lags) for t in topics},
        "lag_mean": {t: round(sum(lag.get(t, 0) for lag in lags) / len(lags)) for t in topics},
    }


def _stages(port: int) -> dict[str, tuple[float, float]]:
    url = f"http://127.0.0.1:{port}/metrics"
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return stage_totals(answer.read().decode())
    except (urllib.error.URLError, OSError, ValueError):
        return {}


def _cpu_of(pid: int | None) -> float | None:
    return None if pid is None else process_cpu(pid)


def _used(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before


def _machine_used(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
    """CPU seconds the whole machine was busy between two readings."""
    if before is None or after is None:
        return None
    return (after[0] - before[0]) / os.sysconf("SC_CLK_TCK")


def _cores(cpu_s: float | None, elapsed: float) -> dict[str, float | None]:
    """CPU seconds, and as cores busy over `elapsed` seconds."""
    if cpu_s is None:
        return {"cpu_s": None, "cores": None}
    return {"cpu_s": round(cpu_s, 2), "cores": round(cpu_s / elapsed, 2)}


async def _drain(
    settings: Settings, started: float, timeout: float, interval: float
) -> list[tuple[float, dict[str, int]]]:
    """Sample the group's lag per topic every `interval` until it is zero on every consumed
    topic twice in a row (lag.wait_drained); (seconds since `started`, a perf_counter()
    reading, and the lag) per sample, ending with the first sample of the two."""
    samples: list[tuple[float, dict[str, int]]] = []

    def sample(lag: dict[TopicPartition, int]) -> None:
        per_topic: dict[str, int] = {}
        for tp, behind in lag.items():
            per_topic[tp.topic] = per_topic.get(tp.topic, 0) + behind
        samples.append((time.perf_counter() - started, per_topic))

    await wait_drained(
        settings.bootstrap_servers,
        settings.app_id,
        settings.consumed_topics(),
        timeout - (time.perf_counter() - started),  # the timeout counts from `started`
        settle=interval,
        seen=sample,
    )
    return samples[:-1]
