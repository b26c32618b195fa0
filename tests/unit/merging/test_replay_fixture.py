"""Replay over the merging fixture: copies, growing figures, next-day reports, escalation."""

from __future__ import annotations

from streams.feed import read_records
from streams.replay import Replay
from streams.rules import get_rules
from streams.settings import Settings
from tests.merging import ARTICLES, check


def test_merging_fixture_in_replay() -> None:
    result = Replay(Settings(), get_rules()).run(read_records([ARTICLES]))
    duplicates = {a["article_id"]: a["duplicate_of"] for a in result.articles}
    check(result.events.values(), result.alerts, duplicates)
