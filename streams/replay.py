"""Replay: the pipeline in-process over input files, in published order, with no broker."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schemas import Alert, Article, ArticleRecord, CanonicalEvent, DeadLetter, EventMention
from streams.errors import GeoeventsError
from streams.extraction import mentions
from streams.feed import RawRecord
from streams.pipeline import ARTICLE_ID, STEPS, TOPICS
from streams.rules import RuleSet
from streams.runner import Runner
from streams.settings import Settings
from streams.stages import intake

# Articles whose sentences are parsed together: a parse of a few dozen sentences costs about
# half as much per sentence as one of two or three (docs/extraction.md#speed).
READ_AHEAD = 64


@dataclass
class ReplayResult:
    """Everything a replay produced, in processing order."""

    articles: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[EventMention] = field(default_factory=list)
    """Each mention once, linked to the event it ended in."""
    events: dict[str, CanonicalEvent] = field(default_factory=dict)
    """The latest record of every event, as the compacted topic keeps it (retired included)."""
    alerts: list[Alert] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)

    @property
    def open_events(self) -> dict[str, CanonicalEvent]:
        """The events as they stand: the retired ones left out."""
        return {k: e for k, e in self.events.items() if e.status == "open"}


class Replay:
    """The pipeline in-process (streams/runner.py), fed in published order."""

    def __init__(self, settings: Settings, rules: RuleSet) -> None:
        self.settings = settings
        self.runner = Runner(settings, rules)
        # Seconds spent extracting each accepted article (its share of the batch parse
        # included), when a benchmark asks for them.
        self.extract_seconds: list[float] | None = None

    def run(self, records: Iterable[RawRecord]) -> ReplayResult:
        """Process records in published_at order (input order for ties and missing dates),
        each to the end of the pipeline before the next."""
        ordered = _in_time_order(records, self.settings)
        runner, share = self.runner, 0.0
        for i, (now, record, _) in enumerate(ordered):
            if i % READ_AHEAD == 0:  # parse the next articles' sentences in one batch
                ahead = [a for _, _, a in ordered[i : i + READ_AHEAD] if isinstance(a, Article)]
                started = time.perf_counter()
                mentions.read_ahead(ahead)
                share = (time.perf_counter() - started) / max(1, len(ahead))
            done = len(runner.seconds["extract"])
            runner.send("articles", record.key, record.value, now, record.origin)
            runner.run()
            if self.extract_seconds is not None:
                self.extract_seconds += [s + share for s in runner.seconds["extract"][done:]]
        return collect(runner)


def collect(runner: Runner) -> ReplayResult:
    """What a runner sent, as replay's five files hold it."""
    result = ReplayResult()
    sent = runner.sent
    mentions: dict[str, EventMention] = {}
    for message in sent["mentions"]:
        mention = EventMention.model_validate_json(message.value)
        mentions[mention.mention_id] = mention  # a relinked mention replaces its first link
    result.mentions = list(mentions.values())
    for message in sent["canonical"]:
        event = CanonicalEvent.model_validate_json(message.value)
        result.events[event.event_id] = event
    result.alerts = [Alert.model_validate_json(m.value) for m in sent["alerts"]]
    letters = [DeadLetter.model_validate_json(m.value) for m in sent["articles_dlq"]]
    result.dead_letters = letters
    rows = {}
    for message in sent["storied"]:
        record = ArticleRecord.model_validate_json(message.value)
        rows[record.article.id] = _article_row(record)
    for letter in letters:
        if TOPICS[STEPS[letter.stage].source].key != ARTICLE_ID:
            continue  # one mention failed: its article was accepted
        key = _key_text(letter.key)
        rows[key or f"#{len(rows)}"] = _rejected_row(letter, key)
    result.articles = list(rows.values())
    return result


def _key_text(key: bytes | None) -> str | None:
    return key.decode("utf-8", "replace") if key is not None else None


def _article_row(record: ArticleRecord) -> dict[str, Any]:
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


def _rejected_row(letter: DeadLetter, key: str | None) -> dict[str, Any]:
    return {
        "article_id": key,
        "status": "dead_letter",
        "story_id": None,
        "duplicate_of": None,
        "stage": letter.stage,
        "reason": letter.reason,
        "origin": letter.topic,
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
