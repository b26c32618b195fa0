"""Alert rules: the operator-edited YAML file, validated into models at start."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from schemas import AlertKind, CanonicalEvent
from schemas.event import SEVERITY_ORDER, EventType, Severity
from streams.errors import ConfigError
from streams.settings import get_settings

Channel = Literal["console"]
"""The channels a rule can route to; delivery knows a sink for each."""

_ALL_KINDS: tuple[AlertKind, ...] = ("new", "escalation")
_CONSOLE: tuple[Channel, ...] = ("console",)


class Rule(BaseModel):
    """One rule: which canonical events page, on which change, through which channels."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    min_severity: Severity = "high"
    event_types: list[EventType] = Field(default_factory=list)
    subtypes: list[str] = Field(default_factory=list)
    kinds: list[AlertKind] = Field(default_factory=lambda: list(_ALL_KINDS))
    channels: list[Channel] = Field(default_factory=lambda: list(_CONSOLE), min_length=1)

    def matches(self, event: CanonicalEvent) -> bool:
        """True when the event's current state satisfies every condition of this rule."""
        if SEVERITY_ORDER[event.severity] < SEVERITY_ORDER[self.min_severity]:
            return False
        if self.event_types and event.event_type not in self.event_types:
            return False
        return not (self.subtypes and event.subtype not in self.subtypes)


class RuleSet(BaseModel):
    """Every rule in one file, evaluated in order; the first match names the alert's rule."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: list[Rule] = Field(min_length=1)

    def first_match(self, event: CanonicalEvent, kind: str) -> Rule | None:
        """The first rule that matches the event and fires on this kind of change."""
        return next((r for r in self.rules if kind in r.kinds and r.matches(event)), None)


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
            f"{path}:{_line_of(node, p['loc'])}: {'.'.join(map(str, p['loc'])) or '<root>'}: "
            f"{p['msg']}"
            for p in err.errors(include_url=False)
        ]
        raise ConfigError("invalid rules file\n  " + "\n  ".join(problems)) from err


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int:
    """The 1-based line of the deepest YAML node on the error's path."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == part), None)
            if child is None:  # a missing or unknown field: point at the mapping itself
                child = next((k for k, _ in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            child = node.value[part] if part < len(node.value) else None
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line


@lru_cache(maxsize=1)
def get_rules() -> RuleSet:
    """The rules file named by GEO_RULES_FILE, loaded once per process."""
    return load_rules(get_settings().rules_file)
