"""Pairwise and BCubed scorer arithmetic on hand-made cases, file readers, and the eval command."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from geolab.cli import cli
from geolab.stories import (
    bcubed_scores,
    in_time_order,
    pairwise_scores,
    read_articles,
    read_labels,
    score,
)
from streams.errors import GeoeventsError
from tests.conftest import ROOT, make_article

FIXTURE = ROOT / "tests" / "fixtures" / "stories"


def test_perfect_clustering_scores_one() -> None:
    gold = {"a": 1, "b": 1, "c": 2}
    predicted = {"a": "x", "b": "x", "c": "y"}
    for scores in (pairwise_scores(predicted, gold), bcubed_scores(predicted, gold)):
        assert (scores.precision, scores.recall, scores.f1) == (1.0, 1.0, 1.0)


def test_one_big_cluster() -> None:
    gold = {"a": 1, "b": 1, "c": 2, "d": 2}
    predicted = dict.fromkeys(gold, "x")
    pairwise = pairwise_scores(predicted, gold)
    # 6 pairs put together, 2 of them share a label; both gold pairs are found.
    assert pairwise.precision == pytest.approx(2 / 6)
    assert pairwise.recall == 1.0
    assert pairwise.f1 == pytest.approx(2 * (1 / 3) / (1 / 3 + 1))
    bcubed = bcubed_scores(predicted, gold)
    # Every item: half of its cluster shares its label; all of its class is with it.
    assert bcubed.precision == pytest.approx(0.5)
    assert bcubed.recall == 1.0
    assert bcubed.f1 == pytest.approx(2 / 3)


def test_singletons() -> None:
    gold = {"a": 1, "b": 1, "c": 1}
    predicted = {"a": "x", "b": "y", "c": "z"}
    pairwise = pairwise_scores(predicted, gold)
    assert (pairwise.precision, pairwise.recall, pairwise.f1) == (1.0, 0.0, 0.0)
    bcubed = bcubed_scores(predicted, gold)
    assert bcubed.precision == 1.0
    assert bcubed.recall == pytest.approx(1 / 3)
    assert bcubed.f1 == pytest.approx(0.5)


def test_crossed_clusters() -> None:
    gold = {"a": 1, "b": 1, "c": 2}
    predicted = {"a": "x", "b": "y", "c": "y"}
    pairwise = pairwise_scores(predicted, gold)
    assert (pairwise.precision, pairwise.recall, pairwise.f1) == (0.0, 0.0, 0.0)
    bcubed = bcubed_scores(predicted, gold)
    # a: P 1, R 1/2; b: P 1/2, R 1/2; c: P 1/2, R 1.
    assert bcubed.precision == pytest.approx(2 / 3)
    assert bcubed.recall == pytest.approx(2 / 3)
    assert bcubed.f1 == pytest.approx(2 / 3)


def test_only_items_in_both_count() -> None:
    gold = {"a": 1, "b": 1, "gold-only": 2}
    predicted = {"a": "x", "b": "x", "unlabelled": "x"}
    result = score(predicted, gold)
    assert result.articles == 2
    assert result.bcubed.f1 == 1.0 and result.pairwise.f1 == 1.0
    assert (result.gold_stories, result.predicted_stories) == (1, 1)


def test_readers_name_file_and_line(tmp_path: Path) -> None:
    labels = tmp_path / "labels.jsonl"
    labels.write_text('{"id": "a", "story": "s"}\n\n{"id": "b"}\n', encoding="utf-8")
    with pytest.raises(GeoeventsError, match=r"labels.jsonl:3"):
        read_labels(labels)
    articles = tmp_path / "articles.jsonl"
    articles.write_text('{"id": "a", "source": "s", "body": ""}\n', encoding="utf-8")
    with pytest.raises(GeoeventsError, match=r"articles.jsonl:1"):
        read_articles(articles)


def test_time_order_is_stable_and_fills_missing_dates() -> None:
    first = make_article("late")
    second = make_article("undated", published_at=None)
    third = make_article("early", published_at=datetime(2026, 11, 19, 1, 0, tzinfo=UTC))
    order = [article.id for _, article in in_time_order([first, second, third])]
    assert order == ["early", "late", "undated"]


def test_eval_stories_command_prints_json() -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "eval",
            "stories",
            str(FIXTURE / "articles.jsonl"),
            str(FIXTURE / "labels.jsonl"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["articles"] == 30
    assert set(figures["bcubed"]) == {"precision", "recall", "f1"}


def test_eval_stories_command_prints_table() -> None:
    result = CliRunner().invoke(
        cli, ["eval", "stories", str(FIXTURE / "articles.jsonl"), str(FIXTURE / "labels.jsonl")]
    )
    assert result.exit_code == 0, result.output
    assert "BCubed" in result.output and "pairwise" in result.output
