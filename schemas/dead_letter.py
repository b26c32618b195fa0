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
