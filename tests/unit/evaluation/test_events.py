"""The event-classification scorer's arithmetic, its file handling, and its command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from geolab import events
from geolab.cli import cli
from streams.errors import GeoeventsError

HELDOUT = Path(__file__).resolve().parents[2] / "fixtures" / "events_heldout.jsonl"


def test_accuracy_macro_f1_and_per_class_figures() -> None:
    gold = ["ASSAULT", "ASSAULT", "ACCUSE", "REQUEST"]
    predicted = ["ASSAULT", "ACCUSE", "ACCUSE", None]
    s = events.score(gold, predicted)
    assert s.accuracy == 0.5
    assert s.undecided == 1
    assault, accuse, request = (s.per_class[c] for c in ("ASSAULT", "ACCUSE", "REQUEST"))
    assert (assault.precision, assault.recall, assault.support) == (1.0, 0.5, 2)
    assert (accuse.precision, accuse.recall) == (0.5, 1.0)
    assert (request.precision, request.recall, request.f1) == (0.0, 0.0, 0.0)
    assert s.macro_f1 == pytest.approx((2 / 3 + 2 / 3 + 0) / 3)
    assert s.confusion == {
        ("ASSAULT", "ASSAULT"): 1,
        ("ASSAULT", "ACCUSE"): 1,
        ("ACCUSE", "ACCUSE"): 1,
        ("REQUEST", events.NONE): 1,
    }


def test_concede_and_retreat_can_be_scored_as_one_class() -> None:
    gold, predicted = ["CONCEDE", "RETREAT", "AGREE"], ["RETREAT", "CONCEDE", "AGREE"]
    assert events.score(gold, predicted).accuracy == pytest.approx(1 / 3)
    merged = events.score(gold, predicted, merge=True)
    assert merged.accuracy == 1.0
    assert set(merged.per_class) == {"CONCEDE+RETREAT", "AGREE"}


def test_run_scores_a_file_with_any_classifier(tmp_path: Path) -> None:
    path = tmp_path / "sentences.jsonl"
    lines = [
        {"text": "Rebels shelled the town.", "event_type": "ASSAULT", "id": "x-1"},
        {"text": "Japan condemned the launch.", "event_type": "ACCUSE"},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    report = events.run(path, classify=lambda text: "ASSAULT")
    assert (report.roots.sentences, report.roots.accuracy) == (2, 0.5)
    assert list(events.errors(path, classify=lambda text: "ASSAULT")) == [
        ("ACCUSE", "ASSAULT", "Japan condemned the launch.")
    ]


def test_a_bad_line_names_its_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "ok", "event_type": "ASSAULT"}\n{"text": "x", "event_type": "WAR"}\n')
    with pytest.raises(GeoeventsError, match=r"bad\.jsonl:2: not a labelled sentence"):
        events.load(path)


def test_command_prints_the_tables_and_json() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["eval", "events", str(HELDOUT)])
    assert result.exit_code == 0, result.output
    for heading in ("accuracy", "macro-F1", "Per class", "Confusion", "CONCEDE+RETREAT"):
        assert heading in result.output
    result = runner.invoke(cli, ["eval", "events", str(HELDOUT), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["roots"]["sentences"] >= 80
    assert {"accuracy", "macro_f1", "per_class", "confusion"} <= set(figures["roots"])
    assert "concede_retreat_merged" in figures
