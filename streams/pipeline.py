"""The pipeline, declared once: each step's topic, state, stage function and outputs.

A worker runs every step as a Faust agent (streams/agents/steps.py); replay, evaluation and tests
run the same steps in-process (streams/runner.py). Either way a step is handed one decoded
record, its state and the time, and returns what to send where, keyed how. Decoding, stream
time, dead letters, sweeping expired state and sending belong to the runners, written once
each, so the two cannot drift apart.

    articles.raw ─ intake ─> for-stories (1 partition) ─ stories ─> storied ─ extract ─>
    by-block ─ events ─> events.mentions, events.canonical, alerts

The alert decision runs in the events step, beside the event it is about: when a late
report shows two events are one, the survivor inherits the retired event's paging state on
the same partition, so one real event never pages "new" twice (docs/merging.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from schemas import Alert, ArticleRecord, CanonicalEvent, EventMention
from schemas.base import Payload
from streams.extraction import mentions
from streams.merging.merge import Change, merge_mention
from streams.merging.reports import blocking_key
from streams.merging.store import Decoded, block_of
from streams.metrics import Metrics
from streams.rules import RuleSet
from streams.settings import Settings, StateSettings
from streams.stages import alerts, intake
from streams.stages.stories import StoryStage
from streams.state.expiring import ExpiringState
from streams.stories.clusterer import story_id_for


@dataclass(frozen=True)
class Output:
    """One record a step sends: to a logical topic (see `TOPICS`), under a key."""

    topic: str
    key: str | None
    value: Payload
    change: str | None = None
    """For metrics: what happened to a canonical event ("new", "updated", "retired")."""


@dataclass(frozen=True)
class Moment:
    """The time a step runs at."""

    stream: float
    """Stream time, epoch seconds: the latest record time its partition has seen. State
    expires by it, so a replay of last year's news expires state as the live stream did."""
    wall: datetime
    """When the step ran: the worker's clock, or in replay the stream time, so a replay's
    output is the same every time it runs."""


@dataclass(frozen=True)
class Table:
    """A step's state table: a Faust table in a worker, a dict in-process."""

    name: str
    help: str
    window: Callable[[StateSettings], float]
    """How long an entry lives after it was last written."""
    key_of: Callable[[str], str] = str
    """The message key a state key lives with (it is written from that message's partition)."""


@dataclass(frozen=True)
class Resources:
    """What a step's state is built from."""

    settings: Settings
    rules: RuleSet
    tables: dict[str, MutableMapping[str, Any]]
    wall: Callable[[], float] | None = None
    """A worker's clock, which state expiry also waits for (streams.state.expiring.ExpiringState);
    None in replay, where stream time alone decides."""

    def state(self, table: str) -> ExpiringState:
        return ExpiringState(self.tables[table], self.wall)


@dataclass(frozen=True)
class Step:
    """One stage of the pipeline as both runners run it."""

    name: str
    """The stage's name in metrics, logs and dead letters."""
    source: str
    """The logical topic it reads (`TOPICS`)."""
    dead_letters: str
    """Where a record it cannot process goes, with the reason."""
    decode: Callable[[bytes], Any]
    time_of: Callable[[Any], datetime | None]
    """The record's own time (stream time falls back to the broker timestamp)."""
    state: Callable[[Resources], Any]
    run: Callable[[Any, Any, Moment], list[Output]]
    """(record, state, moment) -> outputs; raises to dead-letter the record."""
    tables: tuple[Table, ...] = ()
    on_assign: Callable[[Any, float], None] | None = None
    """Called before the first record after partitions were (re)assigned: rebuild in-memory
    indexes from the tables a worker just recovered."""
    observe: Callable[[Metrics, list[Output] | None], None] | None = None
    """Counts one record's outcome (None: dead-lettered) in a worker's metrics."""


@dataclass(frozen=True)
class Topic:
    """A logical topic: its name comes from settings; `partitions` None means the default."""

    name: Callable[[Settings], str]
    key: str
    """What its records are keyed by."""
    partitions: int | None = None
    compacted: bool = False
    internal: bool = False


ARTICLE_ID, EVENT_ID = "article id", "event id"

TOPICS: dict[str, Topic] = {
    "articles": Topic(lambda s: s.topics.articles, ARTICLE_ID),
    "articles_dlq": Topic(lambda s: s.topics.articles_dlq, "the failed record's key"),
    "mentions": Topic(lambda s: s.topics.mentions, EVENT_ID),
    "canonical": Topic(lambda s: s.topics.canonical, EVENT_ID, compacted=True),
    "alerts": Topic(lambda s: s.topics.alerts, EVENT_ID),
    "alerts_dlq": Topic(lambda s: s.topics.alerts_dlq, EVENT_ID),
    # Repartition topics: each routes records to the partition that owns their state.
    # Near-duplicates and stories need a global view, so one partition sees every article
    # (compact features only; docs/stories.md gives its capacity).
    "for_stories": Topic(
        lambda s: s.internal_topics()["for_stories"], ARTICLE_ID, partitions=1, internal=True
    ),
    "storied": Topic(lambda s: s.internal_topics()["storied"], ARTICLE_ID, internal=True),
    "by_block": Topic(lambda s: s.internal_topics()["by_block"], "blocking key", internal=True),
}


# --- intake: validate raw articles --------------------------------------------------------


def _intake(raw: bytes | None, settings: Settings, at: Moment) -> list[Output]:
    limits = settings.limits
    article = intake.parse_article(raw, limits.max_article_bytes, limits.max_body_chars)
    intake.check_time(article, time.time(), limits.max_ahead_seconds, limits.earliest)
    # The signature and story features are computed here, partition-parallel, so the one
    # story partition only compares compact features.
    record = intake.to_record(article).model_copy(update={"received_at": at.wall})
    return [Output("for_stories", article.id, record)]


def _count_intake(metrics: Metrics, outputs: list[Output] | None) -> None:
    metrics.articles_consumed.inc()
    if outputs:
        metrics.articles_accepted.inc()


# --- stories: near-duplicates and story ids -----------------------------------------------


def _stories_state(resources: Resources) -> StoryStage:
    return StoryStage(
        resources.state("first-copies"), resources.state("stories"), resources.settings.state
    )


def _stories(record: ArticleRecord, stage: StoryStage, at: Moment) -> list[Output]:
    stored = stage.assign(record, at.stream)
    return [Output("storied", stored.article.id, stored)]


def _count_stories(metrics: Metrics, outputs: list[Output] | None) -> None:
    for output in outputs or []:
        record = output.value
        assert isinstance(record, ArticleRecord)
        if record.duplicate_of is not None:
            metrics.duplicates.inc()
        elif record.story_id == story_id_for(record.article.id):
            metrics.stories.inc()  # this article opened its story


# --- extract: code event mentions ---------------------------------------------------------


def _extract(record: ArticleRecord, _: None, at: Moment) -> list[Output]:
    outputs = []
    for mention in mentions.extract(record):
        mention = mention.model_copy(update={"received_at": record.received_at})
        outputs.append(Output("by_block", blocking_key(mention), mention))
    return outputs


def _count_mentions(metrics: Metrics, outputs: list[Output] | None) -> None:
    for output in outputs or []:
        assert isinstance(output.value, EventMention)
        metrics.mentions.labels(event_type=output.value.event_type).inc()


# --- events: merge into canonical events, and page -----------------------------------------


@dataclass(frozen=True)
class EventsState:
    blocks: ExpiringState
    rules: RuleSet
    window: float
    decoded: Decoded = field(default_factory=Decoded)


def _events_state(resources: Resources) -> EventsState:
    return EventsState(
        resources.state("event-blocks"),
        resources.rules,
        resources.settings.state.event_window_seconds,
    )


def _events(mention: EventMention, state: EventsState, at: Moment) -> list[Output]:
    merge = merge_mention(mention, state.blocks, at.stream, state.window, state.decoded)
    pages: list[Output] = []
    for change in merge.changes:
        if change.event.status == "retired":
            continue
        baseline = alerts.combined([change.baseline, *change.absorbed])
        alert, after = alerts.evaluate(change.event, state.rules, baseline, at.stream, at.wall)
        change.baseline = after
        if alert is not None:
            pages.append(Output("alerts", alert.event_id, alert))
    # Stored only once every alert is decided: if a rule raised, the mention is dead-lettered
    # with nothing of it stored, and can be replayed once the rule is fixed.
    merge.commit(state.blocks, at.stream, state.window)
    mentions = [merge.mention, *merge.relinked]
    return [
        *(Output("mentions", m.event_id, m) for m in mentions),
        *(Output("canonical", c.event.event_id, c.event, _change(c)) for c in merge.changes),
        *pages,
    ]


def _change(change: Change) -> str:
    if change.event.status == "retired":
        return "retired"
    return "new" if change.created else "updated"


def _count_events(metrics: Metrics, outputs: list[Output] | None) -> None:
    for output in outputs or []:
        value = output.value
        if isinstance(value, CanonicalEvent):
            metrics.events.labels(change=output.change or "updated").inc()
        elif isinstance(value, Alert):
            metrics.alerts.labels(kind=value.kind, severity=value.severity).inc()
            event, now = value.event, datetime.now(value.created_at.tzinfo)
            if event.last_received_at is not None:
                lag = (now - event.last_received_at).total_seconds()
                metrics.intake_to_alert_seconds.observe(max(lag, 0.0))
            # last_seen: the publication time of the latest article merged into the event.
            published = (now - event.last_seen).total_seconds()
            metrics.published_to_alert_seconds.observe(max(published, 0.0))


def _published(record: Any) -> datetime | None:
    return record.article.published_at


PIPELINE: tuple[Step, ...] = (
    Step(
        name="intake",
        source="articles",
        dead_letters="articles_dlq",
        decode=lambda raw: raw,
        time_of=lambda _: None,
        state=lambda resources: resources.settings,
        run=_intake,
        observe=_count_intake,
    ),
    Step(
        name="stories",
        source="for_stories",
        dead_letters="articles_dlq",
        decode=ArticleRecord.model_validate_json,
        time_of=_published,
        state=_stories_state,
        run=_stories,
        tables=(
            Table(
                "first-copies",
                "First copies with their MinHash signature and story",
                lambda windows: windows.duplicate_window_seconds,
            ),
            Table(
                "stories",
                "Open stories' bounded centroids, and each article's story",
                lambda windows: windows.story_window_seconds,
            ),
        ),
        on_assign=lambda stage, now: stage.rebuild(now),
        observe=_count_stories,
    ),
    Step(
        name="extract",
        source="storied",
        dead_letters="articles_dlq",
        decode=ArticleRecord.model_validate_json,
        time_of=_published,
        state=lambda _: None,
        run=_extract,
        observe=_count_mentions,
    ),
    Step(
        name="events",
        source="by_block",
        dead_letters="articles_dlq",
        decode=EventMention.model_validate_json,
        time_of=lambda mention: mention.published_at,
        state=_events_state,
        run=_events,
        tables=(
            Table(
                "event-blocks",
                "Open canonical events per blocking key, with their reports and paging state",
                lambda windows: windows.event_window_seconds,
                key_of=block_of,
            ),
        ),
        observe=_count_events,
    ),
)
"""The steps in the order topics connect them."""

STEPS: dict[str, Step] = {step.name: step for step in PIPELINE}
CONSUMED: frozenset[str] = frozenset(step.source for step in PIPELINE)
"""Logical topics some step reads; the others are the pipeline's outputs."""


def step_for(topic: str) -> Step | None:
    """The step that reads `topic`, if one does."""
    return next((step for step in PIPELINE if step.source == topic), None)
