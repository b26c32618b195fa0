"""The pipeline run in-process: topics are queues, tables are dicts, no broker.

Replay, evaluation and tests use it. It runs the steps of streams/pipeline.py as a worker
runs them: each record decoded from the bytes a worker would read, stream time kept per
partition, failures dead-lettered with the same policy, expired state swept, outputs
encoded and routed to partitions by key the way Kafka's default partitioner does.

By default the runner always takes the oldest stage's next record, so a record fed in and
run to the end is processed the way replay always did. Given a random generator, it picks
which partition of which topic goes next at random, as partitions consumed concurrently by
several workers would (the order property tests).
"""

from __future__ import annotations

import random
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka.partitioner import murmur2

from streams.clock import StreamClock
from streams.feed import RawRecord
from streams.pipeline import PIPELINE, TOPICS, Moment, Resources, Step
from streams.rules import RuleSet
from streams.settings import Settings
from streams.stages.dead_letters import dead_letter
from streams.state.expiring import sweep_interval


def partition_for(key: bytes | None, partitions: int) -> int:
    """The partition Kafka's default partitioner gives a keyed record (0 for no key here)."""
    if key is None:
        return 0
    return (murmur2(key) & 0x7FFFFFFF) % partitions


@dataclass(frozen=True)
class Message:
    """A record on an in-process topic."""

    key: bytes | None
    value: bytes
    partition: int
    offset: int
    timestamp: float
    """The broker timestamp a worker would see: the input record's, carried downstream."""
    origin: str | None = None
    """Where an input record came from (path:line), named in its dead letter."""


def stream_wall(stream: float) -> datetime:
    """The wall clock replay uses: the stream time, so its output is the same every run."""
    return datetime.fromtimestamp(stream, UTC)


def _now(_: float) -> datetime:
    return datetime.now(UTC)


class Runner:
    """The pipeline's steps over in-process topics and dict tables."""

    def __init__(
        self,
        settings: Settings,
        rules: RuleSet,
        *,
        pick: random.Random | None = None,
        live: bool = False,
        steps: tuple[Step, ...] = PIPELINE,
        table: Callable[[str], MutableMapping[str, Any]] | None = None,
    ) -> None:
        self.settings = settings
        self.steps = {step.source: step for step in steps}
        self.order = [step.source for step in steps]
        self.pick = pick
        self.wall: Callable[[float], datetime] = _now if live else stream_wall
        self.partitions = {
            name: topic.partitions or settings.topics.partitions for name, topic in TOPICS.items()
        }
        make = table or (lambda _: {})  # a dict per table, or what `table` opens (RocksDB)
        self.tables: dict[str, MutableMapping[str, Any]] = {
            t.name: make(t.name) for step in steps for t in step.tables
        }
        resources = Resources(
            settings,
            rules,
            self.tables,
            time.time if live else None,
        )
        self._resources = resources
        self.states = {step.name: step.state(resources) for step in steps}
        self.sent: dict[str, list[Message]] = defaultdict(list)
        """Every record sent, per logical topic, in the order it was sent."""
        self.seconds: dict[str, list[float]] = defaultdict(list)
        """Seconds each step spent on each record it processed."""
        self._queues: dict[tuple[str, int], deque[Message]] = defaultdict(deque)
        ahead = settings.limits.max_ahead_seconds
        self._clock = StreamClock.capped(ahead) if live else StreamClock()
        self._swept: dict[str, float] = {}

    def publish(self, records: Iterable[RawRecord], timestamp: float | None = None) -> None:
        """Put raw records on the articles topic, as a producer would."""
        stamp = time.time() if timestamp is None else timestamp
        for record in records:
            self.send("articles", record.key, record.value, stamp, record.origin)

    def send(
        self,
        topic: str,
        key: bytes | None,
        value: bytes,
        timestamp: float,
        origin: str | None = None,
    ) -> None:
        """Append a record to a topic; a step that reads the topic will get it."""
        partition = partition_for(key, self.partitions[topic])
        offset = len(self.sent[topic])
        message = Message(key, value, partition, offset, timestamp, origin)
        self.sent[topic].append(message)
        if topic in self.steps:
            self._queues[(topic, partition)].append(message)

    def run(self) -> None:
        """Process records until every topic a step reads is consumed."""
        while True:
            ready = [queue for queue, messages in self._queues.items() if messages]
            if not ready:
                return
            if self.pick is None:
                queue = min(ready, key=lambda q: (self.order.index(q[0]), q[1]))
            else:
                queue = self.pick.choice(sorted(ready))
            self._process(self.steps[queue[0]], self._queues[queue].popleft())

    def _process(self, step: Step, message: Message) -> None:
        started = time.perf_counter()
        mark = (step.source, message.partition)
        now = self._clock.now(mark, message.timestamp)
        try:
            record = step.decode(message.value)
            now = self._clock.advance(mark, step.time_of(record), message.timestamp)
            outputs = step.run(record, self.states[step.name], Moment(now, self.wall(now)))
        except Exception as err:
            letter = dead_letter(
                step.name,
                err,
                message.value,
                key=message.key,
                topic=message.origin or TOPICS[step.source].name(self.settings),
                partition=message.partition,
                offset=message.offset,
                failed_at=self.wall(now),
                max_message_bytes=self.settings.limits.max_message_bytes,
            )
            self.send(step.dead_letters, letter.key, letter.to_json_bytes(), message.timestamp)
            return
        finally:
            self.seconds[step.name].append(time.perf_counter() - started)
        for output in outputs:
            key = output.key.encode() if output.key is not None else None
            self.send(output.topic, key, output.value.to_json_bytes(), message.timestamp)
        self._sweep(step, now)

    def _sweep(self, step: Step, now: float) -> None:
        # As a worker's agents do: expired state goes, so memory stays bounded.
        for table in step.tables:
            window = table.window(self.settings.state)
            last = self._swept.setdefault(table.name, now)
            if now - last >= sweep_interval(window):
                self._swept[table.name] = now
                self._resources.state(table.name).sweep(now)
