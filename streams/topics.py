"""Every topic the service reads or writes, as Faust topics, from streams/pipeline.TOPICS."""

from __future__ import annotations

from faust.types import TopicT

from streams.app import app, settings
from streams.pipeline import TOPICS, Topic


def _topic(spec: Topic) -> TopicT:
    return app.topic(
        spec.name(settings),
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
        partitions=spec.partitions or settings.topics.partitions,
        internal=spec.internal,
        compacting=spec.compacted or None,
    )


by_name: dict[str, TopicT] = {name: _topic(spec) for name, spec in TOPICS.items()}
"""Faust topics by logical name (pipeline.TOPICS)."""

# The ones the delivery agent uses by name (see schemas/asyncapi.yaml).
alerts = by_name["alerts"]
alerts_dlq = by_name["alerts_dlq"]
