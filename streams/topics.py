"""Every topic the service reads or writes, declared once; agents import them from here."""

from __future__ import annotations

from faust.types import TopicT

from streams.app import app, settings

_names = settings.topics
_internal = settings.internal_topics()


def _topic(
    name: str, *, compacted: bool = False, internal: bool = False, partitions: int | None = None
) -> TopicT:
    return app.topic(
        name,
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
        partitions=partitions or _names.partitions,
        internal=internal,
        compacting=compacted or None,
    )


# Public topics (see schemas/asyncapi.yaml).
articles = _topic(_names.articles)
articles_dlq = _topic(_names.articles_dlq)
mentions = _topic(_names.mentions)
canonical = _topic(_names.canonical, compacted=True)
alerts = _topic(_names.alerts)
alerts_dlq = _topic(_names.alerts_dlq)

# Internal repartition topics: each routes records to the partition that owns their state.
for_stories = _topic(_internal["for_stories"], internal=True, partitions=1)
"""Accepted articles with their compact features, on the one partition that sees them all
(near-duplicates and stories need a global view; see docs/stories.md for its capacity)."""
storied = _topic(_internal["storied"], internal=True)
"""Articles with story id and duplicate mark, keyed by article id again for extraction."""
by_block = _topic(_internal["by_block"], internal=True)
"""Mentions keyed by blocking key, so candidate reports of one event meet one partition."""
