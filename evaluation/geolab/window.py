"""A long stream that looks like news, through every step, with the production store.

`geolab bench window --articles N` builds a stream of N distinct articles from real news
sentences (an article file such as ecbplus-dev's) and runs it through the in-process runner
with its state tables in RocksDB, as a worker keeps them. Per tenth of the run it prints the
cost per article, the process's resident memory, the live stories and each table's size.

What makes the stream look like news, rather than like the fixed vocabulary of
`bench memory`:
- stories: each article continues a live story (its own pool of sentences and parties) or,
  with probability NEW_STORY, starts one; which live story is a Zipf-like draw over how
  recently stories were reported, so a few stories run long and most stay short;
- parties: every state name in a sentence is replaced by one of its story's, drawn from the
  gazetteer's states with a Zipf-like law over a fixed shuffled ranking (a few states are in
  much of the news, most are rare);
- near-copies: with probability NEAR_COPY an article is a recent one with a new id and
  outlet and a few words changed (syndication);
- time: articles a world rate apart (a million a day by default), so the windows hold what a
  week of the world's news would put in them, scaled by how far the run goes.
"""

from __future__ import annotations

import gc
import json
import random
import re
import shutil
import tempfile
import time
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from streams.feed import RawRecord
from streams.settings import DATA_DIR
from streams.stories.clusterer import STORY_KEY

NEW_STORY = 0.3
"""Share of articles that start a story."""
NEAR_COPY = 0.08
"""Share of articles that are a lightly edited copy of a recent article."""
ZIPF = 1.1
"""Exponent of the Zipf-like draws (states, live stories)."""
STORY_SENTENCES = 12
"""Sentences in a story's own pool; an article takes most of its sentences from it."""
START = datetime(2025, 3, 3, tzinfo=UTC)


@dataclass
class _Story:
    number: int
    states: list[str]
    sentences: list[str]
    articles: int = 0


@dataclass
class NewsStream:
    """The generator: the same articles for the same base file, seed and rate."""

    base: Path
    seed: int = 7
    per_day: float = 1_000_000.0
    words: int = 400
    sentences: list[str] = field(init=False)
    states: list[str] = field(init=False)
    labels: dict[str, int] = field(init=False, default_factory=dict)
    """Article id -> the story it was built from (a near-copy: its original's), as
    `records` yields them: what story assignment can be scored against."""

    def __post_init__(self) -> None:
        self.sentences = _sentences(self.base)
        if len(self.sentences) < STORY_SENTENCES:
            raise ValueError(f"{self.base}: too few sentences to build articles from")
        self.states = _state_names()
        self._names = re.compile(
            r"\b("
            + "|".join(re.escape(n) for n in sorted(self.states, key=len, reverse=True))
            + r")\b"
        )

    def records(self, n: int) -> Iterator[RawRecord]:
        rng = random.Random(self.seed)  # noqa: S311 -- reproducible test data, not secrets
        ranking = list(self.states)
        rng.shuffle(ranking)
        state_weights = [1 / (r + 1) ** ZIPF for r in range(len(ranking))]
        live: list[_Story] = []  # most recently reported last
        recent: list[dict[str, Any]] = []
        gap = 86400.0 / self.per_day
        for index in range(n):
            published = START + timedelta(seconds=index * gap)
            if recent and rng.random() < NEAR_COPY:
                original = rng.choice(recent[-200:])
                article = _near_copy(rng, original, index, published)
                self.labels[article["id"]] = self.labels[original["id"]]
            else:
                if not live or rng.random() < NEW_STORY:
                    states = rng.choices(ranking, weights=state_weights, k=3)
                    sentences = rng.sample(self.sentences, STORY_SENTENCES)
                    story = _Story(len(self.labels), states, sentences)
                else:
                    depth = min(len(live), 5000)
                    weights = [1 / (r + 1) ** ZIPF for r in range(depth)]
                    story = live.pop(-1 - rng.choices(range(depth), weights=weights)[0])
                live.append(story)
                article = self._article(rng, story, index, published)
                self.labels[article["id"]] = story.number
            recent.append(article)
            if len(recent) > 1000:
                del recent[:500]
            body = json.dumps(article, ensure_ascii=False).encode()
            yield RawRecord(key=article["id"].encode(), value=body, origin=f"window#{index}")

    def _article(
        self, rng: random.Random, story: _Story, index: int, published: datetime
    ) -> dict[str, Any]:
        story.articles += 1
        chosen: list[str] = []
        count = 0
        while count < self.words:
            pool = story.sentences if rng.random() < 0.7 else self.sentences
            sentence = self._names.sub(lambda _: rng.choice(story.states), rng.choice(pool))
            chosen.append(sentence)
            count += len(sentence.split())
        return {
            "id": f"window-{index:08d}",
            "source": f"Outlet {rng.randrange(400)}",
            "published_at": published.isoformat(),
            "title": chosen[0][:120],
            "body": "\n\n".join(" ".join(chosen[i : i + 3]) for i in range(0, len(chosen), 3)),
        }


def _near_copy(
    rng: random.Random, original: dict[str, Any], index: int, published: datetime
) -> dict[str, Any]:
    words = original["body"].split(" ")
    for _ in range(max(1, len(words) // 60)):
        words[rng.randrange(len(words))] = rng.choice(["reportedly", "officials", "said", "on"])
    return {
        **original,
        "id": f"window-{index:08d}",
        "source": f"Outlet {rng.randrange(400)}",
        "published_at": published.isoformat(),
        "body": " ".join(words),
    }


def _sentences(path: Path) -> list[str]:
    """The base file's sentences of 6 to 60 words, in file order, each once."""
    seen: dict[str, None] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        body = json.loads(line).get("body", "")
        for sentence in re.split(r"(?<=[.!?])\s+", body.replace("\n", " ")):
            if 6 <= len(sentence.split()) <= 60:
                seen.setdefault(sentence.strip(), None)
    return list(seen)


def _state_names() -> list[str]:
    """Each state's display name from the gazetteer (streams/data/gazetteers/countries.yaml)."""
    data = yaml.safe_load((DATA_DIR / "gazetteers" / "countries.yaml").read_text(encoding="utf-8"))
    return sorted({entry["name"] for entry in data["countries"] if entry.get("name")})


# --- the production store ----------------------------------------------------------------------


class RocksTable(MutableMapping[str, Any]):
    """A state table in RocksDB (rocksdict), values as JSON, as a worker's tables keep them on
    disk; its size is counted as keys are added and removed."""

    def __init__(self, path: Path) -> None:
        from rocksdict import Rdict

        self._db = Rdict(str(path))
        self._count = 0

    def __getitem__(self, key: str) -> Any:
        raw = self._db.get(key)
        if raw is None:
            raise KeyError(key)
        return json.loads(raw)

    def __setitem__(self, key: str, value: Any) -> None:
        if self._db.get(key) is None:
            self._count += 1
        self._db[key] = json.dumps(value, separators=(",", ":")).encode()

    def __delitem__(self, key: str) -> None:
        if self._db.get(key) is None:
            raise KeyError(key)
        del self._db[key]
        self._count -= 1

    def __iter__(self) -> Iterator[str]:
        keys: Any = self._db.keys()  # rocksdict's stubs type its key view oddly
        return iter([str(key) for key in keys])

    def __len__(self) -> int:
        return self._count

    def close(self) -> None:
        self._db.close()


def run(
    articles: int, base: Path, per_day: float = 1_000_000.0, store: str = "rocksdb", seed: int = 7
) -> Iterator[dict[str, Any]]:
    """Stream `articles` through every step; yield figures at each tenth of the run, and at
    the end the stories assigned scored against the generator's (`NewsStream.labels`)."""
    from geolab.stories import bcubed_scores
    from geolab.stream_bench import rss_bytes
    from schemas import ArticleRecord
    from streams.rules import get_rules
    from streams.runner import Runner
    from streams.settings import Settings

    directory = Path(tempfile.mkdtemp(prefix="geoevents-window-"))
    tables: dict[str, RocksTable] = {}

    def table(name: str) -> MutableMapping[str, Any]:
        if store == "memory":
            return {}
        tables[name] = RocksTable(directory / name)
        return tables[name]

    try:
        runner = Runner(Settings(), get_rules(), table=table)
        stream = NewsStream(base, seed=seed, per_day=per_day)
        tenth = max(1, articles // 10)
        started = last = time.perf_counter()
        steps: dict[str, float] = {}
        assigned: dict[str, str | None] = {}
        for done, record in enumerate(stream.records(articles), 1):
            runner.send("articles", record.key, record.value, 0.0, record.origin)
            runner.run()
            for message in runner.sent.get("storied", []):
                storied = ArticleRecord.model_validate_json(message.value)
                assigned[storied.article.id] = storied.story_id
            for step, seconds in runner.seconds.items():
                steps[step] = steps.get(step, 0.0) + sum(seconds)
            runner.sent.clear()  # the runner keeps what it sent; a long run must not
            runner.seconds.clear()
            if done % tenth == 0 or done == articles:
                now = time.perf_counter()
                gc.collect()
                stories = runner.tables["stories"]
                yield {
                    "articles": done,
                    "ms_per_article": round((now - last) * 1000 / tenth, 2),
                    "ms_per_step": {k: round(v * 1000 / tenth, 2) for k, v in steps.items()},
                    "rss_mb": round(rss_bytes() / 2**20, 1),
                    "live_stories": sum(1 for k in stories if k.startswith(STORY_KEY)),
                    "table_keys": {name: len(t) for name, t in runner.tables.items()},
                    "seconds": round(now - started, 1),
                }
                steps.clear()
                last = time.perf_counter()
        scores = bcubed_scores(assigned, stream.labels)
        yield {
            "stories_assigned": len(set(assigned.values())),
            "stories_generated": len(set(stream.labels.values())),
            "story_bcubed_vs_generator": {
                "p": round(scores.precision, 3),
                "r": round(scores.recall, 3),
                "f1": round(scores.f1, 3),
            },
        }
    finally:
        for t in tables.values():
            t.close()
        shutil.rmtree(directory, ignore_errors=True)
