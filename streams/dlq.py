"""The one handler agents use for a message they cannot process: dead-letter it and go on."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from streams.app import metrics
from streams.stages.dead_letters import dead_letter

log = logging.getLogger(__name__)


@asynccontextmanager
async def dead_letters(stage: str, event: Any, dlq: Any) -> AsyncIterator[None]:
    """Run one message's stage work; on any error send it to `dlq` with its bytes and go on.

    Faust would ack and skip a message whose handler raised, with only a log line; this
    keeps the message, says why, and counts it. The time spent is recorded per stage.
    """
    started = time.perf_counter()
    message = event.message
    try:
        yield
    except Exception as err:
        letter = dead_letter(
            stage,
            err,
            message.value if isinstance(message.value, bytes) else bytes(message.value or b""),
            key=message.key,
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
        )
        await dlq.send(key=message.key, value=letter.to_json_bytes())
        metrics.dead_letters.labels(stage=stage, reason=letter.reason).inc()
        log.warning(
            "dead-lettered %s[%s]@%s at %s: %s",
            message.topic,
            message.partition,
            message.offset,
            stage,
            letter.reason,
        )
    finally:
        metrics.stage_seconds.labels(stage=stage).observe(time.perf_counter() - started)
