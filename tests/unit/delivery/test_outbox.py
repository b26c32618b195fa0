"""The outbox: the table records, dead letters, and acks in order; a release acks nothing."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest
from prometheus_client import CollectorRegistry

import streams.delivery.outbox
from schemas import Alert, DeadLetter
from streams.delivery.dispatcher import Attempt, Dispatcher
from streams.delivery.ledger import Origin
from streams.delivery.outbox import Outbox
from streams.delivery.policy import RetryPolicy
from streams.metrics import Metrics
from streams.state.expiring import ExpiringState
from tests.unit.delivery.test_dispatcher import OK, Scripted
from tests.unit.delivery.test_payloads import make_alert

REFUSED = Attempt("reject", 400, error="HTTP 400 bad payload")


@dataclass
class Message:
    offset: int
    partition: int = 0
    acked: bool = False


@dataclass
class Event:
    message: Message


@dataclass
class Broker:
    """Stands in for Faust: what was acked, dead-lettered, flushed and let go."""

    acked: list[int] = field(default_factory=list)
    letters: list[DeadLetter] = field(default_factory=list)
    flushes: int = 0
    forgotten: list[int] = field(default_factory=list)
    fail_dead_letters: int = 0

    async def ack(self, event: Event) -> None:
        self.acked.append(event.message.offset)

    async def send(self, letter: DeadLetter) -> None:
        if self.fail_dead_letters:
            self.fail_dead_letters -= 1
            raise ConnectionError("broker unreachable")
        self.letters.append(letter)

    async def flush(self) -> None:
        self.flushes += 1

    def forget(self, event: Event) -> None:
        event.message.acked = True
        self.forgotten.append(event.message.offset)


def outbox(broker: Broker, table: dict[str, object], **senders: Scripted) -> Outbox:
    policy = RetryPolicy(max_attempts=2, base=0.001, cap=0.002)
    return Outbox(
        Dispatcher(senders, policy),
        ExpiringState(table),
        3600.0,
        broker.send,
        broker.flush,
        broker.ack,
        broker.forget,
        Metrics(CollectorRegistry()),
    )


def routed(n: int, *channels: str) -> Alert:
    return make_alert(event_id=f"ev-{n}").model_copy(update={"channels": list(channels)})


async def take(box: Outbox, offset: int, alert: Alert | None) -> Event:
    event = Event(Message(offset))
    body = alert.to_json_bytes() if alert else b"{"
    await box.take(event, alert, Origin(b"k", body, "alerts", 0, offset), 0.0)
    return event


async def settled(box: Outbox) -> None:
    for _ in range(200):
        if not box.pending:
            return
        await asyncio.sleep(0.005)
    raise AssertionError("the outbox never settled")


async def test_each_channel_recorded_or_dead_lettered_then_acked() -> None:
    broker, table = Broker(), {}
    box = outbox(broker, table, slack=Scripted(OK), webhook=Scripted(REFUSED))
    alert = routed(1, "slack", "webhook")
    await take(box, 7, alert)
    await settled(box)
    assert broker.acked == [7]
    assert list(table) == [f"{alert.alert_id}|slack"] and broker.flushes == 1
    (letter,) = broker.letters
    assert (letter.channel, letter.reason, letter.attempts, letter.offset) == (
        "webhook",
        "not_deliverable",
        1,
        7,
    )
    assert letter.original == alert.to_json_bytes()


async def test_a_later_alert_waits_for_the_earlier_ones_ack() -> None:
    gate = asyncio.Event()
    broker = Broker()
    box = outbox(broker, {}, pagerduty=Scripted(OK, gate=gate), slack=Scripted(OK))
    await take(box, 1, routed(1, "pagerduty"))
    await take(box, 2, routed(2, "slack"))
    await asyncio.sleep(0.05)
    assert broker.acked == []  # 2 is delivered, but 1 is not: committing 2 could lose 1
    gate.set()
    await settled(box)
    assert broker.acked == [1, 2]


async def test_already_delivered_and_undecodable_alerts_are_acked_at_once() -> None:
    broker, table = Broker(), {}
    slack = Scripted(OK)
    box = outbox(broker, table, slack=slack)
    alert = routed(1, "slack")
    await take(box, 1, alert)
    await settled(box)
    await take(box, 2, alert)  # read again after a restart
    await take(box, 3, None)  # dead-lettered by the agent already
    assert broker.acked == [1, 2, 3] and len(slack.calls) == 1


async def test_release_lets_go_without_acking() -> None:
    gate = asyncio.Event()
    broker = Broker()
    slack = Scripted(OK, gate=gate)
    box = outbox(broker, {}, slack=slack)
    await take(box, 1, routed(1, "slack"))
    await asyncio.sleep(0.01)
    assert box.release() == 1
    gate.set()
    await asyncio.sleep(0.05)
    assert broker.acked == [] and broker.forgotten == [1] and box.pending == 0


async def test_watch_releases_when_flow_stops() -> None:
    broker = Broker()
    box = outbox(broker, {}, slack=Scripted(OK, gate=asyncio.Event()))
    await take(box, 1, routed(1, "slack"))
    active = [True]
    watcher = asyncio.create_task(box.watch(lambda: active[0], interval=0.005))
    await asyncio.sleep(0.02)
    assert box.pending == 1
    active[0] = False
    await asyncio.sleep(0.05)
    watcher.cancel()
    assert box.pending == 0 and broker.forgotten == [1]


async def test_recording_is_retried_until_it_works(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streams.delivery.outbox, "RECORD_RETRY_FIRST", 0.001)
    broker = Broker(fail_dead_letters=2)
    box = outbox(broker, {}, webhook=Scripted(REFUSED))
    await take(box, 1, routed(1, "webhook"))
    await settled(box)
    assert broker.acked == [1] and len(broker.letters) == 1
