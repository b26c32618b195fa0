"""The deliver agent's bookkeeping: each alert's offset is acked only once every channel ended."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from schemas import Alert, DeadLetter
from streams.delivery.dispatcher import Dispatcher, Outcome
from streams.delivery.ledger import AckLedger, Entry, Origin, delivery_dead_letter
from streams.delivery.policy import mark_delivered, pending_channels
from streams.metrics import Metrics
from streams.state.expiring import State

log = logging.getLogger(__name__)

RECORD_RETRY_FIRST = 1.0
RECORD_RETRY_CAP = 30.0
"""First and longest pause between tries to record an outcome (the broker is unreachable)."""


class Outbox:
    """Hands alerts to the dispatcher and acks their messages, in order, when they settle.

    The order of events for one alert and channel is: the channel acknowledges, the
    delivered-state table records it (and the producer is flushed, so the record is on the
    broker), then the message is acked and Faust commits its offset. A crash before the
    record means the message is read again and sent again, with the same dedup key, which
    the channel drops; a crash after it means the table skips the channel.

    Messages whose deliveries are still running when the worker loses its partitions are
    released, not acked: whoever owns the partition next reads them again.
    """

    def __init__(
        self,
        dispatcher: Dispatcher,
        delivered: State,
        ttl: float,
        send_dead_letter: Callable[[DeadLetter], Awaitable[None]],
        flush: Callable[[], Awaitable[Any]],
        ack: Callable[[Any], Awaitable[Any]],
        forget: Callable[[Any], None],
        metrics: Metrics | None = None,
        max_pending: int = 1000,
    ) -> None:
        self.dispatcher = dispatcher
        self.delivered = delivered
        self.ttl = ttl
        self._send_dead_letter = send_dead_letter
        self._flush = flush
        self._ack = ack
        self._forget = forget
        self.metrics = metrics
        self.max_pending = max_pending
        self._ledger: AckLedger[Any] = AckLedger()
        self._finishing: set[asyncio.Task[None]] = set()
        self._room = asyncio.Event()

    @property
    def pending(self) -> int:
        """Messages taken and not yet acked."""
        return len(self._ledger)

    async def wait_for_room(self) -> None:
        """Backpressure: wait while `max_pending` messages await their outcomes."""
        while len(self._ledger) >= self.max_pending:
            self._room.clear()
            await self._room.wait()

    async def take(self, event: Any, alert: Alert | None, origin: Origin, now: float) -> None:
        """Start delivering the alert read from `event` (None: it was dead-lettered already).

        Must be called from inside the agent's iteration over `event`: the task that later
        records the outcome is created here and inherits Faust's current event, so its table
        writes go to this message's partition.
        """
        entry = self._ledger.track(origin.topic, origin.partition, origin.offset, event)
        channels = pending_channels(alert, self.delivered, now) if alert is not None else []
        if alert is not None and self.metrics is not None:
            for channel in dict.fromkeys(alert.channels):
                if channel not in channels:
                    self.metrics.deliveries.labels(channel=channel, outcome="duplicate").inc()
        if alert is None or not channels:
            await self._settle(entry)
            return
        futures = [self.dispatcher.submit(alert, c) for c in channels]
        task = asyncio.create_task(self._finish(entry, alert, origin, now, futures))
        self._finishing.add(task)
        task.add_done_callback(self._finishing.discard)

    async def _finish(
        self,
        entry: Entry[Any],
        alert: Alert,
        origin: Origin,
        now: float,
        futures: list[asyncio.Future[Outcome]],
    ) -> None:
        # shield: this task is cancelled on release, and a delivery that others may join
        # (a redelivered message after the rebalance) must not be cancelled with it.
        for next_done in asyncio.as_completed([asyncio.shield(f) for f in futures]):
            outcome = await next_done
            if entry.released or outcome.abandoned:
                return
            await self._record(alert, origin, now, outcome, entry)
        await self._settle(entry)

    async def _record(
        self, alert: Alert, origin: Origin, now: float, outcome: Outcome, entry: Entry[Any]
    ) -> None:
        """Record one channel's outcome durably; retried until it works or the entry is released.

        Nothing here may be skipped: acking without the record would lose a dead letter, or
        let a restart page again where the channel has no dedup key of its own.
        """
        pause = RECORD_RETRY_FIRST
        while not entry.released:
            try:
                if outcome.result == "sent":
                    mark_delivered(self.delivered, alert, outcome.channel, now, self.ttl)
                    await self._flush()
                else:
                    await self._dead_letter(alert, origin, outcome)
                return
            except Exception:
                log.exception(
                    "cannot record %s of alert %s to %s; retrying in %.0fs",
                    outcome.result,
                    alert.alert_id,
                    outcome.channel,
                    pause,
                )
                await asyncio.sleep(pause)
                pause = min(pause * 2, RECORD_RETRY_CAP)

    async def _dead_letter(self, alert: Alert, origin: Origin, outcome: Outcome) -> None:
        assert outcome.result != "sent"
        letter = delivery_dead_letter(
            origin, outcome.channel, outcome.result, outcome.error or "", outcome.attempts
        )
        await self._send_dead_letter(letter)
        if self.metrics is not None:
            self.metrics.alerts_dead_lettered.labels(
                channel=outcome.channel, reason=outcome.result
            ).inc()
            self.metrics.dead_letters.labels(stage="deliver", reason=outcome.result).inc()
        log.warning(
            "alert %s dead-lettered for %s after %d attempt(s): %s (%s)",
            alert.alert_id,
            outcome.channel,
            outcome.attempts,
            outcome.result,
            outcome.error,
        )

    async def _settle(self, entry: Entry[Any]) -> None:
        for event in self._ledger.settle(entry):
            await self._ack(event)
        if len(self._ledger) < self.max_pending:
            self._room.set()

    def release(self) -> int:
        """Let go of every pending message unacked (a rebalance or stop has begun)."""
        events = self._ledger.release()
        for event in events:
            self._forget(event)
        for task in list(self._finishing):
            task.cancel()
        self.dispatcher.release()
        self._room.set()
        return len(events)

    async def watch(self, active: Callable[[], bool], interval: float = 0.2) -> None:
        """Release pending messages whenever `active()` turns false (Faust suspends its flow
        before a rebalance or stop, then waits for every started message to be acked)."""
        while True:
            await asyncio.sleep(interval)
            if not active() and len(self._ledger):
                released = self.release()
                log.info("released %d alert message(s) still delivering", released)

    async def close(self) -> None:
        """Stop recording: cancel every outcome still being waited for."""
        for task in list(self._finishing):
            task.cancel()
        await asyncio.gather(*self._finishing, return_exceptions=True)
