"""Acks in offset order however deliveries finish, and the dead letter of an alert a channel
would not take."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Generic, TypeVar

from schemas import DeadLetter
from streams.delivery.policy import Failure
from streams.stages.dead_letters import MAX_ERROR_CHARS

T = TypeVar("T")


@dataclass
class Entry(Generic[T]):
    """One message awaiting its outcome; `item` is what to ack (dropped on release)."""

    partition: tuple[str, int]
    offset: int
    item: T | None
    done: bool = False
    released: bool = False


@dataclass
class AckLedger(Generic[T]):
    """Acks each partition's messages in offset order, however their deliveries finish.

    A later alert may be delivered before an earlier one whose channel is retrying; its
    offset must not be committed first, or a crash would skip the earlier one. Faust's own
    out-of-order bookkeeping is not relied on: items come out of `settle` in offset order.
    """

    _queues: dict[tuple[str, int], deque[Entry[T]]] = field(default_factory=dict)

    def track(self, topic: str, partition: int, offset: int, item: T) -> Entry[T]:
        """Start tracking a message, in the order its partition delivered it."""
        entry = Entry((topic, partition), offset, item)
        self._queues.setdefault(entry.partition, deque()).append(entry)
        return entry

    def settle(self, entry: Entry[T]) -> list[T]:
        """Mark `entry` done; returns the items that may now be acked, oldest first."""
        if entry.released:
            return []
        entry.done = True
        queue = self._queues.get(entry.partition)
        ready: list[T] = []
        while queue and queue[0].done:
            head = queue.popleft()
            if head.item is not None:
                ready.append(head.item)
            head.item = None
        if queue is not None and not queue:
            del self._queues[entry.partition]
        return ready

    def release(self) -> list[T]:
        """Forget every pending message (a rebalance): returns them, none to be acked."""
        items = []
        for queue in self._queues.values():
            for entry in queue:
                entry.released = True
                if entry.item is not None:
                    items.append(entry.item)
                entry.item = None
        self._queues.clear()
        return items

    def __len__(self) -> int:
        return sum(len(q) for q in self._queues.values())


@dataclass(frozen=True)
class Origin:
    """Where an alert was read, for its dead letter (plain data: no reference to the message)."""

    key: bytes | None
    value: bytes
    topic: str
    partition: int
    offset: int


def delivery_dead_letter(
    origin: Origin,
    channel: str,
    reason: Failure,
    error: str,
    attempts: int,
    failed_at: datetime | None = None,
) -> DeadLetter:
    """The dead letter of an alert `channel` would not take, in Kafka Connect's style."""
    return DeadLetter(
        stage="deliver",
        reason=reason,
        error=f"{channel}: {error}"[:MAX_ERROR_CHARS],
        key=origin.key,
        original=origin.value,
        topic=origin.topic,
        partition=origin.partition,
        offset=origin.offset,
        channel=channel,
        attempts=attempts,
        failed_at=failed_at or datetime.now(UTC),
    )
