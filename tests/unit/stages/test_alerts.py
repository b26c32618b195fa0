"""Alerts fire once for a new serious event and once per escalation (severity or figures)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemas import Alert, CanonicalEvent, Quantity
from streams.errors import ConfigError
from streams.merging.merge import merge_mention
from streams.rules import Escalation, FigureEscalation, Rule, RuleSet, SuppressWindow, load_rules
from streams.settings import DATA_DIR
from streams.stages.alerts import alert_id_for, combined, evaluate
from streams.state.codec import Baseline
from streams.state.expiring import ExpiringState
from tests.unit.merging.test_merge import WINDOW, mention

RULES = RuleSet(rules=[Rule(name="page", min_severity="high")])


def event(severity: str, n: int = 1) -> CanonicalEvent:
    merged = merge_mention(mention(n, severity=severity), ExpiringState({}), 0.0, WINDOW)
    assert merged.event is not None
    return merged.event


class Pager:
    """Successive updates of one event, its baseline carried as the events step carries it."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.baseline: Baseline | None = None

    def __call__(self, update: CanonicalEvent, now: float = 0.0) -> Alert | None:
        created = datetime.fromtimestamp(now, UTC)
        alert, self.baseline = evaluate(update, self.rules, self.baseline, now, created)
        return alert


def test_new_then_repeat_then_escalation() -> None:
    page = Pager(RULES)
    first, repeat = page(event("high"), 0.0), page(event("high"), 1.0)
    rise, again = page(event("critical"), 2.0), page(event("critical"), 3.0)
    assert first is not None and first.kind == "new" and first.rule == "page"
    assert repeat is None and again is None
    assert rise is not None and rise.kind == "escalation" and rise.severity == "critical"
    assert first.alert_id != rise.alert_id


def test_an_event_that_rises_into_a_rule_pages_new_once() -> None:
    page = Pager(RULES)
    assert page(event("medium"), 0.0) is None
    risen = page(event("high"), 1.0)
    # its first page, whatever came before: on-call has not heard of it
    assert risen is not None and risen.kind == "new"
    later = page(event("critical"), 2.0)
    assert later is not None and later.kind == "escalation"


def test_a_new_page_is_named_by_its_event_alone() -> None:
    # Reports arriving in another order open the event at another severity: one page, one id.
    high, critical = Pager(RULES)(event("high")), Pager(RULES)(event("critical"))
    assert high is not None and critical is not None
    assert high.alert_id == critical.alert_id == alert_id_for(high.event_id, "new", "any")


def test_a_merged_event_inherits_the_pages_of_the_events_it_absorbed() -> None:
    page = Pager(RULES)
    page(event("critical"))
    retired = page.baseline
    survivor = Pager(RULES)
    survivor.baseline = combined([None, retired])
    # the survivor's own first update with the retired event's reports: already paged,
    # and at critical already, so nothing to say
    assert survivor(event("critical"), 1.0) is None
    assert combined([None, None]) is None


def test_alert_id_is_deterministic() -> None:
    a, b = Pager(RULES)(event("high")), Pager(RULES)(event("high"))
    assert a is not None and b is not None and a.alert_id == b.alert_id


def test_title_says_what_happened_in_an_analysts_words() -> None:
    alert = Pager(RULES)(event("high"))
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
    from streams.headline import headline

    assert headline(event("high").model_copy(update=update)) == expected


def test_default_rules_page_high_severity_and_any_coup() -> None:
    rules = load_rules(DATA_DIR / "rules.yaml")
    high = Pager(rules)(event("high"))
    assert high is not None and high.rule == "page-high-severity"
    coup = event("medium").model_copy(
        update={"event_id": "ev-coup", "event_type": "COERCE", "mode": "seize", "subtype": "coup"}
    )
    alert = Pager(rules)(coup)
    assert alert is not None and alert.rule == "page-coup"
    quiet = event("medium").model_copy(update={"event_id": "ev-quiet"})
    assert Pager(rules)(quiet) is None


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
    page = Pager(FIGURES)
    first, small = page(troops(8000), 0.0), page(troops(10000), 1.0)
    grown, again = page(troops(12000), 2.0), page(troops(12000), 3.0)
    assert first is not None and first.kind == "new" and first.change is None
    assert small is None and again is None
    assert grown is not None and grown.kind == "escalation" and grown.severity == "high"
    assert grown.change == "troops rose from 8,000 to 12,000"
    assert grown.alert_id not in (
        first.alert_id,
        alert_id_for(first.event_id, "escalation", "high"),
    )
    # The baseline moved to 12,000: another half again is needed.
    assert page(troops(17000), 4.0) is None
    assert page(troops(18000), 5.0) is not None


def test_figures_count_only_when_configured() -> None:
    page = Pager(RULES)
    page(troops(8000), 0.0)
    assert page(troops(80000), 1.0) is None


def test_a_unit_reported_later_becomes_its_own_baseline() -> None:
    page = Pager(FIGURES)
    assert page(event("high"), 0.0) is not None
    assert page(troops(8000), 1.0) is None
    grown = page(troops(12000), 2.0)
    assert grown is not None and grown.change == "troops rose from 8,000 to 12,000"


def test_severity_rise_sets_how_far_it_must_rise() -> None:
    two = RuleSet(
        rules=[Rule(name="page", min_severity="info")], escalation=Escalation(severity_rise=2)
    )
    page = Pager(two)
    assert page(event("medium"), 0.0) is not None
    assert page(event("high"), 1.0) is None
    rise = page(event("critical"), 2.0)
    assert rise is not None and rise.change == "severity rose from medium to critical"
    never = RuleSet(
        rules=[Rule(name="page", min_severity="info")], escalation=Escalation(severity_rise=0)
    )
    page = Pager(never)
    page(event("medium"), 0.0)
    assert page(event("critical"), 1.0) is None


def test_a_page_suppressed_by_a_window_comes_with_the_first_update_after_it() -> None:
    quiet = SuppressWindow(
        start=datetime(1970, 1, 1, tzinfo=UTC), end=datetime(1970, 1, 2, tzinfo=UTC)
    )
    rules = RuleSet(rules=[Rule(name="page", min_severity="high", suppress=[quiet])])
    page = Pager(rules)
    assert page(event("high"), 3600.0) is None  # inside the window
    after = page(event("high"), 200000.0)
    assert after is not None and after.kind == "new"
    assert page(event("critical"), 200001.0) is not None
