"""Every value the state tables store, typed, with the one codec that writes it as JSON.

Stages read and write state through these types. On the wire each is the compact JSON a
Faust table changelogs: one-letter keys and positional lists save bytes on every write, and
are what state written by earlier versions holds. Each type's `encode` writes exactly that
JSON and its `decode` reads it back, so no stored byte changed when the types came in; a
change to a shape is a state migration. tests/unit/state/test_codec.py pins the JSON of
every shape: a renamed, dropped or reordered field fails it.

The reference, table by table (``t`` is epoch seconds, stream time unless said otherwise):

Every table: each value sits in an expiry envelope (`Expiring`, streams.state.expiring)::

    {"v": value, "x": stream expiry t | null, "w": wall expiry t}    "w" only with a wall clock

A `Deadline` stored inside a value is ``[stream expiry t, wall expiry t | null]``.

``first-copies`` (stories step, streams.stories.nearcopies), one entry per first copy::

    <article id>          FirstCopy    {"sig": packed MinHash signature, "story": story id,
                                        "seen": t}

``stories`` (stories step, streams.stories.clusterer)::

    s:<story id>          Story        {"t": {term: weight}, "e": {name: weight},
                                        "y": {year: count}, "r": {lead year: count},
                                        "n": {number: count}, "d": {MM-DD[-YYYY]: count},
                                        "c": articles, "f": first article t,
                                        "l": last article t}
    a:<article id>        the article's story id, a bare string

``event-blocks`` (events step, streams.merging.store; every key starts with its block, the
message key ``<event type>|<mode or ->|<state>`` it lives with)::

    <block>               BlockEntry   {"events": {event id: OpenEvent},
                                        "retired": {event id: RetiredEvent},
                                        "waiting": {mention id: WaitingReport},
                                        "token": mention id of the merge that stored it}
    <block>#<event id>    EventEntry   {"reports": {mention id: mention JSON},
                                        "rows": {mention id: Report},
                                        "merged_from": [event id], "more": Digest | null,
                                        "baseline": Baseline | null}
    <block>#m:<mention>   MentionLink  {"event": event id | null, "mention": mention JSON}
                                       ("mention" only while the report waits for an event)

    OpenEvent     [opened t, last seen t, seed mention id, Deadline, reports kept, Summary]
    RetiredEvent  [survivor event id, Deadline]
    WaitingReport [Report, Deadline]
    Report        [lo, hi, country, subdivision, [actor], [recipient], ongoing, opens,
                   seen t, event date]                  lo, hi: days; null when unbounded
    Summary       [lo, hi, first, last, country, [point place], [place], [[recipient]],
                   [[actor]]]                           lo .. last: days; null when unbounded
    Digest        {"mentions", "articles", "mention_ids", "article_ids", "sources",
                   "severity", "history", "dated", "dates", "received", "seen"}
    Baseline      {"p": paged, "s": severity, "f": {unit: figure}}

A mention's JSON is schemas.EventMention's, without its event_id; a figure in a digest's
history is schemas.QuantityReport's. Both are kept as JSON: an event is rebuilt from its
reports on each report, and parsing each would cost more than the merge.

``delivered`` (delivery, streams.delivery.policy)::

    <alert id>|<channel>  true
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

Document = dict[str, Any]
"""A mention as an event keeps it: schemas.EventMention as JSON, without its event_id."""
Figure = dict[str, Any]
"""A figure with the report that gave it: schemas.QuantityReport as JSON."""


def _finite(day: float) -> float | None:
    """A day as stored: an unbounded one (infinite) as null, which JSON has no number for."""
    return None if math.isinf(day) else day


@dataclass(frozen=True, slots=True)
class Deadline:
    """When something stored expires (streams.state.expiring.ExpiringState.expired)."""

    stream: float | None
    """Stream time; None: never."""
    wall: float | None = None
    """Wall time, which must have passed as well; None: stream time alone decides."""

    def encode(self) -> list[float | None]:
        return [self.stream, self.wall]

    @classmethod
    def decode(cls, raw: list[float | None]) -> Deadline:
        stream, wall = raw
        return cls(stream, wall)


@dataclass(frozen=True, slots=True)
class Expiring:
    """The envelope every stored value sits in: the value and when it expires."""

    value: Any
    """The stored value, as its own type encodes it."""
    deadline: Deadline

    def encode(self) -> dict[str, Any]:
        raw = {"v": self.value, "x": self.deadline.stream}
        if self.deadline.wall is not None:
            raw["w"] = self.deadline.wall
        return raw

    @classmethod
    def decode(cls, raw: dict[str, Any]) -> Expiring:
        return cls(raw["v"], Deadline(raw.get("x"), raw.get("w")))


# --- The stories step ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FirstCopy:
    """The first copy of a text seen in the window, which later copies are marked copies of."""

    signature: str
    """Its MinHash signature, packed (streams.stories.nearcopies.pack)."""
    story: str
    """The story it was given, which its copies join."""
    seen: float
    """When it was seen: of several first copies a copy matches, the earliest is its original."""

    def encode(self) -> dict[str, Any]:
        return {"sig": self.signature, "story": self.story, "seen": self.seen}

    @classmethod
    def decode(cls, raw: dict[str, Any]) -> FirstCopy:
        return cls(raw["sig"], raw["story"], raw["seen"])


@dataclass(frozen=True, slots=True)
class Story:
    """An open story: a bounded centroid of its articles and what they state."""

    terms: dict[str, float]
    """Its heaviest content terms, heaviest first, weights summed over its articles."""
    names: dict[str, float]
    """Its heaviest names, as terms."""
    years: dict[str, int]
    """Years its articles mention -> how often."""
    lead_years: dict[str, int]
    """Years its articles' leads mention -> how many leads."""
    numbers: dict[str, int]
    """Numbers its articles state -> how many articles."""
    dates: dict[str, int]
    """Calendar days (MM-DD or MM-DD-YYYY) its articles name -> how many articles."""
    articles: int
    """Articles it holds."""
    first: float
    """When its first article was published."""
    last: float
    """When its latest article was published: it expires a window after."""

    def encode(self) -> dict[str, Any]:
        return {
            "t": self.terms,
            "e": self.names,
            "y": self.years,
            "r": self.lead_years,
            "n": self.numbers,
            "d": self.dates,
            "c": self.articles,
            "f": self.first,
            "l": self.last,
        }

    @classmethod
    def decode(cls, raw: dict[str, Any]) -> Story:
        return cls(
            raw["t"], raw["e"], raw["y"], raw["r"], raw["n"], raw["d"], raw["c"], raw["f"], raw["l"]
        )


# --- The events step ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Report:
    """One news mention as membership sees it (streams.merging.reports), stored compact, in
    its event's entry or, while it waits for one, in its block's entry; keyed by its mention
    id, so the id is not in the row."""

    mention_id: str
    lo: float
    """First day (proleptic ordinal, fractional) the act can have happened on."""
    hi: float
    """Last such day."""
    country: str | None
    subdivision: str | None
    actors: frozenset[str]
    recipients: frozenset[str]
    ongoing: bool
    opens: bool
    seen: float
    """Publication time (epoch seconds): the report keeps its event open for a window."""
    day: str | None
    """The mention's event date, which names an event it opens."""

    def encode(self) -> list[Any]:
        return [
            _finite(self.lo),
            _finite(self.hi),
            self.country,
            self.subdivision,
            sorted(self.actors),
            sorted(self.recipients),
            self.ongoing,
            self.opens,
            self.seen,
            self.day,
        ]

    @classmethod
    def decode(cls, mention_id: str, raw: list[Any]) -> Report:
        lo, hi, country, subdivision, actors, recipients, ongoing, opens, seen, day = raw
        return cls(
            mention_id,
            -math.inf if lo is None else lo,
            math.inf if hi is None else hi,
            country,
            subdivision,
            frozenset(actors),
            frozenset(recipients),
            ongoing,
            opens,
            seen,
            day,
        )


@dataclass(frozen=True, slots=True)
class Summary:
    """What deciding whether a report can join an event needs of the reports it keeps
    (streams.merging.reports.Membership), without the reports."""

    lo: float
    """The first day all its reports span."""
    hi: float
    """The last day all its reports span."""
    first: float
    """The first day any of its reports spans."""
    last: float
    """The last day any of its reports spans."""
    country: str | None
    point_places: frozenset[str]
    """The regions its reports of a point act (not an ongoing one) name."""
    places: frozenset[str]
    """The regions any of its reports names."""
    recipient_sets: frozenset[frozenset[str]]
    """The recipients of each report that names some."""
    actor_sets: frozenset[frozenset[str]]
    """The actors of each report that names some."""

    def encode(self) -> list[Any]:
        return [
            _finite(self.lo),
            _finite(self.hi),
            _finite(self.first),
            _finite(self.last),
            self.country,
            sorted(self.point_places),
            sorted(self.places),
            sorted(sorted(s) for s in self.recipient_sets),
            sorted(sorted(s) for s in self.actor_sets),
        ]

    @classmethod
    def decode(cls, raw: list[Any]) -> Summary:
        lo, hi, first, last, country, point_places, places, recipient_sets, actor_sets = raw
        return cls(
            -math.inf if lo is None else lo,
            math.inf if hi is None else hi,
            -math.inf if first is None else first,
            math.inf if last is None else last,
            country,
            frozenset(point_places),
            frozenset(places),
            frozenset(map(frozenset, recipient_sets)),
            frozenset(map(frozenset, actor_sets)),
        )


# A block's entry is stored on every report merged into it, and most of its events, retired
# ids and waiting reports did not change: each of those encodes once (a cached_property, so
# these three keep a __dict__ rather than slots), and one decoded keeps the JSON it was read
# from, so storing a block costs little more than copying its dicts. Successive stored
# copies of a block share that JSON; nothing changes stored JSON in place.

_Stored = TypeVar("_Stored", "OpenEvent", "RetiredEvent", "WaitingReport")


def _encodes_as(value: _Stored, raw: list[Any]) -> _Stored:
    """`value`, decoded from `raw`, encodes to it as it is: it need not encode again."""
    value.__dict__["_encoded"] = raw
    return value


@dataclass(frozen=True)
class OpenEvent:
    """One of a block's open events, as the block's entry lists it."""

    opened: float
    """When it was opened: the older of two events keeps its id when they turn out one."""
    last_seen: float
    """When its latest report was published."""
    seed: str
    """The report that opened it, which its id stays with."""
    deadline: Deadline
    """A window after it last changed."""
    kept: int
    """Reports it keeps in full (streams.merging.merge.MAX_KEPT), in its own entry."""
    summary: Summary | None
    """None only between its opening and its first update, within one merge."""

    def encode(self) -> list[Any]:
        return self._encoded

    @cached_property
    def _encoded(self) -> list[Any]:
        summary = None if self.summary is None else self.summary.encode()
        return [self.opened, self.last_seen, self.seed, self.deadline.encode(), self.kept, summary]

    @classmethod
    def decode(cls, raw: list[Any]) -> OpenEvent:
        opened, last_seen, seed, deadline, kept, summary = raw
        event = cls(
            opened,
            last_seen,
            seed,
            Deadline.decode(deadline),
            kept,
            None if summary is None else Summary.decode(summary),
        )
        return _encodes_as(event, raw)


@dataclass(frozen=True)
class RetiredEvent:
    """An event retired into another, remembered so that no new event takes its id and its
    redelivered reports find the survivor."""

    into: str
    """The event it was retired into."""
    deadline: Deadline

    def encode(self) -> list[Any]:
        return self._encoded

    @cached_property
    def _encoded(self) -> list[Any]:
        return [self.into, self.deadline.encode()]

    @classmethod
    def decode(cls, raw: list[Any]) -> RetiredEvent:
        into, deadline = raw
        return _encodes_as(cls(into, Deadline.decode(deadline)), raw)


@dataclass(frozen=True)
class WaitingReport:
    """A report no event took yet (it may not open one); its mention is in its mention key."""

    report: Report
    deadline: Deadline

    def encode(self) -> list[Any]:
        return self._encoded

    @cached_property
    def _encoded(self) -> list[Any]:
        return [self.report.encode(), self.deadline.encode()]

    @classmethod
    def decode(cls, mention_id: str, raw: list[Any]) -> WaitingReport:
        row, deadline = raw
        return _encodes_as(cls(Report.decode(mention_id, row), Deadline.decode(deadline)), raw)


@dataclass(frozen=True, slots=True)
class BlockEntry:
    """A block's entry: its open events (least recently changed first), the events retired
    into another, and the reports waiting for an event to join."""

    events: dict[str, OpenEvent]
    retired: dict[str, RetiredEvent]
    waiting: dict[str, WaitingReport]
    """By mention id."""
    token: str | None
    """The mention whose merge stored it: a process that kept the block decoded uses its
    copy only while the stored entry carries the same token (streams.merging.store.Decoded)."""

    def encode(self) -> dict[str, Any]:
        return {
            "events": {e: v.encode() for e, v in self.events.items()},
            "retired": {e: v.encode() for e, v in self.retired.items()},
            "waiting": {m: v.encode() for m, v in self.waiting.items()},
            "token": self.token,
        }

    @classmethod
    def decode(cls, raw: dict[str, Any]) -> BlockEntry:
        return cls(
            {e: OpenEvent.decode(v) for e, v in raw["events"].items()},
            {e: RetiredEvent.decode(v) for e, v in raw["retired"].items()},
            {m: WaitingReport.decode(m, v) for m, v in raw["waiting"].items()},
            raw.get("token"),
        )

    @staticmethod
    def token_of(raw: dict[str, Any] | None) -> str | None:
        """The token of a stored entry, without decoding the rest."""
        return raw.get("token") if raw else None


@dataclass(frozen=True, slots=True)
class Digest:
    """What an event's reports past those it keeps in full add to it (streams.merging.build):
    their counts, ids, sources and figures up to a limit, and the extremes of the rest."""

    mentions: int
    articles: int
    mention_ids: list[str]
    article_ids: list[str]
    sources: list[str]
    severity: list[str]
    """The least and the most severe (one when they are the same; none when no report)."""
    history: list[Figure]
    """The newest figures, oldest first."""
    dated: list[str]
    """The earliest and latest event dates the reports' sentences name (ISO days)."""
    dates: list[str]
    """The earliest and latest event dates of any of the reports (ISO days)."""
    received: list[str]
    """The earliest and latest times the reports' articles were received (ISO)."""
    seen: list[float]
    """The earliest and latest publication times (epoch seconds)."""

    def encode(self) -> dict[str, Any]:
        return {
            "mentions": self.mentions,
            "articles": self.articles,
            "mention_ids": self.mention_ids,
            "article_ids": self.article_ids,
            "sources": self.sources,
            "severity": self.severity,
            "history": self.history,
            "dated": self.dated,
            "dates": self.dates,
            "received": self.received,
            "seen": self.seen,
        }

    @classmethod
    def decode(cls, raw: dict[str, Any]) -> Digest:
        return cls(
            mentions=raw["mentions"],
            articles=raw["articles"],
            mention_ids=raw["mention_ids"],
            article_ids=raw["article_ids"],
            sources=raw["sources"],
            severity=raw["severity"],
            history=raw["history"],
            dated=raw["dated"],
            dates=raw["dates"],
            received=raw["received"],
            seen=raw["seen"],
        )


@dataclass(frozen=True, slots=True)
class Baseline:
    """What an event looked like when it last paged, stored with the event.

    `paged` says whether it paged at all: until it has, each change is asked whether it now
    deserves its first ("new") page; after, only a rise over `severity` or `figures`
    escalates (streams.stages.alerts).
    """

    paged: bool
    severity: str
    figures: dict[str, float] = field(default_factory=dict)

    def encode(self) -> dict[str, Any]:
        return {"p": self.paged, "s": self.severity, "f": self.figures}

    @classmethod
    def decode(cls, raw: dict[str, Any]) -> Baseline:
        return cls(paged=bool(raw["p"]), severity=raw["s"], figures=dict(raw["f"]))


@dataclass(frozen=True, slots=True)
class EventEntry:
    """An open event's own entry: the reports it keeps in full, the digest of the rest, and
    its paging baseline."""

    reports: dict[str, Document]
    """Its kept reports' mentions by mention id, in id order: enough to rebuild the event."""
    rows: dict[str, Report]
    """The same reports as membership sees them."""
    merged_from: list[str]
    """Events retired into it, sorted."""
    more: Digest | None
    """Its reports past those it keeps in full; None while it keeps them all."""
    baseline: Baseline | None
    """None until the alert rules have seen it."""

    def encode(self) -> dict[str, Any]:
        return {
            "reports": self.reports,
            "rows": {m: r.encode() for m, r in self.rows.items()},
            "merged_from": self.merged_from,
            "more": None if self.more is None else self.more.encode(),
            "baseline": None if self.baseline is None else self.baseline.encode(),
        }

    @classmethod
    def decode(cls, raw: dict[str, Any]) -> EventEntry:
        more, baseline = raw["more"], raw["baseline"]
        return cls(
            raw["reports"],
            {m: Report.decode(m, row) for m, row in raw["rows"].items()},
            raw["merged_from"],
            None if more is None else Digest.decode(more),
            None if baseline is None else Baseline.decode(baseline),
        )


@dataclass(frozen=True, slots=True)
class MentionLink:
    """Which event a news report was merged into, so a redelivered report changes nothing."""

    event: str | None
    """None while it waits for an event to join."""
    mention: Document | None = None
    """The report's mention while it waits (an event's entry holds it after)."""

    def encode(self) -> dict[str, Any]:
        if self.mention is None:
            return {"event": self.event}
        return {"event": self.event, "mention": self.mention}

    @classmethod
    def decode(cls, raw: dict[str, Any]) -> MentionLink:
        return cls(raw["event"], raw.get("mention"))
