"""The one policy for a bad message: a dead letter with stage, reason, error and original bytes."""

from __future__ import annotations

from datetime import UTC, datetime

from schemas import DeadLetter
from streams.errors import RejectedMessage

MAX_ERROR_CHARS = 2000


def dead_letter(
    stage: str,
    error: BaseException,
    original: bytes,
    key: bytes | None = None,
    topic: str | None = None,
    partition: int | None = None,
    offset: int | None = None,
    failed_at: datetime | None = None,
) -> DeadLetter:
    """The dead letter for `original`, which `stage` failed on with `error`."""
    if isinstance(error, RejectedMessage):
        reason, text = error.reason, str(error)
    else:
        # An unexpected failure is still this message's problem, not the worker's: keep the
        # message and the exception type so it can be replayed once the bug is fixed.
        reason, text = "processing_error", f"{type(error).__name__}: {error}"
    return DeadLetter.model_validate(
        {
            "stage": stage,
            "reason": reason,
            "error": text[:MAX_ERROR_CHARS],
            "key": key,
            "original": original,
            "topic": topic,
            "partition": partition,
            "offset": offset,
            "failed_at": failed_at or datetime.now(UTC),
        }
    )
