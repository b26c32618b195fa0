"""Scoring roles against marked spans and the reliability of the confidence."""

from __future__ import annotations

from geolab.crossval import Reading, Reliability, overlaps, score_roles
from geolab.training import Example
from schemas import EventMention, Evidence, Span

TEXT = "The European Union urged Russia to withdraw its troops."


def mention(
    actors: list[tuple[int, int]], recipients: list[tuple[int, int]], c: float
) -> EventMention:
    return EventMention(
        mention_id="m", article_id="a", source="s", event_type="REQUEST", severity="info",
        confidence=c,
        evidence=Evidence(
            sentence=TEXT, start=0, end=len(TEXT),
            actors=[Span(start=s, end=e) for s, e in actors],
            recipients=[Span(start=s, end=e) for s, e in recipients],
        ),
    )  # fmt: skip


def example(label: str = "REQUEST") -> Example:
    return Example(
        "x", TEXT, label, "plv", actor_span="The European Union", recipient_span="Russia"
    )


def test_half_the_shorter_span_must_be_shared() -> None:
    assert overlaps(Span(start=0, end=18), 0, 18)
    assert overlaps(Span(start=4, end=18), 0, 18)  # "European Union" in "The European Union"
    assert not overlaps(Span(start=16, end=30), 0, 18)
    assert not overlaps(Span(start=25, end=31), 0, 18)


def test_roles_count_right_wrong_and_swapped() -> None:
    right = Reading(example(), mention([(0, 18)], [(25, 31)], 0.9))
    swapped = Reading(example(), mention([(25, 31)], [(0, 18)], 0.9))
    nothing = Reading(example(), None)
    roles = score_roles([right, swapped, nothing])
    assert roles.gold == {"actor": 3, "recipient": 3}
    assert roles.predicted == {"actor": 2, "recipient": 2}
    assert (roles.precision("actor"), roles.recall("actor")) == (0.5, 1 / 3)
    assert roles.swapped == 2


def test_reliability_bins_count_the_share_right() -> None:
    readings = [
        Reading(example(), mention([], [], 0.95)),
        Reading(example("ASSAULT"), mention([], [], 0.92)),
        Reading(example(), mention([], [], 0.6)),
        Reading(example("CONCEDE"), mention([], [], 0.3)),
    ]
    rel = Reliability.of(readings)
    assert rel.share(0.8) == (2, 0.5)
    assert rel.share(0.0, 0.8) == (2, 0.5)
    assert [(n, k) for _, _, n, k in rel.rows] == [(1, 0), (1, 1), (0, 0), (2, 1)]
