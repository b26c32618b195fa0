"""Alerts fire once for a new serious event and once per escalation (severity or figures)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemas import CanonicalEvent, Quantity
from streams.errors import ConfigError
from streams.rules import Escalation, FigureEscalation, Rule, RuleSet, SuppressWindow, load_rules
from streams.settings import DATA_DIR
from streams.stages.alerts import alert_id_for, evaluate
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


def test_title_says_what_happened_in_an_analysts_words() -> None:
    alert = evaluate(event("high"), RULES, ExpiringState({}), 0.0, WINDOW)
    assert alert is not None
    assert alert.title == "HIGH: North Korea deploys troops to Russia's Kursk Oblast"
    sized = event("high").model_copy(
        update={"quantities": [Quantity(value=8000, unit="troops", qualifier="approximately")]}
    )
    from streams.stages.alerts import title_of

    assert (
        title_of(sized) == "HIGH: North Korea deploys about 8,000 troops to Russia's Kursk Oblast"
    )


@pytest.mark.parametrize(
    ("update", "expected"),
    [
        # a test, with its weapon class
        ({"event_type": "MOBILIZE", "mode": "weapons", "subtype": "missile_test",
          "weapon": "ICBM", "recipients": [], "quantities": []},
         "North Korea test-fires an ICBM in Kursk Oblast, Russia"),
        # a strike with its toll; with no actor, the template that needs none
        ({"event_type": "ASSAULT", "mode": "aerial", "subtype": "airstrike", "actors": [],
          "quantities": [Quantity(value=31, unit="killed", qualifier="at_least")]},
         "Air strikes on Russia, killing at least 31"),
        # no template fits a subtype the table does not know: its root's
        ({"event_type": "CONSULT", "mode": None, "subtype": None, "recipients": []},
         "North Korea hold talks"),
    ],
)  # fmt: skip
def test_headlines_follow_the_subtype_templates(update: dict[str, object], expected: str) -> None:
    from streams.stages.headline import headline

    assert headline(event("high").model_copy(update=update)) == expected


def test_default_rules_page_high_severity_and_any_coup() -> None:
    rules = load_rules(DATA_DIR / "rules.yaml")
    paged = ExpiringState({})
    high = evaluate(event("high"), rules, paged, 0.0, WINDOW)
    assert high is not None and high.rule == "page-high-severity"
    coup = event("medium").model_copy(
        update={"event_id": "ev-coup", "event_type": "COERCE", "mode": "seize", "subtype": "coup"}
    )
    alert = evaluate(coup, rules, paged, 0.0, WINDOW)
    assert alert is not None and alert.rule == "page-coup"
    quiet = event("medium").model_copy(update={"event_id": "ev-quiet"})
    assert evaluate(quiet, rules, paged, 0.0, WINDOW) is None


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


def troops(value: float, severity: str = "high") -> CanonicalEvent:
    return event(severity).model_copy(
        update={"quantities": [Quantity(value=value, unit="troops", qualifier="approximately")]}
    )


FIGURES = RuleSet(
    rules=[Rule(name="page", min_severity="high")],
    escalation=Escalation(figures=FigureEscalation(increase=0.5, units=["troops"])),
)


def test_a_grown_figure_escalates_once() -> None:
    paged = ExpiringState({})
    first = evaluate(troops(8000), FIGURES, paged, 0.0, WINDOW)
    small = evaluate(troops(10000), FIGURES, paged, 1.0, WINDOW)
    grown = evaluate(troops(12000), FIGURES, paged, 2.0, WINDOW)
    again = evaluate(troops(12000), FIGURES, paged, 3.0, WINDOW)
    assert first is not None and first.kind == "new" and first.change is None
    assert small is None and again is None
    assert grown is not None and grown.kind == "escalation" and grown.severity == "high"
    assert grown.change == "troops rose from 8,000 to 12,000"
    assert grown.alert_id not in (
        first.alert_id,
        alert_id_for(first.event_id, "escalation", "high"),
    )
    # The baseline moved to 12,000: another half again is needed.
    assert evaluate(troops(17000), FIGURES, paged, 4.0, WINDOW) is None
    assert evaluate(troops(18000), FIGURES, paged, 5.0, WINDOW) is not None


def test_figures_count_only_when_configured() -> None:
    paged = ExpiringState({})
    evaluate(troops(8000), RULES, paged, 0.0, WINDOW)
    assert evaluate(troops(80000), RULES, paged, 1.0, WINDOW) is None


def test_a_unit_reported_later_becomes_its_own_baseline() -> None:
    paged = ExpiringState({})
    assert evaluate(event("high"), FIGURES, paged, 0.0, WINDOW) is not None
    assert evaluate(troops(8000), FIGURES, paged, 1.0, WINDOW) is None
    grown = evaluate(troops(12000), FIGURES, paged, 2.0, WINDOW)
    assert grown is not None and grown.change == "troops rose from 8,000 to 12,000"


def test_severity_rise_sets_how_far_it_must_rise() -> None:
    two = RuleSet(
        rules=[Rule(name="page", min_severity="info")], escalation=Escalation(severity_rise=2)
    )
    paged = ExpiringState({})
    assert evaluate(event("medium"), two, paged, 0.0, WINDOW) is not None
    assert evaluate(event("high"), two, paged, 1.0, WINDOW) is None
    rise = evaluate(event("critical"), two, paged, 2.0, WINDOW)
    assert rise is not None and rise.change == "severity rose from medium to critical"
    never = RuleSet(
        rules=[Rule(name="page", min_severity="info")], escalation=Escalation(severity_rise=0)
    )
    paged = ExpiringState({})
    evaluate(event("medium"), never, paged, 0.0, WINDOW)
    assert evaluate(event("critical"), never, paged, 1.0, WINDOW) is None


def test_state_written_before_figures_still_reads() -> None:
    paged = ExpiringState({})
    paged.put(event("high").event_id, "high", 0.0, WINDOW)  # the old format: a severity
    rise = evaluate(event("critical"), RULES, paged, 1.0, WINDOW)
    assert rise is not None and rise.kind == "escalation"


def test_a_suppressed_rule_does_not_page_and_the_event_is_remembered() -> None:
    quiet = SuppressWindow(
        start=datetime(1970, 1, 1, tzinfo=UTC), end=datetime(1970, 1, 2, tzinfo=UTC)
    )
    rules = RuleSet(rules=[Rule(name="page", min_severity="high", suppress=[quiet])])
    paged = ExpiringState({})
    assert evaluate(event("high"), rules, paged, 3600.0, WINDOW) is None  # inside the window
    assert evaluate(event("high"), rules, paged, 200000.0, WINDOW) is None  # same facts later
    assert evaluate(event("critical"), rules, paged, 200001.0, WINDOW) is not None
