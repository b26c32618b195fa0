"""The base model every payload shares: strict about unknown fields, UTC-aware datetimes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict


def _as_utc(value: datetime) -> datetime:
    # A naive timestamp from a producer is taken as UTC rather than local time,
    # so that ordering and windows do not depend on where a worker runs.
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]


class Payload(BaseModel):
    """Base of all topic payloads."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    def to_json_bytes(self) -> bytes:
        """The wire form: compact JSON in UTF-8."""
        return self.model_dump_json().encode()
