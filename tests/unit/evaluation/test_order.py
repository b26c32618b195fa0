"""The arrival-order evaluation: how it counts pages, and its command on an own feed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from geolab.cli import cli
from geolab.order import Outcome, facts
from schemas import Alert, CanonicalEvent

FEED = Path(__file__).parents[2] / "fixtures" / "merging" / "articles.jsonl"
SEEN = datetime(2026, 11, 20, 9, tzinfo=UTC)


def event(event_id: str, articles: list[str], **fields: object) -> CanonicalEvent:
    return CanonicalEvent.model_validate(
        {
            "event_id": event_id,
            "event_type": "MOBILIZE",
            "severity": "high",
            "first_seen": SEEN,
            "last_seen": SEEN,
            "article_ids": articles,
            "sources": ["Outlet"],
            "mention_ids": [f"m-{a}" for a in articles],
            "confidence": 0.9,
            **fields,
        }
    )


def page(of: CanonicalEvent) -> Alert:
    return Alert(
        alert_id=f"al-{of.event_id}",
        event_id=of.event_id,
        kind="new",
        severity=of.severity,
        title="t",
        article_ids=of.article_ids,
        rule="r",
        channels=["console"],
        created_at=SEEN,
        event=of,
    )


def test_a_page_of_a_retired_event_counts_for_its_survivor() -> None:
    survivor = event("ev-1", ["a1", "a2"], merged_from=["ev-2"])
    retired = event("ev-2", ["a2"], status="retired", merged_into="ev-1")
    alone = event("ev-3", ["a3"])
    outcome = Outcome.of([survivor, retired, alone], [page(survivor), page(retired)])
    assert set(outcome.events) == {facts(survivor), facts(alone)}  # open events only
    assert outcome.pages == {facts(survivor): 2}
    assert outcome.merged == {facts(survivor): 1}


def test_the_command_runs_the_merging_feed_in_shuffled_orders() -> None:
    result = CliRunner().invoke(cli, ["eval", "order", str(FEED), "--orders", "2", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["articles"] == 10 and report["orders"] == 2
    assert report["events"] > 0 and report["pages"] > 0
    assert report["same_events"] == report["same_pages"] == 2
    assert report["orders_paging_beyond_merges"] == 0
