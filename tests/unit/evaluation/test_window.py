"""The news-like long stream: stories, Zipf-drawn states, near-copies, world-rate time, and a
short run through every step with tables in RocksDB."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from geolab.window import NewsStream, RocksTable, run

SENTENCES = [
    "France and Germany agreed on Tuesday to share the cost of the new border posts.",
    "Officials in Kenya said heavy rain had closed the main road north of the capital.",
    "The talks between Japan and India ended without a joint statement late on Friday.",
    "Police in Brazil detained dozens of protesters outside the ministry on Monday morning.",
    "A spokesman for Canada declined to comment on the reported troop movements near the base.",
    "Farmers across Spain blocked highways for a third day over the price of diesel fuel.",
    "The central bank of Turkey raised its main rate by two points, surprising most analysts.",
    "Egypt said it would reopen the crossing for aid trucks once the inspections were done.",
    "Ministers from Poland met their counterparts in Sweden to discuss the pipeline project.",
    "Rescue teams in Indonesia searched through the night for survivors of the landslide.",
    "Chile and Peru signed a fisheries accord after months of difficult negotiations at sea.",
    "A court in Italy ordered the release of the ship that had been held in port since May.",
    "Norway pledged more money for the fund, its foreign minister told reporters on Thursday.",
    "The army of Nigeria said it had repelled an attack on a base in the northeast overnight.",
]


@pytest.fixture
def base(tmp_path: Path) -> Path:
    path = tmp_path / "base.jsonl"
    rows = [{"id": f"b{i}", "body": " ".join(SENTENCES[i:] + SENTENCES[:i])} for i in range(4)]
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    return path


def articles(base: Path, n: int, **options: float) -> list[dict[str, object]]:
    return [json.loads(r.value) for r in NewsStream(base, **options).records(n)]  # type: ignore[arg-type]


def test_the_same_stream_for_the_same_seed(base: Path) -> None:
    assert articles(base, 50) == articles(base, 50)
    assert articles(base, 50) != articles(base, 50, seed=8)


def test_articles_a_world_rate_apart(base: Path) -> None:
    stream = articles(base, 101, per_day=1_000_000.0)
    first, last = (datetime.fromisoformat(str(a["published_at"])) for a in (stream[0], stream[-1]))
    assert (last - first).total_seconds() == pytest.approx(100 * 0.0864)
    assert len({a["id"] for a in stream}) == 101


def test_stories_states_and_copies_look_like_news(base: Path) -> None:
    stream = articles(base, 600)
    bodies = Counter(str(a["body"]) for a in stream)
    assert max(bodies.values()) == 1  # every article distinct, copies edited
    sources = [a["body"] for a in stream]
    shared = sum(
        1
        for a, b in zip(sources, sources[1:], strict=False)
        if len(set(str(a).split(". ")) & set(str(b).split(". "))) > 0
    )
    assert shared > 0
    names = Counter(
        w for a in stream for w in str(a["body"]).split() if w[:1].isupper() and len(w) > 3
    )
    top = [count for _, count in names.most_common(40)]
    assert top[0] > 5 * top[-1]  # a few names are everywhere, most are rare


def test_each_article_is_labelled_with_the_story_it_was_built_from(base: Path) -> None:
    stream = NewsStream(base)
    records = [json.loads(r.value) for r in stream.records(400)]
    assert set(stream.labels) == {a["id"] for a in records}
    stories = Counter(stream.labels.values())
    assert 1 < len(stories) < 400 and max(stories.values()) > 5
    # a near-copy (a recent article with a few words changed) carries its original's story
    copies = 0
    for a, b in itertools.combinations(records, 2):
        words_a, words_b = a["body"].split(" "), b["body"].split(" ")
        same = sum(x == y for x, y in zip(words_a, words_b, strict=False))
        if a["title"] == b["title"] and same > 0.9 * max(len(words_a), len(words_b)):
            copies += 1
            assert stream.labels[a["id"]] == stream.labels[b["id"]]
    assert copies > 10


def test_rocks_table_is_a_mapping_of_json(tmp_path: Path) -> None:
    table = RocksTable(tmp_path / "t")
    table["a"] = {"v": [1, 2]}
    table["a"] = {"v": [3]}
    table["b"] = 1
    assert table["a"] == {"v": [3]} and len(table) == 2 and sorted(table) == ["a", "b"]
    del table["b"]
    assert table.get("b") is None and len(table) == 1
    with pytest.raises(KeyError):
        del table["b"]
    table.close()


def test_a_short_run_reports_each_tenth(base: Path) -> None:
    *rows, quality = list(run(40, base, store="rocksdb"))
    assert [r["articles"] for r in rows] == [4 * k for k in range(1, 11)]
    assert 0 < quality["stories_assigned"] <= 40 and 0 < quality["stories_generated"] <= 40
    assert 0 < quality["story_bcubed_vs_generator"]["f1"] <= 1
    last = rows[-1]
    assert last["table_keys"]["stories"] > 0 and last["live_stories"] > 0
    assert all(r["ms_per_article"] > 0 and r["rss_mb"] > 0 for r in rows)
    assert set(last["ms_per_step"]) == {"intake", "stories", "extract", "events"}
