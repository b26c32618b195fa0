"""Operator-edited YAML files read into models, with errors that name file, line and entry."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

import yaml
from pydantic import BaseModel, ValidationError

from streams.errors import ConfigError
from streams.yamllines import line_of

M = TypeVar("M", bound=BaseModel)
_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it


class UniqueKeyLoader(_Base):
    """A safe loader that refuses a key given twice in one mapping (YAML keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return cast(dict[Any, Any], super().construct_mapping(node, deep=deep))


@dataclass
class Source:
    """One parsed file, kept to point errors at the line of the entry they concern."""

    path: Path
    text: str
    data: Any

    def fail(self, loc: tuple[int | str, ...], message: str) -> ConfigError:
        where = ".".join(map(str, loc)) or "<root>"
        entry = self._entry_name(loc)
        label = f"{where} ({entry})" if entry else where
        return ConfigError(f"{self.path}:{self.line(loc)}: {label}: {message}")

    def line(self, loc: tuple[int | str, ...]) -> int:
        """The 1-based line of the deepest YAML node on the path."""
        return line_of(yaml.compose(self.text, Loader=UniqueKeyLoader), loc)

    def _entry_name(self, loc: tuple[int | str, ...]) -> str:
        """What names the entry an error is in: its name, code or class, or a trigger's
        coding and subtype."""
        node = self.data
        for part in loc[:2]:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return ""
        if isinstance(node, Mapping):
            if "coding" in node:
                return " ".join(str(node[k]) for k in ("coding", "subtype") if k in node)
            return str(node.get("name") or node.get("code") or node.get("class") or "")
        return str(loc[1]) if len(loc) > 1 and isinstance(loc[1], str) else ""


def read_model(path: Path, model: type[M], what: str = "file") -> tuple[M, Source]:
    """Parse and validate a YAML file; a problem stops with its file, line and entry."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"{path}: cannot read {what}: {err.strerror}") from err
    try:
        data = yaml.load(text, Loader=UniqueKeyLoader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as err:
        where = f"{path}:{err.problem_mark.line + 1}" if err.problem_mark else str(path)
        problem = ", ".join(filter(None, (err.context, err.problem)))
        raise ConfigError(f"{where}: not valid YAML: {problem}") from err
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML: {err}") from err
    source = Source(path, text, data)
    try:
        return model.model_validate(data), source
    except ValidationError as err:
        first = err.errors(include_url=False)[0]
        message = first["msg"].removeprefix("Value error, ")
        raise source.fail(tuple(first["loc"]), message) from err
