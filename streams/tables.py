"""Faust tables behind the steps' state, each co-partitioned with the topic its agent reads."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from aiokafka.partitioner import murmur2

from streams.app import app, settings
from streams.pipeline import PIPELINE, TOPICS
from streams.state.expiring import ExpiringState, sweep_interval


def _table(name: str, help_text: str, partitions: int) -> Any:
    return app.Table(
        name,
        default=None,
        partitions=partitions,
        # str keys and plain JSON values: both go through Faust's json codec.
        key_type=str,
        value_type=None,
        help=help_text,
    )


def _partitions(source: str) -> int:
    return TOPICS[source].partitions or settings.topics.partitions


by_name: dict[str, Any] = {
    table.name: _table(table.name, table.help, _partitions(step.source))
    for step in PIPELINE
    for table in step.tables
}
"""The pipeline's tables (pipeline.Step.tables) by name."""

delivered = ExpiringState(
    _table("delivered", "Alert and channel pairs already delivered", _partitions("alerts")),
    time.time,
)


class Sweeper:
    """Deletes a table's expired entries now and then, from inside its agent.

    A Faust table writes a deletion to the changelog partition of the message being
    processed, so a sweep only touches keys that live on that partition: keys are the
    message keys of the agent's topic, placed by Kafka's default (murmur2) partitioner.
    """

    def __init__(
        self,
        state: ExpiringState,
        partitions: int,
        window: float,
        key_of: Callable[[str], str] = str,
    ) -> None:
        self.state = state
        self.partitions = partitions
        self.interval = sweep_interval(window)
        self.key_of = key_of
        """Maps a table key to the message key it lives with (identity by default)."""
        self._last: dict[int, float] = {}

    def maybe(self, now: float, partition: int) -> int:
        """Sweep `partition`'s keys if enough stream time passed since its last sweep."""
        last = self._last.setdefault(partition, now)
        if now - last < self.interval:
            return 0
        self._last[partition] = now
        return self.state.sweep(now, owns=lambda key: self.partition_of(key) == partition)

    def partition_of(self, key: str) -> int:
        """The partition Kafka's default partitioner gives this key."""
        return (murmur2(self.key_of(key).encode()) & 0x7FFFFFFF) % self.partitions
