"""Faust tables behind each stage's state, each co-partitioned with the topic its agent reads."""

from __future__ import annotations

from streams.app import app, settings
from streams.stages.state import ExpiringState


def _state(name: str, help_text: str) -> ExpiringState:
    table = app.Table(
        name,
        default=None,
        partitions=settings.topics.partitions,
        # str keys and plain JSON values: both go through Faust's json codec.
        key_type=str,
        value_type=None,
        help=help_text,
    )
    return ExpiringState(table)


fingerprints = _state("fingerprints", "First article seen per body fingerprint")
blocks = _state("event-blocks", "Open canonical events per blocking key")
paged = _state("paged", "Highest severity evaluated per canonical event")
delivered = _state("delivered", "Alert and channel pairs already delivered")
