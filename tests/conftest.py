"""Shared test helpers: article builders and the repository's paths."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemas import Article, ArticleRecord
from streams.stages.intake import to_record

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLE = ROOT / "streams" / "data" / "sample" / "corpus.jsonl"


def make_article(
    article_id: str = "a1",
    body: str = "North Korea test-fired an intercontinental ballistic missile on Thursday.",
    source: str = "Test Wire",
    published_at: datetime | None = datetime(2026, 11, 19, 9, 0, tzinfo=UTC),
) -> Article:
    return Article(id=article_id, source=source, body=body, published_at=published_at)


def make_record(**kwargs: object) -> ArticleRecord:
    return to_record(make_article(**kwargs))  # type: ignore[arg-type]


@pytest.fixture
def seed_text() -> str:
    path = SHARED / "examples" / "wire-seed.txt"
    if not path.exists():
        pytest.skip("../shared/examples/wire-seed.txt is not beside the repository")
    return path.read_text(encoding="utf-8")
