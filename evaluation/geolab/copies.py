"""How near-duplicate detection splits a corpus: pair similarities and the copies marked."""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from geolab.stories import in_time_order, read_articles, read_labels
from streams.settings import StateSettings
from streams.stages.intake import to_record
from streams.stages.stories import StoryStage
from streams.state.expiring import ExpiringState
from streams.stories.nearcopies import THRESHOLD, signature, similarity

BUCKETS = (0.0, 0.1, 0.2, 0.3, 0.45, 0.6, 0.8, 1.01)


def evaluate(articles_path: Path, labels_path: Path | None = None) -> dict[str, Any]:
    """Every pair's estimated Jaccard by bucket, and the copies the story stage marks."""
    timed = in_time_order(read_articles(articles_path))
    articles = [article for _, article in timed]
    labels = read_labels(labels_path) if labels_path else {}
    sigs = np.array([signature(a.body) for a in articles], dtype=np.uint32)
    counts: Counter[str] = Counter()
    for i, j in itertools.combinations(range(len(articles)), 2):
        score = similarity(sigs[i], sigs[j])
        low = max(b for b in BUCKETS if b <= score)
        high = BUCKETS[BUCKETS.index(low) + 1]
        counts[f"[{low:.2f}, {min(high, 1.0):.2f}{']' if high > 1 else ')'}"] += 1
    stage = StoryStage(ExpiringState({}), ExpiringState({}), StateSettings())
    copies = []
    for now, article in timed:
        record = stage.assign(to_record(article), now)
        if record.duplicate_of is not None:
            copies.append((article.id, record.duplicate_of))
    same = sum(labels.get(a) == labels.get(b) for a, b in copies) if labels else None
    return {
        "articles": len(articles),
        "pairs": sum(counts.values()),
        "threshold": THRESHOLD,
        "pairs_by_similarity": dict(sorted(counts.items())),
        "copies_marked": len(copies),
        "copies_in_the_same_gold_story": same,
    }
