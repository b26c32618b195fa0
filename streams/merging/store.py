"""A block's state: its keys, its bounds, its open and retired events and waiting reports,
and the blocks a process keeps decoded."""

from __future__ import annotations

import itertools
from collections import OrderedDict
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from streams.merging.reports import Membership
from streams.state.codec import BlockEntry, OpenEvent, Report, RetiredEvent, WaitingReport
from streams.state.expiring import State


def event_key(block: str, event_id: str) -> str:
    """The state key of one event's full state: its block, so it lives on the block's partition."""
    return f"{block}#{event_id}"


def mention_key(block: str, mention_id: str) -> str:
    """The state key that says which event a news report was merged into (and holds it while
    it waits for one): a redelivered report changes nothing."""
    return f"{block}#m:{mention_id}"


def block_of(state_key: str) -> str:
    """The block (the message key on the events topic) a state key belongs to."""
    return state_key.split("#", 1)[0]


RECENT_EVENTS = 512
"""The open events a block keeps joinable, the most recently changed: an older one stays
stored, and expires with its window, but takes no more reports."""
MAX_WAITING = 256
"""Reports a block keeps waiting for an event to join, the most recent."""
MAX_RETIRED = 1024
"""Retired event ids a block remembers (so a new event never takes one), the most recent."""


@dataclass
class Block:
    """A block's state as a merge changes it (stored as streams.state.codec.BlockEntry): its
    open events (least recently changed first), the events retired into another, and the
    reports waiting for an event to join. Each event's reports are in the event's own entry
    (`event_key`), so merging a report reads and writes the events it touches, not the
    block's every report.

    Everything in it expires like a state entry (State.expired): an event a window after it
    last changed, a retired id a window after it was retired, a waiting report a window
    after it came.
    """

    events: dict[str, OpenEvent] = field(default_factory=dict)
    retired: dict[str, RetiredEvent] = field(default_factory=dict)
    waiting: dict[str, WaitingReport] = field(default_factory=dict)
    """By mention id."""
    views: dict[str, Membership] = field(default_factory=dict, repr=False)
    """Events as their summaries describe them, built once (not stored)."""

    @classmethod
    def load(cls, key: str, value: Any, state: State, now: float, decoded: Decoded | None) -> Block:
        """The block as stored, without what expired."""
        block = decoded.get(key, value) if decoded is not None else None  # a copy already
        if block is None:
            if not value:
                return cls()
            stored = BlockEntry.decode(value)
            block = cls(stored.events, stored.retired, stored.waiting)
        block.events = {e: v for e, v in block.events.items() if not state.expired(v.deadline, now)}
        block.retired = {
            e: v for e, v in block.retired.items() if not state.expired(v.deadline, now)
        }
        block.waiting = {
            m: v for m, v in block.waiting.items() if not state.expired(v.deadline, now)
        }
        return block

    def entry(self, token: str) -> BlockEntry:
        """The block as stored by the merge of mention `token`."""
        return BlockEntry(self.events, self.retired, self.waiting, token)

    def copy(self) -> Block:
        """A copy to change without changing this one (its values are immutable)."""
        return Block(
            dict(self.events),
            dict(self.retired),
            dict(self.waiting),
            {e: v for e, v in self.views.items() if e in self.events},
        )

    def now(self, event_id: str | None) -> str | None:
        """The event an event id stands for now: the one it was retired into, if it was."""
        seen = set()
        while event_id in self.retired and event_id not in seen:
            seen.add(event_id)
            event_id = self.retired[event_id].into
        return event_id

    def size(self) -> int:
        """The reports the block holds: its events' and those waiting."""
        return sum(v.kept for v in self.events.values()) + len(self.waiting)

    def opened(self, event_id: str) -> tuple[float, str]:
        """Older events first: for ties, the event that keeps its id or survives a merge."""
        return self.events[event_id].opened, event_id

    def changed(self, event_id: str, entry: OpenEvent) -> None:
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
        """The events `report` touches (`Membership.touches`), best first: those it can join
        as they stand, then by how well it fits there. Ties go to the smaller id, so the
        order is the same whatever order the events were stored in."""
        fits = []
        for event_id, entry in self.events.items():
            event = self.views.get(event_id)
            if event is None and entry.summary is not None:
                event = self.views[event_id] = Membership.of_summary(entry.summary, 0)
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
        self._blocks: OrderedDict[str, tuple[str, Block]] = OrderedDict()

    def get(self, key: str, value: Any) -> Block | None:
        kept = self._blocks.get(key)
        if kept is None or BlockEntry.token_of(value) != kept[0]:
            return None
        self._blocks.move_to_end(key)
        return kept[1].copy()

    def put(self, key: str, token: str, block: Block) -> None:
        self._blocks[key] = (token, block)
        self._blocks.move_to_end(key)
        while len(self._blocks) > self.size:
            self._blocks.popitem(last=False)
