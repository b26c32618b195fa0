"""Rules: every matcher, suppression windows, and validation that names file, line and field."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from schemas import Actor, CanonicalEvent, Location, Quantity
from streams.errors import ConfigError
from streams.rules import MAX_RULES, Rule, RuleSet, SuppressWindow, load_rules
from tests.conftest import ROOT

WHEN = datetime(2026, 11, 10, 14, 20, tzinfo=UTC)  # a Tuesday


def event(**fields: Any) -> CanonicalEvent:
    base: dict[str, Any] = {
        "event_id": "ev-1",
        "event_type": "MOBILIZE",
        "mode": "weapons",
        "subtype": "missile_test",
        "severity": "critical",
        "actors": [Actor(code="PRK", name="North Korea")],
        "recipients": [Actor(code="JPN", name="Japan")],
        "location": Location(name="East Sea", country="KOR"),
        "quantities": [Quantity(value=2, unit="missiles", text="two ballistic missiles")],
        "weapon": "ICBM",
        "first_seen": WHEN,
        "last_seen": WHEN,
        "confidence": 0.6,
    }
    return CanonicalEvent(**{**base, **fields})


@pytest.mark.parametrize(
    ("condition", "matches", "misses"),
    [
        ({"min_severity": "high"}, {}, {"severity": "medium"}),
        ({"min_severity": "info", "max_severity": "high"}, {"severity": "high"}, {}),
        ({"event_types": ["MOBILIZE", "ASSAULT"]}, {}, {"event_type": "ACCUSE", "mode": None}),
        ({"modes": ["weapons"]}, {}, {"mode": "troops"}),
        ({"subtypes": ["missile_test"]}, {}, {"subtype": "nuclear_test"}),
        ({"actors": ["prk", "RUS"]}, {}, {"actors": [Actor(code="USA", name="US")]}),
        ({"recipients": ["JPN"]}, {}, {"recipients": []}),
        ({"countries": ["KOR"]}, {}, {"location": None}),
        ({"keywords": ["icbm"]}, {}, {"weapon": "SRBM"}),
        ({"keywords": ["ballistic"]}, {}, {"quantities": []}),
        ({"keywords": ["North Korea"]}, {}, {"actors": []}),
        ({"keywords": ["missile"]}, {}, {"subtype": "missiles_test", "quantities": []}),
    ],
)
def test_each_condition(
    condition: dict[str, Any], matches: dict[str, Any], misses: dict[str, Any]
) -> None:
    rule = Rule(name="r", **{"min_severity": "info", **condition})
    assert rule.matches(event(**matches))
    assert not rule.matches(event(**misses))


def test_all_conditions_must_hold() -> None:
    rule = Rule(name="r", actors=["PRK"], countries=["UKR"])
    assert not rule.matches(event())


def test_first_matching_rule_routes_and_kinds_filter() -> None:
    rules = RuleSet(
        rules=[
            Rule(name="escalations-only", kinds=["escalation"], channels=["pagerduty"]),
            Rule(name="strategic", subtypes=["missile_test"], channels=["pagerduty", "slack"]),
            Rule(name="rest", min_severity="info", channels=["slack"]),
        ]
    )
    new = rules.first_match(event(), "new")
    assert new is not None and new.name == "strategic"
    escalation = rules.first_match(event(), "escalation")
    assert escalation is not None and escalation.name == "escalations-only"
    other = rules.first_match(event(subtype="talks", severity="info"), "new")
    assert other is not None and other.name == "rest"
    assert rules.routed_channels() == ["pagerduty", "slack"]


def test_fixed_suppression_window_skips_to_the_next_rule() -> None:
    window = SuppressWindow(
        start=datetime(2026, 11, 10, tzinfo=UTC), end=datetime(2026, 11, 11, tzinfo=UTC)
    )
    rules = RuleSet(
        rules=[
            Rule(name="page", channels=["pagerduty"], suppress=[window]),
            Rule(name="chat", channels=["slack"]),
        ]
    )
    during = rules.first_match(event(), "new", when=WHEN)
    after = rules.first_match(event(), "new", when=datetime(2026, 11, 11, 0, 0, tzinfo=UTC))
    assert during is not None and during.name == "chat"
    assert after is not None and after.name == "page"


def test_daily_window_wraps_midnight_and_keeps_to_its_days() -> None:
    nights = SuppressWindow.model_validate(
        {"days": ["fri"], "from_time": "22:00", "until_time": "06:00"}
    )
    friday_late = datetime(2026, 11, 13, 23, 0, tzinfo=UTC)
    saturday_early = datetime(2026, 11, 14, 3, 0, tzinfo=UTC)
    saturday_late = datetime(2026, 11, 14, 23, 0, tzinfo=UTC)
    friday_early = datetime(2026, 11, 13, 3, 0, tzinfo=UTC)  # Thursday's night: not covered
    assert nights.covers(friday_late) and nights.covers(saturday_early)
    assert not nights.covers(saturday_late) and not nights.covers(friday_early)
    office = SuppressWindow.model_validate({"from_time": "09:00", "until_time": "17:00"})
    assert office.covers(WHEN) and not office.covers(datetime(2026, 11, 10, 17, 0, tzinfo=UTC))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rules:\n  - name: x\n    channels: [pager]\n", ":3: rules.0.channels.0: Input should be"),
        (
            "rules:\n  - name: x\n    suppress:\n      - from_time: 22:00\n"
            "        until_time: '06:00'\n",
            ':4: rules.0.suppress.0.from_time: Value error, write times of day as quoted "HH:MM"',
        ),
        (
            "rules:\n  - name: x\n    suppress:\n      - start: 2026-01-02T00:00:00Z\n"
            "        end: 2026-01-01T00:00:00Z\n",
            ":4: rules.0.suppress.0: Value error, a fixed window needs start and end",
        ),
        (
            "rules:\n  - name: x\nchannels:\n  pagerduty:\n    severity: {high: urgent}\n",
            ":5: channels.pagerduty.severity.high: Input should be 'critical', 'error'",
        ),
        ("rules:\n  - name: x\nchannels:\n  sms: {}\n", ":4: channels.sms: Extra inputs"),
        (
            "rules:\n  - name: x\nescalation:\n  figures:\n    increase: 0\n",
            ":5: escalation.figures.increase: Input should be greater than 0",
        ),
        (
            "rules:\n  - name: x\n    min_severity: high\n    max_severity: low\n",
            ":2: rules.0: Value error, min_severity is above max_severity",
        ),
        (
            "rules:\n  - name: x\n  - name: x\n",
            ":2: rules: Value error, rule names must be distinct",
        ),
        ("rules:\n  - name: x\n    keyword: [a]\n", ":3: rules.0.keyword: Extra inputs"),
    ],
)
def test_validation_names_file_line_and_field(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_rules(path)
    assert f"{path}{expected}" in str(caught.value)


def test_partial_severity_map_keeps_the_defaults(tmp_path: Path) -> None:
    rules = load_rules(
        write(
            tmp_path,
            "rules:\n  - name: x\nchannels:\n  pagerduty:\n    severity: {high: critical}\n",
        )
    )
    assert rules.channels.pagerduty.severity == {
        "info": "info",
        "low": "info",
        "medium": "warning",
        "high": "critical",
        "critical": "critical",
    }


def test_shipped_rule_files_load() -> None:
    default = load_rules(ROOT / "streams" / "data" / "rules.yaml")
    assert default.routed_channels() == ["console"]
    example = load_rules(ROOT / "deploy" / "rules.example.yaml")
    assert set(example.routed_channels()) == {"pagerduty", "slack", "alertmanager", "webhook"}
    assert example.escalation.figures is not None


def test_a_file_of_too_many_rules_is_refused_with_what_to_do(tmp_path: Path) -> None:
    many = "rules:\n" + "".join(
        f"  - name: r{i}\n    channels: [console]\n    keywords: [w{i}]\n"
        for i in range(MAX_RULES + 1)
    )
    with pytest.raises(ConfigError, match=f"{MAX_RULES + 1} rules, at most {MAX_RULES}"):
        load_rules(write(tmp_path, many))
    allowed = "rules:\n" + "".join(
        f"  - name: r{i}\n    channels: [console]\n    keywords: [w{i}, east sea]\n"
        for i in range(MAX_RULES)
    )
    rules = load_rules(write(tmp_path, allowed))
    matched = rules.first_match(event(), "new")
    assert matched is not None and matched.name == "r0"  # keywords still whole words, any case
