"""The copies report counts every pair once and checks marked copies against gold stories."""

from __future__ import annotations

import json
from pathlib import Path

from geolab.copies import evaluate
from tests.unit.stages.test_stories import BODY, EDITED, UNRELATED


def test_copies_report(tmp_path: Path) -> None:
    articles = tmp_path / "articles.jsonl"
    labels = tmp_path / "labels.jsonl"
    rows = [("a", BODY, "launch"), ("b", EDITED, "launch"), ("c", UNRELATED, "quake")]
    with articles.open("w") as out, labels.open("w") as gold:
        for n, (article_id, body, story) in enumerate(rows):
            published = f"2026-11-20T0{n}:00:00Z"
            out.write(json.dumps({"id": article_id, "source": "T", "body": body,
                                  "published_at": published}) + "\n")  # fmt: skip
            gold.write(json.dumps({"id": article_id, "story": story}) + "\n")
    report = evaluate(articles, labels)
    assert report["pairs"] == 3 == sum(report["pairs_by_similarity"].values())
    assert report["copies_marked"] == 1 and report["copies_in_the_same_gold_story"] == 1
