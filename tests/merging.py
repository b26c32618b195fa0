"""The merging fixture's expectations, checked the same way on replay and on broker output."""

from __future__ import annotations

import json
from collections.abc import Iterable

from schemas import Alert, CanonicalEvent
from tests.conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "merging"
ARTICLES = FIXTURE / "articles.jsonl"
EXPECTED = json.loads((FIXTURE / "expected.json").read_text(encoding="utf-8"))


def check(
    events: Iterable[CanonicalEvent], alerts: list[Alert], duplicates: dict[str, str | None]
) -> None:
    """Assert every expectation of the fixture; `duplicates` maps article id to duplicate_of."""
    events = list(events)
    for copy, original in EXPECTED["duplicates"].items():
        assert duplicates[copy] == original
    assert not {a for a, d in duplicates.items() if d} - set(EXPECTED["duplicates"])

    def event_of(article: str, subtype: str) -> CanonicalEvent:
        (found,) = [e for e in events if article in e.article_ids and e.subtype == subtype]
        return found

    for group in EXPECTED["same_event"]:
        event = event_of(group["articles"][0], group["subtype"])
        assert set(group["articles"]) <= set(event.article_ids), group["why"]
        if "history" in group:
            troops = [
                r.quantity.value for r in event.quantity_history if r.quantity.unit == "troops"
            ]
            assert troops == group["history"]
            (latest,) = [q for q in event.quantities if q.unit == "troops"]
            assert (latest.value, latest.qualifier) == tuple(group["latest"].values())
    for a, b in EXPECTED["different_events"]:
        ids_a = {e.event_id for e in events if a in e.article_ids}
        ids_b = {e.event_id for e in events if b in e.article_ids}
        assert ids_a and ids_b and not ids_a & ids_b, (a, b)
    for article in EXPECTED["no_events"]:
        assert not [e for e in events if article in e.article_ids]

    got = sorted((a.article_ids[0], a.kind, a.severity) for a in alerts)
    want = sorted((x["article"], x["kind"], x["severity"]) for x in EXPECTED["alerts"])
    assert got == want
    assert len({a.alert_id for a in alerts}) == len(alerts), "an alert was raised twice"
