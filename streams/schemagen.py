"""Generate the JSON Schemas and the AsyncAPI document under schemas/ from the models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from schemas import Alert, Article, CanonicalEvent, DeadLetter, EventMention
from streams import __version__
from streams.settings import TopicSettings

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"

MODELS: dict[str, type[BaseModel]] = {
    "article": Article,
    "event_mention": EventMention,
    "canonical_event": CanonicalEvent,
    "alert": Alert,
    "dead_letter": DeadLetter,
}


def _schema(name: str, model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://geoevents.invalid/schemas/{name}.schema.json",
        **schema,
    }


def _channel(
    topic: str, key: str, payload: str, summary: str, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    message = {
        "name": payload,
        "contentType": "application/json",
        "payload": {"$ref": f"./{payload}.schema.json"},
        "bindings": {"kafka": {"key": {"type": "string", "description": key}}},
    }
    channel: dict[str, Any] = {
        "address": topic,
        "description": summary,
        "messages": {payload: message},
    }
    if extra:
        channel["bindings"] = {"kafka": {"topicConfiguration": extra}}
    return channel


def asyncapi(topics: TopicSettings) -> dict[str, Any]:
    """The AsyncAPI 3 document of every public topic, its key and its value schema."""
    channels = {
        "articles": _channel(
            topics.articles, "article id", "article", "News articles from producers."
        ),
        "articlesDlq": _channel(
            topics.articles_dlq,
            "the original message key",
            "dead_letter",
            "Messages any article stage could not process, with reason and original bytes.",
        ),
        "mentions": _channel(
            topics.mentions,
            "canonical event id; none for a mention that belongs to no event",
            "event_mention",
            "Every extracted event mention with its evidence, one per act per article. News "
            "(factuality asserted, historical false) is merged into a canonical event; with "
            "confidence below 0.5, or with no party or place, it may join an event but not open "
            "one, and until it joins it has no event_id. A plan, a possibility, a negated act or "
            "history only links to an open event that matches it (event_id, and the event does "
            "not count it), else has no event_id. When a later report moves a mention to another "
            "event, or retires its event into another, the mention is sent again with its new "
            "event_id: the last record per mention_id holds. confidence is calibrated: the share "
            "of such mentions whose event type is right.",
        ),
        "canonical": _channel(
            topics.canonical,
            "canonical event id",
            "canonical_event",
            "The latest state of each canonical event; compacted, so the last record per key "
            "is the event. Which reports make one event does not depend on the order they "
            "arrive in. When a late report shows two open events are one, the older survives "
            "(its merged_from lists the other) and the other gets a last record with status "
            "retired and merged_into naming the survivor; a retired id is never updated or "
            "reused. Records are sent retired first, then the survivor.",
            {"cleanup.policy": ["compact"]},
        ),
        "alerts": _channel(
            topics.alerts,
            "canonical event id",
            "alert",
            "Alerts (new or escalation): the outbox the delivery agent reads.",
        ),
        "alertsDlq": _channel(
            topics.alerts_dlq,
            "canonical event id",
            "dead_letter",
            "Alerts that could not be delivered, with error and origin.",
        ),
    }
    operations = {
        "receiveArticles": {"action": "receive", "channel": {"$ref": "#/channels/articles"}},
        **{
            f"send{name[0].upper()}{name[1:]}": {
                "action": "send",
                "channel": {"$ref": f"#/channels/{name}"},
            }
            for name in channels
            if name != "articles"
        },
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "geoevents",
            "version": __version__,
            "description": "Geopolitical events extracted from news, merged into canonical "
            "events, and alerts. Values are JSON; keys are UTF-8 strings.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
    }


def render() -> dict[str, str]:
    """Every generated file under schemas/, by name, as text."""
    files = {
        f"{name}.schema.json": json.dumps(_schema(name, model), indent=2, sort_keys=True) + "\n"
        for name, model in MODELS.items()
    }
    files["asyncapi.yaml"] = "# Generated by `geoevents schemas`; do not edit.\n" + yaml.safe_dump(
        asyncapi(TopicSettings()), sort_keys=False, width=100
    )
    return files


def write(directory: Path = SCHEMA_DIR) -> list[Path]:
    """Write every generated file; returns the paths written."""
    written = []
    for name, text in render().items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def stale(directory: Path = SCHEMA_DIR) -> list[str]:
    """Names of generated files that are missing or differ from what the models generate."""
    out = []
    for name, text in render().items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            out.append(name)
    return out
