"""Reports: where reports meet (the blocking key), what membership needs of each, and the
order-independent grouping of a block's reports into events.

Reports meet in a block (`blocking_key`); within it, each news report is a `Report`
(streams.state.codec, as its block stores it): an interval of days the act can have
happened on, a place, and parties. Two reports can be one event when their intervals
overlap and their places and parties do not conflict; an event is a set of reports that can
all be one (`Membership`). `partition` groups a block's reports the same way whatever order
they came in: the most specific reports first (a named day before "recently", a region
before a country), each joining the event it fits best or opening its own
(docs/merging.md).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from operator import attrgetter
from typing import Any

from schemas import EventMention
from streams.extraction.coding import STATEMENTS
from streams.state.codec import Report, Summary

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


def report_of(mention: EventMention, seen: float) -> Report:
    """A news mention as membership sees it; `seen` is its publication time."""
    lo, hi = _interval(mention)
    where = mention.location
    return Report(
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


def specificity(report: Report) -> tuple[Any, ...]:
    """Most specific first: a narrower span of days, then more of place and parties."""
    places = bool(report.subdivision) + bool(report.country)
    specific = places + bool(report.recipients) + bool(report.actors)
    return (report.hi - report.lo, -specific, report.lo, report.mention_id)


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


class Membership:
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
            distance = abs((report.lo + report.hi) / 2 - (self.lo + self.hi) / 2)
        shared = len(self.parties & (report.actors | report.recipients))
        return (report.subdivision in self.places, shared, -distance, -self.rank)

    def touches(self, report: Report) -> bool:
        """Whether some of its reports may be one with `report`: their days overlap, and
        the country does not differ."""
        if max(self.first, report.lo) > min(self.last, report.hi):
            return False
        return not (self.country and report.country and self.country != report.country)

    def summary(self) -> Summary:
        """What `admits`, `touches` and `fit` need, as the block's entry keeps it."""
        return Summary(
            lo=self.lo,
            hi=self.hi,
            first=self.first,
            last=self.last,
            country=self.country,
            point_places=frozenset(self.point_places),
            places=frozenset(self.places),
            recipient_sets=frozenset(self.recipient_sets),
            actor_sets=frozenset(self.actor_sets),
        )

    @classmethod
    def of_summary(cls, summary: Summary, rank: int) -> Membership:
        """An event as its summary describes it, without its reports."""
        event = cls.__new__(cls)
        event.reports, event.rank = [], rank
        event.lo, event.hi = summary.lo, summary.hi
        event.first, event.last = summary.first, summary.last
        event.country = summary.country
        event.point_places, event.places = set(summary.point_places), set(summary.places)
        event.recipient_sets = set(summary.recipient_sets)
        event.actor_sets = set(summary.actor_sets)
        event.parties = set().union(*event.recipient_sets, *event.actor_sets)
        return event

    @classmethod
    def of_reports(cls, reports: list[Report]) -> Membership:
        event = cls(reports[0], 0)
        for report in reports[1:]:
            event.add(report)
        return event


_SPAN = attrgetter("lo", "hi", "mention_id")


def partition(reports: Iterable[Report]) -> tuple[list[list[Report]], list[Report]]:
    """Group a block's reports into events; the same groups whatever order they came in.

    Reports that may open an event go first, most specific first: each joins the event it
    fits best (`Membership.fit`) among those it can be one with, or opens its own. Then reports
    that may only join (below the open confidence, or with nothing that anchors them) join
    the best event they fit; the rest wait for one. Returns the events (each a list of
    reports, its seed first, in the order they were opened) and the waiting reports.
    """
    ordered = sorted(reports, key=specificity)
    events: list[Membership] = []
    opened = _Openings()
    waiting: list[Report] = []
    for report in [r for r in ordered if r.opens] + [r for r in ordered if not r.opens]:
        fits = [event for event in opened.near(report) if event.admits(report)]
        if len(fits) > 1:
            max(fits, key=lambda event: event.fit(report)).add(report)
        elif fits:
            fits[0].add(report)
        elif report.opens:
            events.append(Membership(report, len(events)))
            opened.add(events[-1], report)
        else:
            waiting.append(report)
    return [event.reports for event in events], waiting


class _Openings:
    """The events of a partition by the days their first report spans. An event's days only
    narrow as reports join it, so the events a report can join are among those whose first
    report's days overlap its own: a block holds a window of days, a report fits a few."""

    def __init__(self) -> None:
        self._by_width: dict[float, tuple[list[float], list[Membership]]] = {}

    def add(self, event: Membership, seed: Report) -> None:
        starts, events = self._by_width.setdefault(seed.hi - seed.lo, ([], []))
        at = bisect_right(starts, seed.lo)
        starts.insert(at, seed.lo)
        events.insert(at, event)

    def near(self, report: Report) -> Iterator[Membership]:
        """The events whose first report's days overlap `report`'s."""
        for width, (starts, events) in self._by_width.items():
            if math.isinf(width):
                yield from events
            else:  # a start within [lo - width, hi] overlaps [lo, hi]
                yield from events[
                    bisect_left(starts, report.lo - width) : bisect_right(starts, report.hi)
                ]


def component(reports: list[Report], report: Report) -> list[Report]:
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
