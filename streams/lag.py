"""Consumer lag of the service's group: how far each partition's commit trails its end."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from streams.errors import BrokerError


async def group_lag(bootstrap: str, group: str, topics: Iterable[str]) -> dict[TopicPartition, int]:
    """End offset minus committed offset for every partition of `topics` (uncommitted = 0)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await admin.start()
    await consumer.start()
    try:
        partitions = [
            TopicPartition(topic, p)
            for topic in topics
            for p in sorted(consumer.partitions_for_topic(topic) or [])
        ]
        committed = await admin.list_consumer_group_offsets(group)
        ends = await consumer.end_offsets(partitions) if partitions else {}
        lag = {}
        for tp in partitions:
            meta = committed.get(tp)
            position = meta.offset if meta is not None and meta.offset >= 0 else 0
            lag[tp] = max(ends.get(tp, 0) - position, 0)
        return lag
    finally:
        await consumer.stop()
        await admin.close()


async def wait_drained(
    bootstrap: str, group: str, topics: list[str], timeout: float, settle: float = 1.0
) -> None:
    """Wait until the group has committed everything on `topics`, twice in a row."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline:
        lag = await group_lag(bootstrap, group, topics)
        quiet = quiet + 1 if lag and not any(lag.values()) else 0
        if quiet >= 2:
            return
        await asyncio.sleep(settle)
    raise BrokerError(f"group {group} still has lag after {timeout:.0f}s: {lag}")
