"""The actor-coding scorer on coded sentences the test writes, and its command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from geolab.actors import run
from geolab.cli import cli
from streams.errors import GeoeventsError

ROWS = [
    {
        "id": "1",
        "text": "Russia attacked Ukraine on Thursday.",
        "event_type": "ASSAULT",
        "actors": [{"text": "Russia", "code": "RUS", "sector": None}],
        "recipients": [{"text": "Ukraine", "code": "UKR", "sector": None}],
    },
    {
        "id": "2",
        "text": "The United Nations condemned Japan over the strike.",
        "event_type": "ACCUSE",
        "actors": [{"text": "United Nations", "code": "IGO", "sector": None}],
        "recipients": [{"text": "Japan", "code": "JAP", "sector": "GOV"}],  # an old code
    },
]


@pytest.fixture
def coded(tmp_path: Path) -> Path:
    path = tmp_path / "sentences.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in ROWS) + "\n", encoding="utf-8")
    return path


def test_scores_codes_per_role(coded: Path) -> None:
    report = run(coded)
    figures = report.as_dict()
    assert figures["sentences"] == 2
    assert figures["actors_precision"] == 1.0 and figures["actors_recall"] == 1.0
    assert figures["recipients_precision"] == 1.0 and figures["recipients_recall"] == 1.0
    assert figures["sector_pairs"] == 1  # only Japan's GOV is a sector the gazetteer knows


def test_a_bad_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "1"}\n', encoding="utf-8")
    with pytest.raises(GeoeventsError, match=r"bad.jsonl:1: not a coded sentence"):
        run(path)


def test_the_command_prints_the_figures(coded: Path) -> None:
    result = CliRunner().invoke(cli, ["eval", "actors", str(coded), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["actors_f1"] == 1.0
