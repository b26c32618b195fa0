"""The one handler agents use for a message they cannot process: dead-letter it and go on."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from streams.app import app, metrics, settings
from streams.stages.dead_letters import dead_letter

log = logging.getLogger(__name__)


@asynccontextmanager
async def dead_letters(stage: str, event: Any, dlq: Any) -> AsyncIterator[None]:
    """Run one message's stage work; on any error send it to `dlq` with its bytes and go on.

    Faust would ack and skip a message whose handler raised, with only a log line; this
    keeps the message, says why, and counts it. The time spent is recorded per stage.

    A dead letter that cannot be written (the broker refuses it, or is gone) stops the
    worker before the message is acknowledged: its offset is not committed, and the worker
    that takes the partition next reads it again. Losing it quietly is the one thing not
    allowed.
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
            max_message_bytes=settings.limits.max_message_bytes,
        )
        try:
            sent = await dlq.send(key=letter.key, value=letter.to_json_bytes())
            await sent  # on the broker before the message's offset may be committed
        except Exception as failure:
            log.critical(
                "could not dead-letter %s[%s]@%s (%s): %r; stopping without committing it",
                message.topic,
                message.partition,
                message.offset,
                letter.reason,
                failure,
            )
            await app.crash(failure)
            raise
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
