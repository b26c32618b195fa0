"""Mentions of one event merge into one canonical event; other events stay apart."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas import Actor, Alert, CanonicalEvent, EventMention, Evidence, Location, Quantity, Span
from streams.merging import build, store
from streams.merging import merge as merging
from streams.merging.merge import Merge, merge_mention
from streams.merging.reports import blocking_key
from streams.merging.store import Decoded, event_key
from streams.pipeline import EventsState, Moment
from streams.pipeline import _events as step_events
from streams.rules import Rule, RuleSet
from streams.state.codec import BlockEntry, EventEntry
from streams.state.expiring import ExpiringState
from tests.order import Outcome

PRK = Actor(code="PRK", name="North Korea")
RUS = Actor(code="RUS", name="Russia")
WINDOW = 30 * 86400.0


def mention(n: int, **fields: Any) -> EventMention:
    published = fields.pop("published_at", datetime(2026, 11, 20, 9, tzinfo=UTC))
    base: dict[str, Any] = {
        "mention_id": f"m{n}",
        "article_id": f"a{n}",
        "source": f"Outlet {n}",
        "published_at": published,
        "event_type": "MOBILIZE",
        "mode": "troops",
        "subtype": "troop_deployment",
        "severity": "high",
        "confidence": 0.6,
        "actors": [PRK],
        "recipients": [RUS],
        "location": Location(name="Kursk Oblast", country="RUS", subdivision="RU-KRS"),
        "event_date": published.date(),
        "evidence": Evidence(sentence="s", start=0, end=1),
    }
    return EventMention(**{**base, **fields})


def merge_all(*mentions: EventMention) -> tuple[ExpiringState, list[Merge]]:
    """Merge and store each mention in turn, as the events step does."""
    blocks = ExpiringState({})
    results = []
    for m in mentions:
        now = m.published_at.timestamp()  # type: ignore[union-attr]
        merged = merge_mention(m, blocks, now, WINDOW)
        merged.commit(blocks, now, WINDOW)
        results.append(merged)
    return blocks, results


def test_growing_figure_updates_one_event_and_keeps_history() -> None:
    some = Quantity(value=8000, unit="troops", qualifier="approximately")
    up_to = Quantity(value=12000, unit="troops", qualifier="at_most")
    first = mention(1, quantities=[some])
    later = mention(
        2,
        quantities=[up_to],
        location=Location(name="Russia", country="RUS"),
        published_at=datetime(2026, 11, 23, 9, tzinfo=UTC),
    )
    _, (a, b) = merge_all(first, later)
    assert [c.created for c in a.changes] == [True] and [c.created for c in b.changes] == [False]
    assert a.event.event_id == b.event.event_id == b.mention.event_id
    event = b.event
    assert event.quantities == [up_to]
    assert [r.quantity.value for r in event.quantity_history] == [8000, 12000]
    assert event.location.subdivision == "RU-KRS"  # the more specific place is kept
    assert event.article_ids == ["a1", "a2"] and event.sources == ["Outlet 1", "Outlet 2"]
    assert event.first_seen < event.last_seen


def test_redelivered_mention_changes_nothing() -> None:
    _, (first, again) = merge_all(mention(1), mention(1))
    assert first.event is not None
    assert again.event is None and again.mention.event_id == first.event.event_id


def test_launches_a_week_apart_are_two_events() -> None:
    kwargs = {
        "mode": "weapons",
        "subtype": "missile_test",
        "severity": "critical",
        "weapon": "ICBM",
    }
    one = mention(1, **kwargs)
    week = mention(2, published_at=datetime(2026, 11, 27, 9, tzinfo=UTC), **kwargs)
    next_day = mention(3, published_at=datetime(2026, 11, 21, 9, tzinfo=UTC), **kwargs)
    next_day = next_day.model_copy(update={"event_date": date(2026, 11, 20)})
    _, (a, b, c) = merge_all(one, week, next_day)
    assert a.event.event_id != b.event.event_id
    assert c.mention.event_id == a.event.event_id


def test_a_copy_counts_like_its_original_whichever_came_first() -> None:
    # Which of two near-copies is marked the copy depends on arrival; the event must not.
    _, (_, joined) = merge_all(mention(2), mention(3, duplicate_of="a2"))
    _, (_, first) = merge_all(mention(3, duplicate_of="a2"), mention(2))
    assert joined.event is not None and first.event is not None
    assert joined.event.article_ids == first.event.article_ids == ["a2", "a3"]


def test_different_country_or_actor_is_another_event() -> None:
    elsewhere = mention(2, location=Location(name="Belarus", country="BLR"))
    other_actor = mention(3, actors=[RUS], recipients=[])
    _, (a, b, c) = merge_all(mention(1), elsewhere, other_actor)
    assert len({a.event.event_id, b.event.event_id, c.event.event_id}) == 3
    # an act meets its candidates where it happened: another country is another block, and
    # another actor in the same place is told apart within the block
    assert blocking_key(elsewhere) != blocking_key(mention(1))
    assert blocking_key(other_actor) == blocking_key(mention(1))


def test_severity_only_rises() -> None:
    _, (_, b) = merge_all(mention(1, severity="high"), mention(2, severity="medium"))
    assert b.event.severity == "high"
    _, (_, c) = merge_all(mention(1, severity="medium"), mention(2, severity="high"))
    assert c.event.severity == "high"


def test_place_hierarchy_and_parties() -> None:
    strike = {"event_type": "ASSAULT", "mode": "aerial", "subtype": "airstrike", "actors": [RUS]}
    kharkiv = Location(name="Kharkiv Oblast", country="UKR", subdivision="UA-63")
    odesa = Location(name="Odesa Oblast", country="UKR", subdivision="UA-51")
    ukraine = Location(name="Ukraine", country="UKR")
    ukr = Actor(code="UKR", name="Ukraine")
    _, (a, b, c) = merge_all(
        mention(1, location=kharkiv, recipients=[ukr], **strike),
        mention(2, location=ukraine, recipients=[ukr], **strike),
        mention(3, location=odesa, recipients=[ukr], **strike),
    )
    assert b.event.event_id == a.event.event_id  # Ukraine contains Kharkiv Oblast
    assert c.event.event_id != a.event.event_id  # another region: another strike
    assert b.event.location == kharkiv  # the more specific place is kept

    belgorod = Location(name="Belgorod Oblast", country="RUS", subdivision="RU-BEL")
    _, (d, e) = merge_all(mention(1), mention(2, location=belgorod))
    assert d.event.event_id == e.event.event_id  # a deployment reported region by region

    blr = Actor(code="BLR", name="Belarus")
    _, (f, g) = merge_all(mention(1), mention(2, recipients=[blr], location=None))
    assert f.event.event_id != g.event.event_id  # troops sent to another state


# --- Order: the same reports make the same events whatever order they arrive in -------------

UKR = Actor(code="UKR", name="Ukraine")
KHARKIV = Location(name="Kharkiv Oblast", country="UKR", subdivision="UA-63")
ODESA = Location(name="Odesa Oblast", country="UKR", subdivision="UA-51")
UKRAINE = Location(name="Ukraine", country="UKR")
STRIKE = {"event_type": "ASSAULT", "mode": "aerial", "subtype": "airstrike", "actors": [RUS]}


def strike(
    n: int, day: int, where: Location | None, dated: bool = True, **fields: Any
) -> EventMention:
    """A strike on Ukraine reported on 2026-11-`day`; `dated`: the sentence names the day."""
    published = datetime(2026, 11, day, 9, tzinfo=UTC)
    evidence = Evidence(sentence="s", start=0, end=1, date=Span(start=0, end=1) if dated else None)
    fields = {"recipients": [UKR], **STRIKE, **fields}
    return mention(n, location=where, published_at=published, evidence=evidence, **fields)


def events_of(mentions: list[EventMention]) -> set[frozenset[str]]:
    """The open events (as sets of articles) that merging `mentions` in this order leaves."""
    _, merges = merge_all(*mentions)
    latest: dict[str, Any] = {}
    for merge in merges:
        for change in merge.changes:
            latest[change.event.event_id] = change.event
    return {frozenset(e.article_ids) for e in latest.values() if e.status == "open"}


def test_an_undated_report_joins_the_strike_it_fits_best_in_any_order() -> None:
    # Strikes on the 19th and the 21st are two events; an undated report published on the
    # 20th could be either, and goes to the nearer one (the 19th: its span reaches back)
    # whichever arrived first, rather than to whichever opened first.
    on_19 = strike(1, 19, UKRAINE)
    undated = strike(2, 20, UKRAINE, dated=False)
    on_21 = strike(3, 21, UKRAINE)
    want = {frozenset({"a1", "a2"}), frozenset({"a3"})}
    for order in itertools.permutations([on_19, undated, on_21]):
        assert events_of(list(order)) == want, [m.article_id for m in order]


def test_an_event_keeps_its_id_with_the_report_that_defines_it() -> None:
    # A summary joins the Kharkiv strike, then a report of the Odesa strike that fits the
    # summary better (same two attackers) arrives: the summary moves to Odesa. The Kharkiv
    # event keeps its id with its own report, though the Odesa event sorts first; only the
    # Odesa event is new, so the Kharkiv strike never pages "new" twice.
    kharkiv = strike(5, 20, KHARKIV)
    summary = strike(6, 20, UKRAINE, actors=[RUS, BLR])
    odesa = strike(1, 20, ODESA, actors=[RUS, BLR])
    _, (first, joined, split) = merge_all(kharkiv, summary, odesa)
    kept = first.mention.event_id
    assert joined.mention.event_id == kept
    assert split.mention.event_id != kept
    created = [c.event for c in split.changes if c.created]
    assert [e.article_ids for e in created] == [["a1", "a6"]]
    (left,) = [c.event for c in split.changes if c.event.event_id == kept]
    assert left.article_ids == ["a5"] and left.status == "open"
    assert [(m.mention_id, m.event_id) for m in split.relinked] == [("m6", created[0].event_id)]


def test_a_report_below_the_open_confidence_waits_for_its_event() -> None:
    unsure = strike(1, 20, KHARKIV, confidence=0.3)
    sure = strike(2, 20, KHARKIV)
    _, (waited, opened) = merge_all(unsure, sure)
    assert waited.mention.event_id is None and not waited.changes
    assert opened.event is not None and opened.event.article_ids == ["a1", "a2"]
    # the waiting report is relinked to the event it joined
    assert [(m.mention_id, m.event_id) for m in opened.relinked] == [("m1", opened.event.event_id)]
    assert events_of([sure, unsure]) == events_of([unsure, sure])


def test_history_and_plans_only_refer_to_an_open_event() -> None:
    planned = strike(2, 20, KHARKIV, factuality="planned")
    _, (opened, referred) = merge_all(strike(1, 20, KHARKIV), planned)
    assert opened.event is not None
    assert referred.mention.event_id == opened.event.event_id and not referred.changes
    _, (alone,) = merge_all(planned)
    assert alone.mention.event_id is None and not alone.changes


def test_a_vaguely_dated_report_joins_no_event_after_its_article() -> None:
    vague = strike(1, 20, KHARKIV, event_date=None, dated=False)  # "earlier this year"
    later, earlier = strike(2, 25, KHARKIV), strike(3, 18, KHARKIV)
    assert events_of([later, vague]) == {frozenset({"a1"}), frozenset({"a2"})}
    assert events_of([vague, earlier]) == {frozenset({"a1", "a3"})}


def test_a_report_anchored_in_no_state_joins_no_event() -> None:
    # No party and a place in no known country: the same act could be anywhere.
    border = Location(name="the border")
    blocks, (first, second) = merge_all(
        strike(1, 20, border, recipients=[], actors=[], confidence=0.9),
        strike(2, 20, border, recipients=[], actors=[], confidence=0.9),
    )
    assert [first.mention.event_id, second.mention.event_id] == [None, None]
    assert not first.changes and not second.changes and len(blocks) == 0


def test_a_block_kept_decoded_is_read_again_once_another_worker_changed_it() -> None:
    blocks = ExpiringState({})
    mine, theirs = Decoded(), Decoded()
    for n, decoded in ((1, mine), (2, theirs), (3, mine)):
        m = strike(n, 20, KHARKIV)
        now = m.published_at.timestamp()  # type: ignore[union-attr]
        merged = merge_mention(m, blocks, now, WINDOW, decoded)
        merged.commit(blocks, now, WINDOW)
    assert merged.event is not None and merged.event.article_ids == ["a1", "a2", "a3"]
    assert events_of([strike(n, 20, KHARKIV) for n in (1, 2, 3)]) == {
        frozenset(merged.event.article_ids)
    }


def widen(blocks: ExpiringState, key: str, now: float) -> None:
    """Rewrite an event's stored reports a day wider on each side, as a wider tolerance
    would have stored them."""
    entry = EventEntry.decode(blocks.get(key, now))
    wider = {m: replace(r, lo=r.lo - 1.0, hi=r.hi + 1.0) for m, r in entry.rows.items()}
    blocks.put(key, replace(entry, rows=wider).encode(), now, WINDOW)


def test_when_two_events_turn_out_to_be_one_the_older_survives() -> None:
    # State an earlier configuration wrote (a narrower tolerance kept the 19th and the 20th
    # apart): the next report regroups them into one event and retires the younger.
    blocks, (a, b) = merge_all(strike(1, 19, KHARKIV), strike(2, 21, KHARKIV))
    older, younger = a.mention.event_id, b.mention.event_id
    assert older and younger and older != younger
    key = blocking_key(strike(3, 20, KHARKIV))
    now = datetime(2026, 11, 21, 12, tzinfo=UTC).timestamp()
    for event_id in (older, younger):  # both spans reach a day further: the 20th fits both
        widen(blocks, event_key(key, event_id), now)
    merged = merge_mention(strike(3, 20, KHARKIV), blocks, now, WINDOW)
    (retired,) = [c.event for c in merged.changes if c.event.status == "retired"]
    survivor = merged.event
    assert retired.event_id == younger and retired.merged_into == older
    assert survivor is not None and survivor.event_id == older
    assert survivor.merged_from == [younger] and survivor.article_ids == ["a1", "a2", "a3"]
    assert [c.event.status for c in merged.changes] == ["retired", "open"]
    # once stored, a redelivered report of the retired event is linked to the survivor
    merged.commit(blocks, now, WINDOW)
    again = merge_mention(strike(2, 21, KHARKIV), blocks, now, WINDOW)
    assert again.mention.event_id == older and not again.changes


def test_state_waits_for_the_wall_clock_as_well_as_stream_time() -> None:
    # One report dated a year ahead must not expire the events a late report belongs to.
    wall = [1000.0]
    blocks = ExpiringState({}, wall=lambda: wall[0])
    first = strike(1, 20, KHARKIV)
    now = first.published_at.timestamp()  # type: ignore[union-attr]
    merge_mention(first, blocks, now, WINDOW).commit(blocks, now, WINDOW)
    ahead = now + 365 * 86400
    late = merge_mention(strike(2, 20, KHARKIV), blocks, ahead, WINDOW)
    assert late.event is not None and late.event.article_ids == ["a1", "a2"]
    wall[0] += WINDOW + 1  # both clocks past the window: it expires
    gone = merge_mention(strike(3, 20, KHARKIV), blocks, ahead, WINDOW)
    assert gone.event is not None and gone.event.article_ids == ["a3"]


BLR = Actor(code="BLR", name="Belarus")

# Reports of strikes in one block: a day from the 18th to the 22nd, dated or not, a region
# or the whole country, sure or unsure of their type, naming a target or not, by one
# attacker or two.
report_specs = st.lists(
    st.tuples(
        st.integers(18, 22),
        st.booleans(),
        st.sampled_from([KHARKIV, ODESA, UKRAINE, None]),
        st.sampled_from([0.3, 0.9]),
        st.booleans(),
        st.sampled_from([[RUS], [RUS, BLR]]),
    ),
    min_size=1,
    max_size=7,
)


def reports_of(specs: list[Any]) -> list[EventMention]:
    return [
        strike(
            n, day, where, dated, confidence=conf, recipients=[UKR] if target else [], actors=actors
        )
        for n, (day, dated, where, conf, target, actors) in enumerate(specs)
    ]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs=report_specs, seed=st.randoms(use_true_random=False))
def test_any_arrival_order_makes_the_same_events(specs: list[Any], seed: Any) -> None:
    reports = reports_of(specs)
    shuffled = list(reports)
    seed.shuffle(shuffled)
    assert events_of(shuffled) == events_of(reports)


PAGE_ALL = RuleSet(rules=[Rule(name="all", min_severity="info")])


def pages_of(mentions: list[EventMention]) -> Outcome:
    """The events step over `mentions` in this order: the events left and their pages."""
    state = EventsState(ExpiringState({}), PAGE_ALL, WINDOW)
    events, alerts = [], []
    for m in mentions:
        now = m.published_at.timestamp()  # type: ignore[union-attr]
        for output in step_events(m, state, Moment(now, datetime.fromtimestamp(now, UTC))):
            if isinstance(output.value, CanonicalEvent):
                events.append(output.value)
            elif isinstance(output.value, Alert):
                alerts.append(output.value)
    return Outcome.of(events, alerts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs=report_specs, seed=st.randoms(use_true_random=False))
def test_any_arrival_order_pages_the_same_events(specs: list[Any], seed: Any) -> None:
    reports = reports_of(specs)
    shuffled = list(reports)
    seed.shuffle(shuffled)
    want, got = pages_of(reports), pages_of(shuffled)
    assert got.events == want.events
    assert set(got.pages) == set(want.pages)
    # A report can show, too late, that two events which both paged are one: the second
    # "new" for it then always comes with a retired record saying so, never silently.
    for outcome in (want, got):
        for event, pages in outcome.pages.items():
            assert pages <= 1 + outcome.merged[event]


# --- A report's merge stays bounded however many reports a block or an event holds ----------


class CountingMap(dict[str, Any]):
    """A table that counts the entries read from it."""

    reads = 0

    def get(self, key: str, default: Any = None) -> Any:
        self.reads += 1
        return super().get(key, default)


def test_past_the_exact_size_a_report_reads_only_the_events_it_can_join(monkeypatch: Any) -> None:
    monkeypatch.setattr(merging, "EXACT_REPORTS", 4)
    monkeypatch.setattr(merging, "MAX_CANDIDATES", 2)
    # Strikes on ten days two days apart, two reports each (one a day late): ten events.
    days = [2 + 2 * i for i in range(10)]
    reports = [strike(100 + i, day, KHARKIV) for i, day in enumerate(days)]
    reports += [strike(200 + i, day + 1, KHARKIV, dated=False) for i, day in enumerate(days)]
    table = CountingMap()
    blocks = ExpiringState(table)
    for held, m in enumerate(reports):
        now = m.published_at.timestamp()  # type: ignore[union-attr]
        table.reads = 0
        merge_mention(m, blocks, now, WINDOW).commit(blocks, now, WINDOW)
        if held >= 4:  # the mention's own key, the block, and at most two events' entries
            assert table.reads <= 2 + 2
    want = {frozenset({f"a{100 + i}", f"a{200 + i}"}) for i in range(10)}
    assert events_of(reports) == want
    shuffled = list(reports)
    random.Random(3).shuffle(shuffled)
    assert events_of(shuffled) == want


def test_an_event_past_its_kept_reports_still_counts_them_and_takes_their_figures(
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr(merging, "MAX_KEPT", 3)
    monkeypatch.setattr(build, "LISTED", 2)
    reports = [strike(n, 20, KHARKIV) for n in range(1, 9)]
    # the last, undated and so the least specific, names the toll and is the most severe
    toll = Quantity(value=40, unit="people_killed", qualifier="exact")
    reports.append(strike(9, 20, KHARKIV, dated=False, quantities=[toll], severity="critical"))
    blocks, merges = merge_all(*reports)
    event = merges[-1].event
    assert event is not None and {m.mention.event_id for m in merges} == {event.event_id}
    assert event.mention_count == 9 and event.article_count == 9
    assert len(event.mention_ids) <= 3 + 2 and len(event.article_ids) <= 3 + 2
    assert event.quantities == [toll] and event.severity == "critical"
    # a redelivered report that was folded into the digest is still linked to its event
    again = merge_mention(reports[-1], blocks, reports[-1].published_at.timestamp(), WINDOW)  # type: ignore[union-attr]
    assert again.mention.event_id == event.event_id and not again.changes


def test_a_block_keeps_its_most_recent_events_joinable(monkeypatch: Any) -> None:
    monkeypatch.setattr(store, "RECENT_EVENTS", 3)
    reports = [strike(n, 2 + 3 * n, KHARKIV) for n in range(6)]
    blocks, merges = merge_all(*reports)
    key = blocking_key(reports[0])
    now = reports[-1].published_at.timestamp()  # type: ignore[union-attr]
    kept = BlockEntry.decode(blocks.get(key, now)).events
    assert set(kept) == {m.mention.event_id for m in merges[-3:]}
    # a late report of the oldest event can no longer join it: it opens an event of its own
    late = merge_mention(strike(50, 2, KHARKIV), blocks, now, WINDOW)
    assert late.mention.event_id not in {m.mention.event_id for m in merges}


def test_a_survivor_takes_the_counts_of_an_event_retired_into_it(monkeypatch: Any) -> None:
    monkeypatch.setattr(merging, "MAX_KEPT", 2)
    # Three reports of the 19th and three of the 21st: two events, each past its kept two.
    on_19 = [strike(n, 19, KHARKIV) for n in (1, 2, 3)]
    on_21 = [strike(n, 21, KHARKIV) for n in (4, 5, 6)]
    blocks, merges = merge_all(*on_19, *on_21)
    older, younger = merges[0].mention.event_id, merges[-1].mention.event_id
    assert older and younger and older != younger
    key = blocking_key(on_19[0])
    now = datetime(2026, 11, 21, 12, tzinfo=UTC).timestamp()
    for event_id in (older, younger):  # widen the kept reports' days: the 20th fits both
        widen(blocks, event_key(key, event_id), now)
    merged = merge_mention(strike(7, 20, KHARKIV), blocks, now, WINDOW)
    (retired,) = [c.event for c in merged.changes if c.event.status == "retired"]
    survivor = merged.event
    assert retired.event_id == younger and survivor is not None and survivor.event_id == older
    assert survivor.mention_count == 7 and survivor.article_count == 7
    assert set(survivor.mention_ids) == {f"m{n}" for n in range(1, 8)}
