"""Alerts through a real worker to real loopback HTTP channels that fail, throttle, hang, refuse."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer
from typer.testing import CliRunner

from schemas import Actor, Alert, CanonicalEvent, DeadLetter, Location, Quantity
from streams.broker import ensure_topics, free_port, service_topics
from streams.cli import cli
from streams.delivery.channels import webhook
from streams.demo import stop_worker
from streams.rules import get_rules
from streams.settings import get_settings
from streams.stages.alerts import alert_id_for, title_of
from tests.integration.conftest import Pipeline, pipeline_settings, start_pipeline
from tests.integration.sinks import HUNG, Reply, Sink, answered

pytestmark = pytest.mark.integration

CHANNELS = ["slack", "pagerduty", "alertmanager", "webhook"]
SLACK_PATH = "/slack/services/T0000/B0000/slack-secret-token-0123456789"
ROUTING_KEY = "R0UTINGKEY-0123456789abcdef"
HMAC_SECRET = "whsec-test-5f9a8b7c6d5e"
WEBHOOK_PATH = "/hook?token=hook-secret-token-987654"
MAX_ATTEMPTS = 8

RULES = """\
rules:
  - name: everything
    min_severity: info
    channels: [slack, pagerduty, alertmanager, webhook]
channels:
  alertmanager:
    labels: {team: geo-oncall}
"""


def make_alert(
    n: int,
    subtype: str = "troop_deployment",
    severity: str = "high",
    channels: list[str] | None = None,
) -> Alert:
    when = datetime(2026, 11, 10, 14, n, tzinfo=UTC)
    event = CanonicalEvent(
        event_id=f"ev-delivery{n:04d}",
        event_type="MOBILIZE",
        mode="troops",
        subtype=subtype,
        severity=severity,  # type: ignore[arg-type]
        actors=[Actor(code="PRK", name="North Korea")],
        recipients=[Actor(code="RUS", name="Russia")],
        location=Location(name="Kursk Oblast", country="RUS", subdivision="RU-KRS"),
        quantities=[Quantity(value=8000, unit="troops", qualifier="approximately")],
        first_seen=when,
        last_seen=when,
        article_ids=[f"a{n}"],
        sources=["Meridian Post"],
        confidence=0.6,
    )
    return Alert(
        alert_id=alert_id_for(event.event_id, "new", severity),
        event_id=event.event_id,
        kind="new",
        severity=severity,  # type: ignore[arg-type]
        title=title_of(event),
        article_ids=event.article_ids,
        rule="everything",
        channels=channels or CHANNELS,
        created_at=when,
        event=event,
    )


async def publish_alerts(pipeline: Pipeline, alerts: list[Alert]) -> None:
    """Write alerts to the outbox as the events step does: keyed by event id."""
    producer = AIOKafkaProducer(bootstrap_servers=pipeline.bootstrap, acks="all")
    await producer.start()
    try:
        for alert in alerts:
            await producer.send_and_wait(
                pipeline.settings.topics.alerts, alert.to_json_bytes(), key=alert.event_id.encode()
            )
    finally:
        await producer.stop()


@dataclass
class World:
    sink: Sink
    pipeline: Pipeline
    gate: threading.Event
    failing: set[str]


def channel_env(sink: Sink, tmp: Path) -> dict[str, str]:
    """Every channel pointed at the sink; the routing key and HMAC secret through files."""
    key_file = tmp / "routing-key"
    key_file.write_text(ROUTING_KEY + "\n", encoding="utf-8")
    secret_file = tmp / "hmac-secret"
    secret_file.write_text(HMAC_SECRET, encoding="utf-8")
    rules = tmp / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    return {
        "GEO_RULES_FILE": str(rules),
        "GEO_CHANNELS__SLACK_WEBHOOK_URL": sink.url(SLACK_PATH),
        "GEO_CHANNELS__PAGERDUTY_URL": sink.url("/pd/v2/enqueue"),
        "GEO_CHANNELS__PAGERDUTY_ROUTING_KEY_FILE": str(key_file),
        "GEO_CHANNELS__ALERTMANAGER_URL": sink.url("/am"),
        "GEO_CHANNELS__WEBHOOK_URL": sink.url(WEBHOOK_PATH),
        "GEO_CHANNELS__WEBHOOK_SECRET_FILE": str(secret_file),
        # Short, so hanging past the timeout and several retries fit in a test.
        "GEO_DELIVERY__TIMEOUT_SECONDS": "2",
        "GEO_DELIVERY__BACKOFF_BASE_SECONDS": "0.1",
        "GEO_DELIVERY__BACKOFF_MAX_SECONDS": "1",
        "GEO_DELIVERY__MAX_ATTEMPTS": str(MAX_ATTEMPTS),
        # Rate limits have unit tests; here they would only make the test slow.
        "GEO_DELIVERY__SLACK_PER_MINUTE": "6000",
        "GEO_DELIVERY__PAGERDUTY_PER_MINUTE": "6000",
    }


@pytest.fixture(scope="module")
def world(broker: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("delivery")
    sink = Sink()
    gate = threading.Event()  # Alertmanager is down (hangs past the timeout) until this is set
    failing: set[str] = set()  # alerts Slack answers 500 to, every time

    def slack(alert_id: str | None, nth: int, body: bytes) -> Reply:
        return Reply(500, body=b"rollup_error") if nth == 1 or alert_id in failing else Reply()

    def pagerduty(alert_id: str | None, nth: int, body: bytes) -> Reply:
        if nth == 1:
            return Reply(429, {"Retry-After": "1"}, b'{"status":"throttle"}')
        return Reply(202, body=b'{"status":"success"}')

    def alertmanager(alert_id: str | None, nth: int, body: bytes) -> Reply:
        return Reply(200, hold=gate) if not gate.is_set() else Reply(200)

    def hook(alert_id: str | None, nth: int, body: bytes) -> Reply:
        return Reply(400, body=b"unknown field 'change' in payload")

    for prefix, behaviour in (
        ("/slack", slack),
        ("/pd", pagerduty),
        ("/am", alertmanager),
        ("/hook", hook),
    ):
        sink.route(prefix, behaviour)
    settings, env = pipeline_settings(broker, free_port("127.0.0.1"), tmp)
    asyncio.run(ensure_topics(broker, service_topics(settings)))
    pipeline = start_pipeline(settings, env, tmp, channel_env(sink, tmp))
    try:
        yield World(sink, pipeline, gate, failing)
    finally:
        gate.set()
        stop_worker(pipeline.worker)
        sink.close()


@pytest.fixture(scope="module")
async def delivered(world: World) -> dict[str, object]:
    """Four alerts through the worker while Alertmanager is down, then Alertmanager recovers."""
    sink, pipeline = world.sink, world.pipeline
    first = [make_alert(1), make_alert(2), make_alert(3, subtype="missile_test")]
    world.failing.add(first[2].alert_id)
    await publish_alerts(pipeline, first)
    ids = [a.alert_id for a in first]

    def others_done(s: Sink) -> bool:
        return (
            all(answered(s, "/slack", 200).get(i) for i in ids[:2])
            and answered(s, "/slack", 500).get(ids[2], 0) == MAX_ATTEMPTS
            and all(answered(s, "/pd", 202).get(i) for i in ids)
            and all(answered(s, "/hook", 400).get(i) for i in ids)
        )

    # Slack, PagerDuty and the webhook all finish while every Alertmanager request hangs.
    sink.wait_for(others_done)
    sink.wait_for(lambda s: all(answered(s, "/am", HUNG).get(i) for i in ids))
    am_before = answered(sink, "/am", 200)

    # The stream is not held up either: a new alert gets through meanwhile.
    later = make_alert(4)
    await publish_alerts(pipeline, [later])
    sink.wait_for(lambda s: bool(answered(s, "/pd", 202).get(later.alert_id)))
    sink.wait_for(lambda s: bool(answered(s, "/slack", 200).get(later.alert_id)))
    am_still_down = answered(sink, "/am", 200)

    world.gate.set()
    await pipeline.drain()
    alerts = [*first, later]
    letters = [
        DeadLetter.model_validate_json(v)
        for _, v in await pipeline.read(pipeline.settings.topics.alerts_dlq)
    ]
    return {
        "alerts": alerts,
        "letters": letters,
        "am_before": am_before,
        "am_still_down": am_still_down,
        "metrics": pipeline.get("/metrics")[1].decode(),
    }


def test_every_alert_arrives_once_on_each_channel_that_recovers(
    world: World, delivered: dict[str, object]
) -> None:
    sink = world.sink
    alerts: list[Alert] = delivered["alerts"]  # type: ignore[assignment]
    ok = [a.alert_id for a in alerts]
    assert delivered["am_before"] == {} and delivered["am_still_down"] == {}
    assert answered(sink, "/am", 200, ok) == dict.fromkeys(ok, 1)
    assert answered(sink, "/pd", 202, ok) == dict.fromkeys(ok, 1)
    recovered = [a.alert_id for a in alerts if a.alert_id not in world.failing]
    assert answered(sink, "/slack", 200, ok) == dict.fromkeys(recovered, 1)
    # Alertmanager hung past the timeout at least once per alert; PagerDuty said 429 once.
    assert set(answered(sink, "/am", HUNG, ok)) == set(ok)
    assert answered(sink, "/pd", 429, ok) == dict.fromkeys(ok, 1)


def test_refused_and_exhausted_alerts_are_dead_lettered(
    world: World, delivered: dict[str, object]
) -> None:
    alerts: list[Alert] = delivered["alerts"]  # type: ignore[assignment]
    letters: list[DeadLetter] = delivered["letters"]  # type: ignore[assignment]
    topic = world.pipeline.settings.topics.alerts
    by_channel = {(d.channel, Alert.model_validate_json(d.original).alert_id): d for d in letters}
    assert len(by_channel) == len(letters), "an alert was dead-lettered twice for one channel"
    # The 400: once per alert, straight away.
    ids = [a.alert_id for a in alerts]
    assert answered(world.sink, "/hook", 400, ids) == dict.fromkeys(ids, 1)
    for alert in alerts:
        letter = by_channel[("webhook", alert.alert_id)]
        assert (letter.stage, letter.reason, letter.attempts) == ("deliver", "not_deliverable", 1)
        assert "HTTP 400" in letter.error
        assert letter.topic == topic and letter.partition is not None and letter.offset is not None
        assert letter.key == alert.event_id.encode()
    # The always-500: after the last attempt.
    (failing,) = world.failing
    letter = by_channel[("slack", failing)]
    assert (letter.reason, letter.attempts) == ("delivery_failed", MAX_ATTEMPTS)
    assert "HTTP 500" in letter.error
    assert set(by_channel) == {("webhook", a.alert_id) for a in alerts} | {("slack", failing)}


def test_channels_get_their_own_dedup_keys_and_a_valid_signature(
    world: World, delivered: dict[str, object]
) -> None:
    alerts: list[Alert] = delivered["alerts"]  # type: ignore[assignment]
    ours = {a.alert_id: a for a in alerts}
    pd = [r for r in world.sink.received("/pd") if r.alert_id in ours]
    keys: dict[str, set[str]] = {}
    for request in pd:
        body = json.loads(request.body)
        assert body["routing_key"] == ROUTING_KEY  # read from its secret file
        keys.setdefault(request.alert_id or "", set()).add(body["dedup_key"])
        assert body["payload"]["severity"] == "error"  # high, through the default map
    # One dedup key per alert however often it was sent, and each its own.
    assert {a: len(k) for a, k in keys.items()} == dict.fromkeys(ours, 1)
    assert len(set.union(*keys.values())) == len(ours)
    for request in world.sink.received("/am"):
        if request.alert_id in ours:
            (item,) = json.loads(request.body)
            assert item["labels"]["team"] == "geo-oncall"
            assert item["labels"]["alert_id"] == request.alert_id
    for request in world.sink.received("/hook"):
        assert webhook.verify(HMAC_SECRET.encode(), request.headers, request.body)
        headers = {k.lower(): v for k, v in request.headers.items()}
        assert headers["idempotency-key"] == request.alert_id


def test_metrics_and_no_secret_in_the_log(world: World, delivered: dict[str, object]) -> None:
    text: str = delivered["metrics"]  # type: ignore[assignment]
    assert 'geoevents_deliveries_total{channel="alertmanager",outcome="sent"} 4.0' in text
    assert 'geoevents_deliveries_total{channel="slack",outcome="retried"}' in text
    assert (
        'geoevents_alerts_dead_lettered_total{channel="webhook",reason="not_deliverable"} 4.0'
        in (text)
    )
    assert 'geoevents_alerts_dead_lettered_total{channel="slack",reason="delivery_failed"} 1.0' in (
        text
    )
    assert 'geoevents_delivery_seconds_count{channel="pagerduty"} 4.0' in text
    log = world.pipeline.logfile.read_text(errors="replace")
    assert "failed" in log  # the retries were logged ...
    for secret in ("slack-secret-token", ROUTING_KEY, HMAC_SECRET, "hook-secret-token"):
        assert secret not in log  # ... and no secret with them


def test_alerts_test_command(world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, value in channel_env(world.sink, tmp_path).items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        sent = runner.invoke(cli, ["alerts", "test", "--channel", "pagerduty"])
        refused = runner.invoke(cli, ["alerts", "test", "--channel", "webhook"])
    finally:
        # Both caches read the environment this test changed: leave neither behind.
        get_settings.cache_clear()
        get_rules.cache_clear()
    assert sent.exit_code == 0, sent.output
    assert "delivered test alert al-test-" in sent.output
    test_pages = [r for r in world.sink.received("/pd") if "al-test-" in r.body.decode()]
    assert [r.status for r in test_pages] == [429, 202]
    assert refused.exit_code == 1
    assert "not_deliverable" in refused.output and "HTTP 400" in refused.output
    assert "hook-secret-token" not in refused.output
