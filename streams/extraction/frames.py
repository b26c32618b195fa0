"""Who did what to whom, read from a dependency parse: a sentence's event predicates, their
parties, their source and whether the clause says the act happened."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from streams.extraction.vocabulary import Factuality, FramesFile, frames

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_SUBJECTS = frozenset({"nsubj", "csubj"})
_PASSIVE_SUBJECTS = frozenset({"nsubjpass", "csubjpass"})
_CLAUSAL = frozenset({"ccomp", "xcomp", "parataxis"})
# Dependents that are no part of a party's name: what it did, where it is, what follows.
_NOT_NAME = frozenset(
    {"relcl", "acl", "advcl", "conj", "cc", "punct", "appos", "prep", "parataxis", "ccomp",
     "xcomp", "mark", "advmod", "npadvmod", "dep"}
)  # fmt: skip
# "of" joins an organ to its state ("the government of Iraq"): part of the name.
_NAME_PREPOSITIONS = frozenset({"of"})


@dataclass(frozen=True)
class Party:
    """A phrase naming a participant: character offsets in the sentence, and its head's."""

    start: int
    end: int
    head_start: int
    head_end: int
    lemma: str
    pos: str
    pronoun: bool = False


@dataclass(frozen=True)
class Frame:
    """One event predicate of a sentence, read in its clause."""

    index: int  # token index of the predicate
    start: int  # its characters in the sentence
    end: int
    lemma: str
    pos: str
    tag: str
    clause: str  # main, reported (what a source says), coordinate, subordinate ("after ...")
    governors: tuple[str, ...]  # lemmas of the verbs the predicate was reached through
    actors: tuple[Party, ...]
    recipients: tuple[Party, ...]
    source: Party | None
    passive: bool
    negated: bool
    modal: str | None
    conditional: bool
    factuality: Factuality
    objects: tuple[str, ...] = field(default=())  # lemmas of the direct objects
    complement: str | None = None  # lemma of an xcomp or ccomp the predicate governs
    themes: tuple[Party, ...] = field(default=())  # "of" phrases of a nominal act


def _name_span(token: Token) -> tuple[int, int]:
    """The characters of the phrase a party's head names: its modifiers, an "of" phrase,
    not its relative clauses, appositions or other prepositional phrases."""
    lo, hi = token.idx, token.idx + len(token.text)
    stack = [token]
    while stack:
        t = stack.pop()
        for c in t.children:
            keep = (c.dep_ == "prep" and c.lemma_.lower() in _NAME_PREPOSITIONS) or (
                t is not token and c.dep_ in ("conj", "cc")  # "leaders of Japan and Korea"
            )
            if c.dep_ in _NOT_NAME and not keep:
                continue
            lo, hi = min(lo, c.idx), max(hi, c.idx + len(c.text))
            stack.append(c)
    return lo, hi


def _party(token: Token, vocab: FramesFile) -> Party:
    start, end = _name_span(token)
    lemma = token.lemma_.lower()
    return Party(
        start=start,
        end=end,
        head_start=token.idx,
        head_end=token.idx + len(token.text),
        lemma=lemma,
        pos=token.pos_,
        pronoun=token.pos_ == "PRON" and lemma in vocab.pronouns or token.lower_ in vocab.pronouns,
    )


def _with_conjuncts(token: Token) -> list[Token]:
    """A party and those coordinated with it, including a list the parser hangs on the first
    name as an apposition ("The United States, South Korea and Japan")."""
    out = [token, *token.conjuncts]
    for c in token.children:
        if c.dep_ == "appos" and c.pos_ == "PROPN" and token.pos_ == "PROPN":
            out += [c, *c.conjuncts]
    return out


def _own_subject(verb: Token) -> tuple[list[Token], bool]:
    """(subject tokens, passive) of a verb that names its own subject; in "there are 8,000
    soldiers in Kursk" the soldiers are the subject."""
    for c in verb.children:
        if c.dep_ in _SUBJECTS:
            return _with_conjuncts(c), False
        if c.dep_ == "expl":
            attrs = [a for a in verb.children if a.dep_ == "attr"]
            if attrs:
                return _with_conjuncts(attrs[0]), False
    for c in verb.children:
        if c.dep_ in _PASSIVE_SUBJECTS:
            return _with_conjuncts(c), True
    return [], any(c.dep_ == "auxpass" for c in verb.children)


def _agent(verb: Token) -> list[Token]:
    for c in verb.children:
        if c.dep_ == "agent":
            for o in c.children:
                if o.dep_ == "pobj":
                    return _with_conjuncts(o)
    return []


def _inherited_subject(verb: Token, vocab: FramesFile) -> list[Token]:
    """The agent of a verb with no subject of its own: the subject of the verb it is
    coordinated with or the complement of ("vowed to retaliate", "struck and killed"), the
    object of a verb of asking ("urged Russia to withdraw"), or the noun a relative or
    participle clause hangs on ("rebels who seized ...")."""
    head = verb.head
    if head is verb:
        return []
    if verb.dep_ == "conj" or (verb.dep_ == "xcomp" and head.pos_ in ("VERB", "AUX", "ADJ")):
        if verb.dep_ == "xcomp" and head.lemma_.lower() in vocab.object_control:
            objects = [c for c in head.children if c.dep_ in ("dobj", "dative")]
            if objects:
                return _with_conjuncts(objects[0])
        subject, passive = _own_subject(head)
        if subject and not passive:
            return subject
        return _agent(head) or _inherited_subject(head, vocab) if not subject else []
    if verb.dep_ == "relcl":
        if any(c.dep_ in _SUBJECTS and c.tag_ in ("WDT", "WP") for c in verb.children):
            return [head]
        return []
    if verb.dep_ == "advcl" and verb.tag_ == "VBG":
        subject, passive = _own_subject(head)  # "..., killing three": the head's subject
        return _agent(head) if passive else subject
    return []


def _recipients(verb: Token, vocab: FramesFile) -> list[Token]:
    """Who the act is done to or aimed at: its object, a dative, or the object of a target
    preposition on the verb or on its object ("imposed sanctions on Russia")."""
    objects = [c for c in verb.children if c.dep_ in ("dobj", "dative")]
    preps = [c for c in verb.children if c.dep_ == "prep"]
    light = verb.lemma_.lower() in vocab.light_verbs
    for obj in objects:
        # "imposed sanctions on Russia": the target of the act named by the object; but
        # "condemned Russia's shelling of Kharkiv" is aimed at Russia, not at Kharkiv
        if light or not (_is_event_noun(obj) or obj.lemma_.lower() in vocab.instruments):
            preps += [c for c in obj.children if c.dep_ == "prep" and c.lower_ != "of"]
    targets = []
    for prep in preps:
        if prep.lemma_.lower() in vocab.target_prepositions:
            targets += [o for o in prep.children if o.dep_ == "pobj"]
    for comp in verb.children:  # "demanded that Israel withdraw": Israel
        if comp.dep_ == "ccomp" and verb.lemma_.lower() not in vocab.speech:
            subject, _ = _own_subject(comp)
            targets += subject[:1]
    chosen = [t for first in objects[:1] + targets for t in _with_conjuncts(first)]
    found = [t for t in chosen if _may_be_party(t, vocab)]
    if not found:  # "threatened to strike Israel": the target of what is threatened
        for comp in verb.children:
            if comp.dep_ == "xcomp" and comp.pos_ in ("VERB", "AUX"):
                return _recipients(comp, vocab)
    return found


def _may_be_party(token: Token, vocab: FramesFile) -> bool:
    """Not a time ("on Monday"), nor a weapon or an act unless someone's ("fired missiles"
    names no target; "condemned Russia's shelling" does)."""
    lemma = token.lemma_.lower()
    if lemma in vocab.time_words or token.like_num:
        return False
    if lemma in vocab.instruments or _is_event_noun(token):
        return any(
            c.dep_ in ("poss", "compound", "amod") and c.text[:1].isupper() for c in token.children
        )
    return True


def _modality(
    verb: Token, governors: list[Token], vocab: FramesFile
) -> tuple[bool, str | None, bool, Factuality]:
    """(negated, modal, conditional, factuality) of the predicate and the verbs above it."""
    chain = [verb, *governors]
    negated = any(c.dep_ == "neg" for t in chain for c in t.children) or any(
        c.dep_ == "dobj" and any(d.dep_ == "det" and d.lower_ == "no" for d in c.children)
        for c in verb.children
    )  # "had no indication", "found no evidence"
    modal = next(
        (
            c.lower_
            for t in chain
            for c in t.children
            if c.dep_ == "aux" and c.tag_ == "MD" and c.lower_ in vocab.modals
        ),
        None,
    )
    conditional = any(
        c.dep_ == "mark" and c.lower_ in vocab.conditional for t in chain for c in t.children
    ) or any(  # "Israel would respond if Iran tested ...": the act waits on a condition
        c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in vocab.conditional
                                  for m in c.children)
        for c in verb.children
    )  # fmt: skip
    gov_lemmas = {g.lemma_.lower() for g in governors}
    going = any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children) and any(
        g.lower_ == "going" for g in governors
    )
    if negated or gov_lemmas & set(vocab.failure):
        factuality: Factuality = "negated"
    elif conditional or (modal and vocab.modals[modal] == "hypothetical"):
        factuality = "hypothetical"
    elif modal or going or gov_lemmas & set(vocab.planning):
        factuality = "planned"
    else:
        factuality = "asserted"
    return negated, modal, conditional, factuality


def _descend(token: Token, vocab: FramesFile) -> tuple[Token, list[Token], Token | None, str]:
    """From a clause's head down to the act it reports: through verbs of saying (the speaker
    is the source), planning and aspect. Returns (predicate, governors, speaker, clause)."""
    governors: list[Token] = []
    speaker: Token | None = None
    clause = "main"
    current = token
    for _ in range(4):
        lemma = current.lemma_.lower()
        comps = [c for c in current.children if c.dep_ in _CLAUSAL and c.pos_ in ("VERB", "AUX")]
        # "said it has information that ...": what the information says is the report
        report = [o for o in current.children
                  if o.dep_ == "dobj" and o.lemma_.lower() in vocab.report_nouns]  # fmt: skip
        if report and not comps:
            comps = [c for c in report[0].children
                     if c.dep_ in ("acl", "ccomp", "relcl") and c.pos_ in ("VERB", "AUX")
                     and any(m.lower_ == "that" for m in c.children)]  # fmt: skip
        if (lemma in vocab.speech or report) and comps:
            subject, _ = _own_subject(current)
            speaker = subject[0] if subject else speaker
            for c in current.children:  # "according to X"
                if c.dep_ == "prep" and c.lower_ == "according" and speaker is None:
                    speaker = next((o for p in c.children for o in p.children
                                    if o.dep_ == "pobj"), None)  # fmt: skip
            governors.append(current)
            current, clause = comps[0], "reported"
            continue
        xcomps = [c for c in current.children if c.dep_ == "xcomp" and c.pos_ in ("VERB", "AUX")]
        if xcomps and (
            lemma in vocab.planning or lemma in vocab.aspect or lemma in vocab.failure
            or current.lower_ == "going"
        ):  # fmt: skip
            governors.append(current)
            current = xcomps[0]
            continue
        light = lemma in vocab.light_subject and not any(c.dep_ == "dobj" for c in current.children)
        if current.pos_ in ("VERB", "AUX") and (light or current.lower_ not in _event_words()[1]):
            # "The deployment began", "The deployment of troops worries Seoul": the noun
            # reports the act, the verb only what came of it
            subject, _ = _own_subject(current)
            if subject and subject[0].pos_ == "NOUN" and _is_event_noun(subject[0]):
                governors.append(current)
                current = subject[0]
        break
    return current, governors, speaker, clause


@cache
def _event_words() -> tuple[frozenset[str], frozenset[str]]:
    """(nouns that may report an act, every word that may): the trigger lexicon's heads."""
    from streams.extraction.lexicon import HEADS
    from streams.extraction.morphology import NOUN

    nouns = frozenset(w for w, entries in HEADS.items() if any(t == NOUN for _, t in entries))
    return nouns, frozenset(HEADS)


def _is_event_noun(token: Token) -> bool:
    nouns = _event_words()[0]
    return token.lower_ in nouns or token.lemma_.lower() in nouns


def is_event_word(lemma: str) -> bool:
    """Whether a noun's lemma may name an act ("the launch", "the deployment")."""
    return lemma in _event_words()[0]


def _noun_roles(noun: Token, vocab: FramesFile) -> tuple[list[Token], list[Token], list[Token]]:
    """Parties of a nominal act: "Russia's invasion of Ukraine", "the attack by rebels on X",
    "the deployment of North Korean troops to Russia". Returns (actors, recipients, themes):
    what follows "of" is a theme, the target of an invasion but the forces of a deployment."""
    actors: list[Token] = []
    recipients: list[Token] = []
    themes: list[Token] = []
    for c in noun.children:
        if c.dep_ == "poss" or (c.dep_ in ("amod", "compound") and c.pos_ in ("PROPN", "ADJ")):
            actors.append(c)
        elif c.dep_ == "prep":
            objects = [o for o in c.children if o.dep_ == "pobj" and _may_be_party(o, vocab)]
            if c.lower_ == "by":
                actors += objects
            elif c.lower_ == "of":
                themes += objects
            elif c.lemma_.lower() in vocab.target_prepositions:
                recipients += objects
    return actors, themes + recipients, themes


def _frame(
    predicate: Token,
    governors: list[Token],
    speaker: Token | None,
    clause: str,
    vocab: FramesFile,
) -> Frame:
    themes: list[Token] = []
    if predicate.pos_ in ("NOUN", "PROPN"):
        actor_tokens, recipient_tokens, themes = _noun_roles(predicate, vocab)
        passive = False
    else:
        actor_tokens, passive = _own_subject(predicate)
        if not actor_tokens and clause == "subordinate":
            actor_tokens = _marked_subject(predicate)
        recipient_tokens = _recipients(predicate, vocab)
        if passive:
            recipient_tokens = actor_tokens + recipient_tokens
            actor_tokens = _agent(predicate)
        elif not actor_tokens:
            actor_tokens = _inherited_subject(predicate, vocab)
    if (
        speaker is not None
        and actor_tokens
        and all(t.lower_ in vocab.pronouns for t in actor_tokens)
    ):
        actor_tokens = [speaker]  # "the military said it had launched": the speaker acts
    actors = [_party(t, vocab) for t in actor_tokens]
    recipients = [_party(t, vocab) for t in recipient_tokens if t not in actor_tokens]
    negated, modal, conditional, factuality = _modality(predicate, governors, vocab)
    objects = tuple(c.lemma_.lower() for c in predicate.children if c.dep_ == "dobj")
    complement = next(
        (c.lemma_.lower() for c in predicate.children if c.dep_ in ("xcomp", "ccomp")), None
    )
    return Frame(
        index=predicate.i,
        start=predicate.idx,
        end=predicate.idx + len(predicate.text),
        lemma=predicate.lemma_.lower(),
        pos=predicate.pos_,
        tag=predicate.tag_,
        clause=clause,
        governors=tuple(g.lemma_.lower() for g in governors),
        actors=tuple(actors),
        recipients=tuple(recipients),
        source=_party(speaker, vocab) if speaker is not None else None,
        passive=passive,
        negated=negated,
        modal=modal,
        conditional=conditional,
        factuality=factuality,
        objects=objects,
        complement=complement,
        themes=tuple(_party(t, vocab) for t in themes),
    )


def _clause_heads(doc: Doc) -> Iterator[Token]:
    for token in doc:
        if token.dep_ == "ROOT":
            yield token


def read_frames(doc: Doc, vocab: FramesFile | None = None) -> list[Frame]:
    """The sentence's event predicates: the act its main clause reports (below any verb of
    saying, planning or aspect), then each coordinated verb, with its own subject ("North
    Korea fired a missile and Japan condemned the launch") or its first verb's ("protested
    ... and condemned"). Clauses that only set the scene (after, when, which ...) are not
    events of the sentence."""
    vocab = vocab or frames()
    out: list[Frame] = []
    seen: set[int] = set()
    for head in _clause_heads(doc):
        predicate, governors, speaker, clause = _descend(head, vocab)
        if predicate.i not in seen:
            seen.add(predicate.i)
            out.append(_frame(predicate, governors, speaker, clause, vocab))
        for conj in predicate.conjuncts:
            if conj.i in seen or conj.pos_ not in ("VERB", "AUX"):
                continue
            inner, inner_governors, inner_speaker, _ = _descend(conj, vocab)
            if inner.i in seen:
                continue
            seen.add(inner.i)
            out.append(
                _frame(
                    inner,
                    governors + inner_governors,
                    inner_speaker or speaker,
                    "coordinate",
                    vocab,
                )  # fmt: skip
            )
        for clause_head in (head, predicate):
            for sub in clause_head.children:  # "A day after North Korea fired an ICBM, ..."
                if (
                    sub.dep_ == "advcl"
                    and sub.i not in seen
                    and sub.pos_ in ("VERB", "AUX")
                    and any(m.dep_ == "mark" and m.lower_ in _AFTER for m in sub.children)
                    and (_own_subject(sub)[0] or _marked_subject(sub))
                ):
                    seen.add(sub.i)
                    out.append(_frame(sub, [], None, "subordinate", vocab))
    return out


def _marked_subject(verb: Token) -> list[Token]:
    """The subject the parser hangs on the subordinator ("after North Korea test-fired":
    Korea as the object of "after")."""
    return [o for m in verb.children if m.dep_ == "mark" for o in m.children if o.dep_ == "pobj"]


# Subordinators of a clause that tells an act done just before the news ("after Russia
# struck Kyiv, ..."): an act of its own, dated by its own words.
_AFTER = frozenset({"after", "following", "once"})
