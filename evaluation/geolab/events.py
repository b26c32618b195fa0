"""Sentence event classification quality: accuracy, macro-F1 and confusions over PLOVER roots."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rich.console import Console
from rich.table import Table

from schemas import Article, ArticleRecord, EventMention
from schemas.event import EventType
from streams.errors import GeoeventsError
from streams.extraction.model import EventModel

ROOTS: tuple[str, ...] = get_args(EventType)
NONE = "(none)"  # the classifier named no root: always wrong, every sentence has a gold one
# PLOVER's two kinds of yielding, which coders and older codebooks often do not tell apart.
MERGED = {"CONCEDE": "CONCEDE+RETREAT", "RETREAT": "CONCEDE+RETREAT"}
Classifier = Callable[[str], str | None]


class LabelledSentence(BaseModel):
    """One line of a labelled file: a sentence and the PLOVER root of its main event."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    text: str = Field(min_length=1)
    event_type: EventType


@dataclass(frozen=True)
class ClassScores:
    """Precision, recall and F1 of one class, with its support (gold count)."""

    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class EventScores:
    """Sentence-level scores of one labelling (roots as given, or with the yields merged)."""

    sentences: int
    accuracy: float
    macro_f1: float  # over the classes present in the gold labels
    per_class: dict[str, ClassScores]
    confusion: dict[tuple[str, str], int]  # (gold, predicted) -> count
    undecided: int  # sentences the classifier named no root for

    def as_dict(self) -> dict[str, object]:
        """Plain JSON-ready figures."""
        return {
            "sentences": self.sentences,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "undecided": self.undecided,
            "per_class": {
                c: {
                    "precision": round(s.precision, 4),
                    "recall": round(s.recall, 4),
                    "f1": round(s.f1, 4),
                    "support": s.support,
                }
                for c, s in self.per_class.items()
            },
            "confusion": [
                {"gold": g, "predicted": p, "count": n}
                for (g, p), n in sorted(self.confusion.items())
            ],
        }


@dataclass(frozen=True)
class EventReport:
    """Both scorings of one file, and how fast the classifier read it."""

    path: str
    roots: EventScores
    merged: EventScores  # CONCEDE and RETREAT scored as one class
    sentences_per_second: float

    def as_dict(self) -> dict[str, object]:
        """Plain JSON-ready figures."""
        return {
            "path": self.path,
            "sentences_per_second": round(self.sentences_per_second, 1),
            "roots": self.roots.as_dict(),
            "concede_retreat_merged": self.merged.as_dict(),
        }


def load(path: Path) -> list[LabelledSentence]:
    """The labelled sentences of a JSONL file; a bad line stops with its file and line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise GeoeventsError(f"{path}: cannot read: {err.strerror or err}") from err
    out: list[LabelledSentence] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            out.append(LabelledSentence.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as err:
            raise GeoeventsError(f"{path}:{number}: not a labelled sentence: {err}") from err
    if not out:
        raise GeoeventsError(f"{path}: no labelled sentences")
    return out


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def score(gold: Sequence[str], predicted: Sequence[str | None], merge: bool = False) -> EventScores:
    """Accuracy, macro-F1 over the gold classes, per-class P/R/F1 and the confusion counts."""

    def fold(root: str) -> str:
        return MERGED.get(root, root) if merge else root

    pairs: list[tuple[str, str]] = [
        (fold(g), fold(p) if p is not None else NONE) for g, p in zip(gold, predicted, strict=True)
    ]
    confusion: Counter[tuple[str, str]] = Counter(pairs)
    classes = sorted({g for g, _ in pairs}, key=lambda c: [fold(r) for r in ROOTS].index(c))
    per_class: dict[str, ClassScores] = {}
    for c in classes:
        tp = confusion[c, c]
        predicted_c = sum(n for (_, p), n in confusion.items() if p == c)
        support = sum(n for (g, _), n in confusion.items() if g == c)
        precision, recall = _ratio(tp, predicted_c), _ratio(tp, support)
        f1 = _ratio(2 * tp, predicted_c + support)
        per_class[c] = ClassScores(precision, recall, f1, support)
    correct = sum(n for (g, p), n in confusion.items() if g == p)
    return EventScores(
        sentences=len(pairs),
        accuracy=_ratio(correct, len(pairs)),
        macro_f1=sum(s.f1 for s in per_class.values()) / len(per_class) if per_class else 0.0,
        per_class=per_class,
        confusion=dict(confusion),
        undecided=sum(n for (_, p), n in confusion.items() if p == NONE),
    )


def run(path: Path, classify: Classifier | None = None) -> EventReport:
    """Classify every sentence of a labelled file and score it both ways (default: the
    pipeline with the shipped model, top mention per sentence)."""
    rows = load(path)
    if classify is None:
        classify = pipeline_classifier()
    started = time.perf_counter()
    predicted = [classify(row.text) for row in rows]
    elapsed = time.perf_counter() - started
    gold = [row.event_type for row in rows]
    return EventReport(
        path=str(path),
        roots=score(gold, predicted),
        merged=score(gold, predicted, merge=True),
        sentences_per_second=len(rows) / elapsed if elapsed > 0 else 0.0,
    )


def trained_on(path: Path) -> bool:
    """Whether the shipped model was trained on this file (its hash is in the provenance)."""
    import hashlib

    from streams.extraction.model import default_model

    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return any(d.get("sha256") == digest for d in default_model().provenance.get("data", []))


def pipeline_classifier(model: EventModel | None = None) -> Classifier:
    """The root of the highest-confidence mention extract() reads from a one-sentence article,
    the way `score.py plv` reads a replay of such articles."""

    def classify(text: str) -> str | None:
        top = top_mention(text, model)
        return top.event_type if top is not None else None

    return classify


_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def top_mention(text: str, model: EventModel | None = None, index: int = 0) -> EventMention | None:
    """The most confident mention of a one-sentence article (dated as sentences_to_articles
    dates its articles: a day apart from 2020-01-01)."""
    from streams.extraction.mentions import extract

    article = Article(
        id=f"s-{index}",
        source="sentences",
        body=text,
        published_at=_EPOCH + timedelta(days=index),
    )
    mentions = extract(ArticleRecord(article=article), model)
    return max(mentions, key=lambda m: m.confidence, default=None)


def _summary(report: EventReport) -> Table:
    table = Table(title=f"Event classification: {report.path}")
    for column in ("scoring", "sentences", "accuracy", "macro-F1", "no root named"):
        table.add_column(column, justify="left" if column == "scoring" else "right")
    for name, s in (("16 roots", report.roots), ("CONCEDE+RETREAT merged", report.merged)):
        table.add_row(
            name, str(s.sentences), f"{s.accuracy:.3f}", f"{s.macro_f1:.3f}", str(s.undecided)
        )
    return table


def _per_class(scores: EventScores) -> Table:
    table = Table(title="Per class (16 roots)")
    for column in ("root", "precision", "recall", "F1", "support"):
        table.add_column(column, justify="left" if column == "root" else "right")
    for c, s in scores.per_class.items():
        table.add_row(c, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", str(s.support))
    return table


def _confusion(scores: EventScores) -> Table:
    """Gold roots down, predicted across; the diagonal is what was right."""
    gold = list(scores.per_class)
    said = {p for _, p in scores.confusion}
    columns = [*gold, *sorted(said - set(gold) - {NONE}), *([NONE] if NONE in said else [])]
    table = Table(title="Confusion (rows gold, columns predicted)")
    table.add_column("gold")
    for c in columns:
        table.add_column(_short(c), justify="right")
    for g in gold:
        table.add_row(g, *(_cell(scores.confusion.get((g, p), 0), g == p) for p in columns))
    return table


def _short(root: str) -> str:
    return {NONE: "none", "CONCEDE+RETREAT": "CON+RET"}.get(root, root[:4])


def _cell(n: int, diagonal: bool) -> str:
    if not n:
        return "[dim]·[/]"
    return f"[bold green]{n}[/]" if diagonal else f"[red]{n}[/]"


def render(report: EventReport, console: Console) -> None:
    """Print the summary, the per-class scores and the confusion table."""
    console.print(_summary(report))
    console.print(_per_class(report.roots))
    console.print(_confusion(report.roots))
    console.print(f"classifier speed: {report.sentences_per_second:,.0f} sentences/s")


def errors(path: Path, classify: Classifier | None = None) -> Iterable[tuple[str, str, str]]:
    """(gold, predicted, sentence) for every sentence the classifier gets wrong."""
    classify = classify or pipeline_classifier()
    for row in load(path):
        predicted = classify(row.text)
        if predicted != row.event_type:
            yield row.event_type, predicted or NONE, row.text
