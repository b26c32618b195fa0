"""Alerts fire once for a new serious event and once per rise in severity."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas import CanonicalEvent
from streams.errors import ConfigError
from streams.rules import Rule, RuleSet, load_rules
from streams.settings import DATA_DIR
from streams.stages.alerts import evaluate
from streams.stages.events import merge_mention
from streams.stages.state import ExpiringState
from tests.unit.stages.test_events import WINDOW, mention

RULES = RuleSet(rules=[Rule(name="page", min_severity="high")])


def event(severity: str, n: int = 1) -> CanonicalEvent:
    merged = merge_mention(mention(n, severity=severity), ExpiringState({}), 0.0, WINDOW)
    assert merged.event is not None
    return merged.event


def test_new_then_repeat_then_escalation() -> None:
    paged = ExpiringState({})
    first = evaluate(event("high"), RULES, paged, 0.0, WINDOW)
    repeat = evaluate(event("high"), RULES, paged, 1.0, WINDOW)
    rise = evaluate(event("critical"), RULES, paged, 2.0, WINDOW)
    again = evaluate(event("critical"), RULES, paged, 3.0, WINDOW)
    assert first is not None and first.kind == "new" and first.rule == "page"
    assert repeat is None and again is None
    assert rise is not None and rise.kind == "escalation" and rise.severity == "critical"
    assert first.alert_id != rise.alert_id


def test_below_threshold_is_silent_until_it_rises() -> None:
    paged = ExpiringState({})
    assert evaluate(event("medium"), RULES, paged, 0.0, WINDOW) is None
    risen = evaluate(event("high"), RULES, paged, 1.0, WINDOW)
    assert risen is not None and risen.kind == "escalation"


def test_alert_id_is_deterministic() -> None:
    a = evaluate(event("high"), RULES, ExpiringState({}), 0.0, WINDOW)
    b = evaluate(event("high"), RULES, ExpiringState({}), 0.0, WINDOW)
    assert a is not None and b is not None and a.alert_id == b.alert_id


def test_title_says_what_who_where() -> None:
    alert = evaluate(event("high"), RULES, ExpiringState({}), 0.0, WINDOW)
    assert alert is not None
    assert alert.title == "HIGH: troop deployment by North Korea against Russia in Kursk Oblast"


def test_default_rules_load() -> None:
    rules = load_rules(DATA_DIR / "rules.yaml")
    assert rules.rules[0].min_severity == "high"


def test_bad_rules_file_names_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text("rules:\n  - name: x\n    min_severity: urgent\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_rules(bad)
    assert f"{bad}:3: rules.0.min_severity" in str(caught.value)


def test_unreadable_or_broken_yaml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_rules(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("rules: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_rules(broken)
