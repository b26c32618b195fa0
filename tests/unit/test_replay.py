"""Replay runs every stage in-process and writes the five output files of the contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from streams.cli import cli
from streams.extraction import mentions
from streams.feed import RawRecord
from streams.replay import Replay
from streams.rules import get_rules
from streams.settings import Settings
from tests.conftest import SAMPLE

FILES = ["articles.jsonl", "mentions.jsonl", "events.jsonl", "alerts.jsonl", "dead_letters.jsonl"]


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_replay_command_writes_the_contract(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"id": "broken", "source": "x"}\nnot json at all\n')
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["replay", str(SAMPLE), str(bad), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)

    articles = rows(out / "articles.jsonl")
    assert len(articles) == 14
    assert {a["status"] for a in articles} == {"accepted", "dead_letter"}
    for article in articles:
        assert {"article_id", "status", "story_id", "duplicate_of"} <= set(article)
    # The sample's lightly edited copy of the first launch report is recognised as one.
    copies = {a["article_id"]: a["duplicate_of"] for a in articles if a["duplicate_of"]}
    assert copies == {"cd-20261110-0107": "hw-20261110-0041"}

    alerts = rows(out / "alerts.jsonl")
    assert sorted(a["event"]["subtype"] for a in alerts) == ["missile_test", "troop_deployment"]
    for alert in alerts:
        assert {"alert_id", "event_id", "kind", "severity", "title", "article_ids", "rule"} <= set(
            alert
        )

    events = {e["event_id"]: e for e in rows(out / "events.jsonl")}
    mentions = rows(out / "mentions.jsonl")
    for mention in mentions:
        # news is merged into an event; a plan, history or an unsure reading links to one at
        # most, and then the event does not count it among its reports
        assert mention["event_id"] is None or mention["event_id"] in events
        assert {"sentence", "start", "end"} <= set(mention["evidence"])
    merged = [m for m in mentions if m["event_id"] and m["mention_id"] in
              events[m["event_id"]]["mention_ids"]]  # fmt: skip
    assert all(m["factuality"] == "asserted" and not m["historical"] for m in merged)
    assert {m["article_id"] for m in merged} == {
        a for e in events.values() for a in e["article_ids"]
    }
    for event in events.values():
        assert event["first_seen"] <= event["last_seen"]

    letters = rows(out / "dead_letters.jsonl")
    assert sorted(d["reason"] for d in letters) == ["invalid_fields", "not_json"]


def test_replay_orders_by_published_at_and_keeps_input_order_for_ties() -> None:
    def record(article_id: str, published: str | None) -> RawRecord:
        article = {
            "id": article_id,
            "source": "S",
            "body": f"Body {article_id}.",
            "published_at": published,
        }
        return RawRecord(key=article_id.encode(), value=json.dumps(article).encode(), origin="t")

    records = [
        record("late", "2026-11-20T10:00:00Z"),
        record("early", "2026-11-19T10:00:00Z"),
        record("tie-a", "2026-11-19T12:00:00Z"),
        record("tie-b", "2026-11-19T12:00:00Z"),
    ]
    result = Replay(Settings(), get_rules()).run(records)
    assert [a["article_id"] for a in result.articles] == ["early", "tie-a", "tie-b", "late"]


def test_stage_failure_is_a_dead_letter_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    real = mentions.extract

    def flaky(record):  # type: ignore[no-untyped-def]
        if record.article.id.endswith("0041"):
            raise RuntimeError("extractor bug")
        return real(record)

    monkeypatch.setattr(mentions, "extract", flaky)
    from streams.feed import read_records

    result = Replay(Settings(), get_rules()).run(read_records([SAMPLE]))
    (letter,) = result.dead_letters
    assert letter.stage == "extract" and letter.reason == "processing_error"
    assert "RuntimeError: extractor bug" in letter.error
    # the record the failing step read, as a worker's dead letter holds it
    assert json.loads(letter.original)["article"]["id"].endswith("0041")
    assert sum(a["status"] == "accepted" for a in result.articles) == 11


def test_a_rule_that_raises_dead_letters_the_mention_and_stores_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from streams.feed import read_records
    from streams.rules import RuleSet

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("rule bug")

    monkeypatch.setattr(RuleSet, "first_match", broken)
    result = Replay(Settings(), get_rules()).run(read_records([SAMPLE]))
    assert result.dead_letters and not result.alerts and not result.events
    assert {(d.stage, d.reason) for d in result.dead_letters} == {("events", "processing_error")}
    # one mention failed, not its article: every article was still accepted
    assert all(a["status"] == "accepted" for a in result.articles)
