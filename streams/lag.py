"""Consumer lag of the service's group: how far each partition's commit trails its end."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from streams.errors import BrokerError


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


async def group_lag(
    bootstrap: str, group: str, topics: Iterable[str], options: Mapping[str, Any] | None = None
) -> dict[TopicPartition, int]:
    """End offset minus committed offset for every partition of `topics` (`partition_lag`:
    one never committed counts from its earliest offset, as a worker's lag metric counts it).

    Reads the commits through a consumer of the group that is assigned partitions by hand,
    so it never joins the group or triggers a rebalance of the workers.
    """
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False, **(options or {})
    )
    await consumer.start()
    try:
        partitions = [
            TopicPartition(topic, p)
            for topic in topics
            for p in sorted(consumer.partitions_for_topic(topic) or [])
        ]
        if not partitions:
            return {}
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        committed = {tp: await consumer.committed(tp) for tp in partitions}
        never = [tp for tp, offset in committed.items() if offset is None]
        earliest = await consumer.beginning_offsets(never) if never else {}
        return partition_lag(ends, committed, earliest)
    finally:
        await consumer.stop()


async def wait_drained(
    bootstrap: str,
    group: str,
    topics: list[str],
    timeout: float,
    settle: float = 1.0,
    options: Mapping[str, Any] | None = None,
    seen: Callable[[dict[TopicPartition, int]], None] | None = None,
) -> None:
    """Wait until the group has committed everything on `topics`, twice in a row; `seen` is
    given each reading of the lag."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline:
        lag = await group_lag(bootstrap, group, topics, options)
        if seen is not None:
            seen(lag)
        quiet = quiet + 1 if lag and not any(lag.values()) else 0
        if quiet >= 2:
            return
        await asyncio.sleep(settle)
    raise BrokerError(f"group {group} still has lag after {timeout:.0f}s: {lag}")
