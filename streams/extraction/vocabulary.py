"""The extraction's word lists and tables: data files, validated once per process."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from schemas.event import MODES, EventType, Severity
from streams.yamlfiles import read_model

VOCABULARY_DIR = Path(__file__).resolve().parents[1] / "data" / "vocabulary"

Factuality = Literal["asserted", "planned", "hypothetical", "negated"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Lemmas = list[str]


def _lemmas(value: list[str]) -> list[str]:
    bad = [v for v in value if not v or v != v.strip() or v.lower() != v]
    if bad:
        raise ValueError(f"lemmas are lower-case words without spaces around them: {bad}")
    return value


class FramesFile(_Model):
    """`frames.yaml`: how a parse is read (see the file's comments)."""

    speech: Lemmas
    report_nouns: Lemmas
    planning: Lemmas
    aspect: Lemmas
    failure: Lemmas
    object_control: Lemmas
    light_subject: Lemmas
    light_verbs: Lemmas
    instruments: Lemmas
    sources: Lemmas
    target_prepositions: Lemmas
    place_prepositions: Lemmas
    modals: dict[str, Literal["planned", "hypothetical"]]
    conditional: Lemmas
    pronouns: Lemmas
    time_words: Lemmas
    official_nouns: Lemmas
    threat_verbs: Lemmas
    test_verbs: Lemmas
    blame_verbs: Lemmas
    reaction_objects: Lemmas

    _check = field_validator(
        "speech", "report_nouns", "planning", "aspect", "failure", "object_control",
        "light_subject", "light_verbs", "instruments", "sources", "target_prepositions",
        "place_prepositions", "conditional", "pronouns", "time_words", "official_nouns",
        "threat_verbs", "test_verbs", "blame_verbs", "reaction_objects",
    )(_lemmas)  # fmt: skip


class Subtype(_Model):
    """One subtype of the spec's table: its PLOVER coding, severity, cues and headline."""

    name: str = Field(pattern=r"^[a-z_]+$")
    root: EventType
    mode: str | None = None
    severity: Severity
    # Lemmas that name it, in the predicate, its object or anywhere in the clause.
    cues: Lemmas = Field(default_factory=list)
    # Phrases (lower case) that name it anywhere in the sentence.
    phrases: list[str] = Field(default_factory=list)
    # Words that make missiles fired a test (missile_test only; see the file's comments).
    test_words: Lemmas = Field(default_factory=list)
    # A generic subtype: taken only when no other subtype of its root is named.
    fallback: bool = False
    # Lemmas that give another mode of the root ("suicide": suicide-attack).
    mode_cues: dict[str, str] = Field(default_factory=dict)
    # How a page says it: templates tried in order (see the file's comments).
    headline: list[str] = Field(min_length=1)

    _check = field_validator("cues", "test_words")(_lemmas)

    @model_validator(mode="after")
    def _modes_of_root(self) -> Subtype:
        allowed = MODES.get(self.root, frozenset())
        for mode in (self.mode, *self.mode_cues.values()):
            if mode is not None and mode not in allowed:
                raise ValueError(f"{mode!r} is not a PLOVER mode of {self.root}")
        return self


class SubtypesFile(_Model):
    """`subtypes.yaml`: the spec's subtype table, in the order cues are tried."""

    subtypes: list[Subtype]
    asked_modes: dict[Literal["meet", "yield", "assist", "change"], Lemmas]
    threat_modes: dict[Literal["expel", "relations", "arrest", "restrict", "violence"], Lemmas]
    critical_infrastructure: Lemmas
    retreat_words: Lemmas
    root_severity: dict[EventType, Severity]
    root_headline: dict[EventType, list[str]]


class TopicsFile(_Model):
    """`topics.yaml`: words that put a sentence or an article outside politics."""

    words: Lemmas
    phrases: list[str]


@cache
def frames(directory: Path = VOCABULARY_DIR) -> FramesFile:
    """frames.yaml, validated."""
    return read_model(directory / "frames.yaml", FramesFile, "vocabulary")[0]


@cache
def subtypes(directory: Path = VOCABULARY_DIR) -> SubtypesFile:
    """subtypes.yaml, validated."""
    return read_model(directory / "subtypes.yaml", SubtypesFile, "vocabulary")[0]


@cache
def topics(directory: Path = VOCABULARY_DIR) -> TopicsFile:
    """topics.yaml, validated."""
    return read_model(directory / "topics.yaml", TopicsFile, "vocabulary")[0]
