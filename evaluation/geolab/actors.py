"""Actor coding: precision and recall of the pipeline's actor and recipient codes against
coded sentences."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from schemas import Actor
from streams.errors import GeoeventsError
from streams.extraction.entities import find_entities
from streams.extraction.gazetteer import gazetteer

# Codes the PLOVER records use where ISO 3166 now has another.
_OLD_CODES = {"JAP": "JPN", "ITL": "ITA", "VTN": "VNM", "ROM": "ROU", "ZAR": "COD", "YUG": "SRB"}


class _Coded(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    code: str | None = None
    sector: str | None = None


class _Sentence(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    id: str
    text: str
    event_type: str
    actors: list[_Coded] = []
    recipients: list[_Coded] = []


@dataclass
class Score:
    """True and false positives and false negatives of one role, over all sentences."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: set[str], gold: set[str]) -> None:
        """Count one sentence's predicted codes against its gold codes."""
        self.tp += len(predicted & gold)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)

    @property
    def precision(self) -> float:
        """Share of predicted codes that are gold."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """Share of gold codes predicted."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    """Scores per role, and sector agreement where codes match."""

    sentences: int = 0
    actors: Score = field(default_factory=Score)
    recipients: Score = field(default_factory=Score)
    either: Score = field(default_factory=Score)  # named at all, whatever the role
    sector_pairs: int = 0
    sector_agree: int = 0
    errors: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, float | int]:
        """The figures, rounded, in a flat mapping."""
        out: dict[str, float | int] = {"sentences": self.sentences}
        for name in ("actors", "recipients", "either"):
            score: Score = getattr(self, name)
            out[f"{name}_precision"] = round(score.precision, 3)
            out[f"{name}_recall"] = round(score.recall, 3)
            out[f"{name}_f1"] = round(score.f1, 3)
        out["sector_pairs"] = self.sector_pairs
        out["sector_accuracy"] = (
            round(self.sector_agree / self.sector_pairs, 3) if (self.sector_pairs) else 0.0
        )
        return out


def _code(actor: Actor, org_kinds: dict[str, str]) -> str:
    # The records code international bodies as IGO, Amnesty and the Red Cross included, and a
    # few others as NGO, so the two are one class here.
    return "IGO" if actor.code in org_kinds else actor.code


def _gold(coded: Iterable[_Coded]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for c in coded:
        if c.code:
            code = _OLD_CODES.get(c.code, "IGO" if c.code == "NGO" else c.code)
            sector = (c.sector or "")[:3].upper() or None
            out.setdefault(code, sector)
    return out


def score(rows: Iterable[_Sentence], on: date | None = None) -> Report:
    """Read every sentence through the pipeline (its most confident mention, as score.py
    reads a replay) and count agreement with its coded actors and recipients."""
    from geolab.events import top_mention

    kinds = gazetteer().org_kinds
    report = Report()
    for i, row in enumerate(rows):
        report.sentences += 1
        entities = find_entities(row.text, on)
        top = top_mention(row.text, index=i)
        actors = top.actors if top is not None else []
        recipients = top.recipients if top is not None else []
        pred_a = {_code(a, kinds): a.sector for a in actors}
        pred_r = {_code(a, kinds): a.sector for a in recipients}
        gold_a, gold_r = _gold(row.actors), _gold(row.recipients)
        report.actors.add(set(pred_a), set(gold_a))
        report.recipients.add(set(pred_r), set(gold_r))
        named = {_code(e.actor, kinds) for e in entities if e.actor is not None}
        report.either.add(named, set(gold_a) | set(gold_r))
        for pred, gold in ((pred_a, gold_a), (pred_r, gold_r)):
            for code in set(pred) & set(gold):
                if gold[code] in kinds_of_sector():
                    report.sector_pairs += 1
                    report.sector_agree += pred[code] == gold[code]
    return report


def kinds_of_sector() -> frozenset[str]:
    """The sectors the gazetteer knows; gold sectors outside it are not scored."""
    return gazetteer().sectors


def load(path: Path) -> list[_Sentence]:
    """Read coded sentences (plover-gsr's sentences.jsonl shape)."""
    rows: list[_Sentence] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise GeoeventsError(f"{path}: cannot read: {err.strerror}") from err
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rows.append(_Sentence.model_validate(json.loads(line)))
        except (ValueError, ValidationError) as err:
            raise GeoeventsError(f"{path}:{n}: not a coded sentence: {err}") from err
    return rows


def run(path: Path) -> Report:
    """Score the file at `path`."""
    return score(load(path))
