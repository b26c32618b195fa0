"""The pure parts of `bench stream`: quantiles, worker environments, settled assignments,
CPU accounting and the per-stage totals read from a worker's metrics."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from geolab.stream_bench import (
    assignment_settled,
    cpu_seconds,
    machine_ticks,
    percentile,
    stage_totals,
    synthetic_stream,
    worker_envs,
)


def test_percentile_is_the_nearest_rank() -> None:
    values = [float(v) for v in range(100, 0, -1)]  # unsorted on purpose
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile(values, 1.0) == 100.0
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0
    # Of 40 waits the 99th percentile is the largest: 39 of them are 97.5%.
    assert percentile([float(v) for v in range(40)], 0.99) == 39.0
    assert percentile([7.0], 0.01) == 7.0
    with pytest.raises(ValueError, match="no values"):
        percentile([], 0.5)


def test_every_worker_joins_one_group_with_its_own_port_and_data_dir(tmp_path: Path) -> None:
    common = {"GEO_BROKER": "127.0.0.1:9", "GEO_APP_ID": "bench-x", "GEO_TOPICS__ALERTS": "x.a"}
    envs = worker_envs(common, [6101, 6102, 6103], tmp_path)
    assert len(envs) == 3
    assert {e["GEO_APP_ID"] for e in envs} == {"bench-x"}
    assert {e["GEO_TOPICS__ALERTS"] for e in envs} == {"x.a"}
    assert [e["GEO_WEB_PORT"] for e in envs] == ["6101", "6102", "6103"]
    assert len({e["GEO_DATA_DIR"] for e in envs}) == 3
    assert all(Path(e["GEO_DATA_DIR"]).parent == tmp_path for e in envs)
    assert "GEO_WEB_PORT" not in common  # the shared part is not changed in place
    with pytest.raises(ValueError, match="share a port"):
        worker_envs(common, [6101, 6101], tmp_path)


def test_an_assignment_is_settled_when_each_partition_has_exactly_one_worker() -> None:
    counts = {"articles": 4, "for-stories": 1}
    split = [
        {"articles": [0, 2], "for-stories": [0]},
        {"articles": [1, 3]},
    ]
    assert assignment_settled(split, counts)
    assert assignment_settled([{"articles": [0, 1, 2, 3], "for-stories": [0]}], counts)
    # Mid-rebalance: a partition held twice, or by nobody, or a topic not yet assigned.
    assert not assignment_settled(
        [{"articles": [0, 1], "for-stories": [0]}, {"articles": [1, 2, 3]}], counts
    )
    assert not assignment_settled(
        [{"articles": [0, 2], "for-stories": [0]}, {"articles": [1]}], counts
    )
    assert not assignment_settled([{"articles": [0, 1, 2, 3]}, {}], counts)


def test_cpu_time_is_read_after_the_command_name_whatever_it_holds() -> None:
    # utime 250 and stime 50 ticks; the name has spaces and a parenthesis in it.
    stat = "4242 (geo (worker) x) S 1 4242 4242 0 -1 4194560 9 0 0 0 250 50 0 0 20 0 3 0"
    assert cpu_seconds(stat, 100) == 3.0


def test_machine_ticks_count_idle_and_io_wait_as_not_busy() -> None:
    # user nice system idle iowait irq softirq steal guest guest_nice
    stat = "cpu  100 10 40 800 50 0 0 0 30 0\ncpu0 50 5 20 400 25 0 0 0 15 0\n"
    busy, total = machine_ticks(stat)
    assert total == 1000  # guest time is already inside user
    assert busy == 150


def test_stage_totals_sum_each_stage_from_the_metrics_text() -> None:
    text = "\n".join(
        [
            "# HELP geoevents_stage_seconds Time one stage spends on one message",
            'geoevents_stage_seconds_bucket{le="0.01",stage="extract"} 3.0',
            'geoevents_stage_seconds_count{stage="extract"} 12.0',
            'geoevents_stage_seconds_sum{stage="extract"} 0.75',
            'geoevents_stage_seconds_count{stage="stories"} 4.0',
            'geoevents_stage_seconds_sum{stage="stories"} 0.01',
            'geoevents_stage_seconds_created{stage="stories"} 1.7e9',
        ]
    )
    assert stage_totals(text) == {"extract": (0.75, 12.0), "stories": (0.01, 4.0)}


def test_news_bodies_carry_the_paging_report_in_front() -> None:
    bodies = (f"Background news number {n}." for n in itertools.count())
    stream = list(synthetic_stream(20, every=10, bodies=bodies))
    articles = [json.loads(record.value) for record, _ in stream]
    paging = [a for (_, pages), a in zip(stream, articles, strict=True) if pages]
    assert len(paging) == 2
    assert all("test-fired an intercontinental ballistic missile" in a["body"] for a in paging)
    assert paging[0]["body"].endswith("Background news number 0.")
    assert articles[1]["body"] == "Background news number 1."
