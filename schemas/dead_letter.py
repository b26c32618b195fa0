"""DeadLetter: a message a stage could not process, kept with its original bytes."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from schemas.base import Payload, UtcDatetime

DeadLetterReason = Literal[
    "too_large",
    "not_utf8",
    "not_json",
    "not_object",
    "invalid_fields",
    "empty_body",
    "tombstone",
    "too_deep",
    "invalid_surrogate",
    "future_dated",
    "too_old",
    "processing_error",
    "delivery_failed",
    "not_deliverable",
]


class DeadLetter(Payload):
    """A message that could not be processed, with why and where it came from."""

    model_config = ConfigDict(ser_json_bytes="base64", val_json_bytes="base64")

    stage: str = Field(description="The stage that rejected it: intake, stories, extract, ...")
    reason: DeadLetterReason
    error: str = Field(max_length=4000, description="Human-readable error message.")
    key: bytes | None = Field(default=None, description="The original message key, base64.")
    original: bytes = Field(description="The original message value, base64.")
    original_size: int | None = Field(
        default=None, ge=0, description="Length of the original message value, in bytes."
    )
    original_sha256: str | None = Field(
        default=None, description="SHA-256 of the original message value, hex."
    )
    truncated: bool = Field(
        default=False,
        description="`original` (and `key`) hold only the first bytes: the whole would not "
        "fit one message (GEO_LIMITS__MAX_MESSAGE_BYTES); the size and hash are the whole's.",
    )
    topic: str | None = Field(default=None, description="Origin topic.")
    partition: int | None = None
    offset: int | None = None
    channel: str | None = Field(
        default=None, description="The alert channel that failed (stage deliver only)."
    )
    attempts: int | None = Field(
        default=None, ge=0, description="Delivery attempts made (stage deliver only)."
    )
    failed_at: UtcDatetime
