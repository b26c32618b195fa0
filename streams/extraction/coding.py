"""From a classified clause to the spec's coding: subtype, mode and severity."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from schemas import Actor, Location, Quantity, Severity
from schemas.event import MODES
from streams.extraction.classify import Trigger
from streams.extraction.vocabulary import Subtype, subtypes

CRITICAL_WEAPONS = frozenset({"ICBM", "SLBM", "IRBM", "hypersonic"})
# Mass casualties: ten or more killed, or a hundred or more injured (geo-dev convention 11).
MASS_KILLED = 10
MASS_INJURED = 100
# Acts done by saying them: told apart by who says them, and not located by the places they
# talk about.
STATEMENTS = frozenset({"ACCUSE", "REQUEST", "REJECT", "SUPPORT", "THREATEN", "AGREE"})
# What an actor says it will do that hurts: a threat, with the mode of what is threatened.
THREAT_MODE: dict[str, str] = {
    "ASSAULT": "violence",
    "MOBILIZE": "violence",
    "COERCE": "restrict",
    "SANCTION": "restrict",
}


def choose_subtype(
    root: str, near: Sequence[str], lemmas: Collection[str], lowered: str
) -> Subtype | None:
    """The root's subtype whose cues the clause names best: `near` holds the predicate's
    lemma then its objects' and complement's, `lemmas` the sentence's. A generic subtype
    (`fallback`) is taken only when no other of the root is named."""
    best: tuple[bool, int, int, Subtype] | None = None
    for order, sub in enumerate(subtypes().subtypes):
        if sub.root != root:
            continue
        score = 0
        for cue in sub.cues:
            if near and cue == near[0]:
                score = max(score, 3)
            elif cue in near:
                score = max(score, 2)
            elif cue in lemmas:
                score = max(score, 1)
        if any(phrase in lowered for phrase in sub.phrases):
            score = max(score, 2)
        if score and (best is None or (not sub.fallback, score) > best[:2]):
            best = (not sub.fallback, score, -order, sub)
    return best[3] if best else None


def asked_mode(near: Sequence[str], lemmas: Collection[str]) -> str | None:
    """The mode of a request or a refusal: what is asked for or turned down."""
    return _first_mode(subtypes().asked_modes, near, lemmas)


def threat_mode(near: Sequence[str], lemmas: Collection[str]) -> str | None:
    """The mode of a threat no subtype names: what is threatened."""
    return _first_mode(subtypes().threat_modes, near, lemmas)


def _first_mode(
    table: Mapping[Any, Sequence[str]], near: Sequence[str], lemmas: Collection[str]
) -> str | None:
    for words in (near, lemmas):
        for mode, cues in table.items():
            if not set(cues).isdisjoint(words):
                return mode
    return None


def yield_root(lemmas: Collection[str], triggers: Sequence[Trigger]) -> str:
    """CONCEDE or RETREAT for a clause the model reads as one of the two: the lexicon's
    trigger where it names one, else RETREAT for a withdrawal, release or truce."""
    for t in triggers:
        if t.root in ("CONCEDE", "RETREAT"):
            return t.root
    return "RETREAT" if set(subtypes().retreat_words) & set(lemmas) else "CONCEDE"


def mode_of(
    root: str, subtype: Subtype | None, triggers: Sequence[Trigger], lemmas: Collection[str]
) -> str | None:
    """The PLOVER mode: the subtype's (or the one its cues name), else the lexicon's for a
    trigger of that root."""
    if subtype is not None:
        for cue, mode in subtype.mode_cues.items():
            if cue in lemmas:
                return mode
        if subtype.mode is not None:
            return subtype.mode
    allowed = MODES.get(root, frozenset())
    for t in triggers:
        if t.root == root and t.entry.mode in allowed:
            return t.entry.mode
    return None


def killed_or_injured(quantities: Sequence[Quantity]) -> tuple[float, float]:
    """The largest figures of killed and of injured."""
    killed = max((q.value for q in quantities if q.unit == "killed"), default=0.0)
    injured = max((q.value for q in quantities if q.unit == "injured"), default=0.0)
    return killed, injured


def severity(
    root: str,
    subtype: Subtype | None,
    actors: Sequence[Actor],
    place: Location | None,
    weapon: str | None,
    quantities: Sequence[Quantity],
    lemmas: Collection[str],
) -> Severity:
    """The spec's default severity of the subtype, raised where the spec says."""
    name = subtype.name if subtype else None
    if name == "missile_test" and weapon in CRITICAL_WEAPONS:
        return "critical"
    if name == "troop_deployment":
        home = place.country if place else None
        return "high" if home and any(a.code != home for a in actors) else "medium"
    if root == "ASSAULT" and name != "crowd_control":
        killed, injured = killed_or_injured(quantities)
        if killed >= MASS_KILLED or injured >= MASS_INJURED:
            return "critical"
    if name == "cyberattack" and set(subtypes().critical_infrastructure) & set(lemmas):
        return "high"
    if subtype is not None:
        return subtype.severity
    return subtypes().root_severity.get(root, "low")  # type: ignore[call-overload]
