"""One sentence read for events: its triggers and names, a parse where one is worth it, and
each clause's frame, coded parties and classifier features. Extraction and training share it,
so the model is trained on exactly what it sees at run time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

from streams.extraction.classify import Trigger, find_triggers, main_trigger, words_of
from streams.extraction.entities import EntityMention, find_entities
from streams.extraction.features import (
    FUNCTION_POS,
    Features,
    PartyKinds,
    clause_tokens,
    lexical,
    syntactic,
)
from streams.extraction.frames import Frame, read_frames
from streams.extraction.parse import parse
from streams.extraction.parties import Coded, code_parties

if TYPE_CHECKING:
    from spacy.tokens import Doc


@dataclass
class Sentence:
    """A candidate sentence: it holds a trigger word."""

    text: str
    start: int  # offset of the sentence in the article body
    words: list[str]
    triggers: list[Trigger]
    entities: list[EntityMention]
    doc: Doc | None = None
    # per token of the parse: (lower-cased lemma, is a content word), read once
    lemmas: list[tuple[str, bool]] = field(default_factory=list)

    @cached_property
    def lemma_set(self) -> frozenset[str]:
        """Every lemma of the sentence (its words when it was not parsed)."""
        if self.doc is None:
            return frozenset(self.words)
        return frozenset(lemma for lemma, _ in self.lemmas)

    @property
    def worth_parsing(self) -> bool:
        """A sentence that names a party or a place: who did what to whom can be read."""
        return bool(self.entities)


@dataclass(frozen=True)
class Clause:
    """One event predicate of a sentence with what the classifier needs."""

    frame: Frame | None  # None: the sentence was read without a parse
    actors: Coded
    recipients: Coded
    features: Features


_NO_PARTIES = Coded([], [])


def read_sentence(text: str, start: int, on: date | None) -> Sentence:
    """A sentence with its words, lexicon triggers and gazetteer names."""
    words = words_of(text.lower())
    return Sentence(text, start, words, find_triggers(text, words), find_entities(text, on))


def candidate(
    text: str, start: int, on: date | None, extra: frozenset[str] = frozenset()
) -> Sentence | None:
    """The sentence as a candidate, or None when no word of it may report an event: none
    starts a lexicon trigger and none is in `extra` (the model's learned trigger words).
    A sentence that names no party or place (so is read without a parse) is a candidate only
    when its main clause reports an act with a verb of the lexicon."""
    words = words_of(text.lower())
    triggers = find_triggers(text, words)
    if not triggers and extra.isdisjoint(words):
        return None
    entities = find_entities(text, on)
    if not entities:
        # read without a parse: only a sentence whose main clause reports an act by a verb
        # ("... was arrested", not "the arrest, which ...")
        main = main_trigger(triggers)
        if main is None or not main.verbal or main.clause:
            return None
    return Sentence(text, start, words, triggers, entities)


def parse_all(sentences: Sequence[Sentence]) -> None:
    """Parse, in one batch, the sentences worth parsing."""
    todo = [s for s in sentences if s.worth_parsing and s.doc is None]
    for sentence, doc in zip(todo, parse([s.text for s in todo]), strict=True):
        set_doc(sentence, doc)


def set_doc(sentence: Sentence, doc: Doc) -> None:
    """Attach a parse to a sentence, with its lemmas read once."""
    sentence.doc = doc
    sentence.lemmas = [(t.lemma_.lower(), t.pos_ not in FUNCTION_POS) for t in doc]


def clauses(sentence: Sentence) -> list[Clause]:
    """The sentence's clauses: one per event predicate when parsed, else one for the whole."""
    if sentence.doc is None:
        return [Clause(None, _NO_PARTIES, _NO_PARTIES, lexical_features(sentence))]
    doc = sentence.doc
    out = []
    frames = read_frames(doc)
    for frame in frames:
        # one clause: the whole sentence's words and triggers; several: each its own clause's
        triggers = sentence.triggers
        lemmas = sentence.lemmas
        if len(frames) > 1:
            own = clause_tokens(doc, frame)
            starts = {doc[i].idx for i in own}
            triggers = [t for t in triggers if t.start in starts]
            words = [lemmas[i][0] for i in sorted(own) if lemmas[i][1]]
        else:
            words = [lemma for lemma, content in lemmas if content]
        base = lexical(sentence.text, words, triggers)
        actors = code_parties(frame.actors, sentence.entities, targets=False)
        recipients = code_parties(frame.recipients, sentence.entities, targets=True)
        kinds = PartyKinds(
            actors=tuple(actors.kinds),
            recipients=tuple(recipients.kinds),
            actor_sectors=tuple(a.sector for a in actors.actors if a.sector),
            recipient_sectors=tuple(a.sector for a in recipients.actors if a.sector),
        )
        features = {**base, **syntactic(doc, frame, kinds)}
        out.append(Clause(frame, actors, recipients, features))
    return out


def lexical_features(sentence: Sentence) -> Features:
    """What the classifier reads of a sentence without a parse."""
    return lexical(sentence.text, sentence.words, sentence.triggers)
