"""Events: merge the mentions that report one real-world event into one canonical event.

Which reports make one event depends on the set of reports, not on the order they arrive
in. Reports meet in a block (`blocking_key`); within it, each news report is a `Report`:
an interval of days the act can have happened on, a place, and parties. Two reports can be
one event when their intervals overlap and their places and parties do not conflict; an
event is a set of reports that can all be one. `partition` groups a block's reports the
same way whatever order they came in: the most specific reports first (a named day before
"recently", a region before a country), each joining the event it fits best or opening its
own. Each new report repartitions the reports it can touch (those linked to it through
overlapping days), and the result is mapped onto the events that existed before by their
shared reports, so ids stay put: an event that gains a report keeps its id, a report can
move to an event it fits better, and when two events turn out to be one the older survives
and the other is retired with a pointer to it (docs/merging.md).
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_left, bisect_right
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, cached_property
from operator import attrgetter, itemgetter
from typing import Any

from schemas import CanonicalEvent, EventMention
from schemas.event import SEVERITY_ORDER
from streams.extraction.coding import STATEMENTS
from streams.ids import content_id
from streams.state.expiring import State

# How far apart two reports' dates may be and still be one event. A launch or a strike is a
# point in time, give or take a time zone; a deployment or a sanctions regime is reported
# over weeks. A report that names no day for the act carries its article's date: the act
# may have happened in the days before (timing.NEWS_DAYS).
POINT_TOLERANCE_DAYS = 1
UNDATED_TOLERANCE_DAYS = 3
ONGOING_TOLERANCE_DAYS = 21
ONGOING_SUBTYPES = frozenset(
    {"troop_deployment", "military_cooperation", "arms_transfer", "sanctions", "military_exercise"}
)

# Statements (coding.STATEMENTS) are told apart by who makes them; acts by where they happen.
# Roots whose modes are different kinds of act: a weapons test is no troop deployment.
_KIND_BY_MODE = frozenset({"MOBILIZE", "SANCTION", "RETREAT", "PROTEST"})


def blocking_key(mention: EventMention) -> str:
    """Where candidate events meet: the root (with the mode where modes are different acts)
    and the state it is anchored in, so reports that name the act differently (a bombing, a
    drone strike) or leave out its author still meet. A statement is anchored in its
    speaker's state, an act where it happened, else its target's, else its author's."""
    kind = mention.mode if mention.event_type in _KIND_BY_MODE and mention.mode else "-"
    return f"{mention.event_type}|{kind}|{anchor(mention)}"


def anchor(mention: EventMention) -> str:
    """The state code a mention is anchored in (see blocking_key)."""
    actors = [a.code for a in mention.actors]
    recipients = [a.code for a in mention.recipients]
    place = mention.location.country if mention.location else None
    if mention.event_type in STATEMENTS:
        order = [*actors[:1], place, *recipients[:1]]
    else:
        order = [place, *recipients[:1], *actors[:1]]
    return next((code for code in order if code), NOWHERE)


NOWHERE = "-"
"""The anchor of a mention that names no state (no party, no place in a known country): it
cannot be told apart from the same act anywhere else in the world, so it joins no event."""


def news(mention: EventMention) -> bool:
    """Told as done or under way, and part of the article's news rather than its history."""
    return mention.factuality == "asserted" and not mention.historical


# A mention opens an event only when the classifier is at least this sure of its type:
# below it, about half are right (docs/extraction.md, reliability table). It may still join
# an event opened by a surer report.
MIN_OPEN_CONFIDENCE = 0.5


def opens(mention: EventMention) -> bool:
    """Whether a mention may open a canonical event: news the classifier is sure enough of,
    anchored in a state (an act by no one nowhere cannot be told apart from any other)."""
    return (
        news(mention) and mention.confidence >= MIN_OPEN_CONFIDENCE and anchor(mention) != NOWHERE
    )


def event_key(block: str, event_id: str) -> str:
    """The state key of one event's full state: its block, so it lives on the block's partition."""
    return f"{block}#{event_id}"


def block_of(state_key: str) -> str:
    """The block (the message key on the events topic) a state key belongs to."""
    return state_key.split("#", 1)[0]


# --- Reports: what deciding membership needs of one news mention --------------------------


@dataclass(frozen=True)
class Report:
    """One news mention as membership sees it; kept, compact, in its block's entry."""

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

    @classmethod
    def of(cls, mention: EventMention, seen: float) -> Report:
        lo, hi = _interval(mention)
        where = mention.location
        return cls(
            mention_id=mention.mention_id,
            lo=lo,
            hi=hi,
            country=where.country if where else None,
            subdivision=where.subdivision if where else None,
            actors=frozenset(a.code for a in mention.actors),
            recipients=frozenset(a.code for a in mention.recipients),
            ongoing=mention.subtype in ONGOING_SUBTYPES,
            opens=opens(mention),
            seen=seen,
            day=mention.event_date.isoformat() if mention.event_date else None,
        )

    def dump(self) -> list[Any]:
        return [
            None if math.isinf(self.lo) else self.lo,
            None if math.isinf(self.hi) else self.hi,
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
    def load(cls, mention_id: str, row: list[Any]) -> Report:
        lo, hi, country, subdivision, actors, recipients, ongoing, can_open, seen, day = row
        return cls(
            mention_id=mention_id,
            lo=-math.inf if lo is None else lo,
            hi=math.inf if hi is None else hi,
            country=country,
            subdivision=subdivision,
            actors=frozenset(actors),
            recipients=frozenset(recipients),
            ongoing=ongoing,
            opens=can_open,
            seen=seen,
            day=day,
        )

    @cached_property
    def order(self) -> tuple[Any, ...]:
        """Most specific first: a narrower span of days, then more of place and parties."""
        specific = sum(
            (bool(self.subdivision), bool(self.country), bool(self.recipients), bool(self.actors))
        )
        return (self.hi - self.lo, -specific, self.lo, self.mention_id)

    @property
    def center(self) -> float:
        return (self.lo + self.hi) / 2


def _interval(mention: EventMention) -> tuple[float, float]:
    """The days the act can have happened on. Two reports whose spans overlap can be one.

    A dated report of a point act spans its day give or take half a day, so reports a day
    apart (a launch on Tuesday in Seoul is Monday in Washington) overlap; an ongoing act
    spans half its tolerance either side; an undated report reaches back to the days before
    its article; one that names only a vague time ("earlier this year") any day up to its
    article's.
    """
    point = POINT_TOLERANCE_DAYS / 2
    if mention.event_date is None:
        published = mention.published_at
        return -math.inf, (published.date().toordinal() + point) if published else math.inf
    day = float(mention.event_date.toordinal())
    half = ONGOING_TOLERANCE_DAYS / 2 if mention.subtype in ONGOING_SUBTYPES else point
    lo, hi = day - half, day + half
    if mention.evidence.date is None:
        lo -= UNDATED_TOLERANCE_DAYS - point
    return lo, hi


class _Event:
    """A set of reports that can all be one event, growing as `partition` adds to it."""

    def __init__(self, seed: Report, rank: int) -> None:
        self.reports: list[Report] = []
        self.rank = rank
        self.lo, self.hi = -math.inf, math.inf
        self.first, self.last = math.inf, -math.inf
        """The days any of its reports spans (lo and hi: the days all of them span)."""
        self.country: str | None = None
        self.point_places: set[str] = set()
        self.places: set[str] = set()
        self.recipient_sets: set[frozenset[str]] = set()
        self.actor_sets: set[frozenset[str]] = set()
        self.parties: set[str] = set()
        self.add(seed)

    def admits(self, report: Report) -> bool:
        """Whether `report` can be one event with every report already here.

        Days: the spans overlap pairwise exactly when they share a day (intervals on a
        line). Place: one country; one region for a point act (a deployment is reported
        region by region). Parties: a report naming recipients or actors shares at least
        one with every report that names some.
        """
        if max(self.lo, report.lo) > min(self.hi, report.hi):
            return False
        if self.country and report.country and self.country != report.country:
            return False
        if report.subdivision and not report.ongoing and self.point_places - {report.subdivision}:
            return False
        if report.recipients and any(not s & report.recipients for s in self.recipient_sets):
            return False
        return not (report.actors and any(not s & report.actors for s in self.actor_sets))

    def add(self, report: Report) -> None:
        self.reports.append(report)
        self.lo, self.hi = max(self.lo, report.lo), min(self.hi, report.hi)
        self.first, self.last = min(self.first, report.lo), max(self.last, report.hi)
        self.country = self.country or report.country
        if report.subdivision:
            self.places.add(report.subdivision)
            if not report.ongoing:
                self.point_places.add(report.subdivision)
        for codes, sets in (
            (report.recipients, self.recipient_sets),
            (report.actors, self.actor_sets),
        ):
            if codes:
                sets.add(codes)
                self.parties |= codes

    def fit(self, report: Report) -> tuple[Any, ...]:
        """How well `report` fits here, for choosing among events it could join (higher is
        better): its region, shared parties, the nearest days, then the most specific event."""
        bounds = (report.lo, report.hi, self.lo, self.hi)
        if any(math.isinf(b) for b in bounds):
            distance = 0.0
        else:
            distance = abs(report.center - (self.lo + self.hi) / 2)
        shared = len(self.parties & (report.actors | report.recipients))
        return (report.subdivision in self.places, shared, -distance, -self.rank)

    def touches(self, report: Report) -> bool:
        """Whether some of its reports may be one with `report`: their days overlap, and
        the country does not differ."""
        if max(self.first, report.lo) > min(self.last, report.hi):
            return False
        return not (self.country and report.country and self.country != report.country)

    def summary(self) -> list[Any]:
        """What `admits`, `touches` and `fit` need, as the block's entry keeps it (JSON)."""
        return [
            None if math.isinf(self.lo) else self.lo,
            None if math.isinf(self.hi) else self.hi,
            None if math.isinf(self.first) else self.first,
            None if math.isinf(self.last) else self.last,
            self.country,
            sorted(self.point_places),
            sorted(self.places),
            sorted(sorted(s) for s in self.recipient_sets),
            sorted(sorted(s) for s in self.actor_sets),
        ]

    @classmethod
    def of_summary(cls, summary: list[Any], rank: int) -> _Event:
        """An event as its summary describes it, without its reports."""
        lo, hi, first, last, country, point_places, places, recipient_sets, actor_sets = summary
        event = cls.__new__(cls)
        event.reports, event.rank = [], rank
        event.lo = -math.inf if lo is None else lo
        event.hi = math.inf if hi is None else hi
        event.first = -math.inf if first is None else first
        event.last = math.inf if last is None else last
        event.country = country
        event.point_places, event.places = set(point_places), set(places)
        event.recipient_sets = {frozenset(s) for s in recipient_sets}
        event.actor_sets = {frozenset(s) for s in actor_sets}
        event.parties = set().union(*event.recipient_sets, *event.actor_sets)
        return event

    @classmethod
    def of_reports(cls, reports: list[Report]) -> _Event:
        event = cls(reports[0], 0)
        for report in reports[1:]:
            event.add(report)
        return event


_ORDER = attrgetter("order")
_SPAN = attrgetter("lo", "hi", "mention_id")


def _kept_first(report: Report) -> tuple[Any, ...]:
    """Which of an event's reports it keeps in full (MAX_KEPT): those that may open an
    event, then the most specific."""
    return (not report.opens, report.order)


def partition(reports: Iterable[Report]) -> tuple[list[list[Report]], list[Report]]:
    """Group a block's reports into events; the same groups whatever order they came in.

    Reports that may open an event go first, most specific first: each joins the event it
    fits best (`_Event.fit`) among those it can be one with, or opens its own. Then reports
    that may only join (below the open confidence, or with nothing that anchors them) join
    the best event they fit; the rest wait for one. Returns the events (each a list of
    reports, its seed first, in the order they were opened) and the waiting reports.
    """
    ordered = sorted(reports, key=_ORDER)
    events: list[_Event] = []
    opened = _Openings()
    waiting: list[Report] = []
    for report in [r for r in ordered if r.opens] + [r for r in ordered if not r.opens]:
        fits = [event for event in opened.near(report) if event.admits(report)]
        if len(fits) > 1:
            max(fits, key=lambda event: event.fit(report)).add(report)
        elif fits:
            fits[0].add(report)
        elif report.opens:
            events.append(_Event(report, len(events)))
            opened.add(events[-1], report)
        else:
            waiting.append(report)
    return [event.reports for event in events], waiting


class _Openings:
    """The events of a partition by the days their first report spans. An event's days only
    narrow as reports join it, so the events a report can join are among those whose first
    report's days overlap its own: a block holds a window of days, a report fits a few."""

    def __init__(self) -> None:
        self._by_width: dict[float, tuple[list[float], list[_Event]]] = {}

    def add(self, event: _Event, seed: Report) -> None:
        starts, events = self._by_width.setdefault(seed.hi - seed.lo, ([], []))
        at = bisect_right(starts, seed.lo)
        starts.insert(at, seed.lo)
        events.insert(at, event)

    def near(self, report: Report) -> Iterator[_Event]:
        """The events whose first report's days overlap `report`'s."""
        for width, (starts, events) in self._by_width.items():
            if math.isinf(width):
                yield from events
            else:  # a start within [lo - width, hi] overlaps [lo, hi]
                yield from events[
                    bisect_left(starts, report.lo - width) : bisect_right(starts, report.hi)
                ]


def _component(reports: list[Report], report: Report) -> list[Report]:
    """The reports linked to `report` through overlapping days: the only ones whose grouping
    its arrival can change (reports of one event share a day, so an event is never split
    between two components)."""
    ordered = sorted(reports, key=_SPAN)
    groups: list[list[Report]] = []
    reach = -math.inf
    for r in ordered:
        if not groups or r.lo > reach:
            groups.append([])
            reach = r.hi
        groups[-1].append(r)
        reach = max(reach, r.hi)
    return next(g for g in groups if any(r.mention_id == report.mention_id for r in g))


# --- How far one report reaches -----------------------------------------------------------

EXACT_REPORTS = 64
"""A block holding fewer live reports than this is regrouped exactly: a report regroups
every report linked to it through overlapping days, so the events do not depend on arrival
order. Past it (a war's daily strikes in one state, a week of the world's news) a report
regroups only the few events it touches; the cost of a report then stays flat however full
the block."""
MAX_CANDIDATES = 4
"""Past EXACT_REPORTS: how many of the events a report touches it regroups, those it can
join first, then the best fitting. An event it touches but cannot join may hold a report
that fits it better, which it can then take over."""
RECENT_EVENTS = 512
"""The open events a block keeps joinable, the most recently changed: an older one stays
stored, and expires with its window, but takes no more reports."""
MAX_KEPT = 16
"""Reports an event keeps in full: those that may open an event first, then the most
specific (`Report.order`). They are regrouped and set the event's type, parties, place and
weapon. Further reports are folded into the event's digest (`_fold`: counts, ids, sources,
figures, severity, dates), stay with the event for good, and cost nothing more as the
event grows to thousands of reports."""
LISTED = 100
"""Ids and sources an event lists for the reports past those it keeps in full, and figures
it keeps of them (the newest); its counts (`mention_count`, `article_count`) go on."""
MAX_WAITING = 256
"""Reports a block keeps waiting for an event to join, the most recent."""
MAX_RETIRED = 1024
"""Retired event ids a block remembers (so a new event never takes one), the most recent."""


def mention_key(block: str, mention_id: str) -> str:
    """The state key that says which event a news report was merged into (and holds it while
    it waits for one): a redelivered report changes nothing."""
    return f"{block}#m:{mention_id}"


# --- A block's state ----------------------------------------------------------------------


@dataclass
class _Block:
    """A block's entry: its open events (least recently changed first), the events retired
    into another, and the reports waiting for an event to join. Each event's reports are in
    the event's own entry (`event_key`), so merging a report reads and writes the events it
    touches, not the block's every report.

    Everything in it expires like a state entry (State.expired): an event a window after it
    last changed, a retired id a window after it was retired, a waiting report a window
    after it came.
    """

    events: dict[str, list[Any]] = field(default_factory=dict)
    """event id -> [opened at (stream time), last seen, seed, deadline, reports, summary]:
    the seed is the report that opened the event, which the event's id stays with; the
    summary (`_Event.summary`) is what deciding whether a report can join needs."""
    retired: dict[str, list[Any]] = field(default_factory=dict)
    """event id -> [merged into, deadline]."""
    waiting: dict[str, list[Any]] = field(default_factory=dict)
    """mention id -> [report row (Report.dump), deadline]; the mention is in its mention key."""
    views: dict[str, _Event] = field(default_factory=dict, repr=False)
    """Events as their summaries describe them, built once (not stored)."""

    @classmethod
    def load(
        cls, key: str, value: Any, state: State, now: float, decoded: Decoded | None
    ) -> _Block:
        """The block as stored, without what expired."""
        block = decoded.get(key, value) if decoded is not None else None  # a copy already
        if block is None:
            if not value:
                return cls()
            # A copy: a dict table hands out the stored value itself, and a merge changes
            # an event's entry in place.
            block = cls(value["events"], value["retired"], value["waiting"]).copy()
        block.events = {e: v for e, v in block.events.items() if not state.expired(v[3], now)}
        block.retired = {e: v for e, v in block.retired.items() if not state.expired(v[1], now)}
        block.waiting = {m: v for m, v in block.waiting.items() if not state.expired(v[1], now)}
        return block

    def dump(self) -> dict[str, Any]:
        return {"events": self.events, "retired": self.retired, "waiting": self.waiting}

    def copy(self) -> _Block:
        """A copy to change without changing this one."""
        return _Block(
            {e: list(v) for e, v in self.events.items()},
            dict(self.retired),
            dict(self.waiting),
            {e: v for e, v in self.views.items() if e in self.events},
        )

    def now(self, event_id: str | None) -> str | None:
        """The event an event id stands for now: the one it was retired into, if it was."""
        seen = set()
        while event_id in self.retired and event_id not in seen:
            seen.add(event_id)
            event_id = self.retired[event_id][0]
        return event_id

    def size(self) -> int:
        """The reports the block holds: its events' and those waiting."""
        return sum(v[4] for v in self.events.values()) + len(self.waiting)

    def opened(self, event_id: str) -> tuple[float, str]:
        """Older events first: for ties, the event that keeps its id or survives a merge."""
        return self.events[event_id][0], event_id

    def changed(self, event_id: str, entry: list[Any]) -> None:
        """Store an event's entry as the most recently changed."""
        self.events.pop(event_id, None)
        self.views.pop(event_id, None)
        self.events[event_id] = entry

    def bound(self) -> None:
        """Keep the most recent RECENT_EVENTS events, MAX_WAITING waiting reports and
        MAX_RETIRED retired ids."""
        for kept, limit in (
            (self.events, RECENT_EVENTS),
            (self.waiting, MAX_WAITING),
            (self.retired, MAX_RETIRED),
        ):
            for oldest in list(itertools.islice(kept, max(0, len(kept) - limit))):
                del kept[oldest]

    def touched(self, report: Report) -> list[tuple[bool, tuple[Any, ...], str]]:
        """The events `report` touches (`_Event.touches`), best first: those it can join
        as they stand, then by how well it fits there. Ties go to the smaller id, so the
        order is the same whatever order the events were stored in."""
        fits = []
        for event_id, entry in self.events.items():
            event = self.views.get(event_id)
            if event is None and entry[5] is not None:
                event = self.views[event_id] = _Event.of_summary(entry[5], 0)
            if event is not None and event.touches(report):
                fits.append((event.admits(report), event.fit(report), event_id))
        fits.sort(key=itemgetter(2))
        fits.sort(key=itemgetter(0, 1), reverse=True)  # stable: the smaller id first on a tie
        return fits

    def best_event(self, report: Report) -> str | None:
        """The open event a report would join, without joining it (a mention that only
        refers to an event: history, a plan, a possibility, a denial)."""
        fits = self.touched(report)
        return fits[0][2] if fits and fits[0][0] else None


class Decoded:
    """The blocks this process last stored, kept decoded (least recently used dropped past
    `size`): a busy block holds hundreds of events, and decoding them for each new report
    would cost more than merging it. A kept block is used only while the stored entry still
    carries the token it was stored with (the mention whose merge stored it), so a block
    another worker changed, or expiry removed, is read from the store again."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._blocks: OrderedDict[str, tuple[str, _Block]] = OrderedDict()

    def get(self, key: str, value: Any) -> _Block | None:
        kept = self._blocks.get(key)
        if kept is None or not value or value.get("token") != kept[0]:
            return None
        self._blocks.move_to_end(key)
        return kept[1].copy()

    def put(self, key: str, token: str, block: _Block) -> None:
        self._blocks[key] = (token, block)
        self._blocks.move_to_end(key)
        while len(self._blocks) > self.size:
            self._blocks.popitem(last=False)


# --- Merging ------------------------------------------------------------------------------


@dataclass
class Change:
    """An event that a merge opened, changed or retired."""

    event: CanonicalEvent
    created: bool = False
    baseline: Any = None
    """The event's paging baseline as stored (streams.stages.alerts.Baseline); the step that
    evaluates alerts replaces it before the merge is committed."""
    absorbed: list[Any] = field(default_factory=list)
    """The stored baselines of events retired into this one in this merge."""


@dataclass
class Merge:
    """What merging one mention does: nothing is stored until `commit`."""

    mention: EventMention
    """The mention, linked to the event it belongs to (or to none)."""
    changes: list[Change] = field(default_factory=list)
    """Retired events first, then the events opened or changed, in a stable order."""
    relinked: list[EventMention] = field(default_factory=list)
    """Other reports whose event changed: a better fit opened, or their event was retired."""
    block: str = ""
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Each changed open event's entry: its reports (JSON and rows) and the events merged
    into it."""
    links: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Mention key -> which event the report now belongs to (and, waiting, the report)."""
    _block: _Block | None = None
    _decoded: Decoded | None = None

    @property
    def event(self) -> CanonicalEvent | None:
        """The open event this mention belongs to, when the merge changed it."""
        return next(
            (c.event for c in self.changes if c.event.event_id == self.mention.event_id), None
        )

    def commit(self, state: State, now: float, window: float) -> None:
        """Store what the merge changed; a merge that changed nothing stores nothing."""
        if self._block is None:
            return
        for change in self.changes:
            key = event_key(self.block, change.event.event_id)
            if change.event.status == "retired":
                state.delete(key)
            else:
                entry = {**self.entries[change.event.event_id], "baseline": change.baseline}
                state.put(key, entry, now, window)
        for key, link in self.links.items():
            state.put(key, link, now, window)
        token = self.mention.mention_id  # a mention is merged into its block once
        state.put(self.block, {**self._block.dump(), "token": token}, now, window)
        if self._decoded is not None:
            self._decoded.put(self.block, token, self._block)


def merge_mention(
    mention: EventMention,
    state: State,
    now: float,
    window: float,
    decoded: Decoded | None = None,
) -> Merge:
    """Merge `mention` into the events of its block; see the module docstring. `decoded`
    keeps the blocks this process stored, decoded, for the next report.

    Idempotent: a mention already merged changes nothing. A mention that is not news
    (history, a plan, a possibility, a denial) only refers to the open event it fits best;
    one anchored in no state refers to none.
    """
    key = blocking_key(mention)
    if anchor(mention) == NOWHERE:
        return Merge(mention.model_copy(update={"event_id": None}), block=key)
    seen = mention.published_at.timestamp() if mention.published_at else now
    report = Report.of(mention, seen)
    link = state.get(mention_key(key, mention.mention_id), now) if news(mention) else None
    block = _Block.load(key, state.get(key, now), state, now, decoded)
    if link is not None:
        return Merge(mention.model_copy(update={"event_id": block.now(link["event"])}), block=key)
    if not news(mention):
        return Merge(mention.model_copy(update={"event_id": block.best_event(report)}), block=key)
    merge = _Regroup(mention, report, key, block, state, now, window).merge()
    merge._decoded = decoded
    return merge


class _Regroup:
    """One news report's merge: regroup the reports it can touch, then work out what
    changed for the events that held them.

    What it can touch: in a block of fewer than EXACT_REPORTS reports, every report linked
    to it through overlapping days (`_component`); past that, the kept reports of the
    MAX_CANDIDATES events it touches first (`_Block.touched`), and the waiting reports it can
    be one with.
    """

    def __init__(
        self,
        mention: EventMention,
        report: Report,
        key: str,
        block: _Block,
        state: State,
        now: float,
        window: float,
    ) -> None:
        self.mention, self.key, self.block, self.state = mention, key, block, state
        self.now = now
        self.deadline = state.deadline(now, window)
        exact = block.size() < EXACT_REPORTS
        if exact:
            touched = list(block.events)
        else:
            touched = [e for *_, e in block.touched(report)[:MAX_CANDIDATES]]
        self.stored = {e: state.get(event_key(key, e), now) or {} for e in touched}
        self.reports: dict[str, Report] = {report.mention_id: report}
        self.before: dict[str, str | None] = {report.mention_id: None}
        for event_id, entry in self.stored.items():
            for m, row in entry.get("rows", {}).items():
                self.reports[m] = Report.load(m, row)
                self.before[m] = event_id
        alone = _Event(report, 0)
        for m, (row, _) in block.waiting.items():
            waiting = Report.load(m, row)
            if exact or alone.admits(waiting):
                self.reports[m] = waiting
                self.before[m] = None
        if exact:
            self.reach = _component(list(self.reports.values()), report)
        else:
            self.reach = list(self.reports.values())
        self.had: dict[str, set[str]] = {}
        for r in self.reach:
            if (e := self.before[r.mention_id]) is not None:
                self.had.setdefault(e, set()).add(r.mention_id)
        self.olds = sorted(self.had)
        self.documents = {mention.mention_id: _document(mention)}
        for entry in self.stored.values():
            self.documents.update(entry.get("reports", {}))

    def document(self, mention_id: str) -> dict[str, Any]:
        """A report as stored: in its event's entry, or in its mention key while it waits."""
        if mention_id not in self.documents:
            link = self.state.get(mention_key(self.key, mention_id), self.now) or {}
            self.documents[mention_id] = link["mention"]
        return self.documents[mention_id]

    def merge(self) -> Merge:
        groups, waiting = partition(self.reach)
        ids = self._ids(groups)
        after: dict[str, str | None] = {r.mention_id: None for r in waiting}
        after.update({r.mention_id: ids[i] for i, group in enumerate(groups) for r in group})
        merge = Merge(self.mention, block=self.key, _block=self.block)
        into = self._retire(after, ids, merge)
        for i, group in enumerate(groups):
            self._update(ids[i], group, into, merge)
        block = self.block
        for r in self.reach:
            block.waiting.pop(r.mention_id, None)
        for r in waiting:
            block.waiting[r.mention_id] = [r.dump(), self.deadline]
        mine = self.mention.mention_id
        for m, event_id in after.items():
            if m != mine and self.before.get(m) == event_id:
                continue
            link: dict[str, Any] = {"event": event_id}
            if event_id is None:
                link["mention"] = self.document(m)
            merge.links[mention_key(self.key, m)] = link
            if m != mine:
                moved = EventMention.model_validate(self.document(m))
                merge.relinked.append(moved.model_copy(update={"event_id": event_id}))
        block.bound()
        merge.mention = self.mention.model_copy(update={"event_id": after[mine]})
        return merge

    def _ids(self, groups: list[list[Report]]) -> dict[int, str]:
        """Carry the old events' ids over to the groups that continue them, so what an event
        said (and paged) goes on under its id: as many old events as the regrouping allows
        keep their ids (an event retires only when its reports really joined another's),
        each with the group holding most of its reports, counting first those that may open
        an event (a vague report that may only join says little of which event it was),
        then all, then the event's seed (the report that opened it). The other groups are
        new events, seeded by their first report."""
        olds = sorted(self.olds, key=self.block.opened)
        index = {event_id: j for j, event_id in enumerate(olds)}
        weights: dict[tuple[int, int], int] = {}
        for i, group in enumerate(groups):
            members = {r.mention_id for r in group}
            held = Counter(e for r in group if (e := self.before[r.mention_id]) is not None)
            opened = Counter(e for r in group if r.opens and (e := self.before[r.mention_id]))
            for event_id, count in held.items():
                seeded = self.block.events[event_id][2] in members
                weights[index[event_id], i] = (
                    _MATCH + 10_000 * opened[event_id] + 10 * count + seeded
                )
        ids = {i: olds[j] for j, i in _assign(weights, len(olds), len(groups)).items()}
        taken = set(self.block.events) | set(self.block.retired)
        for i, group in enumerate(groups):
            seed = group[0]
            if i not in ids:
                ids[i] = _new_id(self.key, seed, self._taken(taken))
                taken.add(ids[i])
                self.block.events[ids[i]] = [self.now, 0.0, seed.mention_id, self.deadline, 0, None]
            elif self.block.events[ids[i]][2] not in {r.mention_id for r in group}:
                self.block.events[ids[i]][2] = seed.mention_id  # its seed moved on
        return ids

    def _taken(self, taken: set[str]) -> Callable[[str], bool]:
        """Whether an id is taken: by the block's events, or by one still stored that is no
        longer among them (RECENT_EVENTS)."""
        return lambda event_id: (
            event_id in taken
            or (self.state.get(event_key(self.key, event_id), self.now) is not None)
        )

    def _retire(
        self, after: dict[str, str | None], ids: dict[int, str], merge: Merge
    ) -> dict[str, str]:
        """Retire each event whose id no group kept, into the event that took most of its
        reports; returns retired id -> survivor."""
        into: dict[str, str] = {}
        for old in [e for e in self.olds if e not in ids.values()]:
            moved = Counter(
                s for m, e in self.before.items() if e == old and (s := after[m]) is not None
            )
            survivor = min(moved or ids.values(), key=lambda e: (-moved[e], self.block.opened(e)))
            into[old] = survivor
            self.block.events.pop(old)
            self.block.retired[old] = [survivor, self.deadline]
            stored = self.stored[old]
            documents = list(stored.get("reports", {}).values())
            event = _build(old, documents, self.reports, stored.get("more"))
            event = event.model_copy(update={"status": "retired", "merged_into": survivor})
            merge.changes.append(Change(event, baseline=stored.get("baseline")))
        return into

    def _update(
        self, event_id: str, group: list[Report], into: dict[str, str], merge: Merge
    ) -> None:
        """The change to one group's event, if its reports changed."""
        members = {r.mention_id for r in group}
        had = self.had.get(event_id, set())
        absorbed = [old for old, survivor in into.items() if survivor == event_id]
        if members == had and not absorbed:
            return
        stored = self.stored.get(event_id, {})
        merged_from = set(stored.get("merged_from", []))
        more = stored.get("more")
        for old in absorbed:
            merged_from |= {old, *self.stored[old].get("merged_from", [])}
            more = _combine(more, self.stored[old].get("more"))
        specific = sorted(group, key=_kept_first)
        kept, settled = specific[:MAX_KEPT], specific[MAX_KEPT:]
        if settled:
            folded = _fold([self.document(r.mention_id) for r in settled], self.reports)
            more = _combine(more, folded)
        ordered = sorted(kept, key=attrgetter("mention_id"))
        reports = {r.mention_id: self.document(r.mention_id) for r in ordered}
        merge.entries[event_id] = {
            "reports": reports,
            "rows": {r.mention_id: r.dump() for r in ordered},
            "merged_from": sorted(merged_from),
            "more": more,
        }
        event = _build(event_id, list(reports.values()), self.reports, more)
        event = event.model_copy(
            update={
                "merged_from": sorted(merged_from),
                "last_received_at": _received(self.mention, event),
            }
        )
        opened, _, seed, *_ = self.block.events[event_id]
        last_seen = max(r.seen for r in group)
        summary = _Event.of_reports(kept).summary()
        self.block.changed(event_id, [opened, last_seen, seed, self.deadline, len(kept), summary])
        merge.changes.append(
            Change(
                event,
                created=event_id not in self.olds,
                baseline=stored.get("baseline"),
                absorbed=[self.stored[old].get("baseline") for old in absorbed],
            )
        )


def _received(mention: EventMention, event: CanonicalEvent) -> datetime | None:
    """When the article behind this update was received (the latency the alert reports)."""
    return mention.received_at or event.last_received_at


_MATCH = 10**9
"""What keeping one more old event's id is worth in `_assign`: more than any overlap."""


def _assign(weights: dict[tuple[int, int], int], olds: int, groups: int) -> dict[int, int]:
    """The assignment of old events to groups (old -> group, each used once) with the most
    weight. Old events and groups that share no report cannot compete, so each connected
    part is solved on its own: exactly (a search over its few members, the older event's
    choice first on a tie), or greedily, heaviest pair first, past `_EXACT` members."""
    parent = list(range(olds + groups))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for j, i in weights:
        parent[root(j)] = root(olds + i)
    parts: dict[int, list[tuple[int, int]]] = {}
    for pair in sorted(weights):
        parts.setdefault(root(pair[0]), []).append(pair)
    chosen: dict[int, int] = {}
    for pairs in parts.values():
        chosen.update(_assign_part({p: weights[p] for p in pairs}))
    return chosen


_EXACT = 12
"""Members (old events plus groups) up to which a connected part is assigned exactly."""


def _assign_part(weights: dict[tuple[int, int], int]) -> dict[int, int]:
    olds = sorted({j for j, _ in weights})
    groups = sorted({i for _, i in weights})
    if len(olds) + len(groups) > _EXACT:
        taken: dict[int, int] = {}
        for (j, i), _ in sorted(weights.items(), key=lambda item: (-item[1], item[0])):
            if j not in taken and i not in taken.values():
                taken[j] = i
        return taken
    bit = {i: 1 << n for n, i in enumerate(groups)}

    @cache
    def best(k: int, used: int) -> tuple[int, tuple[tuple[int, int], ...]]:
        if k == len(olds):
            return 0, ()
        j = olds[k]
        choice: tuple[int, tuple[tuple[int, int], ...]] | None = None
        for i in groups:
            w = weights.get((j, i))
            if w is not None and not used & bit[i]:
                total, rest = best(k + 1, used | bit[i])
                if choice is None or total + w > choice[0]:
                    choice = (total + w, ((j, i), *rest))
        skip = best(k + 1, used)  # old event j keeps no group
        return skip if choice is None or skip[0] > choice[0] else choice

    return dict(best(0, 0)[1])


def _new_id(block: str, seed: Report, taken: Callable[[str], bool]) -> str:
    """A deterministic id: the block and the day of the report that opened the event, so
    reports of one launch open the same id whichever of them comes first; the seed's own
    mention id (and a counter, past that) tells apart events of one block and day."""
    event_id = _event_id(f"{block}|{seed.day}")
    n = 0
    while taken(event_id):
        n += 1
        event_id = _event_id(f"{block}|{seed.day}|{seed.mention_id}|{n}")
    return event_id


def _event_id(text: str) -> str:
    return content_id(text, "ev-")


def _document(mention: EventMention) -> dict[str, Any]:
    """A mention as an event's entry keeps it: enough to rebuild the event and relink it."""
    return mention.model_dump(mode="json", exclude={"event_id"})


# --- Building an event from its reports -----------------------------------------------------


def _build(
    event_id: str,
    documents: list[dict[str, Any]],
    reports: dict[str, Report],
    more: dict[str, Any] | None = None,
) -> CanonicalEvent:
    """The canonical event its reports make: a function of the set, not of their order.

    The most severe report sets the severity (and the weapon it names), the parties are
    ranked by how many reports name them, the most specific place wins, each figure is its
    latest report's, and the day is the earliest a report names. It reads the stored JSON
    as it is: an event rebuilt on each of its reports must not parse each one. `more` is
    the digest of the reports past the ones kept in full (`_fold`).
    """
    more = more or _fold([], reports)
    seen = {d["mention_id"]: _seen(d, reports) for d in documents}
    ms = sorted(documents, key=lambda d: (seen[d["mention_id"]], d["mention_id"]))
    named = [d for d in ms if d["subtype"]]
    subtype = _most_common(d["subtype"] for d in named)
    mode = next((d["mode"] for d in named if d["subtype"] == subtype and d["mode"]), None)
    dated = [d["event_date"] for d in ms if d["event_date"] and d["evidence"].get("date")]
    dated += more["dated"]
    dates = dated or [d["event_date"] for d in ms if d["event_date"]] + more["dates"]
    received = [datetime.fromisoformat(d["received_at"]) for d in ms if d.get("received_at")]
    received += [datetime.fromisoformat(r) for r in more["received"]]
    times = [seen[d["mention_id"]] for d in ms] + more["seen"]
    history = _history(ms, more["history"])
    severities = [d["severity"] for d in ms] + more["severity"]
    articles = {d["article_id"] for d in ms} | set(more["article_ids"])
    return CanonicalEvent.model_validate(
        {
            "event_id": event_id,
            "event_type": ms[0]["event_type"],
            "mode": mode or _most_common(d["mode"] for d in ms),
            "subtype": subtype,
            "severity": max(severities, key=SEVERITY_ORDER.__getitem__),
            "actors": _ranked(d["actors"] for d in ms),
            "recipients": _ranked(d["recipients"] for d in ms),
            "location": _place(d["location"] for d in ms),
            "quantities": _latest_quantities(history),
            "quantity_history": history,
            "weapon": _weapon(ms),
            "event_date": min(dates) if dates else None,
            "first_seen": datetime.fromtimestamp(min(times), UTC),
            "last_seen": datetime.fromtimestamp(max(times), UTC),
            "article_ids": sorted(articles),
            "article_count": len(articles) + more["articles"] - len(more["article_ids"]),
            "sources": sorted({d["source"] for d in ms} | set(more["sources"])),
            "mention_ids": sorted([d["mention_id"] for d in ms] + more["mention_ids"]),
            "mention_count": len(ms) + more["mentions"],
            "confidence": max(d["confidence"] for d in ms),
            "last_received_at": max(received) if received else None,
        }
    )


def _seen(document: dict[str, Any], reports: dict[str, Report]) -> float:
    """When a report was published (when it came, for one without a date)."""
    if document.get("published_at"):
        return datetime.fromisoformat(document["published_at"]).timestamp()
    report = reports.get(document["mention_id"])
    return report.seen if report else 0.0


def _most_common(values: Iterable[str | None]) -> str | None:
    """The value most reports give (the earliest report's on a tie)."""
    listed = [v for v in values if v]
    if not listed:
        return None
    count = Counter(listed)
    return max(listed, key=lambda v: (count[v], -listed.index(v)))


def _weapon(documents: list[dict[str, Any]]) -> str | None:
    """The weapon the most severe report names (the most often named, then the earliest)."""
    armed = [d for d in documents if d["weapon"]]
    if not armed:
        return None
    count = Counter(d["weapon"] for d in armed)
    order = {id(d): i for i, d in enumerate(armed)}
    best = max(
        armed, key=lambda d: (SEVERITY_ORDER[d["severity"]], count[d["weapon"]], -order[id(d)])
    )
    return str(best["weapon"])


def _ranked(lists: Iterable[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Every party any report names, the most often named first (earliest on a tie)."""
    first: dict[str, tuple[int, dict[str, Any]]] = {}
    count: Counter[str] = Counter()
    for actors in lists:
        for actor in {a["code"]: a for a in actors}.values():
            first.setdefault(actor["code"], (len(first), actor))
            count[actor["code"]] += 1
    ranked = sorted(first, key=lambda code: (-count[code], first[code][0]))
    return [first[code][1] for code in ranked]


def _place(places: Iterable[dict[str, Any] | None]) -> dict[str, Any] | None:
    """The most specific place any report gives (a region over its country over a name),
    the most often given on a tie, then the earliest."""
    listed = [p for p in places if p is not None]
    if not listed:
        return None
    names = [(p["name"], p.get("country"), p.get("subdivision")) for p in listed]
    count = Counter(names)
    best = max(
        range(len(listed)),
        key=lambda i: (bool(names[i][2]), bool(names[i][1]), count[names[i]], -i),
    )
    return listed[best]


def _history(
    documents: list[dict[str, Any]], more: Iterable[dict[str, Any]] = ()
) -> list[dict[str, Any]]:
    """Every figure with the report that gave it, oldest first (one per article and figure),
    with the figures of a digest (`more`, from `_history` too)."""
    figures: dict[tuple[Any, ...], dict[str, Any]] = {}
    for figure in more:
        figures[_figure_key(figure)] = figure
    for d in documents:
        for q in d["quantities"]:
            figure = {  # the later report of the same figure in one article wins
                "quantity": q,
                "article_id": d["article_id"],
                "source": d["source"],
                "published_at": d.get("published_at"),
            }
            figures[_figure_key(figure)] = figure
    return [figures[key] for key in sorted(figures)]


def _figure_key(figure: dict[str, Any]) -> tuple[Any, ...]:
    published = figure["published_at"]
    at = datetime.fromisoformat(published) if published else _EARLIEST
    quantity = figure["quantity"]
    return (at, figure["article_id"], quantity["unit"], quantity["value"])


def _fold(documents: list[dict[str, Any]], reports: dict[str, Report]) -> dict[str, Any]:
    """The digest of reports an event holds past the ones it keeps in full: what they add to
    the event (counts, up to LISTED ids and sources, its newest LISTED figures, severity,
    dates, times), without the reports."""
    dated = [d["event_date"] for d in documents if d["event_date"] and d["evidence"].get("date")]
    received = [d["received_at"] for d in documents if d.get("received_at")]
    articles = {d["article_id"] for d in documents}
    return {
        "mentions": len(documents),
        "articles": len(articles),
        "mention_ids": sorted(d["mention_id"] for d in documents)[:LISTED],
        "article_ids": sorted(articles)[:LISTED],
        "sources": sorted({d["source"] for d in documents})[:LISTED],
        "severity": _extremes([d["severity"] for d in documents], SEVERITY_ORDER.__getitem__),
        "history": _history(documents)[-LISTED:],
        "dated": _extremes(dated),
        "dates": _extremes([d["event_date"] for d in documents if d["event_date"]]),
        "received": _extremes(received),
        "seen": _extremes([_seen(d, reports) for d in documents]),
    }


def _combine(one: dict[str, Any] | None, other: dict[str, Any] | None) -> dict[str, Any] | None:
    """Two digests as one (an event's and one retired into it, or new reports folded in).
    An article both list is counted once; past the lists, counts can only add up."""
    if one is None or other is None:
        return one or other
    shared = len(set(one["article_ids"]) & set(other["article_ids"]))
    return {
        "mentions": one["mentions"] + other["mentions"],
        "articles": one["articles"] + other["articles"] - shared,
        **{
            k: sorted({*one[k], *other[k]})[:LISTED]
            for k in ("mention_ids", "article_ids", "sources")
        },
        "severity": _extremes([*one["severity"], *other["severity"]], SEVERITY_ORDER.__getitem__),
        "history": _history([], [*one["history"], *other["history"]])[-LISTED:],
        **{k: _extremes([*one[k], *other[k]]) for k in ("dated", "dates", "received", "seen")},
    }


def _extremes(values: list[Any], key: Callable[[Any], Any] | None = None) -> list[Any]:
    """The least and the greatest of `values` (all min and max over them need), or []."""
    if not values:
        return []
    least, greatest = min(values, key=key), max(values, key=key)
    return [least] if least == greatest else [least, greatest]


_EARLIEST = datetime.min.replace(tzinfo=UTC)


def _latest_quantities(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The newest report's figure for each unit: a later 'up to 12,000' replaces 'some 8,000'."""
    latest: dict[str, dict[str, Any]] = {}
    for report in history:  # sorted oldest first, so later reports overwrite
        latest[report["quantity"]["unit"]] = report["quantity"]
    return list(latest.values())
