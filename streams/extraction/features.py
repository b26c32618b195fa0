"""What the event classifier sees of a clause: its predicate and frame, its parties' kinds,
its modality, the trigger lexicon's reading and the sentence's words."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from streams.extraction.classify import Trigger, coding, main_trigger

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from streams.extraction.frames import Frame

Features = dict[str, float]

# Word classes the bag of words leaves out: they say nothing of the kind of event.
FUNCTION_POS = frozenset(
    {"PUNCT", "DET", "ADP", "CCONJ", "SCONJ", "PART", "PRON", "AUX", "NUM", "SYM", "SPACE", "X"}
)


@dataclass(frozen=True)
class PartyKinds:
    """How the frame's parties were coded: state, org, person, group ..., or unknown."""

    actors: tuple[str, ...]
    recipients: tuple[str, ...]
    actor_sectors: tuple[str, ...] = ()
    recipient_sectors: tuple[str, ...] = ()


def lexical(text: str, lemmas: Iterable[str], triggers: list[Trigger]) -> Features:
    """Features that need no parse: the sentence's content words, and the root the trigger
    lexicon's rules read for its main event. (Word pairs and one feature per trigger were
    measured and left out: they cost cross-validated macro-F1 on plv-train.)"""
    f: Features = {"w=" + w: 1.0 for w in lemmas if w}
    f["rule=" + str(_rule_root(text, triggers))] = 1.0
    return f


def _rule_root(text: str, triggers: list[Trigger]) -> str | None:
    main = main_trigger(triggers)
    return coding(text, main, triggers).root if main is not None else None


_AFTER = frozenset({"after", "following", "once"})


def clause_tokens(doc: Doc, frame: Frame) -> set[int]:
    """Token indices of the frame's clause: everything under the verb it hangs from, but the
    verbs coordinated with it that head clauses of their own."""
    top = doc[frame.index]
    while top.head is not top and top.dep_ in ("xcomp", "ccomp", "nsubj", "nsubjpass"):
        top = top.head
    if top.dep_ in ("conj", "advcl"):
        skip_from = None  # a coordinated or subordinate clause: its own subtree
    else:
        skip_from = top
    out: set[int] = set()
    stack = [top]
    while stack:
        t = stack.pop()
        out.add(t.i)
        for c in t.children:
            if t is skip_from and c.dep_ in ("conj", "advcl") and c.pos_ in ("VERB", "AUX"):
                if c.dep_ == "conj" or any(m.lower_ in _AFTER for m in c.children):
                    continue  # a clause of its own (a frame of its own)
            stack.append(c)
    if top.dep_ == "conj" and frame.clause == "coordinate":  # "protested ... and condemned"
        for c in top.head.children:
            if c.dep_ in ("nsubj", "nsubjpass"):
                out.update(t.i for t in c.subtree)
    return out


def syntactic(doc: Doc, frame: Frame, parties: PartyKinds) -> Features:
    """Features of one predicate read in its clause."""
    lemma = frame.lemma
    f: Features = {
        "p=" + lemma: 1.0,
        f"pos={frame.pos}": 1.0,
        f"tag={frame.tag}": 1.0,
        "clause=" + frame.clause: 1.0,
        "fact=" + frame.factuality: 1.0,
    }
    flags = (("neg", frame.negated), ("cond", frame.conditional), ("passive", frame.passive),
             ("sourced", frame.source is not None))  # fmt: skip
    f.update({name: 1.0 for name, on in flags if on})
    if frame.modal:
        f["modal=" + frame.modal] = 1.0
    for g in frame.governors:
        f["g=" + g] = 1.0
        f[f"g|p={g}|{lemma}"] = 1.0
    for o in frame.objects:
        f["o=" + o] = 1.0
        f[f"p|o={lemma}|{o}"] = 1.0
    if frame.complement:
        f["c=" + frame.complement] = 1.0
        f[f"p|c={lemma}|{frame.complement}"] = 1.0
    f.update(_dependents(doc[frame.index], lemma))
    f.update(_parties(parties))
    return f


def _dependents(p: Token, lemma: str) -> Features:
    """The predicate's prepositions and their objects, its complements' objects, particles."""
    f: Features = {}
    for child in p.children:
        dep = child.dep_
        if dep == "prep":
            f[f"p|prep={lemma}|{child.lower_}"] = 1.0
            for o in child.children:
                if o.dep_ == "pobj":
                    f[f"pp={child.lower_}|{o.lemma_.lower()}"] = 1.0
        elif dep in ("xcomp", "ccomp"):
            for grand in child.children:
                if grand.dep_ in ("dobj", "prep"):
                    f[f"c2={child.lemma_.lower()}|{grand.lemma_.lower()}"] = 1.0
        elif dep in ("prt", "acomp", "attr", "dative", "agent"):
            f[f"p|{dep}={lemma}|{child.lemma_.lower()}"] = 1.0
    return f


def _parties(parties: PartyKinds) -> Features:
    """What kinds of name the parties are (state, group, person ..., or none) and sectors."""
    f: Features = {}
    for kind in parties.actors or ("none",):
        f["a=" + kind] = 1.0
    for kind in parties.recipients or ("none",):
        f["r=" + kind] = 1.0
    for sector in parties.actor_sectors:
        f["as=" + sector] = 1.0
    for sector in parties.recipient_sectors:
        f["rs=" + sector] = 1.0
    return f
