"""Generic webhook: the alert's JSON, signed with HMAC-SHA256 over a timestamp and the body."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

from schemas import Alert
from streams.delivery.channels.base import USER_AGENT, HttpRequest, Links, Verdict, classify
from streams.delivery.channels.config import Target
from streams.rules import ChannelOptions

SIGNATURE_HEADER = "X-Geoevents-Signature"
TIMESTAMP_HEADER = "X-Geoevents-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"
VERSION = "v1"


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """v1=hex(HMAC-SHA256(secret, timestamp + "." + body)), as docs/alerting.md describes."""
    digest = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"{VERSION}={digest}"


def verify(
    secret: bytes,
    headers: Mapping[str, str],
    body: bytes,
    tolerance: float = 300,
    now: float | None = None,
) -> bool:
    """What a receiver checks (the same steps as the snippet in docs/alerting.md)."""
    named = {k.lower(): v for k, v in headers.items()}  # header names are case-insensitive
    timestamp = named.get(TIMESTAMP_HEADER.lower(), "")
    if not timestamp.isdigit():
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > tolerance:
        return False
    given = named.get(SIGNATURE_HEADER.lower(), "")
    return hmac.compare_digest(given, signature(secret, timestamp, body))


def build(
    alert: Alert,
    target: Target,
    options: ChannelOptions,
    links: Links,
    now: float | None = None,
) -> HttpRequest:
    """The POST: the body is the alert exactly as on the `alerts` topic (alert.schema.json).

    The timestamp is the time of this attempt, so a retry is signed afresh; the body and
    the Idempotency-Key stay the same, so the receiver can drop a repeat.
    """
    assert target.key is not None, "a webhook target always has its signing secret"
    body = alert.to_json_bytes()
    timestamp = str(int(time.time() if now is None else now))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(target.key.get_secret_value().encode(), timestamp, body),
        IDEMPOTENCY_HEADER: alert.alert_id,
        "X-Geoevents-Alert-Id": alert.alert_id,
        "X-Geoevents-Event-Id": alert.event_id,
        "X-Geoevents-Kind": alert.kind,
        "X-Geoevents-Severity": options.severity[alert.severity],
    }
    return HttpRequest("POST", target.url.get_secret_value(), headers, body)


def classify_status(status: int) -> Verdict:
    """As every channel, except 409: the receiver already has this Idempotency-Key."""
    return "delivered" if status == 409 else classify(status)
