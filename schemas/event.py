"""Event models: one extracted mention, and the canonical event that merges many."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from schemas.base import Payload, UtcDatetime

Severity = Literal["info", "low", "medium", "high", "critical"]
EventStatus = Literal["open", "retired"]

SEVERITY_ORDER: dict[str, int] = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}

EventType = Literal[
    "AGREE",
    "SUPPORT",
    "CONCEDE",
    "COOPERATE",
    "AID",
    "CONSULT",
    "RETREAT",
    "REQUEST",
    "REJECT",
    "ACCUSE",
    "THREATEN",
    "PROTEST",
    "SANCTION",
    "MOBILIZE",
    "COERCE",
    "ASSAULT",
]

# PLOVER modes allowed under each root (../shared/specs/events.md).
MODES: dict[str, frozenset[str]] = {
    "CONSULT": frozenset({"visit", "third-party", "multilateral", "phone"}),
    "RETREAT": frozenset({"withdraw", "release", "disarm", "ceasefire", "access", "resign"}),
    "REQUEST": frozenset({"assist", "change", "yield", "meet"}),
    "REJECT": frozenset({"assist", "change", "yield", "meet"}),
    "ACCUSE": frozenset({"disapprove", "investigate", "allege"}),
    "THREATEN": frozenset({"restrict", "arrest", "relations", "expel", "territory", "violence"}),
    "PROTEST": frozenset({"demo", "riot", "strike", "hunger", "boycott", "obstruct"}),
    "SANCTION": frozenset({"convict", "expel", "withdraw", "discontinue"}),
    "MOBILIZE": frozenset({"troops", "weapons", "police", "militia"}),
    "COERCE": frozenset(
        {
            "seize",
            "restrict",
            "censor",
            "curfew",
            "martial-law",
            "arrest",
            "deport",
            "withhold",
            "misinformation",
            "cyber",
        }
    ),
    "ASSAULT": frozenset(
        {
            "abduct",
            "beat",
            "torture",
            "sexual",
            "targeted",
            "destroy",
            "primitive",
            "firearms",
            "explosives",
            "suicide-attack",
            "aerial",
            "drone",
            "heavy-weapons",
            "crowd-control",
            "unconventional",
        }
    ),
}


class Actor(Payload):
    """A participant: a state (ISO3), an international body, or a sector of one."""

    code: str = Field(min_length=2, max_length=16, description="ISO3 for states, UNO, NATO, EUR...")
    name: str = Field(description="Display name, e.g. North Korea.")
    sector: str | None = Field(default=None, description="GOV, MIL, LEG, JUD, REB, CVL, ...")


class Location(Payload):
    """Where an event happens."""

    name: str
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-3.")
    subdivision: str | None = Field(default=None, description="ISO 3166-2, e.g. RU-KRS.")


class Quantity(Payload):
    """A number the text gives: 'some 8,000 soldiers' is 8000 troops, approximately."""

    value: float
    unit: str = Field(description="troops, killed, injured, missiles, ...")
    qualifier: Literal["exact", "approximately", "at_least", "at_most", "more_than"] = "exact"
    text: str = Field(default="", description="The words it was read from.")


Factuality = Literal["asserted", "planned", "hypothetical", "negated"]


class Span(Payload):
    """Characters of the article body: [start, end)."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Evidence(Payload):
    """Where in the article body a mention was read."""

    sentence: str
    start: int = Field(ge=0, description="Character offset of the sentence in the body.")
    end: int = Field(ge=0)
    trigger: Span | None = Field(
        default=None, description="The word that reports the act (the clause's predicate)."
    )
    actors: list[Span] = Field(
        default_factory=list, description="The phrases naming who acts, as the parse read them."
    )
    recipients: list[Span] = Field(
        default_factory=list, description="The phrases naming who it is done to or aimed at."
    )
    source: Span | None = Field(
        default=None,
        description="Who the article says reported the act (a ministry, an agency, officials).",
    )
    date: Span | None = Field(
        default=None,
        description="The words that date the act; none: the act takes the article's date.",
    )


def _check_mode(event_type: str, mode: str | None) -> None:
    if mode is not None and mode not in MODES.get(event_type, frozenset()):
        raise ValueError(f"mode {mode!r} is not a PLOVER mode of {event_type}")


class EventMention(Payload):
    """One event as one article reports it (topic `events.mentions`)."""

    mention_id: str = Field(description="Deterministic: article id, offsets and event type.")
    article_id: str
    source: str
    published_at: UtcDatetime | None = None
    event_id: str | None = Field(default=None, description="The canonical event it merged into.")
    event_type: EventType
    mode: str | None = None
    subtype: str | None = None
    severity: Severity
    confidence: float = Field(
        ge=0.0,
        le=1.0,
        description="How often mentions of this confidence have the right event type "
        "(calibrated on held-out sentences; see docs/extraction.md).",
    )
    factuality: Factuality = Field(
        default="asserted",
        description="asserted: told as done or under way; planned: intended or announced, "
        "not yet done; hypothetical: possible, conditional or speculated; negated: told as not "
        "done. Only asserted, current mentions open canonical events and page.",
    )
    historical: bool = Field(
        default=False,
        description="The act happened before the article's news (an earlier date or period, "
        "or told as background): it may link to an open event, never opens one or pages.",
    )
    actors: list[Actor] = Field(default_factory=list)
    recipients: list[Actor] = Field(default_factory=list)
    location: Location | None = None
    quantities: list[Quantity] = Field(default_factory=list)
    weapon: str | None = None
    event_date: date | None = None
    evidence: Evidence
    duplicate_of: str | None = Field(
        default=None, description="Set when the article is a copy of an earlier one."
    )
    received_at: UtcDatetime | None = Field(
        default=None, description="When a worker received the article (latency metrics)."
    )

    @model_validator(mode="after")
    def _mode_belongs_to_root(self) -> EventMention:
        _check_mode(self.event_type, self.mode)
        return self


class QuantityReport(Payload):
    """A figure as one article reported it, kept as the event's history."""

    quantity: Quantity
    article_id: str
    source: str
    published_at: UtcDatetime | None = None


class CanonicalEvent(Payload):
    """The merged state of one real-world event (topic `events.canonical`, compacted)."""

    event_id: str
    event_type: EventType
    mode: str | None = None
    subtype: str | None = None
    severity: Severity
    actors: list[Actor] = Field(default_factory=list)
    recipients: list[Actor] = Field(default_factory=list)
    location: Location | None = None
    quantities: list[Quantity] = Field(
        default_factory=list, description="Latest figure per unit, from the newest report."
    )
    quantity_history: list[QuantityReport] = Field(default_factory=list)
    weapon: str | None = None
    event_date: date | None = None
    first_seen: UtcDatetime
    last_seen: UtcDatetime
    article_ids: list[str] = Field(
        default_factory=list,
        description="The articles that reported the event: all of them up to a hundred or so; "
        "past that a sample (article_count counts them all).",
    )
    article_count: int = Field(
        default=0, ge=0, description="How many articles reported the event (at least listed)."
    )
    sources: list[str] = Field(default_factory=list)
    mention_ids: list[str] = Field(
        default_factory=list,
        description="The reports merged into the event; past a hundred or so, a sample.",
    )
    mention_count: int = Field(
        default=0, ge=0, description="How many reports were merged into the event."
    )
    confidence: float = Field(ge=0.0, le=1.0)
    last_received_at: UtcDatetime | None = Field(
        default=None, description="When a worker received the article behind the last update."
    )
    status: EventStatus = Field(
        default="open",
        description="open: the event as it stands. retired: a later report showed this event "
        "and `merged_into` are one; its reports now belong to that event and this id gets no "
        "further updates.",
    )
    merged_into: str | None = Field(
        default=None, description="For a retired event: the event that now holds its reports."
    )
    merged_from: list[str] = Field(
        default_factory=list,
        description="Ids of the events retired into this one, so a consumer can follow them.",
    )

    @model_validator(mode="after")
    def _mode_belongs_to_root(self) -> CanonicalEvent:
        _check_mode(self.event_type, self.mode)
        if (self.status == "retired") != (self.merged_into is not None):
            raise ValueError("a retired event names the event it merged into; an open one does not")
        # Counts are at least what is listed (a producer that lists all may leave them out).
        self.article_count = max(self.article_count, len(self.article_ids))
        self.mention_count = max(self.mention_count, len(self.mention_ids))
        return self
