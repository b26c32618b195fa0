"""Replay: run every stage in-process over input files, with dict-backed state and no broker."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from schemas import Alert, Article, ArticleRecord, CanonicalEvent, DeadLetter, EventMention
from streams.errors import GeoeventsError
from streams.feed import RawRecord
from streams.rules import RuleSet
from streams.settings import Settings
from streams.stages import alerts, events, extract, intake, stories
from streams.stages.dead_letters import dead_letter
from streams.stages.state import ExpiringState, sweep_interval

# Articles whose sentences are parsed together: a parse of a few dozen sentences costs about
# half as much per sentence as one of two or three (docs/extraction.md#speed).
READ_AHEAD = 64


@dataclass
class ReplayResult:
    """Everything a replay produced, in processing order."""

    articles: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[EventMention] = field(default_factory=list)
    events: dict[str, CanonicalEvent] = field(default_factory=dict)
    alerts: list[Alert] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)


class Replay:
    """The stages wired in-process, in the order the topics connect them in a worker."""

    def __init__(self, settings: Settings, rules: RuleSet) -> None:
        self.settings = settings
        self.rules = rules
        self.stories = stories.StoryStage(ExpiringState({}), ExpiringState({}), settings.state)
        self.blocks = ExpiringState({})
        self.paged = ExpiringState({})
        self.result = ReplayResult()
        # Seconds spent extracting each accepted article (its share of the batch parse
        # included), when a benchmark asks for them.
        self.extract_seconds: list[float] | None = None
        self._ahead_share = 0.0
        self._swept = 0.0
        windows = settings.state
        self._sweep_every = sweep_interval(
            min(windows.duplicate_window_seconds, windows.story_window_seconds)
        )

    def run(self, records: Iterable[RawRecord]) -> ReplayResult:
        """Process records in published_at order (input order for ties and missing dates)."""
        ordered = _in_time_order(records, self.settings)
        for i, (now, record, article) in enumerate(ordered):
            if i % READ_AHEAD == 0:  # parse the next articles' sentences in one batch
                ahead = [a for _, _, a in ordered[i : i + READ_AHEAD] if isinstance(a, Article)]
                started = time.perf_counter()
                extract.read_ahead(ahead)
                self._ahead_share = (time.perf_counter() - started) / max(1, len(ahead))
            self._one(now, record, article)
            if now - self._swept >= self._sweep_every:
                self._sweep(now)
        return self.result

    def _sweep(self, now: float) -> None:
        # As the worker's agents do: expired state goes, so memory stays bounded.
        self._swept = now
        self.stories.sweep(now)
        for state in (self.blocks, self.paged):
            state.sweep(now)

    def _one(self, now: float, record: RawRecord, article: Any) -> None:
        key = record.key
        if isinstance(article, GeoeventsError):
            self._reject("intake", article, record, now)
            return
        stage = "stories"
        try:
            stored = self.stories.assign(intake.to_record(article), now)
            stage = "extract"
            started = time.perf_counter()
            mentions = extract.extract(stored)
            if self.extract_seconds is not None:
                self.extract_seconds.append(time.perf_counter() - started + self._ahead_share)
            stage = "events"
            self._merge(mentions, now)
        except Exception as err:
            self._reject(stage, err, record, now)
            return
        self.result.articles.append(_article_row(stored, key))

    def _merge(self, mentions: list[EventMention], now: float) -> None:
        window = self.settings.state.event_window_seconds
        for mention in mentions:
            merged = events.merge_mention(mention, self.blocks, now, window)
            self.result.mentions.append(merged.mention)
            if merged.event is None:
                continue
            self.result.events[merged.event.event_id] = merged.event
            alert = alerts.evaluate(
                merged.event,
                self.rules,
                self.paged,
                now,
                window,
                created_at=datetime.fromtimestamp(now, UTC),
            )
            if alert is not None:
                self.result.alerts.append(alert)

    def _reject(self, stage: str, err: BaseException, record: RawRecord, now: float) -> None:
        failed_at = datetime.fromtimestamp(now, UTC)
        letter = dead_letter(
            stage, err, record.value, key=record.key, topic=record.origin, failed_at=failed_at
        )
        self.result.dead_letters.append(letter)
        self.result.articles.append(
            {
                "article_id": _key_text(record.key),
                "status": "dead_letter",
                "story_id": None,
                "duplicate_of": None,
                "stage": stage,
                "reason": letter.reason,
                "origin": record.origin,
            }
        )


def _key_text(key: bytes | None) -> str | None:
    return key.decode("utf-8", "replace") if key is not None else None


def _article_row(record: ArticleRecord, key: bytes | None) -> dict[str, Any]:
    return {
        "article_id": record.article.id,
        "status": "accepted",
        "story_id": record.story_id,
        "duplicate_of": record.duplicate_of,
        "source": record.article.source,
        "published_at": (
            record.article.published_at.isoformat() if record.article.published_at else None
        ),
    }


def _in_time_order(
    records: Iterable[RawRecord], settings: Settings
) -> list[tuple[float, RawRecord, Any]]:
    """Parse every record, then sort stably by published_at.

    A record without a date (or one that fails intake) takes the time of the record before
    it, so it keeps its place in the input relative to its neighbours.
    """
    limits = settings.limits
    parsed: list[tuple[float, RawRecord, Any]] = []
    last = 0.0
    for record in records:
        try:
            article: Any = intake.parse_article(
                record.value, limits.max_article_bytes, limits.max_body_chars
            )
            if article.published_at is not None:
                last = article.published_at.timestamp()
        except GeoeventsError as err:
            article = err
        parsed.append((last, record, article))
    return sorted(parsed, key=lambda item: item[0])


def write_outputs(result: ReplayResult, out: Path) -> dict[str, int]:
    """Write the five replay files into `out`; returns the line count of each."""
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, list[Any]] = {
        "articles.jsonl": result.articles,
        "mentions.jsonl": [m.model_dump(mode="json") for m in result.mentions],
        "events.jsonl": [e.model_dump(mode="json") for e in result.events.values()],
        "alerts.jsonl": [a.model_dump(mode="json") for a in result.alerts],
        "dead_letters.jsonl": [d.model_dump(mode="json") for d in result.dead_letters],
    }
    for name, rows in files.items():
        with (out / name).open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    return {name: len(rows) for name, rows in files.items()}
