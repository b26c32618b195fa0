"""Reading producer inputs: wire copy splitting and JSONL passthrough."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemas.article import Article
from streams.errors import GeoeventsError
from streams.feed import read_records, split_wire

SEED = Path(__file__).resolve().parents[2].parent / "shared/examples/wire-seed.txt"

THREE_STORIES = """\
PORTVILLE (Harbor Wire) — Dock workers at the northern terminal
walked off the job on Monday over a pay dispute.

The union said talks would resume later in the week.

SEOUL, South Korea (Harbor Wire) — A cargo ferry ran aground near an island off the
southern coast, the coast guard said.

No injuries were reported.
ST. MARTIN'S BAY (Coastal Press) -- Storm warnings were raised along the bay.
"""


def test_seed_splits_into_two_ap_articles() -> None:
    if not SEED.is_file():
        pytest.skip(f"seed file not found at {SEED}")
    articles = split_wire(SEED.read_text(encoding="utf-8"))
    assert len(articles) == 2
    for article in articles:
        assert article.source == "AP"
        assert article.published_at == datetime(2024, 2, 6, tzinfo=UTC)
        assert article.id.startswith("wire-")
        assert not article.body.startswith(("date", "WASHINGTON"))
        assert "(AP)" not in article.body
    assert articles[0].body.startswith("The Biden administration said Thursday")
    assert articles[1].body.startswith("The deployment of up to 12,000")
    assert articles[0].id != articles[1].id


def test_three_datelines_without_date_marker() -> None:
    articles = split_wire(THREE_STORIES)
    assert [a.source for a in articles] == ["Harbor Wire", "Harbor Wire", "Coastal Press"]
    assert all(a.published_at is None and a.title == "" and a.url is None for a in articles)
    assert articles[0].body == (
        "Dock workers at the northern terminal walked off the job on Monday over a pay"
        " dispute.\n\nThe union said talks would resume later in the week."
    )
    assert articles[1].body.startswith("A cargo ferry ran aground")
    assert articles[1].body.endswith("No injuries were reported.")
    assert articles[2].body == "Storm warnings were raised along the bay."


def test_date_marker_on_its_own_line_and_spaced_hyphen() -> None:
    text = "date 2023-11-30\n\nLAGOS, Nigeria (Delta News) - Fuel queues lengthened.\n"
    [article] = split_wire(text)
    assert article.source == "Delta News"
    assert article.published_at == datetime(2023, 11, 30, tzinfo=UTC)
    assert article.body == "Fuel queues lengthened."


def test_mid_line_parentheses_are_not_datelines() -> None:
    text = "OSLO (NTB) — Officials from the UN (and NATO) — said little.\nMore text (here) - too."
    [article] = split_wire(text)
    assert article.body == "Officials from the UN (and NATO) — said little. More text (here) - too."


def test_ids_are_deterministic_and_depend_on_date_and_body() -> None:
    first = [a.id for a in split_wire(THREE_STORIES)]
    assert first == [a.id for a in split_wire(THREE_STORIES)]
    assert len(set(first)) == 3
    dated = [a.id for a in split_wire("date 2024-01-01 " + THREE_STORIES)]
    assert set(dated).isdisjoint(first)


def test_wire_errors() -> None:
    with pytest.raises(ValueError, match="bad date marker"):
        split_wire("date 2024-13-40 OSLO (NTB) — Text.")
    with pytest.raises(ValueError, match="has no text"):
        split_wire("OSLO (NTB) — \n\nBERGEN (NTB) — Text.")
    assert split_wire("no dateline here") == []


def test_jsonl_lines_pass_through_unchanged(tmp_path: Path) -> None:
    good = json.dumps({"id": "a-1", "source": "Harbor Wire", "body": "Text."}).encode()
    not_json = b"this is not json"
    bad_utf8 = b'{"id": "a-2", "body": "caf\xe9"}'
    no_id = b'{"source": "x"}'
    array = b'["id", "a-3"]'
    path = tmp_path / "in.jsonl"
    path.write_bytes(
        b"\n".join([good, b"", not_json, b"  ", bad_utf8 + b"\r", no_id, array]) + b"\n"
    )
    records = list(read_records([path]))
    assert [r.value for r in records] == [good, not_json, bad_utf8, no_id, array]
    assert [r.key for r in records] == [b"a-1", None, None, None, None]
    assert [r.origin for r in records] == [f"{path}:{n}" for n in (1, 3, 5, 6, 7)]


def test_unknown_extension_is_sniffed(tmp_path: Path) -> None:
    jsonl = tmp_path / "articles"
    jsonl.write_bytes(b'\n  {"id": "k"}\n')
    wire = tmp_path / "copy"
    wire.write_text("OSLO (NTB) — Text.\n", encoding="utf-8")
    [from_jsonl, from_wire] = read_records([jsonl, wire])
    assert from_jsonl.key == b"k" and from_jsonl.value == b'  {"id": "k"}'
    assert from_wire.origin == f"{wire}#1"


def test_wire_file_records_carry_article_json(tmp_path: Path) -> None:
    path = tmp_path / "copy.txt"
    path.write_text(THREE_STORIES, encoding="utf-8")
    records = list(read_records([path]))
    assert [r.origin for r in records] == [f"{path}#{n}" for n in (1, 2, 3)]
    articles = [Article.model_validate_json(r.value) for r in records]
    assert articles == split_wire(THREE_STORIES)
    assert [r.key for r in records] == [a.id.encode() for a in articles]


def test_bad_wire_files_name_the_path(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("OSLO (NTB) — Caf\xe9.".encode("latin-1", errors="replace"))
    with pytest.raises(GeoeventsError, match="latin1.txt.*not valid UTF-8"):
        list(read_records([latin1]))
    prose = tmp_path / "prose.txt"
    prose.write_text("Just some prose without a dateline.\n", encoding="utf-8")
    with pytest.raises(GeoeventsError, match="prose.txt.*no dateline"):
        list(read_records([prose]))
    with pytest.raises(GeoeventsError, match="missing.txt"):
        list(read_records([tmp_path / "missing.txt"]))
