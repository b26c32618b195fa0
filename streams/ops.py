"""Operational state on timers: readiness, consumer lag per assigned partition, table sizes."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from prometheus_client import Gauge

from streams.app import app, metrics

log = logging.getLogger(__name__)

LAG_INTERVAL_SECONDS = 10.0
"""How often each worker reports the lag of the partitions it holds (one ListOffsets request)."""
TABLE_INTERVAL_SECONDS = 60.0
"""How often table sizes are counted: on RocksDB a count is a scan of the owned keys."""


def partition_lag(
    ends: Mapping[Any, int],
    committed: Mapping[Any, int | None],
    earliest: Mapping[Any, int],
) -> dict[Any, int]:
    """End offset minus committed offset for each partition in `ends`, never below zero.

    A partition the group has never committed is read from its earliest offset (the
    service's auto_offset_reset), so its lag is everything still on the partition.
    """
    lag = {}
    for tp, end in ends.items():
        start = committed.get(tp)
        if start is None:
            start = earliest.get(tp, 0)
        lag[tp] = max(end - start, 0)
    return lag


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


def readiness() -> dict[str, Any]:
    """Whether this worker has joined its group, holds partitions and has recovered its tables."""
    assigned = len(app.consumer.assignment()) if app.consumer else 0
    recovery = getattr(app.tables, "recovery", None)  # not on the abstract TableManagerT
    recovered = recovery is not None and recovery.completed.is_set()
    ready = assigned > 0 and not app.rebalancing and recovered
    return {"ready": ready, "assigned_partitions": assigned, "rebalancing": app.rebalancing}


async def _assigned_lag() -> dict[Any, int]:
    consumer = app.consumer
    # Changelogs are read only to recover tables and the leader topic only to elect a leader:
    # the group commits nothing on either, so their "lag" would mean nothing.
    skip = set(app.tables.changelog_topics) | set(getattr(consumer, "randomly_assigned_topics", ()))
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
