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

import hashlib
import math
from bisect import bisect_left, bisect_right
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, cached_property
from operator import attrgetter
from typing import Any

from schemas import CanonicalEvent, EventMention
from schemas.event import SEVERITY_ORDER
from streams.extraction.coding import STATEMENTS
from streams.stages.state import State

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


_ORDER = attrgetter("order")
_SPAN = attrgetter("lo", "hi", "mention_id")


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


# --- A block's state ----------------------------------------------------------------------


@dataclass
class _Block:
    """A block's entry: its reports (with the event each belongs to), its open events, the
    events retired into another, and reports waiting for an event to join.

    Everything in it expires like a state entry (State.expired): an event and its reports a
    window after the event last changed, a retired id a window after it was retired, a
    waiting report a window after it came.
    """

    reports: dict[str, Report] = field(default_factory=dict)
    event_of: dict[str, str | None] = field(default_factory=dict)
    events: dict[str, list[Any]] = field(default_factory=dict)
    """event id -> [opened at (stream time), last seen, seed, deadline]: the seed is the
    report that opened the event, which the event's id stays with."""
    retired: dict[str, list[Any]] = field(default_factory=dict)
    """event id -> [merged into, deadline]."""
    waiting: dict[str, list[Any]] = field(default_factory=dict)
    """mention id -> [the mention (JSON), deadline], for reports with no event to join yet."""

    rows: dict[str, list[Any]] = field(default_factory=dict)
    """The reports as last stored (mention id -> [event id, row]), reused when stored again."""

    @classmethod
    def load(
        cls, key: str, value: Any, state: State, now: float, decoded: Decoded | None
    ) -> _Block:
        """The block as stored, without what expired."""
        block = decoded.get(key, value) if decoded is not None else None
        if block is None:
            block = cls()
            if not value:
                return block
            block.events, block.retired = value["events"], value["retired"]
            block.waiting, block.rows = value["waiting"], value["reports"]
            for mention_id, (event_id, row) in block.rows.items():
                if event_id in block.events or mention_id in block.waiting:
                    block.reports[mention_id] = Report.load(mention_id, row)
                    block.event_of[mention_id] = event_id
        alive = lambda entry: not state.expired(entry[-1], now)  # noqa: E731
        block.events = {e: list(v) for e, v in block.events.items() if alive(v)}
        block.retired = {e: v for e, v in block.retired.items() if alive(v)}
        block.waiting = {m: v for m, v in block.waiting.items() if alive(v)}
        kept = [m for m, e in block.event_of.items() if e in block.events or m in block.waiting]
        if len(kept) < len(block.reports):
            block.reports = {m: block.reports[m] for m in kept}
            block.event_of = {m: block.event_of[m] for m in kept}
        return block

    def dump(self) -> dict[str, Any]:
        rows = self.rows
        self.rows = {
            m: row
            if (row := rows.get(m)) and row[0] == self.event_of[m]
            else [self.event_of[m], r.dump()]
            for m, r in self.reports.items()
        }
        return {
            "reports": self.rows,
            "events": self.events,
            "retired": self.retired,
            "waiting": self.waiting,
        }

    def copy(self) -> _Block:
        """A copy to change without changing this one (the reports themselves are frozen)."""
        return _Block(
            dict(self.reports),
            dict(self.event_of),
            {e: list(v) for e, v in self.events.items()},
            dict(self.retired),
            dict(self.waiting),
            self.rows,
        )

    def opened(self, event_id: str) -> tuple[float, str]:
        """Older events first: for ties, the event that keeps its id or survives a merge."""
        return self.events[event_id][0], event_id

    def best_event(self, report: Report) -> str | None:
        """The open event a report would join, without joining it (a mention that only
        refers to an event: history, a plan, a possibility, a denial)."""
        members: dict[str, list[Report]] = {}
        for mention_id, event_id in self.event_of.items():
            if event_id is not None:
                members.setdefault(event_id, []).append(self.reports[mention_id])
        best: tuple[tuple[Any, ...], str] | None = None
        for rank, (event_id, reports) in enumerate(sorted(members.items())):
            event = _Event(reports[0], rank)
            for r in reports[1:]:
                event.add(r)
            if event.admits(report):
                fit = (event.fit(report), event_id)
                best = fit if best is None or fit > best else best
        return best[1] if best else None


class Decoded:
    """The blocks this process last stored, kept decoded (least recently used dropped past
    `size`): a busy block holds hundreds of reports, and decoding them all for each new one
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
    """Each changed open event's entry: its reports (JSON) and the events merged into it."""
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
    block = _Block.load(key, state.get(key, now), state, now, decoded)
    if mention.mention_id in block.reports:
        linked = block.event_of[mention.mention_id]
        return Merge(mention.model_copy(update={"event_id": linked}), block=key)
    seen = mention.published_at.timestamp() if mention.published_at else now
    report = Report.of(mention, seen)
    if not news(mention):
        return Merge(mention.model_copy(update={"event_id": block.best_event(report)}), block=key)
    merge = _Regroup(mention, report, key, block, state, now, window).merge()
    merge._decoded = decoded
    return merge


class _Regroup:
    """One news report's merge: regroup the reports it can touch, then work out what
    changed for the events that held them."""

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
        block.reports[report.mention_id] = report
        block.event_of[report.mention_id] = None
        self.reach = _component(list(block.reports.values()), report)
        self.before = {r.mention_id: block.event_of[r.mention_id] for r in self.reach}
        self.had: dict[str, set[str]] = {}
        for m, e in self.before.items():
            if e is not None:
                self.had.setdefault(e, set()).add(m)
        self.olds = sorted(self.had)
        self.stored = {e: state.get(event_key(key, e), now) or {} for e in self.olds}
        self.documents = {mention.mention_id: _document(mention)}
        self.documents.update({m: v[0] for m, v in block.waiting.items()})
        for entry in self.stored.values():
            self.documents.update(entry.get("reports", {}))

    def merge(self) -> Merge:
        groups, waiting = partition(self.reach)
        ids = self._ids(groups)
        after: dict[str, str | None] = {r.mention_id: None for r in waiting}
        after.update({r.mention_id: ids[i] for i, group in enumerate(groups) for r in group})
        merge = Merge(self.mention, block=self.key, _block=self.block)
        into = self._retire(after, ids, merge)
        for i, group in enumerate(groups):
            self._update(ids[i], {r.mention_id for r in group}, into, merge)
        block = self.block
        for r in self.reach:
            block.waiting.pop(r.mention_id, None)
        for r in waiting:
            block.waiting[r.mention_id] = [self.documents[r.mention_id], self.deadline]
        for m, event_id in after.items():
            block.event_of[m] = event_id
            if m != self.mention.mention_id and self.before.get(m) != event_id:
                moved = EventMention.model_validate(self.documents[m])
                merge.relinked.append(moved.model_copy(update={"event_id": event_id}))
        merge.mention = self.mention.model_copy(update={"event_id": after[self.mention.mention_id]})
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
                ids[i] = _new_id(self.key, seed, taken)
                taken.add(ids[i])
                self.block.events[ids[i]] = [self.now, 0.0, seed.mention_id, self.deadline]
            elif self.block.events[ids[i]][2] not in {r.mention_id for r in group}:
                self.block.events[ids[i]][2] = seed.mention_id  # its seed moved on
        return ids

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
            event = _build(old, list(stored.get("reports", {}).values()), self.block.reports)
            event = event.model_copy(update={"status": "retired", "merged_into": survivor})
            merge.changes.append(Change(event, baseline=stored.get("baseline")))
        return into

    def _update(self, event_id: str, members: set[str], into: dict[str, str], merge: Merge) -> None:
        """The change to one group's event, if its reports changed."""
        had = self.had.get(event_id, set())
        absorbed = [old for old, survivor in into.items() if survivor == event_id]
        if members == had and not absorbed:
            return
        stored = self.stored.get(event_id, {})
        merged_from = set(stored.get("merged_from", []))
        for old in absorbed:
            merged_from |= {old, *self.stored[old].get("merged_from", [])}
        reports = {m: self.documents[m] for m in sorted(members)}
        merge.entries[event_id] = {"reports": reports, "merged_from": sorted(merged_from)}
        event = _build(event_id, list(reports.values()), self.block.reports)
        event = event.model_copy(
            update={
                "merged_from": sorted(merged_from),
                "last_received_at": _received(self.mention, event),
            }
        )
        opened, _, seed, _ = self.block.events[event_id]
        last_seen = max(self.block.reports[m].seen for m in members)
        self.block.events[event_id] = [opened, last_seen, seed, self.deadline]
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


def _new_id(block: str, seed: Report, taken: set[str]) -> str:
    """A deterministic id: the block and the day of the report that opened the event, so
    reports of one launch open the same id whichever of them comes first; the seed's own
    mention id (and a counter, past that) tells apart events of one block and day."""
    event_id = _event_id(f"{block}|{seed.day}")
    n = 0
    while event_id in taken:
        n += 1
        event_id = _event_id(f"{block}|{seed.day}|{seed.mention_id}|{n}")
    return event_id


def _event_id(text: str) -> str:
    return "ev-" + hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:16]


def _document(mention: EventMention) -> dict[str, Any]:
    """A mention as an event's entry keeps it: enough to rebuild the event and relink it."""
    return mention.model_dump(mode="json", exclude={"event_id"})


# --- Building an event from its reports -----------------------------------------------------


def _build(
    event_id: str, documents: list[dict[str, Any]], reports: dict[str, Report]
) -> CanonicalEvent:
    """The canonical event its reports make: a function of the set, not of their order.

    The most severe report sets the severity (and the weapon it names), the parties are
    ranked by how many reports name them, the most specific place wins, each figure is its
    latest report's, and the day is the earliest a report names. It reads the stored JSON
    as it is: an event rebuilt on each of its hundreds of reports must not parse each one.
    """
    seen = {d["mention_id"]: _seen(d, reports) for d in documents}
    ms = sorted(documents, key=lambda d: (seen[d["mention_id"]], d["mention_id"]))
    named = [d for d in ms if d["subtype"]]
    subtype = _most_common(d["subtype"] for d in named)
    mode = next((d["mode"] for d in named if d["subtype"] == subtype and d["mode"]), None)
    dated = [d["event_date"] for d in ms if d["event_date"] and d["evidence"].get("date")]
    dates = dated or [d["event_date"] for d in ms if d["event_date"]]
    received = [datetime.fromisoformat(d["received_at"]) for d in ms if d.get("received_at")]
    times = [seen[d["mention_id"]] for d in ms]
    history = _history(ms)
    return CanonicalEvent.model_validate(
        {
            "event_id": event_id,
            "event_type": ms[0]["event_type"],
            "mode": mode or _most_common(d["mode"] for d in ms),
            "subtype": subtype,
            "severity": max((d["severity"] for d in ms), key=SEVERITY_ORDER.__getitem__),
            "actors": _ranked(d["actors"] for d in ms),
            "recipients": _ranked(d["recipients"] for d in ms),
            "location": _place(d["location"] for d in ms),
            "quantities": _latest_quantities(history),
            "quantity_history": history,
            "weapon": _weapon(ms),
            "event_date": min(dates) if dates else None,
            "first_seen": datetime.fromtimestamp(min(times), UTC),
            "last_seen": datetime.fromtimestamp(max(times), UTC),
            "article_ids": sorted({d["article_id"] for d in ms}),
            "sources": sorted({d["source"] for d in ms}),
            "mention_ids": sorted(d["mention_id"] for d in ms),
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


def _history(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every figure with the report that gave it, oldest first (one per article and figure)."""
    figures: dict[tuple[Any, ...], dict[str, Any]] = {}
    for d in documents:
        for q in d["quantities"]:
            published = d.get("published_at")
            at = datetime.fromisoformat(published) if published else _EARLIEST
            key = (at, d["article_id"], q["unit"], q["value"])
            figures[key] = {  # the later report of the same figure in one article wins
                "quantity": q,
                "article_id": d["article_id"],
                "source": d["source"],
                "published_at": published,
            }
    return [figures[key] for key in sorted(figures)]


_EARLIEST = datetime.min.replace(tzinfo=UTC)


def _latest_quantities(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The newest report's figure for each unit: a later 'up to 12,000' replaces 'some 8,000'."""
    latest: dict[str, dict[str, Any]] = {}
    for report in history:  # sorted oldest first, so later reports overwrite
        latest[report["quantity"]["unit"]] = report["quantity"]
    return list(latest.values())
