"""Mentions of one event merge into one canonical event; other events stay apart."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from schemas import Actor, EventMention, Evidence, Location, Quantity
from streams.stages.events import blocking_key, merge_mention
from streams.stages.state import ExpiringState

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


def merge_all(*mentions: EventMention) -> tuple[ExpiringState, list[Any]]:
    blocks = ExpiringState({})
    results = [
        merge_mention(m, blocks, m.published_at.timestamp(), WINDOW)  # type: ignore[union-attr]
        for m in mentions
    ]
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
    assert a.created and not b.created
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


def test_duplicate_article_joins_but_never_starts_an_event() -> None:
    orphan = mention(1, duplicate_of="a0")
    _, (result,) = merge_all(orphan)
    assert result.event is None and result.mention.event_id is None
    _, (_, joined) = merge_all(mention(2), mention(3, duplicate_of="a2"))
    assert joined.event is not None and joined.event.article_ids == ["a2", "a3"]


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
