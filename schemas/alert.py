"""Alert: a page-worthy change of a canonical event, the outbox record for delivery."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.base import Payload, UtcDatetime
from schemas.event import CanonicalEvent, Severity

AlertKind = Literal["new", "escalation"]


class Alert(Payload):
    """One alert on topic `alerts`, keyed by its canonical event id."""

    alert_id: str = Field(description="Deterministic: event id, kind and severity.")
    event_id: str
    kind: AlertKind
    severity: Severity
    title: str
    change: str | None = Field(
        default=None, description="What escalated, e.g. 'severity rose from high to critical'."
    )
    article_ids: list[str]
    rule: str = Field(description="Name of the rule that fired.")
    channels: list[str] = Field(default_factory=lambda: ["console"])
    created_at: UtcDatetime
    event: CanonicalEvent
