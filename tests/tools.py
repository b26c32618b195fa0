"""Test helpers for the deploy files: the Debian tools that check them, and PromQL names."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from streams.metrics import Metrics

# The Debian package that brings each tool; `make tools` installs them when missing.
PACKAGES = {
    "promtool": "prometheus",
    "prometheus": "prometheus",
    "amtool": "prometheus-alertmanager",
    "docker-compose": "docker-compose",
}

_SUFFIXES = {
    "counter": ("_total", "_created"),
    "gauge": ("",),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("", "_sum", "_count", "_created"),
    "info": ("_info",),
}
# Series Prometheus makes itself for every target.
SYNTHETIC = {"up", "scrape_duration_seconds", "scrape_samples_scraped"}
_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right"}
_WORDS |= {"and", "or", "unless", "offset", "bool", "inf", "nan"}


def tool(name: str) -> str:
    """The path of a Debian tool; skip without it, but fail under CI, where `make tools` ran."""
    path = shutil.which(name)
    if path is None:
        message = (
            f"{name} is not installed: `make tools` installs it as root "
            f"(Debian package {PACKAGES.get(name, name)})"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run a checker; its output is in the assertion message when it fails."""
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)


def exported_metrics() -> set[str]:
    """Every series name a worker can export: the service's own and Faust's sensor."""
    names = set(SYNTHETIC)
    for family in Metrics().registry.collect():
        names |= {family.name + suffix for suffix in _SUFFIXES[family.type]}
    return names


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (Grafana's $variables allowed)."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # label values, label_replace arguments
    expr = re.sub(r"\{[^}]*\}", " ", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", " ", expr)  # range and subquery durations
    expr = re.sub(r"\boffset\s+\S+", " ", expr)
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", expr)
    names = set()
    for match in re.finditer(r"(?<![\w.$])[A-Za-z_:][A-Za-z0-9_:]*", expr):
        word = match.group()
        if expr[match.end() :].lstrip().startswith("("):
            continue  # a function or aggregation
        if word.lower() not in _WORDS:
            names.add(word)
    return names
