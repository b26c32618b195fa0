"""PLOVER trigger lexicon: how news words report each event root, mode and subtype.

The words live in streams/data/vocabulary/triggers.yaml, which operators read and edit; this
module validates that file once per process and compiles its patterns. A bad file raises
ConfigError naming the file, the line and the field.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, cast, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
)

from schemas.event import MODES, EventType
from streams.extraction.morphology import ING, NOUN, PAST, Tag, noun_forms, verb_forms
from streams.yamlfiles import Source, read_model

VOCABULARY_DIR = Path(__file__).resolve().parents[1] / "data" / "vocabulary"
TRIGGERS = "triggers.yaml"

# A pattern is words separated by spaces; the first is the head looked up in the sentence,
# the rest must follow it. In a word, `a/b` are alternatives, `~` inflects a verb (agree~ is
# agree, agrees, agreed, agreeing), `+` a noun (talk+ is talk, talks), `*` marks a verb form
# written out (freed*), `_` joins two words. `...` skips up to four words, `?word` is
# optional, `-word` must not follow. Spaces after a `/` are dropped, so that a long list of
# alternatives can be broken across lines in the file.
GAP = r"(?:\s+[^\s,;:]+){0,4}?"


@dataclass(frozen=True)
class Entry:
    """One way of reporting an event: its PLOVER coding and how much the words can be trusted."""

    root: EventType
    mode: str | None
    subtype: str
    weight: float  # how often the words mean this event in political news, 0..1
    tail: re.Pattern[str] | None
    needs: Context | None  # the sentence must also say this somewhere
    unless: Context | None  # and must not say this
    not_after: re.Pattern[str] | None  # nor this right after the head
    verbal: bool | None  # force verb (True) or noun (False) reading; None: from the form
    speech: bool  # a speech act whose complement is reported content (urge X to attack)
    needs_place: bool = False  # only an event when a place is named (troops "in" somewhere)
    # a statement about an event, not an event (CAMEO 01): "denied having troops there", "declined
    # to comment"; it still governs what it reports, and names REJECT when a root is demanded
    statement: bool = False
    specific: bool = False  # its tail requires words, so it is tried before bare heads


def _word_forms(word: str) -> dict[str, Tag]:
    if word.endswith("~"):
        return verb_forms(word[:-1])
    if word.endswith("+"):
        return noun_forms(word[:-1])
    if word.endswith("*"):
        return {word[:-1]: ING if word.endswith("ing*") else PAST}
    return {word: NOUN}


def _alternatives(word: str) -> list[str]:
    out: list[str] = []
    for alt in word.split("/"):
        phrases = [""]
        for part in alt.split("_"):
            phrases = [f"{p} {f}".strip() for p in phrases for f in _word_forms(part)]
        out += phrases
    return out


def _group(word: str) -> str:
    forms = sorted(set(_alternatives(word)), key=len, reverse=True)
    return "(?:" + "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in forms) + r")(?![\w-])"


def _head(word: str) -> dict[str, Tag]:
    heads: dict[str, Tag] = {}
    for alt in word.split("/"):
        for form, tag in _word_forms(alt).items():
            heads.setdefault(form, tag)
    return heads


def _tail(words: list[str]) -> str:
    parts = []
    for word in words:
        if word == "...":
            parts.append(GAP)
        elif word.startswith("?"):
            parts.append(rf"(?:\s+{_group(word[1:])})?")
        elif word.startswith("-"):
            parts.append(rf"(?!\s+{_group(word[1:])})")
        else:
            parts.append(rf"\s+{_group(word)}")
    return "".join(parts)


@dataclass(frozen=True)
class Context:
    """Words a sentence must or must not hold, found by set lookups rather than regexes."""

    words: frozenset[str]
    prefixes: tuple[str, ...]
    phrases: tuple[str, ...]
    phrase_heads: frozenset[str] = frozenset()  # first words: a phrase is sought only after one

    def found(self, lowered: str, words: Collection[str]) -> bool:
        """Whether the sentence (lower-cased, and its words as read from it) holds any of them."""
        if not self.words.isdisjoint(words):
            return True
        if self.phrases and not self.phrase_heads.isdisjoint(words):
            for phrase in self.phrases:
                if phrase in lowered:
                    return True
        if not self.prefixes:
            return False
        # A word of the sentence starting with a prefix holds it: one substring search per
        # prefix rules most sentences out before their words are walked.
        for prefix in self.prefixes:
            if prefix in lowered:
                return any(w.startswith(self.prefixes) for w in words)
        return False


def _first_word(phrase: str) -> str:
    """The first word of a phrase as sentences are split into words ("u.s." starts with "u")."""
    m = re.match(r"[a-z][a-z'’-]*", phrase)
    return m.group() if m else phrase


# --- the file ---------------------------------------------------------------------------------

_NAME = r"^[a-z][a-z0-9_]*$"
_ROOTS: tuple[str, ...] = get_args(EventType)
_FRAGMENT_REF = re.compile(r"\{([a-z][a-z0-9_]*)\}")
_SPEECH_ROOTS = frozenset({"ACCUSE", "REQUEST", "REJECT", "AGREE", "SUPPORT", "THREATEN"})


def _coding(value: str) -> str:
    root, slash, mode = value.partition("/")
    if root not in _ROOTS:
        raise ValueError(f"unknown PLOVER root {root!r} (one of {', '.join(_ROOTS)})")
    if slash and mode not in MODES.get(root, frozenset()):
        modes = ", ".join(sorted(MODES.get(root, frozenset())))
        raise ValueError(f"{mode!r} is not a PLOVER mode of {root} (one of {modes})")
    return value


def _pattern(value: str) -> str:
    """One pattern, its spaces normalised; its words are checked, not yet compiled."""
    words = re.sub(r"/\s+", "/", value).split()
    if not words:
        raise ValueError("empty pattern")
    if ";" in value:
        raise ValueError("one pattern per item: write each `;`-separated pattern as an item")
    if words[0] == "..." or words[0][0] in "?-":
        raise ValueError(f"a pattern starts with its head word, not {words[0]!r}")
    for word in words:
        if word == "...":
            continue
        body = word[1:] if word[0] in "?-" else word
        parts = [p for alt in body.split("/") for p in alt.split("_")]
        if any(p in ("", "~", "+", "*") for p in parts):
            raise ValueError(f"{word!r} has an empty alternative or word")
    return " ".join(words)


def _context_words(value: str) -> str:
    words = value.split()
    if not words:
        raise ValueError("a context needs words")
    for word in words:
        if "*" in word[:-1] or word == "*":
            raise ValueError(f"{word!r}: `*` ends a prefix and nothing else")
    return value


def _fragment(value: str) -> str:
    try:
        re.compile(value)
    except re.error as err:
        raise ValueError(f"not a regular expression: {err}") from err
    return value


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


_Name = Annotated[str, Field(pattern=_NAME)]
_Names = Annotated[list[_Name] | None, BeforeValidator(_one_or_many), Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class _Trigger(_Model):
    coding: Annotated[str, AfterValidator(_coding)]
    subtype: _Name
    patterns: list[Annotated[str, AfterValidator(_pattern)]] = Field(min_length=1)
    weight: float = Field(default=0.85, ge=0, le=1)
    needs: _Names = None
    unless: _Names = None
    not_after: str | None = Field(default=None, min_length=1)
    verbal: bool | None = None
    speech: bool | None = None
    tail_re: str = ""
    needs_place: bool = False
    statement: bool = False

    @field_validator("weight")
    @classmethod
    def _finite(cls, value: float) -> float:
        if value != value:  # NaN passes ge and le
            raise ValueError("weight must be a number from 0 to 1")
        return value


class _TriggersFile(_Model):
    fragments: dict[_Name, Annotated[str, AfterValidator(_fragment)]] = Field(default_factory=dict)
    contexts: dict[_Name, Annotated[str, AfterValidator(_context_words)]] = Field(
        default_factory=dict
    )
    triggers: list[_Trigger] = Field(min_length=1)


def _read(path: Path) -> tuple[_TriggersFile, Source]:
    return read_model(path, _TriggersFile, "vocabulary")


def _context(items: list[str]) -> Context:
    return Context(
        words=frozenset(i for i in items if "_" not in i and "*" not in i and "." not in i),
        prefixes=tuple(i[:-1] for i in items if i.endswith("*")),
        phrases=tuple(i.replace("_", " ") for i in items if "_" in i or "." in i),
        phrase_heads=frozenset(_first_word(i) for i in items if "_" in i or "." in i),
    )


class _Compiler:
    """Turns the validated file into entries, checking what spans its sections."""

    def __init__(self, data: _TriggersFile, source: Source) -> None:
        self.data = data
        self.source = source
        self.contexts: dict[tuple[str, ...], Context] = {}

    def context(self, names: list[str] | None, loc: tuple[int | str, ...]) -> Context | None:
        if names is None:
            return None
        for j, name in enumerate(names):
            if name not in self.data.contexts:
                known = ", ".join(self.data.contexts) or "none"
                raise self.source.fail((*loc, j), f"unknown context {name!r} (contexts: {known})")
        key = tuple(names)
        if key not in self.contexts:
            self.contexts[key] = _context([w for n in names for w in self.data.contexts[n].split()])
        return self.contexts[key]

    def regex(self, text: str, loc: tuple[int | str, ...]) -> str:
        """`text` with its {fragment} references written out."""

        def fragment(m: re.Match[str]) -> str:
            if m.group(1) not in self.data.fragments:
                known = ", ".join(self.data.fragments) or "none"
                raise self.source.fail(loc, f"unknown fragment {m.group()} (fragments: {known})")
            return self.data.fragments[m.group(1)]

        return _FRAGMENT_REF.sub(fragment, text)

    def compile(self, pattern: str, loc: tuple[int | str, ...]) -> re.Pattern[str]:
        try:
            return re.compile(pattern, re.IGNORECASE)
        except re.error as err:
            raise self.source.fail(loc, f"not a regular expression: {err}") from err

    def entries(self, i: int, trigger: _Trigger) -> list[tuple[dict[str, Tag], Entry]]:
        """The entries of every pattern of one trigger."""
        loc: tuple[int | str, ...] = ("triggers", i)
        root, _, mode = trigger.coding.partition("/")
        needs = self.context(trigger.needs, (*loc, "needs"))
        unless = self.context(trigger.unless, (*loc, "unless"))
        not_after = None
        if trigger.not_after is not None:
            expanded = self.regex(trigger.not_after, (*loc, "not_after"))
            self.compile(expanded, (*loc, "not_after"))  # its errors, at positions in the file
            not_after = self.compile(rf"\s+(?:{expanded})\b", (*loc, "not_after"))
        tail_re = self.regex(trigger.tail_re, (*loc, "tail_re"))
        if tail_re:
            self.compile(tail_re, (*loc, "tail_re"))
        out = []
        for j, pattern in enumerate(trigger.patterns):
            head, *rest = pattern.split()
            tail = _tail(rest) + tail_re
            where = (*loc, "tail_re") if tail_re else (*loc, "patterns", j)
            entry = Entry(
                root=cast(EventType, root),
                mode=mode or None,
                subtype=trigger.subtype,
                weight=trigger.weight,
                tail=self.compile(tail, where) if tail else None,
                needs=needs,
                unless=unless,
                not_after=not_after,
                verbal=trigger.verbal,
                speech=root in _SPEECH_ROOTS if trigger.speech is None else trigger.speech,
                needs_place=trigger.needs_place,
                specific=bool(tail_re) or any(not w.startswith("-") for w in rest),
                statement=trigger.statement,
            )
            out.append((_head(head), entry))
        return out


def load(directory: Path = VOCABULARY_DIR) -> tuple[tuple[dict[str, Tag], Entry], ...]:
    """The entries of `directory`/triggers.yaml in file order, one per pattern; a bad file
    raises ConfigError naming the file, the line and the field."""
    data, source = _read(directory / TRIGGERS)
    compiler = _Compiler(data, source)
    return tuple(e for i, t in enumerate(data.triggers) for e in compiler.entries(i, t))


@lru_cache(maxsize=1)
def lexicon() -> tuple[tuple[dict[str, Tag], Entry], ...]:
    """The shipped lexicon, loaded once per process."""
    return load(VOCABULARY_DIR)


def index(lexicon: Iterable[tuple[dict[str, Tag], Entry]]) -> dict[str, list[tuple[Entry, Tag]]]:
    """Head form -> the entries it may start, those needing more words first, in lexicon order."""
    out: dict[str, list[tuple[Entry, Tag]]] = {}
    for heads, entry in lexicon:
        for form, tag in heads.items():
            out.setdefault(form.lower(), []).append((entry, tag))
    for entries in out.values():
        entries.sort(key=lambda et: not et[0].specific)  # stable: lexicon order otherwise
    return out


# At a head, the first entry (in file order, those with a tail first) whose words match wins.
LEXICON = lexicon()
HEADS = index(LEXICON)
