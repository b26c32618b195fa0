"""Quality of the learned extraction on sentences it was not trained on.

plv-train is split into five folds fixed by a seed; for each, the classifier is trained on the
other four plus every other labelled source, and the whole pipeline (extract() on a
one-sentence article, its most confident mention) reads the held-out fold. plover-gsr is read
by a model trained without it. No figure here comes from a sentence its model saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.table import Table

from geolab.events import EventScores, score, top_mention
from geolab.training import (
    Example,
    Sources,
    _lexical,
    _parsed,
    cross_validate,
    fit_examples,
    learned_triggers,
    read,
)
from schemas import EventMention, Span
from streams.extraction.model import EventModel

# Confidence bins of the reliability table.
BINS: tuple[tuple[float, float], ...] = ((0.0, 0.5), (0.5, 0.8), (0.8, 0.9), (0.9, 1.01))


@dataclass(frozen=True)
class Reading:
    """The pipeline's reading of one held-out sentence."""

    example: Example
    mention: EventMention | None

    @property
    def predicted(self) -> str | None:
        return self.mention.event_type if self.mention is not None else None

    @property
    def correct(self) -> bool:
        return _merged(self.predicted) == _merged(self.example.label)


def _merged(root: str | None) -> str | None:
    return "YIELD" if root in ("CONCEDE", "RETREAT", "YIELD") else root


@dataclass
class RoleScores:
    """Span precision and recall of actors and recipients against marked spans."""

    predicted: dict[str, int] = field(default_factory=lambda: {"actor": 0, "recipient": 0})
    correct: dict[str, int] = field(default_factory=lambda: {"actor": 0, "recipient": 0})
    gold: dict[str, int] = field(default_factory=lambda: {"actor": 0, "recipient": 0})
    found: dict[str, int] = field(default_factory=lambda: {"actor": 0, "recipient": 0})
    swapped: int = 0  # a predicted actor that is the marked recipient, or the reverse

    def precision(self, role: str) -> float:
        return self.correct[role] / self.predicted[role] if self.predicted[role] else 0.0

    def recall(self, role: str) -> float:
        return self.found[role] / self.gold[role] if self.gold[role] else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            role: {
                "precision": round(self.precision(role), 4),
                "recall": round(self.recall(role), 4),
                "predicted": self.predicted[role],
                "gold": self.gold[role],
            }
            for role in ("actor", "recipient")
        } | {"swapped": self.swapped}


def overlaps(span: Span, start: int, end: int) -> bool:
    """Half the shorter of the two spans is shared."""
    shared = min(span.end, end) - max(span.start, start)
    return shared > 0 and shared * 2 >= min(span.end - span.start, end - start)


def _gold_span(text: str, phrase: str) -> tuple[int, int] | None:
    at = text.find(phrase) if phrase else -1
    return (at, at + len(phrase)) if at >= 0 else None


def score_roles(readings: Sequence[Reading]) -> RoleScores:
    """Each sentence's top mention's actor and recipient phrases against the marked ones."""
    out = RoleScores()
    for r in readings:
        text = r.example.text
        gold = {
            "actor": _gold_span(text, r.example.actor_span),
            "recipient": _gold_span(text, r.example.recipient_span),
        }
        evidence = r.mention.evidence if r.mention is not None else None
        spans = {
            "actor": evidence.actors if evidence else [],
            "recipient": evidence.recipients if evidence else [],
        }
        for role, other in (("actor", "recipient"), ("recipient", "actor")):
            g = gold[role]
            out.predicted[role] += len(spans[role])
            if g is not None:
                out.gold[role] += 1
                out.found[role] += any(overlaps(s, *g) for s in spans[role])
                out.correct[role] += sum(overlaps(s, *g) for s in spans[role])
            o = gold[other]
            if o is not None and g != o:
                out.swapped += sum(
                    overlaps(s, *o) and not (g is not None and overlaps(s, *g)) for s in spans[role]
                )
    return out


@dataclass(frozen=True)
class Reliability:
    """Of the top mentions in each confidence bin, how many had the right root."""

    rows: list[tuple[float, float, int, int]]  # (low, high, mentions, right)

    @classmethod
    def of(cls, readings: Sequence[Reading]) -> Reliability:
        rows = []
        for low, high in BINS:
            inside = [
                r for r in readings if r.mention is not None and low <= r.mention.confidence < high
            ]
            rows.append((low, min(high, 1.0), len(inside), sum(r.correct for r in inside)))
        return cls(rows)

    def share(self, low: float, high: float = 1.01) -> tuple[int, float]:
        """(mentions, share right) of the mentions with confidence in [low, high)."""
        n = sum(m for lo, _, m, _ in self.rows if lo >= low and lo < high)
        right = sum(k for lo, _, _, k in self.rows if lo >= low and lo < high)
        return n, right / n if n else 0.0

    def as_dict(self) -> list[dict[str, Any]]:
        return [
            {"confidence": f"{lo:.1f}-{hi:.1f}", "mentions": n,
             "right": k, "share_right": round(k / n, 4) if n else None}
            for lo, hi, n, k in self.rows
        ]  # fmt: skip


@dataclass(frozen=True)
class CvReport:
    """Cross-validated plv-train figures and plover-gsr figures from a model without it."""

    plv: EventScores
    gsr: EventScores | None
    roles: RoleScores
    plv_reliability: Reliability
    gsr_reliability: Reliability | None
    readings: list[Reading]
    gsr_readings: list[Reading]
    temperatures: tuple[float, float]

    def as_dict(self) -> dict[str, Any]:
        return {
            "plv_cross_validated": self.plv.as_dict(),
            "gsr_model_without_it": self.gsr.as_dict() if self.gsr else None,
            "roles_plv_cross_validated": self.roles.as_dict(),
            "reliability_plv": self.plv_reliability.as_dict(),
            "reliability_gsr": self.gsr_reliability.as_dict() if self.gsr_reliability else None,
            "temperatures": {"parsed": self.temperatures[0], "lexical": self.temperatures[1]},
        }


def _read_all(examples: Sequence[Example], model_for: Any) -> list[Reading]:
    return [Reading(e, top_mention(e.text, model_for(i), index=i)) for i, e in enumerate(examples)]


def _scores(readings: Sequence[Reading]) -> EventScores:
    gold = [_merged(r.example.label) or "" for r in readings]
    return score(
        [g.replace("YIELD", "CONCEDE") for g in gold],
        [(_merged(r.predicted) or "").replace("YIELD", "CONCEDE") or None for r in readings],
        merge=True,
    )


def run(sources: Sources, *, gsr: bool = True) -> CvReport:
    """Five folds of plv-train through the pipeline; plover-gsr through a model without it."""
    plv, others = sources.load(gsr=gsr)
    read(plv + others)
    cv = cross_validate(plv, others)
    models = [cv.model(k) for k in range(len(cv.heads))]
    readings = _read_all(plv, lambda i: models[cv.fold_of[i]])
    gsr_readings: list[Reading] = []
    if gsr:
        held = [e for e in others if e.origin == "gsr"]
        rest = [e for e in plv + others if e.origin != "gsr"]
        without = EventModel(
            parsed=fit_examples(rest, _parsed).head(cv.parsed_temperature),
            lexical=fit_examples(rest, _lexical).head(cv.lexical_temperature),
            provenance={},
            triggers=learned_triggers(rest),
        )
        gsr_readings = _read_all(held, lambda _: without)
    return CvReport(
        plv=_scores(readings),
        gsr=_scores(gsr_readings) if gsr_readings else None,
        roles=score_roles(readings),
        plv_reliability=Reliability.of(readings),
        gsr_reliability=Reliability.of(gsr_readings) if gsr_readings else None,
        readings=readings,
        gsr_readings=gsr_readings,
        temperatures=(cv.parsed_temperature, cv.lexical_temperature),
    )


# --- rendering -------------------------------------------------------------------------------


def _score_table(title: str, scores: EventScores) -> Table:
    table = Table(title=title)
    for column in ("root", "precision", "recall", "F1", "support"):
        table.add_column(column, justify="left" if column == "root" else "right")
    for c, s in scores.per_class.items():
        table.add_row(c, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", str(s.support))
    return table


def _reliability_table(title: str, rel: Reliability) -> Table:
    table = Table(title=title)
    for column in ("confidence", "mentions", "right", "share right"):
        table.add_column(column, justify="right")
    for lo, hi, n, k in rel.rows:
        table.add_row(f"{lo:.1f}-{hi:.1f}", str(n), str(k), f"{k / n:.3f}" if n else "-")
    for label, low, high in (("< 0.8", 0.0, 0.8), (">= 0.8", 0.8, 1.01)):
        n, share = rel.share(low, high)
        table.add_row(label, str(n), "", f"{share:.3f}" if n else "-")
    return table


def render_events(cv: CvReport, console: Console) -> None:
    """The summary, per-root scores and the reliability of the confidence."""
    summary = Table(title="Event classification through the pipeline, on unseen sentences")
    for column in ("set", "how", "sentences", "accuracy", "macro-F1", "no event"):
        summary.add_column(column, justify="left" if column in ("set", "how") else "right")
    rows = [("plv-train", "5-fold cross-validation", cv.plv)]
    if cv.gsr is not None:
        rows.append(("plover-gsr", "model trained without it", cv.gsr))
    for name, how, s in rows:
        summary.add_row(name, how, str(s.sentences), f"{s.accuracy:.3f}", f"{s.macro_f1:.3f}",
                        str(s.undecided))  # fmt: skip
    console.print(summary)
    console.print("(CONCEDE and RETREAT scored as one class, as plv-train codes them.)")
    console.print(_score_table("Per root, plv-train folds", cv.plv))
    console.print(_reliability_table("Confidence of the top mention, plv-train folds",
                                     cv.plv_reliability))  # fmt: skip
    if cv.gsr_reliability is not None:
        console.print(_reliability_table("Confidence of the top mention, plover-gsr",
                                         cv.gsr_reliability))  # fmt: skip
    t = cv.temperatures
    console.print(f"calibration temperatures (parsed, lexical): {t[0]}, {t[1]}")


def render_roles(roles: RoleScores, console: Console) -> None:
    """Span precision and recall of actors and recipients."""
    table = Table(title="Roles against plv-train's marked spans (5-fold cross-validation)")
    for column in ("role", "precision", "recall", "predicted", "marked"):
        table.add_column(column, justify="left" if column == "role" else "right")
    for role in ("actor", "recipient"):
        table.add_row(role, f"{roles.precision(role):.3f}", f"{roles.recall(role):.3f}",
                      str(roles.predicted[role]), str(roles.gold[role]))  # fmt: skip
    console.print(table)
    console.print(
        "A phrase matches a marked span when they share half of the shorter; swapped "
        f"(an actor that is the marked target, or the reverse): {roles.swapped}"
    )
