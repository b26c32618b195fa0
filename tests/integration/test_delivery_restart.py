"""A worker killed between sending an alert and committing its offset does not page twice."""

from __future__ import annotations

import asyncio
import json
import signal
import threading
import time
from pathlib import Path

import pytest

from streams.broker import ensure_topics, free_port, service_topics
from streams.demo import read_all, stop_worker
from streams.lag import group_lag
from tests.integration.conftest import Pipeline, pipeline_settings, start_pipeline
from tests.integration.sinks import HUNG, Reply, Sink
from tests.integration.test_delivery import make_alert, publish_alerts

pytestmark = pytest.mark.integration

ROUTING_KEY = "R0UTINGKEY-restart-0123456789"
HMAC_SECRET = "whsec-restart-0123456789"
RULES = """\
rules:
  - name: everything
    min_severity: info
    channels: [pagerduty, webhook]
"""


def kill(pipeline: Pipeline) -> None:
    """SIGKILL: no commit, no flush, no goodbye to the group."""
    pipeline.worker.send_signal(signal.SIGKILL)
    pipeline.worker.wait()


def metric(pipeline: Pipeline, line: str, timeout: float = 60.0) -> None:
    """Wait until the worker's /metrics shows `line`."""
    deadline = time.monotonic() + timeout
    while line not in pipeline.get("/metrics")[1].decode():
        assert time.monotonic() < deadline, f"never saw {line}"
        time.sleep(0.2)


def dedup_keys(sink: Sink, alert_id: str) -> tuple[list[str], list[str]]:
    """The PagerDuty dedup keys and webhook Idempotency-Keys of every request for an alert."""
    pd = [json.loads(r.body)["dedup_key"] for r in sink.received("/pd") if r.alert_id == alert_id]
    hook = [
        {k.lower(): v for k, v in r.headers.items()}["idempotency-key"]
        for r in sink.received("/hook")
        if r.alert_id == alert_id
    ]
    return pd, hook


async def test_kill_between_send_and_commit(broker: str, tmp_path: Path) -> None:
    sink = Sink()
    release = threading.Event()
    held: set[str] = set()  # alerts whose first request gets no answer until the worker is gone

    def channel(alert_id: str | None, nth: int, body: bytes) -> Reply:
        return Reply(202, hold=release) if alert_id in held and nth == 1 else Reply(202)

    sink.route("/pd", channel)
    sink.route("/hook", channel)
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    extra = {
        "GEO_RULES_FILE": str(tmp_path / "rules.yaml"),
        "GEO_CHANNELS__PAGERDUTY_URL": sink.url("/pd/v2/enqueue"),
        "GEO_CHANNELS__PAGERDUTY_ROUTING_KEY": ROUTING_KEY,
        "GEO_CHANNELS__WEBHOOK_URL": sink.url("/hook"),
        "GEO_CHANNELS__WEBHOOK_SECRET": HMAC_SECRET,
        # A dead member holds up the next one's join for about the session timeout.
        "GEO_BROKER_SESSION_TIMEOUT": "6",
    }
    settings, env = pipeline_settings(broker, free_port("127.0.0.1"), tmp_path)
    await ensure_topics(broker, service_topics(settings))
    topic = settings.topics.alerts
    changelog = f"{settings.app_id}-delivered-changelog"
    alerts = [make_alert(n, channels=["pagerduty", "webhook"]) for n in (1, 2, 3)]
    workers: list[Pipeline] = []

    def hung() -> int:
        return len([r for r in sink.received() if r.status == HUNG])

    async def recorded(count: int) -> list[bytes]:
        """Wait until the delivered table's changelog holds `count` records."""
        deadline = time.monotonic() + 30
        while True:
            keys = [k for k, _ in await read_all(broker, changelog) if k]
            if len(keys) >= count:
                return keys
            assert time.monotonic() < deadline, "the delivered table was never written"
            await asyncio.sleep(0.1)

    try:
        # 1. The channels acknowledge and the worker records it, then is killed before it
        #    commits (commits are ten minutes apart here): the next worker reads it again.
        first = start_pipeline(
            settings, env, tmp_path / "w1", {**extra, "GEO_BROKER_COMMIT_INTERVAL": "600"}
        )
        workers.append(first)
        await publish_alerts(first, alerts[:1])
        sink.wait_for(lambda s: len(s.received("/pd")) == 1 and len(s.received("/hook")) == 1)
        assert all(alerts[0].alert_id.encode() in k for k in await recorded(2))
        assert sum((await group_lag(broker, settings.app_id, [topic])).values()) == 1
        kill(first)

        # 2. The next worker finds both channels in the delivered table and sends nothing.
        #    It sends the second alert; while both channels hang it is stopped, and must
        #    stop at once, letting go of the alert rather than committing it.
        second = start_pipeline(settings, env, tmp_path / "w2", extra)
        workers.append(second)
        metric(second, 'geoevents_deliveries_total{channel="pagerduty",outcome="duplicate"} 1.0')
        metric(second, 'geoevents_deliveries_total{channel="webhook",outcome="duplicate"} 1.0')
        held.add(alerts[1].alert_id)
        await publish_alerts(second, alerts[1:2])
        sink.wait_for(lambda s: hung() == 2)
        assert stop_worker(second.worker) == 0  # not killed by stop_worker's deadline

        # 3. The third worker sends the second alert again, and the third alert, which is
        #    in flight when the worker is killed.
        third = start_pipeline(settings, env, tmp_path / "w3", extra)
        workers.append(third)
        held.add(alerts[2].alert_id)
        await publish_alerts(third, alerts[2:])
        sink.wait_for(lambda s: hung() == 4)
        await recorded(4)  # the second alert is recorded: only the third is in flight
        kill(third)
        release.set()

        # 4. The last worker sends the third alert again; then everything is committed.
        last = start_pipeline(settings, env, tmp_path / "w4", extra)
        workers.append(last)
        await last.drain()
        dead_letters = await last.read(settings.topics.alerts_dlq)
    finally:
        release.set()
        for worker in workers:
            stop_worker(worker.worker)
        sink.close()

    pd, hook = dedup_keys(sink, alerts[0].alert_id)
    assert len(pd) == 1 and len(hook) == 1, "the recorded alert was sent again"
    for alert in alerts[1:]:
        # Sent twice (the first answer never arrived), with the same keys each time, so the
        # channel drops the repeat: PagerDuty by dedup_key, the receiver by Idempotency-Key.
        pd, hook = dedup_keys(sink, alert.alert_id)
        assert len(pd) == 2 and len(set(pd)) == 1
        assert hook == [alert.alert_id] * 2
    answered = sorted((r.alert_id, r.path[:3]) for r in sink.received() if r.status == 202)
    assert answered == sorted((a.alert_id, p) for a in alerts for p in ("/pd", "/ho"))
    assert dead_letters == []
