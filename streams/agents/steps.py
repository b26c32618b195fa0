"""One Faust agent per step of streams/pipeline.py, all run by the same loop.

The loop is the worker's half of the step runner (streams/runner.py is the in-process
half): decode, stream time per partition, the step, sweeps, sends; a record that fails goes
to the step's dead-letter topic through the one handler (streams/dlq.py).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from streams import tables, topics
from streams.app import app, metrics, settings
from streams.clock import StreamClock
from streams.dlq import dead_letters
from streams.pipeline import PIPELINE, TOPICS, Moment, Output, Resources, Step
from streams.rules import get_rules


def _agent(step: Step) -> Any:
    source = topics.by_name[step.source]
    partitions = TOPICS[step.source].partitions or settings.topics.partitions

    async def run(stream: Any) -> None:
        resources = Resources(settings, get_rules(), tables.by_name, time.time)
        state = step.state(resources)
        sweepers = [
            tables.Sweeper(
                resources.state(table.name),
                partitions,
                table.window(settings.state),
                key_of=table.key_of,
            )
            for table in step.tables
        ]
        clock = StreamClock.capped(settings.limits.max_ahead_seconds)
        generation = None
        async for event in stream.events():
            message = event.message
            outputs: list[Output] | None = None
            async with dead_letters(step.name, event, topics.by_name[step.dead_letters]):
                record = step.decode(message.value)
                now = clock.advance(message.partition, step.time_of(record), message.timestamp)
                if step.on_assign is not None and generation != app.consumer_generation_id:
                    # Tables are recovered before a new assignment's first record arrives: the
                    # in-memory indexes are rebuilt from them once per rebalance.
                    step.on_assign(state, now)
                    generation = app.consumer_generation_id
                found = step.run(record, state, Moment(now, datetime.now(UTC)))
                for sweeper in sweepers:
                    sweeper.maybe(now, message.partition)
                for output in found:
                    key = output.key.encode() if output.key is not None else None
                    await topics.by_name[output.topic].send(
                        key=key, value=output.value.to_json_bytes()
                    )
                outputs = found
            if step.observe is not None:
                step.observe(metrics, outputs)

    run.__doc__ = f"{step.source} -> {step.name}"
    return app.agent(source, name=step.name)(run)


agents = {step.name: _agent(step) for step in PIPELINE}
