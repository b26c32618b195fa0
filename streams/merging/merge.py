"""Events: merge the mentions that report one real-world event into one canonical event.

Which reports make one event depends on the set of reports, not on the order they arrive
in (streams.merging.reports). Each new report repartitions the reports it can touch (those
linked to it through overlapping days), and the result is mapped onto the events that
existed before by their shared reports, so ids stay put: an event that gains a report keeps
its id, a report can move to an event it fits better, and when two events turn out to be one
the older survives and the other is retired with a pointer to it (docs/merging.md).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from operator import attrgetter
from typing import Any

from schemas import CanonicalEvent, EventMention
from streams.ids import content_id
from streams.merging.build import build, combine, fold
from streams.merging.reports import (
    NOWHERE,
    Membership,
    anchor,
    blocking_key,
    component,
    news,
    partition,
    report_of,
    specificity,
)
from streams.merging.store import Block, Decoded, event_key, mention_key
from streams.state.codec import (
    Baseline,
    Document,
    EventEntry,
    MentionLink,
    OpenEvent,
    Report,
    RetiredEvent,
    WaitingReport,
)
from streams.state.expiring import State

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
MAX_KEPT = 16
"""Reports an event keeps in full: those that may open an event first, then the most
specific (`reports.specificity`). They are regrouped and set the event's type, parties,
place and weapon. Further reports are folded into the event's digest (`build.fold`: counts,
ids, sources, figures, severity, dates), stay with the event for good, and cost nothing more
as the event grows to thousands of reports."""


def _kept_first(report: Report) -> tuple[Any, ...]:
    """Which of an event's reports it keeps in full (MAX_KEPT): those that may open an
    event, then the most specific."""
    return (not report.opens, specificity(report))


@dataclass
class Change:
    """An event that a merge opened, changed or retired."""

    event: CanonicalEvent
    created: bool = False
    baseline: Baseline | None = None
    """The event's paging baseline as stored; the step that evaluates alerts
    (streams.stages.alerts) replaces it before the merge is committed."""
    absorbed: list[Baseline | None] = field(default_factory=list)
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
    entries: dict[str, EventEntry] = field(default_factory=dict)
    """Each changed open event's entry, its baseline still to come from its `Change`."""
    links: dict[str, MentionLink] = field(default_factory=dict)
    """Mention key -> which event the report now belongs to (and, waiting, the report)."""
    _block: Block | None = None
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
                entry = replace(self.entries[change.event.event_id], baseline=change.baseline)
                state.put(key, entry.encode(), now, window)
        for key, link in self.links.items():
            state.put(key, link.encode(), now, window)
        token = self.mention.mention_id  # a mention is merged into its block once
        state.put(self.block, self._block.entry(token).encode(), now, window)
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
    report = report_of(mention, seen)
    link = state.get(mention_key(key, mention.mention_id), now) if news(mention) else None
    block = Block.load(key, state.get(key, now), state, now, decoded)
    if link is not None:
        event_id = block.now(MentionLink.decode(link).event)
        return Merge(mention.model_copy(update={"event_id": event_id}), block=key)
    if not news(mention):
        return Merge(mention.model_copy(update={"event_id": block.best_event(report)}), block=key)
    merge = _Regroup(mention, report, key, block, state, now, window).merge()
    merge._decoded = decoded
    return merge


_MISSING = EventEntry(reports={}, rows={}, merged_from=[], more=None, baseline=None)
"""An event whose entry is not stored (its block's entry and its own expire together, so
this is not expected): it is regrouped as if it held no reports."""


class _Regroup:
    """One news report's merge: regroup the reports it can touch, then work out what
    changed for the events that held them.

    What it can touch: in a block of fewer than EXACT_REPORTS reports, every report linked
    to it through overlapping days (`component`); past that, the kept reports of the
    MAX_CANDIDATES events it touches first (`Block.touched`), and the waiting reports it can
    be one with.
    """

    def __init__(
        self,
        mention: EventMention,
        report: Report,
        key: str,
        block: Block,
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
        self.stored: dict[str, EventEntry] = {}
        for event_id in touched:
            raw = state.get(event_key(key, event_id), now)
            self.stored[event_id] = _MISSING if raw is None else EventEntry.decode(raw)
        self.reports: dict[str, Report] = {report.mention_id: report}
        self.before: dict[str, str | None] = {report.mention_id: None}
        for event_id, entry in self.stored.items():
            for m, kept in entry.rows.items():
                self.reports[m] = kept
                self.before[m] = event_id
        alone = Membership(report, 0)
        for m, waiting in block.waiting.items():
            if exact or alone.admits(waiting.report):
                self.reports[m] = waiting.report
                self.before[m] = None
        if exact:
            self.reach = component(list(self.reports.values()), report)
        else:
            self.reach = list(self.reports.values())
        self.had: dict[str, set[str]] = {}
        for r in self.reach:
            if (e := self.before[r.mention_id]) is not None:
                self.had.setdefault(e, set()).add(r.mention_id)
        self.olds = sorted(self.had)
        self.documents = {mention.mention_id: _document(mention)}
        for entry in self.stored.values():
            self.documents.update(entry.reports)

    def document(self, mention_id: str) -> Document:
        """A report as stored: in its event's entry, or in its mention key while it waits."""
        if mention_id not in self.documents:
            raw = self.state.get(mention_key(self.key, mention_id), self.now)
            mention = None if raw is None else MentionLink.decode(raw).mention
            if mention is None:
                raise KeyError(f"report {mention_id} is stored neither in an event nor waiting")
            self.documents[mention_id] = mention
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
            block.waiting[r.mention_id] = WaitingReport(r, self.deadline)
        mine = self.mention.mention_id
        for m, event_id in after.items():
            if m != mine and self.before.get(m) == event_id:
                continue
            waits = self.document(m) if event_id is None else None
            merge.links[mention_key(self.key, m)] = MentionLink(event_id, waits)
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
                seeded = self.block.events[event_id].seed in members
                weights[index[event_id], i] = (
                    _MATCH + 10_000 * opened[event_id] + 10 * count + seeded
                )
        ids = {i: olds[j] for j, i in _assign(weights, len(olds), len(groups)).items()}
        taken = set(self.block.events) | set(self.block.retired)
        events = self.block.events
        for i, group in enumerate(groups):
            seed = group[0]
            if i not in ids:
                ids[i] = _new_id(self.key, seed, self._taken(taken))
                taken.add(ids[i])
                events[ids[i]] = OpenEvent(self.now, 0.0, seed.mention_id, self.deadline, 0, None)
            elif events[ids[i]].seed not in {r.mention_id for r in group}:
                events[ids[i]] = replace(events[ids[i]], seed=seed.mention_id)  # it moved on
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
            self.block.retired[old] = RetiredEvent(survivor, self.deadline)
            stored = self.stored[old]
            event = build(old, list(stored.reports.values()), self.reports, stored.more)
            event = event.model_copy(update={"status": "retired", "merged_into": survivor})
            merge.changes.append(Change(event, baseline=stored.baseline))
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
        stored = self.stored.get(event_id, _MISSING)
        merged_from = set(stored.merged_from)
        more = stored.more
        for old in absorbed:
            merged_from |= {old, *self.stored[old].merged_from}
            more = combine(more, self.stored[old].more)
        specific = sorted(group, key=_kept_first)
        kept, settled = specific[:MAX_KEPT], specific[MAX_KEPT:]
        if settled:
            folded = fold([self.document(r.mention_id) for r in settled], self.reports)
            more = combine(more, folded)
        ordered = sorted(kept, key=attrgetter("mention_id"))
        reports = {r.mention_id: self.document(r.mention_id) for r in ordered}
        merge.entries[event_id] = EventEntry(
            reports=reports,
            rows={r.mention_id: r for r in ordered},
            merged_from=sorted(merged_from),
            more=more,
            baseline=None,
        )
        event = build(event_id, list(reports.values()), self.reports, more)
        event = event.model_copy(
            update={
                "merged_from": sorted(merged_from),
                "last_received_at": _received(self.mention, event),
            }
        )
        slot = self.block.events[event_id]
        self.block.changed(
            event_id,
            OpenEvent(
                opened=slot.opened,
                last_seen=max(r.seen for r in group),
                seed=slot.seed,
                deadline=self.deadline,
                kept=len(kept),
                summary=Membership.of_reports(kept).summary(),
            ),
        )
        merge.changes.append(
            Change(
                event,
                created=event_id not in self.olds,
                baseline=stored.baseline,
                absorbed=[self.stored[old].baseline for old in absorbed],
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
    event_id = event_id_for(f"{block}|{seed.day}")
    n = 0
    while taken(event_id):
        n += 1
        event_id = event_id_for(f"{block}|{seed.day}|{seed.mention_id}|{n}")
    return event_id


def event_id_for(text: str) -> str:
    """The event id `text` names (see `_new_id`): pinned across versions, as it is stored."""
    return content_id(text, "ev-")


def _document(mention: EventMention) -> Document:
    """A mention as an event's entry keeps it: enough to rebuild the event and relink it."""
    return mention.model_dump(mode="json", exclude={"event_id"})
