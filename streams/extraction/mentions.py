"""Event extraction stage: PLOVER event mentions read from an article's clauses.

A cheap trigger filter picks the sentences that may report an event; those that name a party
or a place are parsed, and each clause's predicate, parties and modality are read from the
parse; a learned classifier names the PLOVER root with a calibrated confidence; the spec's
subtype, mode and severity follow from the clause's words. An act told over several sentences
becomes one mention, and what happened before the article's news is marked historical.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from schemas import (
    Actor,
    Article,
    ArticleRecord,
    EventMention,
    Evidence,
    Factuality,
    Location,
    Quantity,
    Severity,
    Span,
)
from streams.extraction import coding
from streams.extraction.classify import NEGATED_MODE, Trigger, main_trigger
from streams.extraction.dates import dating, event_date, published_late
from streams.extraction.entities import locate
from streams.extraction.features import clause_tokens
from streams.extraction.figures import quantities, weapon
from streams.extraction.frames import Frame, is_event_word
from streams.extraction.gazetteer import gazetteer
from streams.extraction.model import NONE, YIELD, EventModel, default_model
from streams.extraction.parties import code_parties
from streams.extraction.reader import Clause, Sentence, candidate, clauses, parse_all
from streams.extraction.sentences import sentences
from streams.extraction.timing import RETROSPECTIVE, earlier_year_named, historical
from streams.extraction.vocabulary import Subtype, frames, subtypes, topics
from streams.ids import content_id

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# Roots whose acts hurt: said as what will be done, they are threats (PLOVER THREATEN).
_HOSTILE = frozenset(coding.THREAT_MODE)
# Acts every party does together: all are actors, none a recipient.
_SYMMETRIC = frozenset({"CONSULT", "COOPERATE", "AGREE"})
# Acts whose forces are theirs even in the passive ("troops were deployed").
_FORCES = frozenset({"MOBILIZE", "RETREAT"})
# Reactions whose object is often another act of the article ("condemned the launch").
_REACTIONS = frozenset({"ACCUSE", "REQUEST", "SANCTION", "THREATEN", "REJECT"})
_COUNTED = frozenset({"MOBILIZE", "ASSAULT", "AID", "COERCE", "PROTEST", "SANCTION", "RETREAT"})
_ARMED = frozenset({"MOBILIZE", "ASSAULT", "AID", "THREATEN"})


# --- is the text about politics at all? -----------------------------------------------------


def off_topic(text: str) -> bool:
    """Sports, business, technology and film words that use war vocabulary for other things."""
    vocab = topics()
    lowered = text.lower()
    words = set(lowered.replace(",", " ").replace(".", " ").split())
    return not words.isdisjoint(vocab.words) or any(p in lowered for p in vocab.phrases)


def _question(text: str) -> bool:
    return text.rstrip("\"'”’) ").endswith("?")


# --- one clause -------------------------------------------------------------------------------


@dataclass
class Draft:
    """A mention being built: one clause, or several clauses of one act merged."""

    root: str
    subtype: Subtype | None
    mode: str | None
    confidence: float
    factuality: Factuality
    historical: bool
    actors: list[Actor]
    recipients: list[Actor]
    location: Location | None
    quantities: list[Quantity]
    weapon: str | None
    event_date: date | None
    sentence: Sentence
    trigger: Span | None
    actor_spans: list[Span]
    recipient_spans: list[Span]
    source_span: Span | None
    dated: Span | None  # where the sentence names when the act happened
    recipient_heads: tuple[str, ...] = ()
    predicate: str = ""  # the lemma of the clause's predicate
    objects: tuple[str, ...] = ()
    lemmas: frozenset[str] = field(default_factory=frozenset)

    @property
    def subtype_name(self) -> str | None:
        return _named(self.subtype)


def _named(subtype: Subtype | None) -> str | None:
    return subtype.name if subtype is not None else None


def _roles(
    root: str,
    subtype: Subtype | None,
    actors: list[Actor],
    recipients: list[Actor],
    place: Location | None,
) -> tuple[list[Actor], list[Actor]]:
    """The spec's roles for the kind of act: every party of a joint act is an actor (but a
    visit's host), a test has no target, forces sent abroad are aimed at their host."""
    name = _named(subtype)
    if root in _SYMMETRIC and name != "state_visit":
        return actors + [r for r in recipients if all(r.code != a.code for a in actors)], []
    if name in ("missile_test", "nuclear_test"):
        return actors, []
    if name == "troop_deployment" and place is not None:
        host = gazetteer().states.get(place.country or "")
        if host is not None and all(a.code != host.code for a in actors):
            return actors, [host]
    return actors, recipients


def _span(sentence: Sentence, start: int, end: int) -> Span:
    return Span(start=sentence.start + start, end=sentence.start + end)


def _lexical_factuality(triggers: list[Trigger]) -> Factuality:
    main = main_trigger(triggers)
    if main is None:
        return "asserted"
    if main.negated:
        return "negated"
    if main.intent:
        return "planned" if main.firm else "hypothetical"
    return "asserted"


def _clause_text(sentence: Sentence, frame: Frame | None) -> str:
    """The words that can date the act itself, the rest of the sentence blanked (offsets
    kept): the predicate and the verbs above it with their adverbs, time nouns and
    prepositional phrases of time ("on Saturday", "in 2017", "last month"). A date inside an
    object, a comparison or another clause dates something else ("more than in its previous
    barrage on Oct. 10", "a year after a similar strike")."""
    if frame is None or sentence.doc is None:
        return sentence.text
    doc = sentence.doc
    vocab = frames()
    heads = [doc[frame.index]]
    climb = ("xcomp", "ccomp", "nsubj", "nsubjpass", "conj")
    while heads[-1].head is not heads[-1] and heads[-1].dep_ in climb:
        heads.append(heads[-1].head)
    keep = bytearray(len(sentence.text))

    def mark(token: Token) -> None:
        keep[token.idx : token.idx + len(token.text)] = b"\1" * len(token.text)

    def timely(token: Token) -> bool:
        if token.dep_ in ("npadvmod", "tmod", "advmod", "neg", "aux", "auxpass"):
            return True
        if token.dep_ == "prep":
            objects = [o for o in token.children if o.dep_ == "pobj"]
            return any(o.like_num or o.lemma_.lower() in vocab.time_words for o in objects)
        return False

    for head in heads:
        mark(head)
        for child in head.children:
            if timely(child):
                for t in child.subtree:
                    mark(t)
    return "".join(ch if keep[i] else " " for i, ch in enumerate(sentence.text))


def _year_modifier(sentence: Sentence, frame: Frame | None) -> int | None:
    """A year written before the act's noun: "the 2017 test"."""
    if frame is None or sentence.doc is None:
        return None
    for child in sentence.doc[frame.index].children:
        text = child.text
        if child.dep_ in ("nummod", "compound", "amod", "npadvmod") and text.isdigit():
            if len(text) == 4 and text[:2] in ("19", "20"):
                return int(text)
    return None


def _threat(root: str, draft_lemmas: frozenset[str], lowered: str) -> tuple[str, Subtype | None]:
    threat = coding.choose_subtype("THREATEN", (), draft_lemmas, lowered)
    if threat is None or threat.name == "territorial_claim":
        threat = next(s for s in subtypes().subtypes if s.name == "military_threat")
    if root != "ASSAULT" and threat.name == "military_threat" and root != "MOBILIZE":
        return coding.THREAT_MODE[root], None
    return threat.mode or coding.THREAT_MODE[root], threat


def _struck(
    sentence: Sentence, frame: Frame | None, place: Location | None, actors: list[Actor]
) -> list[Actor]:
    """Who an attack with no object hits: a party named where it struck ("outside Somalia's
    Ministry of Education"), else the state whose territory was hit."""
    if frame is not None and sentence.doc is not None:
        vocab = frames()
        predicate = sentence.doc[frame.index]
        for prep in predicate.children:
            if prep.dep_ != "prep" or prep.lemma_.lower() not in vocab.place_prepositions:
                continue
            for obj in prep.children:
                if obj.dep_ != "pobj":
                    continue
                start, end = obj.left_edge.idx, obj.right_edge.idx + len(obj.right_edge.text)
                for e in sentence.entities:
                    if start <= e.start and e.end <= end and e.actor is not None:
                        if e.kind not in ("capital", "place") and all(
                            e.actor.code != a.code for a in actors
                        ):
                            return [e.actor]
    if place is not None and place.country:
        state = gazetteer().states.get(place.country)
        if state is not None:
            return [state]
    return []


def _place(sentence: Sentence, root: str, frame: Frame | None) -> Location | None:
    """Where the act happened, read from its own clause: not from the speaker's words
    ("speaking from the command centre in Ankara"), nor from clauses about other acts."""
    if root in coding.STATEMENTS:
        return None  # a statement is not located by the places it talks about
    if frame is None or sentence.doc is None:
        return locate(sentence.text, sentence.entities, None)
    inside = _act_characters(sentence.doc, frame)
    entities = [e for e in sentence.entities if e.start in inside]
    found = locate(sentence.text, entities, frame.end)
    if found is not None:
        return found
    if root in _FORCES:  # where forces go: "to Russia", "into the Kharkiv region"
        for e in entities:
            if (
                e.place is not None
                and e.start > frame.start
                and _SENT_TO.search(sentence.text[max(frame.end, e.start - 40) : e.start])
            ):
                return e.place
    # a parse that hangs the place elsewhere: any place but the speaker's words
    spoken = _spoken_characters(sentence.doc, frame)
    return locate(sentence.text, [e for e in sentence.entities if e.start not in spoken], frame.end)


_SENT_TO = re.compile(r"\b(?:to|into|toward|towards)\s+(?:the\s+)?[\w'’ -]{0,30}$")


def _act_characters(doc: Doc, frame: Frame) -> set[int]:
    """Character offsets of the act's own words: a nominal act's phrase, or the clause but its
    subject (unless passive) and the clauses it governs."""
    predicate = doc[frame.index]
    if frame.pos == "NOUN":  # "the deployment of troops to Russia"
        own = {t.i for t in predicate.subtree}
    else:
        top = predicate
        while top.dep_ in ("xcomp", "conj", "ccomp") and top.head is not top:
            top = top.head  # "continued to shell X in Y": the clause of the aspect verb too
        skip = {"advcl", "relcl", "ccomp", "parataxis"} | (set() if frame.passive else {"nsubj"})
        own = clause_tokens(doc, frame)
        for child in top.children:
            if child.dep_ in skip and child.i != frame.index:
                own -= {t.i for t in child.subtree}
        own.add(frame.index)
    return {c for i in own for c in range(doc[i].idx, doc[i].idx + len(doc[i].text))}


def _spoken_characters(doc: Doc, frame: Frame) -> set[int]:
    """Character offsets of who speaks and where: the source, a participle of saying."""
    vocab = frames()
    spoken: set[int] = set()
    for t in doc:
        if t.lemma_.lower() not in vocab.speech or t.i == frame.index:
            continue
        root_report = t.dep_ == "ROOT" and frame.clause == "reported"
        if t.dep_ in ("advcl", "acl", "parataxis") or root_report:
            spoken.update(range(t.idx, t.idx + len(t.text)))
            for c in t.children:
                if c.dep_ not in ("ccomp", "xcomp") or t.dep_ != "ROOT":
                    for d in c.subtree:
                        spoken.update(range(d.idx, d.idx + len(d.text)))
    if frame.source is not None:
        spoken.update(range(frame.source.start, frame.source.end))
    return spoken


@dataclass(frozen=True)
class _Coding:
    root: str
    mode: str | None
    subtype: Subtype | None
    factuality: Factuality


def _code(
    label: str,
    frame: Frame | None,
    sentence: Sentence,
    lemmas: frozenset[str],
    said_by_actor: bool,
) -> _Coding | None:
    """The spec's coding of what the classifier read: a refusal for a negated act of
    cooperation; a threat for a hostile act its actor says it will do ("Russia said it would
    expel ...", "Turkey will send troops, Erdogan said") or will do unless ("... if the drills
    go ahead"), but a plan, not a threat, for what someone else expects or what is merely
    planned; nothing for a denied or negated attack; then the subtype and mode the clause's
    words name."""
    lowered = sentence.text.lower()
    root = coding.yield_root(lemmas, sentence.triggers) if label == YIELD else label
    factuality = frame.factuality if frame is not None else _lexical_factuality(sentence.triggers)
    modal = _modal_coding(root, factuality, frame, lemmas, lowered, said_by_actor)
    if modal is None:
        return None
    root, factuality, mode, subtype = modal
    near: tuple[str, ...] = ()
    if frame is not None:
        near = (frame.lemma, *frame.objects, *([frame.complement] if frame.complement else []))
    if (
        root in ("SUPPORT", "COOPERATE")
        and _named(coding.choose_subtype("AGREE", near, lemmas, lowered)) == "peace_agreement"
    ):
        root = "AGREE"  # signing a peace deal: older PLOVER records code signing as SUPPORT
    if root in ("REQUEST", "REJECT"):
        mode = mode or coding.asked_mode(near, lemmas)
    elif subtype is None:
        subtype = coding.choose_subtype(root, near, lemmas, lowered)
    if root == "THREATEN" and _named(subtype) == "military_threat" and _threatens_a_test(frame):
        subtype, mode = None, None  # "threatened to launch more missiles": no use of force
    if root == "THREATEN" and subtype is None:
        mode = mode or coding.threat_mode(near, lemmas)
    mode = mode or coding.mode_of(root, subtype, sentence.triggers, lemmas)
    return _Coding(root, mode, subtype, factuality)


def _modal_coding(
    root: str,
    factuality: Factuality,
    frame: Frame | None,
    lemmas: frozenset[str],
    lowered: str,
    said_by_actor: bool,
) -> tuple[str, Factuality, str | None, Subtype | None] | None:
    """(root, factuality, mode, subtype) once negation, threats and plans are read; None for
    a negated act that is no refusal."""
    if factuality == "negated":
        if root == "REJECT":
            return root, "asserted", None, None  # "will not lift the ban": the refusal is the act
        if root in NEGATED_MODE:
            return "REJECT", "asserted", NEGATED_MODE[root], None
        return None  # "did not attack": no act
    if root == "THREATEN" and frame is not None and frame.lemma in frames().threat_verbs:
        return root, "asserted", None, None  # "threatened to strike if ...": made now
    hostile = root in _HOSTILE or root == "THREATEN"
    if hostile and (factuality == "planned" or (frame and frame.conditional)):
        if said_by_actor or (frame is not None and frame.recipients):
            # what the actor says it will do to someone is a threat made now
            if root == "THREATEN":
                return root, "asserted", None, None
            mode, subtype = _threat(root, lemmas, lowered)
            return "THREATEN", "asserted", mode, subtype
    return root, factuality, None, None


def _threatens_a_test(frame: Frame | None) -> bool:
    return frame is not None and frame.complement in frames().test_verbs and not frame.recipients


def _said_by_actor(sentence: Sentence, frame: Frame | None, actors: list[Actor]) -> bool:
    """Whether the clause is what its own actor says: its source names the same state."""
    if frame is None or frame.source is None:
        return False
    source = code_parties((frame.source,), sentence.entities, targets=False).actors
    if frame.actors and frame.actors[0] == frame.source:
        return True  # "Russia said it would ...": the pronoun is the speaker
    return bool({a.code for a in source} & {a.code for a in actors})


# The kinds of name that make a party a state's officials, not its people.
_OFFICIAL_KINDS = frozenset({"state", "capital", "seat", "person", "org"})


def _official(clause: Clause) -> bool:
    actors = clause.actors
    return bool(actors.actors) and all(
        kind in _OFFICIAL_KINDS and actor.sector in (None, "GOV")
        for actor, kind in zip(actors.actors, actors.kinds, strict=False)
    )


def _read_clause(
    sentence: Sentence, clause: Clause, model: EventModel, published: date | None, late: bool
) -> Draft | None:
    frame = clause.frame
    head = model.parsed if frame is not None else model.lexical
    label, confidence, _ = head.best(clause.features)
    if label == NONE:
        return None
    lemmas = sentence.lemma_set
    actors = list(clause.actors.actors)
    if not actors and frame is not None and frame.source is not None and frame.actors:
        if frame.actors[0].lemma in frames().official_nouns:  # "the government had ..."
            actors = code_parties((frame.source,), sentence.entities, targets=False).actors
    code = _code(label, frame, sentence, lemmas, _said_by_actor(sentence, frame, actors))
    if code is None:
        return None
    root, mode, subtype = code.root, code.mode, code.subtype
    if root == "PROTEST" and _official(clause):  # a government's protest is a condemnation
        root, mode = "ACCUSE", "disapprove"
        subtype = next(s for s in subtypes().subtypes if s.name == "condemnation")
    recipients = [r for r in clause.recipients.actors if all(r.code != a.code for a in actors)]
    actor_spans = [_span(sentence, p.start, p.end) for p in frame.actors] if frame else []
    recipient_spans = [_span(sentence, p.start, p.end) for p in frame.recipients] if frame else []
    if not actors and root in _FORCES and frame is not None:
        if frame.pos == "NOUN" and frame.themes:  # "the deployment of North Korean troops"
            actors = code_parties(frame.themes, sentence.entities, targets=False).actors
            actor_spans = [_span(sentence, p.start, p.end) for p in frame.themes]
            recipient_spans = [s for s in recipient_spans if s not in actor_spans]
            recipients = [r for r in recipients if all(r.code != a.code for a in actors)]
        elif frame.passive:  # "North Korean troops were deployed": the forces are theirs
            actors, recipients = recipients, []
            actor_spans, recipient_spans = recipient_spans, []
    place = _place(sentence, root, frame)
    if (
        root == "MOBILIZE"
        and _named(subtype) == "military_exercise"
        and (len({a.code for a in actors}) > 1 or "joint" in lemmas)
    ):
        root, mode = "COOPERATE", None  # a drill held together (PLOVER)
        subtype = coding.choose_subtype(root, (), lemmas, sentence.text.lower())
    actors, recipients = _roles(root, subtype, actors, recipients, place)
    if root in ("ASSAULT", "COERCE") and not recipients:
        recipients = _struck(sentence, frame, place, actors)
    if root == "CONSULT" and mode is None and len({a.code for a in actors}) > 2:
        mode = "multilateral"
    figures = quantities(sentence.text) if root in _COUNTED else []
    named_weapon = weapon(sentence.text) if root in _ARMED else None
    at = (
        frame.start
        if frame is not None
        else (sentence.triggers[0].start if sentence.triggers else 0)
    )
    when = event_date(sentence.text, at, published, late=late)
    dated = dating(sentence.text, at, published)
    weekday = dated is not None and dated[0] == "weekday"
    past = historical(
        _clause_text(sentence, frame), at, when, published, _year_modifier(sentence, frame),
        late=late, weekday=weekday,
    ) or (frame is None and earlier_year_named(sentence.text, published))  # fmt: skip
    heads = tuple(p.lemma for p in frame.recipients) if frame is not None else ()
    return Draft(
        root=root,
        subtype=subtype,
        mode=mode,
        confidence=round(confidence, 3),
        factuality=code.factuality,
        historical=past,
        actors=actors,
        recipients=recipients,
        location=place,
        quantities=figures,
        weapon=named_weapon,
        event_date=when,
        sentence=sentence,
        trigger=_span(sentence, frame.start, frame.end) if frame else None,
        actor_spans=actor_spans,
        recipient_spans=recipient_spans,
        source_span=(
            _span(sentence, frame.source.start, frame.source.end)
            if frame is not None and frame.source is not None
            else None
        ),
        dated=_span(sentence, dated[1], dated[2]) if dated is not None else None,
        recipient_heads=heads,
        predicate=frame.lemma if frame is not None else "",
        objects=frame.objects if frame is not None else (),
        lemmas=lemmas,
    )


# --- the article: references, history and one mention per act ----------------------------------


def _reactions_without_target(drafts: list[Draft]) -> list[Draft]:
    vocab = frames()
    event_words = set(vocab.instruments) | set(vocab.reaction_objects)
    return [
        d
        for d in drafts
        if d.root in _REACTIONS
        and not d.recipients
        and (set(d.recipient_heads) | set(d.objects)) & event_words | _event_words(d)
    ]


def _resolve_references(drafts: list[Draft], title_acts: Callable[[], list[Draft]]) -> None:
    """A reaction to another act of the article ("Seoul condemned the launch") is aimed at
    that act's actors: the nearest hostile act before it, else after it, else the one the
    headline reports."""
    for draft in _reactions_without_target(drafts):
        i = drafts.index(draft)
        before = [d for d in reversed(drafts[:i]) if _aimed_at(d)]
        after = [d for d in drafts[i + 1 :] if _aimed_at(d)]
        for other in before or after or [d for d in title_acts() if _aimed_at(d)]:
            draft.recipients = [a for a in other.actors
                                if all(a.code != b.code for b in draft.actors)]  # fmt: skip
            break


def _event_words(draft: Draft) -> set[str]:
    """The words of the act a reaction is aimed at: "condemned the launch"."""
    return {w for w in (*draft.recipient_heads, *draft.objects) if is_event_word(w)}


def _aimed_at(draft: Draft) -> bool:
    return draft.root in _HOSTILE and bool(draft.actors) and not draft.historical


def _attribute(drafts: list[Draft]) -> None:
    """An attack told without its attacker has the party the article blames for it ("police
    blamed al-Shabaab") or that claims it ("the group claimed responsibility")."""
    attacks = [d for d in drafts if d.root in ("ASSAULT", "COERCE") and not d.actors
               and not d.historical]  # fmt: skip
    if not attacks:
        return
    for d in drafts:
        if d.historical:
            continue
        if d.predicate in frames().blame_verbs and d.recipients:
            parties = d.recipients
        elif d.predicate in ("claim", "admit") and "responsibility" in d.objects and d.actors:
            parties = d.actors
        else:
            continue
        for attack in attacks:
            if not attack.actors:
                attack.actors = list(parties)
                attack.recipients = [r for r in attack.recipients
                                     if all(r.code != a.code or r.sector != a.sector
                                            for a in parties)]  # fmt: skip


def _as_attacks(drafts: list[Draft]) -> None:
    """In an article that reports an attack, missiles fired with no word of a test are that
    attack, not a weapons test."""
    if not any(d.root == "ASSAULT" and d.factuality == "asserted" for d in drafts):
        return
    test_words = set(next(s for s in subtypes().subtypes if s.name == "missile_test").test_words)
    for d in drafts:
        if d.root == "MOBILIZE" and d.mode == "weapons" and not (test_words & d.lemmas):
            d.root = "ASSAULT"
            d.subtype = coding.choose_subtype("ASSAULT", (d.predicate, *d.objects), d.lemmas,
                                              d.sentence.text.lower())  # fmt: skip
            d.mode = d.subtype.mode if d.subtype is not None else None


def _inherit_history(drafts: list[Draft], title: str, body: str) -> None:
    """What an article looks back on stays history in the sentences that go on telling it:
    an undated act of the same root in the next sentence of the same paragraph, and every
    undated act of a piece that looks back as a whole (an anniversary)."""
    retrospective = bool(RETROSPECTIVE.search(title))
    previous: Draft | None = None
    for draft in drafts:
        if not draft.dated and not draft.historical:
            if retrospective:
                draft.historical = True
            elif (
                previous is not None
                and previous.historical
                and previous.root == draft.root
                and "\n" not in body[previous.sentence.start : draft.sentence.start]
            ):
                draft.historical = True
        previous = draft


def _agree(ours: list[Actor], theirs: list[Actor]) -> bool:
    """Parties named on both sides must share one."""
    if not ours or not theirs:
        return True
    return bool({a.code for a in ours} & {a.code for a in theirs})


def _same_act(a: Draft, b: Draft) -> bool:
    """Whether two clauses of one article tell the same act."""
    if a.root != b.root or a.historical != b.historical or a.factuality != b.factuality:
        return False
    if not _agree(a.actors, b.actors):
        return False
    if a.root != "ASSAULT" and not _agree(a.recipients, b.recipients):
        return False  # one attack hits several targets; other acts have one
    if a.location and b.location and a.location.country != b.location.country:
        if a.location.country and b.location.country:
            return False
    dated = a.dated is not None and b.dated is not None  # an undated one tells no other day
    if dated and a.event_date and b.event_date and abs((a.event_date - b.event_date).days) > 1:
        return False
    if a.root != "ASSAULT" and a.subtype and b.subtype and a.subtype_name != b.subtype_name:
        return False  # a test is no deployment; an attack is one act whatever its weapons
    if a.root in coding.STATEMENTS and a.subtype_name != b.subtype_name:
        return False
    return True


_ORDER = {s.name: i for i, s in enumerate(subtypes().subtypes)}


def _union(ours: list[Actor], theirs: list[Actor]) -> list[Actor]:
    return ours + [a for a in theirs if all(a.code != b.code for b in ours)]


def _merge(a: Draft, b: Draft) -> Draft:
    """One act told twice: the first telling's evidence, what the later one adds."""
    subtype = min(
        (s for s in (a.subtype, b.subtype) if s is not None),
        key=lambda s: _ORDER[s.name],
        default=None,
    )
    figures: dict[str, Quantity] = {q.unit: q for q in a.quantities}
    for q in b.quantities:
        if q.unit not in figures or q.value > figures[q.unit].value:
            figures[q.unit] = q
    location = a.location
    if b.location and (
        location is None
        or (
            b.location.subdivision
            and not location.subdivision
            and b.location.country == location.country
        )
    ):
        location = b.location
    return replace(
        a,
        subtype=subtype,
        mode=subtype.mode if subtype is not None and subtype.mode else a.mode or b.mode,
        confidence=max(a.confidence, b.confidence),
        actors=_union(a.actors, b.actors),
        recipients=_union(a.recipients, b.recipients),
        location=location,
        quantities=list(figures.values()),
        weapon=a.weapon or b.weapon,
        lemmas=a.lemmas | b.lemmas,
    )


def _consolidate(drafts: list[Draft]) -> list[Draft]:
    """One draft per act: each merges into the first earlier one that tells the same act."""
    out: list[Draft] = []
    for draft in drafts:
        for i, kept in enumerate(out):
            if _same_act(kept, draft):
                out[i] = _merge(kept, draft)
                break
        else:
            out.append(draft)
    return out


def _severity(draft: Draft) -> Severity:
    return coding.severity(
        draft.root, draft.subtype, draft.actors, draft.location, draft.weapon,
        draft.quantities, draft.lemmas,
    )  # fmt: skip


def _mention(record: ArticleRecord, draft: Draft) -> EventMention:
    article, sentence = record.article, draft.sentence
    start, end = sentence.start, sentence.start + len(sentence.text)
    subtype = draft.subtype_name
    key = f"{article.id}|{start}|{end}|{draft.root}|{subtype}"
    return EventMention(
        mention_id=content_id(key),
        article_id=article.id,
        source=article.source,
        published_at=article.published_at,
        event_type=draft.root,
        mode=draft.mode,
        subtype=subtype,
        severity=_severity(draft),
        confidence=draft.confidence,
        factuality=draft.factuality,
        historical=draft.historical,
        actors=draft.actors,
        recipients=draft.recipients,
        location=draft.location,
        quantities=draft.quantities,
        weapon=draft.weapon,
        event_date=draft.event_date,
        evidence=Evidence(
            sentence=sentence.text,
            start=start,
            end=end,
            trigger=draft.trigger,
            actors=draft.actor_spans,
            recipients=draft.recipient_spans,
            source=draft.source_span,
            date=draft.dated,
        ),
        duplicate_of=record.duplicate_of,
    )


def _candidates(article: Article, model: EventModel) -> list[Sentence]:
    """The article's sentences that may report an event, in text order."""
    if off_topic(article.title):
        return []
    published = article.published_at.date() if article.published_at else None
    body = article.body
    found: list[Sentence] = []
    for start, end in sentences(body):
        text = body[start:end]
        if _question(text) or off_topic(text):
            continue
        sentence = candidate(text, start, published, model.triggers)
        if sentence is not None:
            found.append(sentence)
    return found


# Candidates read and parsed ahead for articles about to be extracted (read_ahead), by
# article id and body: one parse of many articles' sentences costs less per sentence.
_AHEAD: dict[tuple[str, str], list[Sentence]] = {}
AHEAD_MAX = 256  # articles


def read_ahead(articles: Sequence[Article], model: EventModel | None = None) -> None:
    """Find and parse, in one batch, the candidate sentences of articles that extract() will
    be called on next (a replay reads ahead by a few dozen articles). Purely a speed-up:
    extract() gives the same mentions with or without it."""
    model = model or default_model()
    if len(_AHEAD) > AHEAD_MAX:
        _AHEAD.clear()  # read ahead and never extracted (a dead-lettered article): let go
    batch: list[Sentence] = []
    for article in articles:
        found = _candidates(article, model)
        _AHEAD[article.id, article.body] = found
        batch += found
    parse_all(batch)


def extract(record: ArticleRecord, model: EventModel | None = None) -> list[EventMention]:
    """Every political event mention the article reports, in text order, one per act."""
    article = record.article
    model = model or default_model()
    found = _AHEAD.pop((article.id, article.body), None)
    if found is None:
        found = _candidates(article, model)
    published = article.published_at.date() if article.published_at else None
    late = published_late(article.published_at)
    parse_all(found)
    drafts = [
        draft
        for sentence in found
        for clause in clauses(sentence)
        if (draft := _read_clause(sentence, clause, model, published, late)) is not None
    ]
    _inherit_history(drafts, article.title, article.body)
    _as_attacks(drafts)
    _attribute(drafts)
    _resolve_references(drafts, lambda: _title_drafts(article.title, model, published, late))
    return [_mention(record, d) for d in _consolidate(drafts)]


def _title_drafts(title: str, model: EventModel, published: date | None, late: bool) -> list[Draft]:
    """The acts the headline reports: what a reaction in the body may be aimed at."""
    sentence = candidate(title, 0, published, model.triggers) if title else None
    if sentence is None:
        return []
    parse_all([sentence])
    drafts = [_read_clause(sentence, c, model, published, late) for c in clauses(sentence)]
    return [d for d in drafts if d is not None]
