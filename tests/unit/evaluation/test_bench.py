"""The benchmarks run and print their figures; no timing is asserted (STYLE.md)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from geolab import bench
from geolab.bench import pinned, synthetic_articles
from geolab.cli import cli

EXTRACT_KEYS = {
    "articles", "words_per_article", "sentences", "cpu", "seconds", "articles_per_s",
    "sentences_per_s", "us_per_article_p50", "us_per_article_p99", "mentions_per_article",
}  # fmt: skip
REPLAY_KEYS = {
    "articles", "cpu", "startup_seconds", "seconds", "articles_per_s",
    "extract_us_per_article_p50", "extract_us_per_article_p99", "mentions", "canonical_events",
    "alerts", "dead_letters",
}  # fmt: skip


def test_synthetic_articles_are_deterministic_wire_copy_of_the_asked_length() -> None:
    first, again = synthetic_articles(5, words=400, seed=3), synthetic_articles(5, 400, seed=3)
    assert [a.article for a in first] == [a.article for a in again]
    assert first[0].article != synthetic_articles(1, 400, seed=4)[0].article
    for item in first:
        assert 400 <= len(item.article.body.split()) <= 460
        assert " — " in item.article.body.split("\n\n")[0]  # a dateline
        assert item.sentences > 10
    assert len({a.article.id for a in first}) == 5


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="no CPU affinity on this OS")
def test_pinning_is_undone_afterwards() -> None:
    before = os.sched_getaffinity(0)
    with pinned() as cpu:
        assert os.sched_getaffinity(0) == {cpu}
    assert os.sched_getaffinity(0) == before


@pytest.mark.parametrize(("command", "keys"), [("extract", EXTRACT_KEYS), ("replay", REPLAY_KEYS)])
def test_bench_commands_run_and_print_their_figures(command: str, keys: set[str]) -> None:
    result = CliRunner().invoke(cli, ["bench", command, "--articles", "20", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert set(figures) == keys
    assert figures["articles"] == 20
    table = CliRunner().invoke(cli, ["bench", command, "--articles", "20", "--words", "100"])
    assert table.exit_code == 0, table.output
    assert "articles_per_s" in table.stdout


def test_corpus_articles_are_built_from_a_files_bodies(tmp_path: Path) -> None:
    source = tmp_path / "articles.jsonl"
    bodies = [f"Paragraph {n} has exactly six words." for n in range(5)]
    source.write_text("".join(json.dumps({"body": b}) + "\n" for b in bodies), encoding="utf-8")
    built = bench.corpus_articles(source, n=3, words=10)
    assert [item.words for item in built] == [12, 12, 12]
    assert built[0].article.body.split("\n\n") == bodies[:2]
    assert built[2].article.body.split("\n\n") == [bodies[4], bodies[0]]  # it cycles


def test_bench_replay_on_news_like_articles_needs_and_reads_a_sentence_file(
    tmp_path: Path,
) -> None:
    result = CliRunner().invoke(cli, ["bench", "replay", "--news", "--articles", "5"])
    assert result.exit_code != 0 and "--input" in result.output
    source = tmp_path / "articles.jsonl"
    sentences = [
        f"Officials in Kenya said the road north of town {n} had reopened." for n in range(20)
    ]
    source.write_text(json.dumps({"body": " ".join(sentences)}) + "\n", encoding="utf-8")
    args = ["bench", "replay", "--news", "--input", str(source), "--articles", "12", "--json"]
    figures = json.loads(CliRunner().invoke(cli, args).stdout)
    assert figures["articles"] == 12 and figures["dead_letters"] == 0
