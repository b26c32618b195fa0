"""Each stored shape encodes to pinned JSON and decodes back: the tables hold this JSON, so a
renamed, dropped or reordered field here is a state migration, and must fail first."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from streams.state.codec import (
    Baseline,
    BlockEntry,
    Deadline,
    Digest,
    EventEntry,
    Expiring,
    FirstCopy,
    MentionLink,
    OpenEvent,
    Report,
    RetiredEvent,
    Story,
    Summary,
    WaitingReport,
)


def pinned(value: Any, stored: str, decode: Callable[[Any], Any]) -> None:
    """`value` is stored as exactly `stored` (compact, as a Faust table writes it), and
    reading `stored` gives `value` back."""
    assert json.dumps(value.encode(), separators=(",", ":")) == stored
    assert decode(json.loads(stored)) == value


DEADLINE = Deadline(stream=1800.0, wall=1900.5)
REPORT = Report(
    mention_id="m1",
    lo=739940.5,
    hi=739941.5,
    country="UKR",
    subdivision="UA-63",
    actors=frozenset({"RUS", "BLR"}),
    recipients=frozenset({"UKR"}),
    ongoing=False,
    opens=True,
    seen=1763629200.0,
    day="2026-11-20",
)
REPORT_ROW = (
    '[739940.5,739941.5,"UKR","UA-63",["BLR","RUS"],["UKR"],false,true,1763629200.0,"2026-11-20"]'
)
SUMMARY = Summary(
    lo=739940.5,
    hi=739941.5,
    first=-math.inf,
    last=739942.0,
    country="UKR",
    point_places=frozenset({"UA-63"}),
    places=frozenset({"UA-63", "UA-51"}),
    recipient_sets=frozenset({frozenset({"UKR"})}),
    actor_sets=frozenset({frozenset({"RUS", "BLR"}), frozenset({"RUS"})}),
)
SUMMARY_ROW = (
    '[739940.5,739941.5,null,739942.0,"UKR",["UA-63"],["UA-51","UA-63"],[["UKR"]],'
    '[["BLR","RUS"],["RUS"]]]'
)
MENTION = {"mention_id": "m1", "article_id": "a1", "event_type": "ASSAULT"}
"""A mention's JSON is the EventMention schema's (pinned by its JSON Schema), kept as is."""


def test_the_expiry_envelope_and_deadlines() -> None:
    pinned(Expiring("st-1", DEADLINE), '{"v":"st-1","x":1800.0,"w":1900.5}', Expiring.decode)
    pinned(Expiring(True, Deadline(1800.0)), '{"v":true,"x":1800.0}', Expiring.decode)
    pinned(Expiring({"a": 1}, Deadline(None)), '{"v":{"a":1},"x":null}', Expiring.decode)
    pinned(DEADLINE, "[1800.0,1900.5]", Deadline.decode)
    pinned(Deadline(1800.0), "[1800.0,null]", Deadline.decode)


def test_a_first_copy() -> None:
    first = FirstCopy(signature="r/2/Cicz", story="st-f29bc91bbdab169f", seen=1763629200.0)
    stored = '{"sig":"r/2/Cicz","story":"st-f29bc91bbdab169f","seen":1763629200.0}'
    pinned(first, stored, FirstCopy.decode)


def test_a_story() -> None:
    story = Story(
        terms={"missile": 0.8123, "launch": 0.5},
        names={"pyongyang": 0.9},
        years={"2026": 3},
        lead_years={"2025": 1},
        numbers={"12": 2},
        dates={"11-20": 1, "11-21-2026": 1},
        articles=4,
        first=1763600000.0,
        last=1763629200.5,
    )
    stored = (
        '{"t":{"missile":0.8123,"launch":0.5},"e":{"pyongyang":0.9},"y":{"2026":3},'
        '"r":{"2025":1},"n":{"12":2},"d":{"11-20":1,"11-21-2026":1},"c":4,'
        '"f":1763600000.0,"l":1763629200.5}'
    )
    pinned(story, stored, Story.decode)


def test_a_report_and_a_summary() -> None:
    pinned(REPORT, REPORT_ROW, lambda raw: Report.decode("m1", raw))
    unbounded = Report(
        mention_id="m2",
        lo=-math.inf,
        hi=math.inf,
        country=None,
        subdivision=None,
        actors=frozenset(),
        recipients=frozenset(),
        ongoing=True,
        opens=False,
        seen=0.5,
        day=None,
    )
    stored = "[null,null,null,null,[],[],true,false,0.5,null]"
    pinned(unbounded, stored, lambda raw: Report.decode("m2", raw))
    pinned(SUMMARY, SUMMARY_ROW, Summary.decode)


def test_a_blocks_entry() -> None:
    opened = OpenEvent(
        opened=1763600000.0,
        last_seen=1763629200.0,
        seed="m1",
        deadline=DEADLINE,
        kept=2,
        summary=SUMMARY,
    )
    block = BlockEntry(
        events={"ev-2": opened},
        retired={"ev-1": RetiredEvent(into="ev-2", deadline=DEADLINE)},
        waiting={"m1": WaitingReport(report=REPORT, deadline=DEADLINE)},
        token="m9",
    )
    stored = (
        '{"events":{"ev-2":[1763600000.0,1763629200.0,"m1",[1800.0,1900.5],2,'
        + SUMMARY_ROW
        + ']},"retired":{"ev-1":["ev-2",[1800.0,1900.5]]},"waiting":{"m1":['
        + REPORT_ROW
        + ',[1800.0,1900.5]]},"token":"m9"}'
    )
    pinned(block, stored, BlockEntry.decode)
    assert BlockEntry.decode(json.loads(stored)).encode() == json.loads(stored)
    assert BlockEntry.token_of(json.loads(stored)) == "m9"
    assert BlockEntry.token_of(None) is None


def test_an_events_entry_with_its_digest_and_baseline() -> None:
    figure = {
        "quantity": {"value": 12.0, "unit": "people_killed", "qualifier": "exact"},
        "article_id": "a7",
        "source": "Wire",
        "published_at": "2026-11-20T09:00:00Z",
    }
    digest = Digest(
        mentions=5,
        articles=4,
        mention_ids=["m5", "m6"],
        article_ids=["a5"],
        sources=["Outlet 5"],
        severity=["medium", "critical"],
        history=[figure],
        dated=["2026-11-19"],
        dates=["2026-11-19", "2026-11-20"],
        received=["2026-11-20T09:01:00+00:00"],
        seen=[1763629200.0, 1763629300.0],
    )
    baseline = Baseline(paged=True, severity="high", figures={"people_killed": 12.0})
    entry = EventEntry(
        reports={"m1": MENTION},
        rows={"m1": REPORT},
        merged_from=["ev-1"],
        more=digest,
        baseline=baseline,
    )
    digest_json = (
        '{"mentions":5,"articles":4,"mention_ids":["m5","m6"],"article_ids":["a5"],'
        '"sources":["Outlet 5"],"severity":["medium","critical"],"history":['
        '{"quantity":{"value":12.0,"unit":"people_killed","qualifier":"exact"},'
        '"article_id":"a7","source":"Wire","published_at":"2026-11-20T09:00:00Z"}],'
        '"dated":["2026-11-19"],"dates":["2026-11-19","2026-11-20"],'
        '"received":["2026-11-20T09:01:00+00:00"],"seen":[1763629200.0,1763629300.0]}'
    )
    baseline_json = '{"p":true,"s":"high","f":{"people_killed":12.0}}'
    pinned(digest, digest_json, Digest.decode)
    pinned(baseline, baseline_json, Baseline.decode)
    stored = (
        '{"reports":{"m1":{"mention_id":"m1","article_id":"a1","event_type":"ASSAULT"}},'
        '"rows":{"m1":' + REPORT_ROW + '},"merged_from":["ev-1"],'
        '"more":' + digest_json + ',"baseline":' + baseline_json + "}"
    )
    pinned(entry, stored, EventEntry.decode)
    fresh = EventEntry(reports={}, rows={}, merged_from=[], more=None, baseline=None)
    stored = '{"reports":{},"rows":{},"merged_from":[],"more":null,"baseline":null}'
    pinned(fresh, stored, EventEntry.decode)


def test_a_mention_link() -> None:
    pinned(MentionLink(event="ev-2"), '{"event":"ev-2"}', MentionLink.decode)
    waiting = MentionLink(event=None, mention=MENTION)
    stored = '{"event":null,"mention":{"mention_id":"m1","article_id":"a1","event_type":"ASSAULT"}}'
    pinned(waiting, stored, MentionLink.decode)
