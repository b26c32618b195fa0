"""The service's metrics: names in base units, no id labels; lag and its per-partition gauge."""

from __future__ import annotations

import platform
from pathlib import Path

import faust
import pytest
from faust.types import TP
from prometheus_client import CollectorRegistry, Gauge, generate_latest

from streams import __version__
from streams.lag import partition_lag
from streams.metrics import FAUST_PREFIX, Metrics
from streams.ops import PartitionGauge, processed_partitions

A0, A1, B0 = TP("articles.raw", 0), TP("articles.raw", 1), TP("alerts", 0)


def test_names_carry_units_and_labels_carry_no_ids() -> None:
    for family in Metrics().registry.collect():
        if family.name.startswith(FAUST_PREFIX + "_"):
            continue  # Faust's own sensor, as Faust names it (milliseconds)
        assert family.name.startswith("geoevents_"), family.name
        if family.type == "histogram":
            assert family.name.endswith("_seconds"), family.name
    text = generate_latest(Metrics().registry).decode()
    for label in ("article_id", "event_id", "alert_id", "story_id"):
        assert f"{label}=" not in text


def test_build_info_names_the_versions() -> None:
    registry = Metrics().registry
    labels = {"version": __version__, "python": platform.python_version()}
    labels["faust"] = faust.__version__
    assert registry.get_sample_value("geoevents_build_info", labels) == 1


def test_faust_sensor_records_into_the_service_registry() -> None:
    metrics = Metrics()
    monitor = metrics.faust_monitor()
    monitor.count("commits")
    value = metrics.registry.get_sample_value("faust_metrics_by_name", {"metric": "commits"})
    assert value == 1


def test_lag_is_end_minus_committed() -> None:
    lag = partition_lag({A0: 120, A1: 40}, {A0: 100, A1: 40}, {})
    assert lag == {A0: 20, A1: 0}


def test_a_partition_never_committed_lags_by_all_it_holds() -> None:
    assert partition_lag({A0: 120}, {A0: None}, {A0: 20}) == {A0: 100}
    assert partition_lag({A0: 120}, {}, {}) == {A0: 120}


def test_lag_is_never_negative() -> None:
    # The end offset is read after the commit: a commit can overtake a stale end offset.
    assert partition_lag({A0: 10}, {A0: 12}, {}) == {A0: 0}


def test_partitions_moved_away_lose_their_series() -> None:
    registry = CollectorRegistry()
    gauge = PartitionGauge(Gauge("lag", "test", ["topic", "partition"], registry=registry))
    gauge.update({A0: 5, B0: 7})
    assert registry.get_sample_value("lag", {"topic": "alerts", "partition": "0"}) == 7
    gauge.update({A0: 3, A1: 1})  # a rebalance took alerts[0] and gave articles.raw[1]
    assert registry.get_sample_value("lag", {"topic": "alerts", "partition": "0"}) is None
    assert registry.get_sample_value("lag", {"topic": "articles.raw", "partition": "0"}) == 3
    assert registry.get_sample_value("lag", {"topic": "articles.raw", "partition": "1"}) == 1


def test_recovery_is_overdue_only_when_it_runs_past_the_timeout() -> None:
    from streams.ops import RecoveryWatch

    watch = RecoveryWatch()
    assert not watch.overdue(True, 100.0, 60.0)  # starts now
    assert not watch.overdue(True, 150.0, 60.0)
    assert watch.overdue(True, 161.0, 60.0)
    assert not watch.overdue(False, 170.0, 60.0)  # finished: the clock starts again
    assert not watch.overdue(True, 200.0, 60.0) and watch.overdue(True, 261.0, 60.0)


def test_a_data_dir_that_cannot_be_made_stops_the_worker_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from streams.cli import cli
    from streams.settings import get_settings

    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("GEO_DATA_DIR", str(blocker / "state"))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["worker"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert f"GEO_DATA_DIR: cannot create {blocker / 'state'}" in result.output


def test_readiness_lists_the_partitions_agents_process_by_topic() -> None:
    changelog = TP("bench-stories-changelog", 0)
    held = processed_partitions([A1, B0, A0, changelog], skip={changelog.topic})
    assert held == {"alerts": [0], "articles.raw": [0, 1]}
    assert list(held) == sorted(held)  # topics in order, so two looks compare equal
