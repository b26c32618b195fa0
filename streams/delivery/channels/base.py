"""What every channel shares: the request a channel builds, how to read its answer, the words."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote

from schemas import Alert, CanonicalEvent

Verdict = Literal["delivered", "retry", "reject"]
"""delivered: the channel took it; retry: try again later; reject: retrying cannot help."""

USER_AGENT = "geoevents-alerts"


@dataclass(frozen=True)
class HttpRequest:
    """One HTTP request to a channel. The URL and headers may hold secrets: never log them."""

    method: str
    url: str = field(repr=False)
    headers: dict[str, str] = field(repr=False, default_factory=dict)
    body: bytes = field(repr=False, default=b"")

    def json(self) -> Any:
        """The body parsed (tests and the `alerts test` command look inside)."""
        return json.loads(self.body)


def json_request(url: str, payload: Any, headers: dict[str, str] | None = None) -> HttpRequest:
    """A POST of `payload` as compact UTF-8 JSON."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    base = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    return HttpRequest("POST", url, {**base, **(headers or {})}, body)


def classify(status: int) -> Verdict:
    """The common reading of an HTTP status: 2xx taken, 408/425/429/5xx retried, else rejected.

    A 4xx other than those says the request itself is wrong (bad payload, bad key, gone):
    sending it again would be refused again, so it goes to the dead-letter topic at once.
    """
    if 200 <= status < 300:
        return "delivered"
    if status in (408, 425, 429) or status >= 500:
        return "retry"
    return "reject"


@dataclass(frozen=True)
class Links:
    """Where an article or an event can be opened, from URL templates in the settings."""

    article_template: str | None = None
    event_template: str | None = None

    def article(self, article_id: str) -> str | None:
        """The article's URL, or None without a template."""
        return _fill(self.article_template, article_id=article_id)

    def event(self, event_id: str) -> str | None:
        """The event's URL, or None without a template."""
        return _fill(self.event_template, event_id=event_id)


def _fill(template: str | None, **values: str) -> str | None:
    if not template:
        return None
    for name, value in values.items():
        # Percent-encoded: an id is the producer's text, and must not end the URL or a
        # channel's link markup around it.
        template = template.replace("{" + name + "}", quote(value, safe=""))
    return template


_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
"""Unicode categories that move a terminal's cursor, change its colours, reorder or hide
text: control and format characters (ESC, newline, bidi overrides) and line separators."""


def printable(text: str) -> str:
    """`text` with every character of `_HIDDEN` written as an escape (\\x1b, \\n, \\u202e):
    article fields are untrusted, and a newline in a source must not forge a second page,
    nor an escape sequence reach the terminal."""
    if text.isprintable():
        return text
    return "".join(_escaped(ch) if unicodedata.category(ch) in _HIDDEN else ch for ch in text)


def _escaped(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def truncate(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def what(event: CanonicalEvent) -> str:
    """missile test (ICBM), MOBILIZE/weapons."""
    name = (event.subtype or event.event_type).replace("_", " ")
    if event.weapon:
        name += f" ({event.weapon})"
    plover = event.event_type + (f"/{event.mode}" if event.mode else "")
    return f"{name}, {plover}"


def actors_text(actors: list[Any]) -> str:
    """North Korea (PRK), Russia (RUS)."""
    return ", ".join(f"{a.name} ({a.code})" for a in actors)


def where(event: CanonicalEvent) -> str | None:
    """Kursk Oblast (RU-KRS, RUS), or None when the reports name no place."""
    location = event.location
    if location is None:
        return None
    codes = [c for c in (location.subdivision, location.country) if c]
    return location.name + (f" ({', '.join(codes)})" if codes else "")


def figures(event: CanonicalEvent) -> str | None:
    """approximately 8,000 troops, at most 12 killed; None when no figure was reported."""
    if not event.quantities:
        return None
    return ", ".join(
        f"{q.qualifier.replace('_', ' ')} {q.value:,.0f} {q.unit}".replace("exact ", "")
        for q in event.quantities
    )


def details(alert: Alert) -> dict[str, Any]:
    """The facts of an alert as a flat mapping, for channels that carry structured details."""
    event = alert.event
    return {
        "alert_id": alert.alert_id,
        "event_id": alert.event_id,
        "kind": alert.kind,
        "severity": alert.severity,
        "change": alert.change,
        "rule": alert.rule,
        "what": what(event),
        "event_type": event.event_type,
        "mode": event.mode,
        "subtype": event.subtype,
        "actors": actors_text(event.actors) or None,
        "recipients": actors_text(event.recipients) or None,
        "where": where(event),
        "figures": figures(event),
        "weapon": event.weapon,
        "event_date": event.event_date.isoformat() if event.event_date else None,
        "first_seen": event.first_seen.isoformat(),
        "last_seen": event.last_seen.isoformat(),
        "sources": list(event.sources),
        "article_ids": list(alert.article_ids),
        "confidence": event.confidence,
    }
