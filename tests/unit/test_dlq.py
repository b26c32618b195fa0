"""The agents' one dead-letter handler keeps a failed message with its origin and goes on."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiokafka.errors import MessageSizeTooLargeError

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

    refuse: bool = False

    async def send(self, key: Any, value: bytes) -> asyncio.Future[None]:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self.refuse:
            done.set_exception(MessageSizeTooLargeError())
        else:
            self.sent.append((key, value))
            done.set_result(None)
        return done


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


async def test_a_message_near_the_size_limit_still_gets_a_dead_letter_that_fits() -> None:
    outbox = Outbox()
    big = Event(Message(value=b"{" + b"x" * 900_000))  # base64 alone would be 1.2 MB
    async with dead_letters("intake", big, outbox):
        raise RejectedMessage("too_large", "message is 900001 bytes")
    ((_, value),) = outbox.sent
    assert len(value) < 1024 * 1024
    letter = DeadLetter.model_validate_json(value)
    assert letter.truncated and letter.original == big.message.value[: len(letter.original)]
    assert 0 < len(letter.original) < 900_001 and letter.original_size == 900_001
    assert letter.original_sha256 == hashlib.sha256(big.message.value).hexdigest()


async def test_a_small_message_is_kept_whole() -> None:
    outbox = Outbox()
    async with dead_letters("intake", Event(), outbox):
        raise RejectedMessage("not_json", "not JSON")
    letter = DeadLetter.model_validate_json(outbox.sent[0][1])
    assert not letter.truncated and letter.original == b"raw bytes" and letter.original_size == 9


async def test_a_dead_letter_that_cannot_be_written_stops_the_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    crashed: list[BaseException] = []

    class App:
        async def crash(self, reason: BaseException) -> None:
            crashed.append(reason)

    monkeypatch.setattr("streams.dlq.app", App())
    with pytest.raises(MessageSizeTooLargeError):
        async with dead_letters("intake", Event(), Outbox(refuse=True)):
            raise RejectedMessage("not_json", "not JSON")
    assert len(crashed) == 1  # the message is neither acknowledged nor lost
