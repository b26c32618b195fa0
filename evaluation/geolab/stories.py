"""Story clustering: pairwise and BCubed P/R/F1 against gold labels, and its speed and size."""

from __future__ import annotations

import gc
import json
import time
import tracemalloc
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from schemas import Article, StoryFeatures
from streams.errors import GeoeventsError
from streams.stages.intake import normalise
from streams.state.codec import Expiring
from streams.state.expiring import ExpiringState
from streams.stories.clusterer import DEFAULT_WINDOW_SECONDS, STORY_KEY, StoryClusterer
from streams.stories.features import story_features


@dataclass(frozen=True)
class Scores:
    """Precision, recall and F1 of one clustering measure."""

    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class StoryScores:
    """Both measures over the articles that have a gold label, with the counts behind them."""

    pairwise: Scores
    bcubed: Scores
    articles: int
    gold_stories: int
    predicted_stories: int

    def as_dict(self) -> dict[str, object]:
        """Plain JSON-ready figures."""
        return {
            "articles": self.articles,
            "gold_stories": self.gold_stories,
            "predicted_stories": self.predicted_stories,
            "pairwise": _scores_dict(self.pairwise),
            "bcubed": _scores_dict(self.bcubed),
        }


def _scores_dict(scores: Scores) -> dict[str, float]:
    return {"precision": scores.precision, "recall": scores.recall, "f1": scores.f1}


def _f1(precision: float, recall: float) -> float:
    total = precision + recall
    return 0.0 if total == 0 else 2 * precision * recall / total


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _shared(predicted: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> list[str]:
    return [key for key in predicted if key in gold]


def pairwise_scores(predicted: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> Scores:
    """Pairwise P/R/F1 over the items in both mappings (as in Miranda et al. 2018).

    Precision is the share of item pairs put in one cluster that share a gold label; recall
    the share of same-label pairs put in one cluster. A side with no pairs at all scores 1.0:
    a clustering of singletons claims nothing wrong, a gold of singletons has nothing to miss.
    """
    items = _shared(predicted, gold)
    together = sum(_pairs(n) for n in Counter(predicted[key] for key in items).values())
    same = sum(_pairs(n) for n in Counter(gold[key] for key in items).values())
    both = sum(_pairs(n) for n in Counter((predicted[key], gold[key]) for key in items).values())
    precision = both / together if together else 1.0
    recall = both / same if same else 1.0
    return Scores(precision, recall, _f1(precision, recall))


def bcubed_scores(predicted: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> Scores:
    """BCubed P/R/F1 over the items in both mappings (Amigó et al. 2009).

    Per item, precision is the share of its cluster (itself included) with its gold label and
    recall the share of its gold class inside its cluster; both are averaged over items, and
    F1 is the harmonic mean of the two averages.
    """
    items = _shared(predicted, gold)
    if not items:
        return Scores(1.0, 1.0, 1.0)
    cells = Counter((predicted[key], gold[key]) for key in items)
    cluster_size = Counter(predicted[key] for key in items)
    class_size = Counter(gold[key] for key in items)
    # The n items of one (cluster, class) cell share their figures: n * n / size per cell.
    precision = sum(n * n / cluster_size[c] for (c, _), n in cells.items()) / len(items)
    recall = sum(n * n / class_size[g] for (_, g), n in cells.items()) / len(items)
    return Scores(precision, recall, _f1(precision, recall))


def score(predicted: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> StoryScores:
    """Pairwise and BCubed figures of `predicted` (item -> story) against `gold`."""
    items = _shared(predicted, gold)
    return StoryScores(
        pairwise=pairwise_scores(predicted, gold),
        bcubed=bcubed_scores(predicted, gold),
        articles=len(items),
        gold_stories=len({gold[key] for key in items}),
        predicted_stories=len({predicted[key] for key in items}),
    )


class _Label(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    story: str


def read_articles(path: Path) -> list[Article]:
    """Article JSONL, normalised as intake does; a bad line stops with its file and line."""
    articles: list[Article] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                articles.append(normalise(Article.model_validate_json(line)))
            except ValidationError as err:
                raise GeoeventsError(f"{path}:{number}: not an Article: {err}") from err
    return articles


def read_labels(path: Path) -> dict[str, str]:
    """Gold labels: JSONL objects with `id` and `story`."""
    labels: dict[str, str] = {}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                label = _Label.model_validate_json(line)
            except ValidationError as err:
                raise GeoeventsError(f"{path}:{number}: expected {{id, story}}: {err}") from err
            labels[label.id] = label.story
    return labels


def in_time_order(articles: Iterable[Article]) -> list[tuple[float, Article]]:
    """Articles with their stream time, sorted stably by published_at.

    An article without a date takes the time of the one before it, so it keeps its place in
    the input, as `replay` orders them.
    """
    timed: list[tuple[float, Article]] = []
    last = 0.0
    for article in articles:
        if article.published_at is not None:
            last = article.published_at.timestamp()
        timed.append((last, article))
    return sorted(timed, key=lambda item: item[0])


def cluster(
    articles: Iterable[Article], window_seconds: float = DEFAULT_WINDOW_SECONDS
) -> dict[str, str]:
    """Article id -> story id from a fresh, dict-backed clusterer run in stream order."""
    clusterer = StoryClusterer(ExpiringState({}), window_seconds)
    return {
        article.id: clusterer.assign(article.id, story_features(article), now)
        for now, article in in_time_order(articles)
    }


def evaluate(
    articles_path: Path, labels_path: Path, window_seconds: float = DEFAULT_WINDOW_SECONDS
) -> StoryScores:
    """Cluster the articles of a file and score the result against the labels of another."""
    labels = read_labels(labels_path)
    return score(cluster(read_articles(articles_path), window_seconds), labels)


@dataclass(frozen=True)
class Throughput:
    """What one benchmark run measured."""

    articles: int
    live_stories: int
    features_us: float
    """Mean time of `story_features` per article (upstream, partition-parallel work), on a
    first pass over the articles: every new spelling is worked out and cached."""
    features_warm_us: float
    """The same on a second pass, every spelling already cached, as on a running stream."""
    assign_us: float
    """Mean time of `assign` per article (the single global partition)."""
    state_bytes_per_story: float
    """Mean JSON size of a stored story value (what the changelog carries per update)."""
    memory_bytes_per_story: float
    """Python heap held by the clusterer's index, per live story."""

    def as_dict(self) -> dict[str, float]:
        """Plain JSON-ready figures."""
        return dict(self.__dict__)


def _replica(features: StoryFeatures, copy: int) -> StoryFeatures:
    # Each copy of the corpus gets its own names and numbers, so its articles open stories of
    # their own, while plain words stay shared and posting lists grow as on a real stream.
    if copy == 0:
        return features
    tag = f"~{copy}"
    names = {name + tag: weight for name, weight in features.entities.items()}
    terms = {
        (term + tag if term in features.entities else term): weight
        for term, weight in features.terms.items()
    }
    return features.model_copy(
        update={
            "terms": terms,
            "entities": names,
            "numbers": [n + tag for n in features.numbers],
        }
    )


def _run(stream: list[tuple[float, str, StoryFeatures]]) -> tuple[StoryClusterer, dict[str, Any]]:
    mapping: dict[str, Any] = {}
    # One long window: every copy stays live, as on a busy partition.
    clusterer = StoryClusterer(ExpiringState(mapping), window_seconds=365 * 86400.0)
    for now, article_id, feats in stream:
        clusterer.assign(article_id, feats, now)
    return clusterer, mapping


def benchmark(articles: list[Article], copies: int) -> Throughput:
    """Time features and assignment over `copies` disjoint replicas of the articles.

    The timed run is not traced; a second, traced run measures the heap the clusterer's
    derived index holds (the state mapping is measured apart, as JSON).
    """
    timed = in_time_order(articles)
    if timed:
        story_features(timed[0][1])  # loads the word frequencies once, outside the timing
    started = time.perf_counter()
    features = [story_features(article) for _, article in timed]
    features_us = (time.perf_counter() - started) / max(len(timed), 1) * 1e6
    started = time.perf_counter()
    for _, article in timed:
        story_features(article)
    features_warm_us = (time.perf_counter() - started) / max(len(timed), 1) * 1e6
    stream = [
        (now, f"{article.id}~{copy}", _replica(feats, copy))
        for copy in range(copies)
        for (now, article), feats in zip(timed, features, strict=True)
    ]
    started = time.perf_counter()
    clusterer, mapping = _run(stream)
    assign_us = (time.perf_counter() - started) / max(len(stream), 1) * 1e6
    live = len(clusterer)
    stories = [
        Expiring.decode(raw).value for key, raw in mapping.items() if key.startswith(STORY_KEY)
    ]
    state_bytes = sum(len(json.dumps(value, separators=(",", ":"))) for value in stories)
    del clusterer, mapping
    gc.collect()
    tracemalloc.start()
    clusterer, mapping = _run(stream)
    with_index = tracemalloc.get_traced_memory()[0]
    del clusterer
    gc.collect()
    index_bytes = with_index - tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return Throughput(
        articles=len(stream),
        live_stories=live,
        features_us=features_us,
        features_warm_us=features_warm_us,
        assign_us=assign_us,
        state_bytes_per_story=state_bytes / max(len(stories), 1),
        memory_bytes_per_story=index_bytes / max(live, 1),
    )
