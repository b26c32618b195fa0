"""Slack incoming webhook: a Block Kit message an on-call engineer reads at a glance."""

from __future__ import annotations

import re
from typing import Any

from schemas import Alert
from streams.delivery.channels.base import (
    HttpRequest,
    Links,
    actors_text,
    figures,
    json_request,
    truncate,
    what,
    where,
)
from streams.delivery.channels.config import Target
from streams.rules import ChannelOptions

# Block Kit limits: header text 150 characters, a field 2000, a section 3000, ten fields.
HEADER_LIMIT = 150
FIELD_LIMIT = 2000
SECTION_LIMIT = 3000
MAX_SOURCES = 10


def escape(text: str) -> str:
    """Slack mrkdwn treats &, < and > as control characters (links, mentions: <!channel>)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_MARKUP = re.compile(r"([*_~`@])")
_BREAKS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def plain(text: str) -> str:
    """Untrusted text (anything an article supplied) shown as itself in mrkdwn: escaped, each
    formatting or mention character followed by a zero-width space so it pairs with nothing
    (Slack has no escape for *bold*, _italic_, ~strike~, `code` or @here), and control
    characters and line breaks as spaces, so a field cannot fake another."""
    return _MARKUP.sub("\\1\u200b", escape(_BREAKS.sub(" ", text)))


def _plain_text(text: str) -> str:
    """Text for a plain_text block (no markup there): only control characters go."""
    return _BREAKS.sub(" ", text)


def payload(alert: Alert, options: ChannelOptions, links: Links) -> dict[str, Any]:
    """The message: fallback text for notifications, and blocks for the channel."""
    event = alert.event
    marker = options.severity[alert.severity]
    kind = "NEW" if alert.kind == "new" else "ESCALATION"
    # (name, mrkdwn): plain facts are escaped; the date token is Slack markup itself.
    fields = [("What", plain(what(event)))]
    fields.append(("Who", plain(actors_text(event.actors) or "unknown actor")))
    if event.recipients:
        fields.append(("Against", plain(actors_text(event.recipients))))
    fields.append(("Where", plain(where(event) or "not reported")))
    shown = figures(event)
    if shown:
        fields.append(("Figures", plain(shown)))
    fields.append(("First seen", _when(event.first_seen.timestamp(), event.first_seen.isoformat())))
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": truncate(_plain_text(f"{kind}: {alert.title}"), HEADER_LIMIT),
                "emoji": True,
            },
        },
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": truncate(escape(marker), SECTION_LIMIT)},
            "fields": [
                {"type": "mrkdwn", "text": truncate(f"*{name}*\n{value}", FIELD_LIMIT)}
                for name, value in fields[:10]
            ],
        },
    ]
    if alert.change:
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"*Change*: {plain(alert.change)}"},
            }
        )
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _sources(alert, links)}})
    context = f"rule {alert.rule} · event {alert.event_id} · alert {alert.alert_id}"
    event_url = links.event(alert.event_id)
    if event_url:
        context += f" · <{event_url}|open event>"
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context}]})
    return {"text": f"{escape(marker)} {kind}: {plain(alert.title)}", "blocks": blocks}


def _when(epoch: float, fallback: str) -> str:
    # Slack renders the date in each reader's own time zone; the fallback is UTC.
    return f"<!date^{int(epoch)}^{{date_short_pretty}} {{time}}|{fallback}>"


def _sources(alert: Alert, links: Links) -> str:
    event = alert.event
    count = len(alert.article_ids)
    items = []
    for article_id in alert.article_ids[:MAX_SOURCES]:
        url = links.article(article_id)
        items.append(f"<{url}|{plain(article_id)}>" if url else plain(article_id))
    if count > MAX_SOURCES:
        items.append(f"and {count - MAX_SOURCES} more")
    outlets = ", ".join(plain(s) for s in event.sources) or "unknown"
    text = f"*Sources* ({count} article{'s' if count != 1 else ''}): {outlets}\n" + " · ".join(
        items
    )
    return truncate(text, SECTION_LIMIT)


def build(alert: Alert, target: Target, options: ChannelOptions, links: Links) -> HttpRequest:
    """The POST to the webhook URL (the URL itself is the secret)."""
    return json_request(target.url.get_secret_value(), payload(alert, options, links))
