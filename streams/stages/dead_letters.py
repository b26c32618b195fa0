"""The one policy for a bad message: a dead letter with stage, reason, error and original bytes."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from schemas import DeadLetter
from streams.errors import RejectedMessage

MAX_ERROR_CHARS = 2000
HEAD_BYTES = 64 * 1024
"""What a dead letter keeps of an original too large to keep whole."""
KEY_HEAD_BYTES = 1024
"""What it keeps of a longer key (the dead letter's own record key too)."""
RECORD_OVERHEAD_BYTES = 4096
"""Room left in a message for the record's framing and headers around the letter."""


def dead_letter(
    stage: str,
    error: BaseException,
    original: bytes,
    key: bytes | None = None,
    topic: str | None = None,
    partition: int | None = None,
    offset: int | None = None,
    failed_at: datetime | None = None,
    max_message_bytes: int = 1024 * 1024,
) -> DeadLetter:
    """The dead letter for `original`, which `stage` failed on with `error`, cut to fit a
    message of `max_message_bytes` (`fitted`)."""
    if isinstance(error, RejectedMessage):
        reason, text = error.reason, str(error)
    else:
        # An unexpected failure is still this message's problem, not the worker's: keep the
        # message and the exception type so it can be replayed once the bug is fixed.
        reason, text = "processing_error", f"{type(error).__name__}: {error}"
    letter = DeadLetter.model_validate(
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
    return fitted(letter, max_message_bytes)


def fitted(letter: DeadLetter, max_message_bytes: int) -> DeadLetter:
    """`letter` with its original's size and SHA-256, cut to fit one message.

    A dead letter carries its original base64-encoded, a third larger, so the letter of a
    message near the size limit would itself be too large to send, and the message would be
    lost. Past the limit it keeps the original's first HEAD_BYTES (and a key's first
    KEY_HEAD_BYTES), marked `truncated`, with the whole's length and hash.
    """
    original = letter.original
    update: dict[str, object] = {
        "original_size": len(original),
        "original_sha256": hashlib.sha256(original).hexdigest(),
    }
    if letter.key is not None and len(letter.key) > KEY_HEAD_BYTES:
        update.update(key=letter.key[:KEY_HEAD_BYTES], truncated=True)
    letter = letter.model_copy(update=update)
    room = max_message_bytes - RECORD_OVERHEAD_BYTES - KEY_HEAD_BYTES
    for head in (original, original[:HEAD_BYTES], b""):
        letter = letter.model_copy(
            update={"original": head, "truncated": letter.truncated or head != original}
        )
        if len(letter.to_json_bytes()) <= room:
            break
    return letter
