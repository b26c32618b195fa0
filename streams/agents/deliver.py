"""Deliver agent: hand each alert in the outbox to its channels, once per channel."""

from __future__ import annotations

import asyncio
from typing import Any

from schemas import Alert, DeadLetter
from streams import tables, topics
from streams.app import app, metrics, settings
from streams.clock import StreamClock
from streams.delivery.dispatcher import open_dispatcher
from streams.delivery.ledger import Origin
from streams.delivery.outbox import Outbox
from streams.dlq import dead_letters
from streams.rules import get_rules
from streams.stages.dead_letters import fitted


async def _send_dead_letter(letter: DeadLetter) -> None:
    letter = fitted(letter, settings.limits.max_message_bytes)
    sent = await topics.alerts_dlq.send(key=letter.key, value=letter.to_json_bytes())
    await sent  # the broker has it before the alert's offset may be committed


def _forget(event: Any) -> None:
    # Faust waits, before a rebalance or stop, until every message a stream started on is
    # acked. Flagging the message done lets it proceed without acking it through the
    # consumer, so its offset is not committed and the partition's next owner re-reads it.
    event.message.acked = True


@app.agent(topics.alerts, name="deliver")
async def deliver(stream: Any) -> None:
    """alerts -> console, Slack, PagerDuty, Alertmanager, webhook | alerts.dlq"""
    # Acks are ours: a message is acked once all its channels have an outcome, which may
    # be long after later messages (another channel retrying must not hold them up).
    manual = stream.noack()
    async with open_dispatcher(settings, get_rules(), metrics) as dispatcher:
        outbox = Outbox(
            dispatcher,
            tables.delivered,
            settings.state.event_window_seconds,
            _send_dead_letter,
            app.producer.flush,
            manual.ack,
            _forget,
            metrics,
            settings.delivery.max_pending,
        )
        watcher = asyncio.create_task(outbox.watch(app.flow_control.is_active))
        clock = StreamClock()
        try:
            async for event in manual.events():
                await outbox.wait_for_room()
                message = event.message
                alert = None
                async with dead_letters("deliver", event, topics.alerts_dlq):
                    alert = Alert.model_validate_json(event.value)
                origin = Origin(
                    message.key, message.value, message.topic, message.partition, message.offset
                )
                created = alert.created_at if alert else None
                now = clock.advance(message.partition, created, message.timestamp)
                await outbox.take(event, alert, origin, now)
        finally:
            watcher.cancel()
            await outbox.close()
