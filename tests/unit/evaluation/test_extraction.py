"""The extraction scorer's arithmetic on tiny hand-made cases, and its run on the own corpus."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, get_args

import pytest
from typer.testing import CliRunner

from geolab import extraction
from geolab.cli import cli
from geolab.extraction import (
    ExpectedArticle,
    ExtractionReport,
    Tally,
    assign,
    evaluate,
    gold_article,
)
from schemas import Actor, Article, EventMention, Evidence, Location, Quantity
from schemas.event import EventType
from streams.errors import GeoeventsError

BODY = (
    "North Korea fired an ICBM on Thursday. Seoul condemned the launch. "
    "Tokyo lodged a protest. North Korea last tested a nuclear bomb in 2017."
)
DAY = date(2025, 11, 20)


def article(body: str = BODY, article_id: str = "a1") -> Article:
    published = datetime(2025, 11, 20, 9, 0, tzinfo=UTC)
    return Article(id=article_id, source="Test Wire", body=body, published_at=published)


def expected_event(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "event_type": "MOBILIZE",
        "mode": "weapons",
        "subtype": "missile_test",
        "severity": "critical",
        "actors": ["PRK"],
        "recipients": [],
        "location": {"country": "PRK", "subdivision": "KP-01"},
        "quantities": [{"value": 1, "unit": "missiles", "qualifier": "exact"}],
        "weapon": "ICBM",
        "event_date": "2025-11-20",
    }
    return base | fields


def label(events: list[dict[str, Any]], **fields: Any) -> ExpectedArticle:
    return ExpectedArticle.model_validate({"article_id": "a1", "events": events} | fields)


def mention(
    event_type: str = "MOBILIZE",
    subtype: str | None = "missile_test",
    actors: tuple[str, ...] = ("PRK",),
    recipients: tuple[str, ...] = (),
    *,
    mode: str | None = "weapons",
    severity: str = "critical",
    location: tuple[str, str | None] | None = ("PRK", "KP-01"),
    quantities: tuple[tuple[float, str, str], ...] = ((1, "missiles", "exact"),),
    weapon: str | None = "ICBM",
    event_date: date | None = DAY,
    span: tuple[int, int] = (0, 38),
    sectors: dict[str, str] | None = None,
) -> EventMention:
    sectors = sectors or {}
    return EventMention.model_validate(
        {
            "mention_id": f"m-{event_type}-{span[0]}-{'-'.join(actors)}",
            "article_id": "a1",
            "source": "Test Wire",
            "event_type": event_type,
            "mode": mode,
            "subtype": subtype,
            "severity": severity,
            "confidence": 0.6,
            "actors": [Actor(code=c, name=c, sector=sectors.get(c)) for c in actors],
            "recipients": [Actor(code=c, name=c) for c in recipients],
            "location": (
                Location(name="x", country=location[0], subdivision=location[1])
                if location
                else None
            ),
            "quantities": [Quantity(value=v, unit=u, qualifier=q) for v, u, q in quantities],
            "weapon": weapon,
            "event_date": event_date,
            "evidence": Evidence(sentence=BODY[span[0] : span[1]], start=span[0], end=span[1]),
        }
    )


def score(
    expected: ExpectedArticle, predicted: list[EventMention], body: str = BODY
) -> ExtractionReport:
    return evaluate([gold_article(article(body), expected)], {"a1": predicted})


def figures(t: Tally) -> tuple[int, int, int]:
    return t.tp, t.fp, t.fn


# --- arithmetic --------------------------------------------------------------------------------


def test_a_perfect_prediction_scores_one_everywhere() -> None:
    report = score(label([expected_event()]), [mention()])
    assert figures(report.detection_root) == (1, 0, 0)
    assert figures(report.detection_subtype) == (1, 0, 0)
    assert report.detection_root.f1 == 1.0
    f = report.fields
    assert f.pairs == 1
    assert (f.actors.precision, f.actors.recall, f.actors.f1) == (1.0, 1.0, 1.0)
    assert figures(f.recipients) == (0, 0, 0) and f.recipients.f1 is None  # nothing to compare
    for accuracy in (
        f.location_country,
        f.location_subdivision,
        f.weapon,
        f.event_date,
        f.severity,
    ):
        assert (accuracy.correct, accuracy.total) == (1, 1)
    assert figures(f.quantities) == (1, 0, 0)
    assert report.trap_mentions == 0
    assert not report.findings


def test_a_missing_event_lowers_recall_only() -> None:
    condemnation = expected_event(
        event_type="ACCUSE", mode="disapprove", subtype="condemnation", severity="low",
        actors=["KOR"], recipients=["PRK"], location=None, quantities=[], weapon=None,
    )  # fmt: skip
    report = score(label([expected_event(), condemnation]), [mention()])
    assert figures(report.detection_root) == (1, 0, 1)
    assert report.detection_root.precision == 1.0
    assert report.detection_root.recall == 0.5
    assert report.detection_root.f1 == pytest.approx(2 / 3)
    assert figures(report.per_root["ACCUSE"]) == (0, 0, 1)
    assert [(f.kind, f.text) for f in report.findings] == [("missed", "ACCUSE/condemnation [KOR]")]


def test_an_extra_mention_lowers_precision_only() -> None:
    extra = mention("ASSAULT", "airstrike", ("USA",), mode="aerial", span=(39, 66))
    report = score(label([expected_event()]), [mention(), extra])
    assert figures(report.detection_root) == (1, 1, 0)
    assert report.detection_root.precision == 0.5
    assert report.detection_root.recall == 1.0
    assert figures(report.per_root["ASSAULT"]) == (0, 1, 0)
    assert report.findings[0].kind == "false_positive"


def test_a_wrong_actor_still_detects_the_event_but_scores_zero_on_actors() -> None:
    report = score(label([expected_event()]), [mention(actors=("RUS",))])
    assert figures(report.detection_root) == (1, 0, 0)
    assert figures(report.fields.actors) == (0, 1, 1)
    assert report.fields.actors.f1 == 0.0
    assert "actors ['PRK'] -> ['RUS']" in report.findings[0].text


def test_actor_codes_are_counted_one_by_one_and_sectors_apart() -> None:
    joint = expected_event(
        event_type="ACCUSE", mode="disapprove", subtype="condemnation", severity="low",
        actors=["USA/GOV", "JPN/GOV", "KOR/GOV"], recipients=["PRK"], location=None,
        quantities=[], weapon=None,
    )  # fmt: skip
    predicted = mention(
        "ACCUSE", "condemnation", ("USA", "KOR", "CHN"), ("PRK",), mode="disapprove",
        severity="low", location=None, quantities=(), weapon=None, sectors={"USA": "GOV"},
    )  # fmt: skip
    report = score(label([joint]), [predicted])
    assert figures(report.fields.actors) == (2, 1, 1)
    assert report.fields.actors.precision == pytest.approx(2 / 3)
    assert figures(report.fields.recipients) == (1, 0, 0)
    # sectors are compared only for the expected actors the prediction names: USA right, KOR not
    assert (report.fields.actor_sectors.correct, report.fields.actor_sectors.total) == (1, 2)


def test_a_wrong_subtype_counts_at_root_level_but_not_at_subtype_level() -> None:
    report = score(label([expected_event()]), [mention(subtype="nuclear_test")])
    assert figures(report.detection_root) == (1, 0, 0)
    assert figures(report.detection_subtype) == (0, 1, 1)
    assert (report.fields.subtype.correct, report.fields.subtype.total) == (0, 1)


def test_alignment_pairs_events_by_actor_not_by_order() -> None:
    def condemnation(actor: str) -> dict[str, Any]:
        return expected_event(
            event_type="ACCUSE", mode="disapprove", subtype="condemnation", severity="low",
            actors=[actor], recipients=["PRK"], location=None, quantities=[], weapon=None,
        )  # fmt: skip

    def predicted(actor: str, start: int) -> EventMention:
        return mention(
            "ACCUSE", "condemnation", (actor,), ("PRK",), mode="disapprove", severity="low",
            location=None, quantities=(), weapon=None, span=(start, start + 20),
        )  # fmt: skip

    report = score(
        label([condemnation("KOR"), condemnation("JPN")]),
        [predicted("JPN", 39), predicted("KOR", 67)],
    )
    assert figures(report.detection_root) == (2, 0, 0)
    assert figures(report.fields.actors) == (2, 0, 0)


def test_figures_compare_value_unit_and_qualifier() -> None:
    wanted = expected_event(quantities=[
        {"value": 8000, "unit": "troops", "qualifier": "approximately"},
        {"value": 3, "unit": "killed", "qualifier": "at_least"},
    ])  # fmt: skip
    got = mention(quantities=((8000, "troops", "approximately"), (3, "killed", "exact")))
    report = score(label([wanted]), [got])
    assert figures(report.fields.quantities) == (1, 1, 1)
    assert report.fields.quantities.precision == 0.5


def test_location_weapon_and_date_fields() -> None:
    wanted = expected_event(event_date="2025-11-19")
    got = mention(location=("PRK", None), weapon="SRBM")
    report = score(label([wanted]), [got])
    f = report.fields
    assert (f.location_country.correct, f.location_subdivision.correct) == (1, 0)
    assert (f.weapon.correct, f.weapon.total) == (0, 1)
    assert (f.event_date.correct, f.event_date.total) == (0, 1)
    # a location or weapon where the label has none is counted apart, not as an accuracy miss
    bare = expected_event(location=None, weapon=None)
    report = score(label([bare]), [mention()])
    assert (report.fields.location_spurious, report.fields.weapon_spurious) == (1, 1)
    assert report.fields.location_country.total == 0


def test_mentions_on_a_trap_article_are_trap_false_positives() -> None:
    report = score(label([], trap="non_political"), [mention(), mention(span=(39, 66))])
    assert report.trap_articles["non_political"].as_dict() == {"count": 1, "mentions": 2}
    assert report.trap_mentions == 2
    assert figures(report.detection_root) == (0, 2, 0)
    assert report.event_articles == 0


def test_a_mention_read_from_a_trap_sentence_matches_nothing() -> None:
    quote = "North Korea last tested a nuclear bomb in 2017."
    start = BODY.index(quote)
    trapped = mention(span=(start, start + len(quote)))
    report = score(label([expected_event()], traps=[{"kind": "past", "quote": quote}]), [trapped])
    assert report.trap_sentences["past"].as_dict() == {"count": 1, "mentions": 1}
    assert figures(report.detection_root) == (0, 1, 1)  # even though its root would match
    assert {f.kind for f in report.findings} == {"trap", "missed"}


def test_assign_finds_the_matching_a_greedy_pass_misses() -> None:
    # greedy takes (0, 0) at 2.0 and strands prediction 1; the best matching pairs both
    scores = [[2.0, 1.9], [1.8, None]]
    assert assign(scores, 2) == [(0, 1), (1, 0)]
    assert extraction._greedy(scores) == [(0, 0)]
    assert assign([[None], [None]], 1) == []


def test_empty_tallies_have_no_ratios() -> None:
    assert (Tally().precision, Tally().recall, Tally().f1) == (None, None, None)
    assert Tally(tp=0, fp=2).precision == 0.0


# --- the label files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"trap": "past", "events": [expected_event()]}, "lists no events"),
        ({"events": [expected_event(actors=["prk"])]}, "CODE or CODE/SECTOR"),
        ({"events": [expected_event(mode="drone")]}, "not a PLOVER mode"),
        ({"events": [expected_event(colour="red")]}, "Extra inputs"),
    ],
)
def test_bad_labels_are_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ExpectedArticle.model_validate({"article_id": "a1"} | fields)


def test_corpus_files_are_checked_against_each_other(tmp_path: Any) -> None:
    articles = tmp_path / "articles.jsonl"
    articles.write_text(article().model_dump_json() + "\n", encoding="utf-8")
    expected = tmp_path / "expected.jsonl"
    expected.write_text(
        json.dumps({"article_id": "a1", "events": [], "trap": "past",
                    "traps": [{"kind": "past", "quote": "not in the body"}]}) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    with pytest.raises(GeoeventsError, match="trap quote not in the body"):
        extraction.load_corpus(articles, expected)
    expected.write_text(json.dumps({"article_id": "b2", "events": []}) + "\n", encoding="utf-8")
    with pytest.raises(GeoeventsError, match="b2 is not in"):
        extraction.load_corpus(articles, expected)
    expected.write_text("{}\n", encoding="utf-8")
    with pytest.raises(GeoeventsError, match=r"expected\.jsonl:1"):
        extraction.load_corpus(articles, expected)


def test_an_extractor_that_raises_is_counted_not_fatal() -> None:
    def broken(record: Any) -> list[EventMention]:
        raise RuntimeError("mid-rewrite")

    report = extraction.run(extractor=broken)
    assert report.extractor_errors == report.articles
    assert report.predicted_mentions == 0


# --- the own corpus -----------------------------------------------------------------------------


def test_own_corpus_structure() -> None:
    """The corpus covers what it claims to; the extractor only has to run on all of it."""
    gold = extraction.load_corpus(extraction.DEFAULT_ARTICLES, extraction.DEFAULT_EXPECTED)
    assert len(gold) >= 48
    for item in gold:
        assert 80 <= len(item.article.body.split()) <= 250, item.article.id
    events = [e for item in gold for e in item.label.events]
    roots = [e.event_type for e in events]
    assert all(roots.count(root) >= 2 for root in get_args(EventType))
    qualifiers = {q.qualifier for e in events for q in e.quantities}
    assert qualifiers == {"exact", "approximately", "at_least", "at_most", "more_than"}
    assert {"ICBM", "SLBM", "IRBM", "SRBM", "cruise", "hypersonic"} <= {e.weapon for e in events}
    kinds = {item.label.trap for item in gold} | {t.kind for item in gold for t in item.label.traps}
    assert set(extraction.TRAP_KINDS) <= kinds

    report = extraction.run()
    assert report.articles == len(gold)
    assert report.extractor_errors == 0
    assert report.trap_articles["non_political"].count >= 7


def test_own_corpus_trap_false_positives_on_non_political_articles_are_zero() -> None:
    """Sport, business, software, film and space stories yield no mention at all."""
    report = extraction.run()
    assert report.trap_articles["non_political"].mentions == 0


def test_eval_extraction_command_prints_the_figures_as_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its default data are found from the checkout, whatever directory it runs in."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["eval", "extraction", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"corpus", "detection", "per_root", "traps", "fields"}
    assert set(data["detection"]) == {"root", "root+subtype"}
    assert {"actors", "recipients", "quantities", "weapon", "event_date", "severity",
            "location_country", "location_subdivision"} <= set(data["fields"])  # fmt: skip


def test_eval_extraction_command_renders_tables() -> None:
    result = CliRunner().invoke(cli, ["eval", "extraction", "--details"])
    assert result.exit_code == 0, result.output
    for title in ("Event detection", "Trap false positives", "Fields of the"):
        assert title in result.stdout
