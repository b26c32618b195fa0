"""Operational state on timers: readiness, consumer lag per assigned partition, table sizes."""

from __future__ import annotations

import logging
import time
from collections.abc import Container, Iterable, Mapping
from typing import Any

from prometheus_client import Gauge

from streams.app import app, metrics, settings
from streams.broker import probe
from streams.lag import partition_lag

log = logging.getLogger(__name__)

LAG_INTERVAL_SECONDS = 10.0
"""How often each worker reports the lag of the partitions it holds (one ListOffsets request)."""
TABLE_INTERVAL_SECONDS = 60.0
"""How often table sizes are counted: on RocksDB a count is a scan of the owned keys."""
BROKER_PROBE_INTERVAL_SECONDS = 2.0
BROKER_PROBE_TIMEOUT_SECONDS = 3.0
"""A lost broker makes the worker unready within about five seconds."""


class PartitionGauge:
    """A {topic, partition} gauge that drops the series of partitions no longer reported.

    After a rebalance another worker reports a moved partition; keeping the old series
    here would count its lag twice in a sum over workers.
    """

    def __init__(self, gauge: Gauge) -> None:
        """Wrap `gauge`, which must have exactly the labels topic and partition."""
        self.gauge = gauge
        self._reported: set[tuple[str, str]] = set()

    def update(self, values: Mapping[Any, int]) -> None:
        """Set one series per partition in `values`; remove every other series set before."""
        current = {(tp.topic, str(tp.partition)): value for tp, value in values.items()}
        for labels in self._reported - current.keys():
            self.gauge.remove(*labels)
        for (topic, partition), value in current.items():
            self.gauge.labels(topic=topic, partition=partition).set(value)
        self._reported = set(current)


_lag_gauge = PartitionGauge(metrics.consumer_lag)


class BrokerWatch:
    """Whether the broker answers, probed on a timer with one Metadata request.

    Faust and aiokafka retry a lost broker for ever, logging each attempt; without this the
    worker would go on saying it is ready. It logs one line when the broker is lost and one
    when it is back.
    """

    def __init__(self) -> None:
        self.lost_since: float | None = None
        self.error: str = ""

    def lost_for(self, now: float | None = None) -> float:
        """Seconds the broker has been unreachable (0 while it answers)."""
        if self.lost_since is None:
            return 0.0
        return (time.monotonic() if now is None else now) - self.lost_since

    def answered(self) -> None:
        if self.lost_since is not None:
            log.warning("the broker answers again after %.0f s", self.lost_for())
        self.lost_since, self.error = None, ""

    def failed(self, error: BaseException) -> None:
        self.error = f"{type(error).__name__}: {error}"[:300]
        if self.lost_since is None:
            self.lost_since = time.monotonic()
            log.error(
                "lost the broker at %s (%s): not ready; /healthz fails after %.0f s",
                settings.broker,
                self.error,
                settings.broker_lost_grace_seconds,
            )


broker_watch = BrokerWatch()
_security = settings.kafka.client_options() if settings.broker else {}


@app.timer(interval=BROKER_PROBE_INTERVAL_SECONDS)
async def probe_broker() -> None:
    """Ask the broker for metadata; readiness and liveness follow the answer."""
    try:
        await probe(settings.bootstrap_servers, BROKER_PROBE_TIMEOUT_SECONDS, _security)
    except Exception as err:  # any failure to get an answer is a lost broker
        broker_watch.failed(err)
    else:
        broker_watch.answered()


class RecoveryWatch:
    """How long table recovery has been running on this worker's current assignment.

    Faust waits for its tables' changelogs without a limit: after an outage a restarted
    worker was seen waiting ten minutes in recovery, unready and silent. Past
    GEO_RECOVERY_TIMEOUT_SECONDS the worker stops with an error instead, so it is restarted
    and the stall shows in its exit and its log.
    """

    def __init__(self) -> None:
        self.since: float | None = None

    def overdue(self, recovering: bool, now: float, timeout: float) -> bool:
        """Note whether recovery is running at `now`; True once it has run past `timeout`."""
        if not recovering:
            self.since = None
            return False
        if self.since is None:
            self.since = now
        return now - self.since > timeout


recovery_watch = RecoveryWatch()


@app.timer(interval=5.0)
async def bound_table_recovery() -> None:
    """Stop the worker when table recovery runs past GEO_RECOVERY_TIMEOUT_SECONDS."""
    recovery = getattr(app.tables, "recovery", None)
    assigned = bool(app.consumer and app.consumer.assignment())
    recovering = recovery is not None and assigned and not recovery.completed.is_set()
    timeout = settings.recovery_timeout_seconds
    if recovery_watch.overdue(recovering, time.monotonic(), timeout):
        message = (
            f"table recovery has not finished after {timeout:.0f} s "
            "(GEO_RECOVERY_TIMEOUT_SECONDS): a changelog the broker does not serve? "
            "Stopping so that the worker is restarted"
        )
        log.critical(message)
        await app.crash(RuntimeError(message))


def liveness() -> dict[str, Any]:
    """Alive unless the broker has been lost for longer than GEO_BROKER_LOST_GRACE_SECONDS:
    a worker that cannot reach its broker is better restarted than left waiting."""
    lost = broker_watch.lost_for()
    alive = lost <= settings.broker_lost_grace_seconds
    body: dict[str, Any] = {"status": "ok" if alive else "broker lost"}
    if lost:
        body.update(broker_lost_seconds=round(lost, 1), error=broker_watch.error)
    return {"alive": alive, **body}


def readiness() -> dict[str, Any]:
    """Whether this worker reaches its broker, has joined its group, holds partitions and has
    recovered its tables; and which partitions of the topics its agents read it holds."""
    assignment = app.consumer.assignment() if app.consumer else set()
    recovery = getattr(app.tables, "recovery", None)  # not on the abstract TableManagerT
    recovered = recovery is not None and recovery.completed.is_set()
    reachable = broker_watch.lost_since is None
    ready = reachable and len(assignment) > 0 and not app.rebalancing and recovered
    body = {
        "ready": ready,
        "assigned_partitions": len(assignment),
        "rebalancing": app.rebalancing,
        "partitions": _processed(assignment),
    }
    if not reachable:
        body["broker"] = f"unreachable for {broker_watch.lost_for():.0f} s: {broker_watch.error}"
    return body


def _not_processed() -> set[str]:
    # Changelogs are read only to recover tables (and kept as standbys of other workers'
    # partitions) and the leader topic only to elect a leader: no agent processes them.
    consumer = app.consumer
    return set(app.tables.changelog_topics) | set(getattr(consumer, "randomly_assigned_topics", ()))


def _processed(assignment: Iterable[Any]) -> dict[str, list[int]]:
    return processed_partitions(assignment, _not_processed()) if assignment else {}


def processed_partitions(assignment: Iterable[Any], skip: Container[str]) -> dict[str, list[int]]:
    """{topic: sorted partitions} of an assignment's topic-partitions, but for topics in `skip`."""
    held: dict[str, list[int]] = {}
    for tp in assignment:
        if tp.topic not in skip:
            held.setdefault(tp.topic, []).append(tp.partition)
    return {topic: sorted(held[topic]) for topic in sorted(held)}


async def _assigned_lag() -> dict[Any, int]:
    consumer = app.consumer
    # The group commits nothing on changelogs or the leader topic: their "lag" means nothing.
    skip = _not_processed()
    assigned = [tp for tp in consumer.assignment() if tp.topic not in skip]
    if not assigned:
        return {}
    ends = await consumer.highwaters(*assigned)
    # Faust keeps the group's committed offsets in step with every commit it makes and
    # seeds them from the broker on assignment, so reading them costs no request.
    committed: Mapping[Any, int | None] = getattr(consumer, "_committed_offset", {})
    never = [tp for tp in assigned if committed.get(tp) is None]
    earliest = await consumer.earliest_offsets(*never) if never else {}
    return partition_lag(ends, committed, earliest)


@app.timer(interval=LAG_INTERVAL_SECONDS)
async def record_consumer_lag() -> None:
    """geoevents_worker_ready, and geoevents_consumer_lag{topic,partition} of its partitions."""
    try:
        metrics.worker_ready.set(1 if readiness()["ready"] else 0)
        if app.rebalancing:
            return
        _lag_gauge.update(await _assigned_lag())
    except Exception as err:  # a metric must never stop the worker
        log.warning("could not read consumer lag: %r", err)


@app.timer(interval=TABLE_INTERVAL_SECONDS)
async def record_table_sizes() -> None:
    """geoevents_table_keys{table} for every table this worker holds."""
    if app.rebalancing:
        return
    try:
        for name, table in app.tables.items():
            metrics.table_keys.labels(table=name).set(len(table))
    except Exception as err:  # a metric must never stop the worker
        log.warning("could not count table keys: %r", err)


class QuietRepeats(logging.Filter):
    """Let one warning or error of a kind through per `interval` seconds, then say how many
    like it were held back. A lost broker makes aiokafka and Faust log each reconnect
    attempt, about a hundred lines a second; the one line that matters is BrokerWatch's."""

    def __init__(self, interval: float = 30.0, clock: Any = time.monotonic) -> None:
        super().__init__()
        self.interval = interval
        self._clock = clock
        self._seen: dict[tuple[str, int, str], list[float | int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        key = (record.name, record.levelno, str(record.msg))
        now = self._clock()
        seen = self._seen.get(key)
        if seen is not None and now - seen[0] < self.interval:
            seen[1] += 1
            return False
        held = int(seen[1]) if seen is not None else 0
        self._seen[key] = [now, 0]
        if held:
            record.msg = f"{record.msg} [and {held} like it in the last {self.interval:.0f} s]"
        return True


@app.task
async def quiet_repeated_logs() -> None:
    """Hold back repeated warnings on every handler the worker logs through."""
    for handler in logging.getLogger().handlers:
        handler.addFilter(QuietRepeats())
