"""The agents' one dead-letter handler keeps a failed message with its origin and goes on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from schemas import DeadLetter
from streams.app import metrics
from streams.dlq import dead_letters
from streams.errors import RejectedMessage


@dataclass
class Message:
    key: bytes | None = b"k1"
    value: bytes = b"raw bytes"
    topic: str = "articles.raw"
    partition: int = 2
    offset: int = 41


@dataclass
class Event:
    message: Message = field(default_factory=Message)


@dataclass
class Outbox:
    """Records what would be sent; the handler only needs an awaitable send()."""

    sent: list[tuple[Any, bytes]] = field(default_factory=list)

    async def send(self, key: Any, value: bytes) -> None:
        self.sent.append((key, value))


def count(stage: str, reason: str) -> float:
    return metrics.dead_letters.labels(stage=stage, reason=reason)._value.get()


async def test_error_becomes_dead_letter_with_origin() -> None:
    outbox = Outbox()
    before = count("extract", "processing_error")
    async with dead_letters("extract", Event(), outbox):
        raise KeyError("boom")
    ((key, value),) = outbox.sent
    letter = DeadLetter.model_validate_json(value)
    assert key == b"k1" and letter.original == b"raw bytes"
    assert (letter.topic, letter.partition, letter.offset) == ("articles.raw", 2, 41)
    assert letter.stage == "extract" and letter.error == "KeyError: 'boom'"
    assert count("extract", "processing_error") == before + 1


async def test_rejection_keeps_its_reason_and_success_sends_nothing() -> None:
    outbox = Outbox()
    async with dead_letters("intake", Event(), outbox):
        raise RejectedMessage("not_json", "not JSON: Expecting value")
    async with dead_letters("intake", Event(), outbox):
        pass
    assert len(outbox.sent) == 1
    assert DeadLetter.model_validate_json(outbox.sent[0][1]).reason == "not_json"
