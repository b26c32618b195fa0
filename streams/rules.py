"""Alert rules: the operator-edited YAML file, validated into models at start."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from schemas import AlertKind, CanonicalEvent
from schemas.base import UtcDatetime
from schemas.event import SEVERITY_ORDER, EventType, Severity
from streams.errors import ConfigError
from streams.settings import get_settings
from streams.yamllines import line_of

Channel = Literal["console", "slack", "pagerduty", "alertmanager", "webhook"]
"""The channels a rule can route to; streams/delivery/channels has a module for each."""

CHANNELS: tuple[Channel, ...] = get_args(Channel)
SEVERITIES: tuple[Severity, ...] = get_args(Severity)
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
PagerDutySeverity = Literal["critical", "error", "warning", "info"]

_ALL_KINDS: tuple[AlertKind, ...] = ("new", "escalation")
_CONSOLE: tuple[Channel, ...] = ("console",)
_WEEKDAYS: tuple[Weekday, ...] = get_args(Weekday)
_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


def _clock_time(value: Any) -> Any:
    # YAML 1.1 reads an unquoted 22:00 as the base-60 integer 1320; pydantic would then take
    # it as seconds after midnight (00:22). Refuse anything but a quoted "HH:MM".
    if not isinstance(value, str | time):
        raise ValueError('write times of day as quoted "HH:MM" strings, e.g. "22:00"')
    return value


ClockTime = Annotated[time, BeforeValidator(_clock_time)]


def _codes(values: list[str]) -> list[str]:
    return [v.strip().upper() for v in values]


class SuppressWindow(BaseModel):
    """A time when a rule does not fire: a fixed span, or recurring hours on some weekdays.

    Times are UTC and compared with the event's last-seen time (stream time), so a replay of
    old articles is suppressed exactly as the live stream was.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: str = ""
    start: UtcDatetime | None = None
    end: UtcDatetime | None = None
    days: list[Weekday] = Field(default_factory=lambda: list(_WEEKDAYS))
    from_time: ClockTime | None = None
    until_time: ClockTime | None = None

    @model_validator(mode="after")
    def _one_form(self) -> SuppressWindow:
        fixed = self.start is not None or self.end is not None
        daily = self.from_time is not None or self.until_time is not None
        if fixed == daily:
            raise ValueError(
                "give either start and end (a fixed span) or from_time and until_time "
                "(daily hours, optionally on some days)"
            )
        if fixed and (self.start is None or self.end is None or self.end <= self.start):
            raise ValueError("a fixed window needs start and end, with end after start")
        if daily and (self.from_time is None or self.until_time is None):
            raise ValueError("daily hours need both from_time and until_time")
        return self

    def covers(self, when: datetime) -> bool:
        """True when `when` falls inside this window."""
        when = when.astimezone(UTC)
        if self.start is not None and self.end is not None:
            return self.start <= when < self.end
        assert self.from_time is not None and self.until_time is not None
        clock, day = when.time().replace(tzinfo=None), when.weekday()
        if self.from_time <= self.until_time:
            return _WEEKDAYS[day] in self.days and self.from_time <= clock < self.until_time
        # Hours that wrap midnight belong to the day they start on: Friday 22:00-06:00
        # covers Saturday 03:00.
        if clock >= self.from_time:
            return _WEEKDAYS[day] in self.days
        return clock < self.until_time and _WEEKDAYS[(day - 1) % 7] in self.days


class Rule(BaseModel):
    """One rule: which canonical events page, on which change, through which channels.

    Every condition given must hold; a list condition holds when any of its items does.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    min_severity: Severity = "high"
    max_severity: Severity = "critical"
    event_types: list[EventType] = Field(default_factory=list)
    modes: list[str] = Field(default_factory=list)
    subtypes: list[str] = Field(default_factory=list)
    actors: list[str] = Field(default_factory=list, description="Actor codes, e.g. PRK.")
    recipients: list[str] = Field(default_factory=list, description="Recipient codes.")
    countries: list[str] = Field(default_factory=list, description="ISO3 of the location.")
    keywords: list[str] = Field(default_factory=list, description="Whole words, any case.")
    kinds: list[AlertKind] = Field(default_factory=lambda: list(_ALL_KINDS), min_length=1)
    channels: list[Channel] = Field(default_factory=lambda: list(_CONSOLE), min_length=1)
    suppress: list[SuppressWindow] = Field(default_factory=list)

    @field_validator("actors", "recipients", "countries")
    @classmethod
    def _upper_codes(cls, values: list[str]) -> list[str]:
        return _codes(values)

    @field_validator("keywords")
    @classmethod
    def _no_blank_keywords(cls, values: list[str]) -> list[str]:
        if any(not v.strip() for v in values):
            raise ValueError("keywords must not be blank")
        return [v.strip() for v in values]

    @field_validator("channels")
    @classmethod
    def _distinct_channels(cls, values: list[Channel]) -> list[Channel]:
        return list(dict.fromkeys(values))

    @model_validator(mode="after")
    def _severity_range(self) -> Rule:
        if SEVERITY_ORDER[self.min_severity] > SEVERITY_ORDER[self.max_severity]:
            raise ValueError("min_severity is above max_severity: the rule can never match")
        return self

    def matches(self, event: CanonicalEvent, text: str | None = None) -> bool:
        """True when the event's current state satisfies every condition of this rule.
        `text`: the event's `searchable_text`, when the caller has it already."""
        level = SEVERITY_ORDER[event.severity]
        if not SEVERITY_ORDER[self.min_severity] <= level <= SEVERITY_ORDER[self.max_severity]:
            return False
        checks = (
            (self.event_types, [event.event_type]),
            (self.modes, [event.mode]),
            (self.subtypes, [event.subtype]),
            (self.actors, [a.code.upper() for a in event.actors]),
            (self.recipients, [a.code.upper() for a in event.recipients]),
            (self.countries, [_country_of(event)]),
        )
        for wanted, present in checks:
            if wanted and not set(wanted).intersection(p for p in present if p is not None):
                return False
        if not self.keywords:
            return True
        words = text if text is not None else searchable_text(event)
        return _keyword_pattern(tuple(self.keywords)).search(words) is not None

    def suppressed_at(self, when: datetime) -> SuppressWindow | None:
        """The window that silences this rule at `when`, if any."""
        return next((w for w in self.suppress if w.covers(when)), None)


def _country_of(event: CanonicalEvent) -> str | None:
    location = event.location
    return location.country.upper() if location and location.country else None


def searchable_text(event: CanonicalEvent) -> str:
    """The words keyword rules look in: type, weapon, places, actors, the figures' own words."""
    parts = [event.event_type, event.mode or "", (event.subtype or "").replace("_", " ")]
    parts.append(event.weapon or "")
    if event.location:
        parts += [event.location.name, event.location.country or ""]
    parts += [f"{a.name} {a.code}" for a in [*event.actors, *event.recipients]]
    parts += [q.text for q in event.quantities]
    return " ".join(p for p in parts if p)


@lru_cache(maxsize=4096)
def _keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern[str]:
    """One compiled pattern for a rule's keywords, each a whole word in any case."""
    alternatives = "|".join(re.escape(k) for k in keywords)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _severity_map(**values: str) -> dict[Severity, str]:
    return {s: values[s] for s in SEVERITIES}


class ChannelOptions(BaseModel):
    """Options for one channel: the word the channel gets for each of our severities."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    severity: dict[Severity, str] = Field(
        default_factory=lambda: _severity_map(
            info="info", low="low", medium="medium", high="high", critical="critical"
        )
    )

    @field_validator("severity", mode="after")
    @classmethod
    def _fill_severity(cls, value: dict[Severity, str]) -> dict[Severity, str]:
        # A partial mapping overrides the defaults it names and keeps the others.
        default = cls.model_fields["severity"].get_default(call_default_factory=True)
        return {**default, **value}


class SlackOptions(ChannelOptions):
    """Slack: the severity is shown as a marker at the start of the message."""

    severity: dict[Severity, str] = Field(
        default_factory=lambda: _severity_map(
            info=":information_source: INFO",
            low=":large_blue_circle: LOW",
            medium=":large_yellow_circle: MEDIUM",
            high=":large_orange_circle: HIGH",
            critical=":red_circle: CRITICAL",
        )
    )


_PAGERDUTY_DEFAULT: dict[Severity, PagerDutySeverity] = {
    "info": "info",
    "low": "info",
    "medium": "warning",
    "high": "error",
    "critical": "critical",
}


class PagerDutyOptions(ChannelOptions):
    """PagerDuty: severities map onto its four (critical, error, warning, info)."""

    severity: dict[Severity, PagerDutySeverity] = Field(  # type: ignore[assignment]  # narrower values
        default_factory=lambda: dict(_PAGERDUTY_DEFAULT)
    )


class AlertmanagerOptions(ChannelOptions):
    """Alertmanager: the `severity` label's value, extra static labels, and the resolve time."""

    severity: dict[Severity, str] = Field(
        default_factory=lambda: _severity_map(
            info="info", low="info", medium="warning", high="critical", critical="critical"
        )
    )
    alertname: str = Field(default="GeoEvent", min_length=1)
    labels: dict[str, str] = Field(default_factory=dict)
    resolve_after_seconds: float = Field(default=86400.0, gt=0)

    @field_validator("labels")
    @classmethod
    def _label_names(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [k for k in value if not _LABEL_NAME.match(k)]
        if bad:
            raise ValueError(f"not Prometheus label names: {', '.join(bad)}")
        return value


class ChannelsConfig(BaseModel):
    """Per-channel options; where a channel sends and its secrets come from the environment."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    console: ChannelOptions = Field(default_factory=ChannelOptions)
    slack: SlackOptions = Field(default_factory=SlackOptions)
    pagerduty: PagerDutyOptions = Field(default_factory=PagerDutyOptions)
    alertmanager: AlertmanagerOptions = Field(default_factory=AlertmanagerOptions)
    webhook: ChannelOptions = Field(default_factory=ChannelOptions)

    def options(self, channel: str) -> ChannelOptions:
        """The options of `channel`."""
        value = getattr(self, channel, None)
        if not isinstance(value, ChannelOptions):
            raise KeyError(channel)
        return value


class FigureEscalation(BaseModel):
    """A reported figure growing by a fraction since the last alert counts as an escalation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    increase: float = Field(gt=0, description="0.5: half as much again as at the last alert.")
    units: list[str] = Field(default_factory=list, description="Empty: any unit.")


class Escalation(BaseModel):
    """What counts as an escalation of an event already evaluated."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    severity_rise: int = Field(default=1, ge=0, le=4, description="Levels; 0: never.")
    figures: FigureEscalation | None = None


MAX_RULES = 1000
"""Rules one file may hold. Every change of every event is tried against the rules in
order, so a file far longer (a generated one gone wrong) would slow every page; it is
refused at start instead."""


class RuleSet(BaseModel):
    """Every rule in one file, evaluated in order; the first match names the alert's rule."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: list[Rule] = Field(min_length=1)
    channels: ChannelsConfig = Field(default_factory=ChannelsConfig)
    escalation: Escalation = Field(default_factory=Escalation)

    @field_validator("rules")
    @classmethod
    def _distinct_names(cls, rules: list[Rule]) -> list[Rule]:
        if len(rules) > MAX_RULES:
            raise ValueError(
                f"{len(rules)} rules, at most {MAX_RULES}: every change of every event is "
                "tried against the rules in order; one rule takes lists (event_types, "
                "actors, countries, keywords), so merge rules that route alike"
            )
        count = Counter(r.name for r in rules)
        repeated = sorted(n for n, c in count.items() if c > 1)
        if repeated:
            raise ValueError(f"rule names must be distinct; repeated: {', '.join(repeated)}")
        return rules

    def first_match(
        self, event: CanonicalEvent, kind: str, when: datetime | None = None
    ) -> Rule | None:
        """The first rule that matches the event, fires on this kind, and is not suppressed.

        A suppressed rule is skipped, so a later rule can still route the event: put a
        catch-all without the window after it to send elsewhere during the window.
        """
        text = searchable_text(event)
        for rule in self.rules:
            if kind not in rule.kinds or not rule.matches(event, text):
                continue
            if when is not None and rule.suppressed_at(when) is not None:
                continue
            return rule
        return None

    def routed_channels(self) -> list[Channel]:
        """Every channel some rule routes to, in the order first named."""
        return list(dict.fromkeys(c for r in self.rules for c in r.channels))


def load_rules(path: Path) -> RuleSet:
    """Read and validate a rules file; a bad file raises ConfigError naming file, line, field."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"{path}: cannot read rules file: {err.strerror}") from err
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML: {err}") from err
    try:
        return RuleSet.model_validate(data)
    except ValidationError as err:
        problems = [
            f"{path}:{line_of(node, p['loc'])}: {'.'.join(map(str, p['loc'])) or '<root>'}: "
            f"{p['msg']}"
            for p in err.errors(include_url=False)
        ]
        raise ConfigError("invalid rules file\n  " + "\n  ".join(problems)) from err


@lru_cache(maxsize=1)
def get_rules() -> RuleSet:
    """The rules file named by GEO_RULES_FILE, loaded once per process."""
    return load_rules(get_settings().rules_file)
