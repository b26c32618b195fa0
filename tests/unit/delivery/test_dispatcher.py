"""The dispatcher: retries, Retry-After, joins repeats, keeps channels apart; HTTP answers read."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from schemas import Alert
from streams.delivery.channels.base import Links
from streams.delivery.channels.config import Redactor, Target
from streams.delivery.dispatcher import Attempt, Dispatcher, HttpSender, wiring_alert
from streams.delivery.policy import RetryPolicy
from streams.metrics import Metrics
from streams.rules import ChannelOptions, PagerDutyOptions
from tests.unit.delivery.test_payloads import make_alert

FAST = RetryPolicy(max_attempts=4, base=0.001, cap=0.004, max_retry_after=1.0)


class Scripted:
    """A sender answering from a script; the last answer repeats. `gate` holds every attempt."""

    def __init__(self, *answers: Attempt, gate: asyncio.Event | None = None) -> None:
        self.answers = list(answers)
        self.calls: list[str] = []
        self.gate = gate

    async def attempt(self, alert: Alert) -> Attempt:
        self.calls.append(alert.alert_id)
        if self.gate is not None:
            await self.gate.wait()
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


OK = Attempt("delivered", 200)
FAIL = Attempt("retry", 500, error="HTTP 500")


def dispatcher(metrics: Metrics | None = None, **senders: Scripted) -> Dispatcher:
    return Dispatcher(senders, FAST, metrics=metrics, rand=lambda: 0.5)


def sample(metrics: Metrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


async def test_retries_until_the_channel_recovers() -> None:
    metrics = Metrics(CollectorRegistry())
    slack = Scripted(FAIL, Attempt("retry", 429, retry_after=0.01, error="HTTP 429"), OK)
    outcome = await dispatcher(metrics, slack=slack).submit(make_alert(), "slack")
    assert (outcome.result, outcome.attempts) == ("sent", 3)
    assert sample(metrics, "geoevents_deliveries_total", channel="slack", outcome="retried") == 2
    assert sample(metrics, "geoevents_deliveries_total", channel="slack", outcome="sent") == 1
    assert sample(metrics, "geoevents_delivery_seconds_count", channel="slack") == 1


async def test_a_refusal_is_final_and_the_last_attempt_gives_up() -> None:
    refused = await dispatcher(slack=Scripted(Attempt("reject", 400, error="HTTP 400"))).submit(
        make_alert(), "slack"
    )
    assert (refused.result, refused.attempts, refused.error) == ("not_deliverable", 1, "HTTP 400")
    exhausted = await dispatcher(slack=Scripted(FAIL)).submit(make_alert(), "slack")
    assert (exhausted.result, exhausted.attempts) == ("delivery_failed", FAST.max_attempts)


async def test_a_retry_after_beyond_the_limit_gives_up() -> None:
    sender = Scripted(Attempt("retry", 429, retry_after=3600, error="HTTP 429"))
    outcome = await dispatcher(pagerduty=sender).submit(make_alert(), "pagerduty")
    assert (outcome.result, outcome.attempts) == ("delivery_failed", 1)
    assert outcome.error == "HTTP 429 (Retry-After 3600s is beyond the limit)"


async def test_an_unconfigured_channel_is_not_deliverable() -> None:
    outcome = await dispatcher().submit(make_alert(), "webhook")
    assert (outcome.result, outcome.attempts) == ("not_deliverable", 0)
    assert "not configured" in (outcome.error or "")


async def test_the_same_alert_and_channel_is_sent_once() -> None:
    gate = asyncio.Event()
    slack = Scripted(OK, gate=gate)
    d = dispatcher(slack=slack)
    first, second = d.submit(make_alert(), "slack"), d.submit(make_alert(), "slack")
    assert first is second  # a repeat joins the delivery in progress
    gate.set()
    assert (await first).result == "sent"
    again = await d.submit(make_alert(), "slack")  # and one that completed is remembered
    assert again.repeat and again.result == "sent"
    assert slack.calls == [make_alert().alert_id]


async def test_a_channel_that_hangs_does_not_hold_up_another() -> None:
    gate = asyncio.Event()
    d = dispatcher(slack=Scripted(OK, gate=gate), pagerduty=Scripted(OK))
    stuck = d.submit(make_alert(), "slack")
    assert (await d.submit(make_alert(), "pagerduty")).result == "sent"
    assert not stuck.done()
    gate.set()
    assert (await stuck).result == "sent"


async def test_released_deliveries_stop_unless_submitted_again() -> None:
    d = dispatcher(slack=Scripted(FAIL, FAIL, FAIL, OK))
    future = d.submit(make_alert(), "slack")
    d.release()
    outcome = await future
    assert outcome.abandoned and outcome.attempts <= 1
    kept = dispatcher(slack=Scripted(FAIL, OK))
    future = kept.submit(make_alert(), "slack")
    kept.release()
    assert kept.submit(make_alert(), "slack") is future  # a redelivered message claims it back
    assert (await future).result == "sent"


async def test_close_cancels_running_deliveries() -> None:
    d = dispatcher(slack=Scripted(OK, gate=asyncio.Event()))
    future = d.submit(make_alert(), "slack")
    await asyncio.sleep(0)
    await d.close()
    assert future.cancelled()


def http_sender(
    handler: Callable[[httpx.Request], httpx.Response], timeout: float = 5.0
) -> HttpSender:
    target = Target(
        SecretStr("https://events.example/v2/enqueue"),
        SecretStr("ROUTINGKEY-42"),
        ("ROUTINGKEY-42",),
    )
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return HttpSender(
        "pagerduty", target, PagerDutyOptions(), Links(), client, timeout, Redactor(target.secrets)
    )


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (httpx.Response(202, json={"status": "success"}), Attempt("delivered", 202)),
        (
            httpx.Response(429, headers={"Retry-After": "3"}, text="slow down"),
            Attempt("retry", 429, 3.0, "HTTP 429 slow down"),
        ),
        (
            httpx.Response(400, text='{"errors": ["bad key ROUTINGKEY-42"]}'),
            Attempt("reject", 400, None, 'HTTP 400 {"errors": ["bad key [redacted]"]}'),
        ),
        (httpx.Response(503, text="down"), Attempt("retry", 503, None, "HTTP 503 down")),
    ],
)
async def test_http_answers(response: httpx.Response, expected: Attempt) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return response

    assert await http_sender(handler).attempt(make_alert()) == expected
    assert seen[0].url == "https://events.example/v2/enqueue"
    assert b'"routing_key":"ROUTINGKEY-42"' in seen[0].content


async def test_network_errors_and_timeouts_are_retried_and_redacted() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot reach {request.url} with ROUTINGKEY-42")

    attempt = await http_sender(refuse).attempt(make_alert())
    assert attempt.verdict == "retry" and "ROUTINGKEY-42" not in (attempt.error or "")

    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(10)
        return httpx.Response(200)

    timed_out = await http_sender(hang, timeout=0.05).attempt(make_alert())  # type: ignore[arg-type]
    assert timed_out == Attempt("retry", error="no answer within 0.05s")


async def test_a_request_that_cannot_be_built_is_refused() -> None:
    target = Target(SecretStr("http://am:9093"))
    client = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    # Alertmanager given the wrong kind of options: building fails, retrying cannot help.
    sender = HttpSender("alertmanager", target, ChannelOptions(), Links(), client, 5.0, str)
    attempt = await sender.attempt(make_alert())
    assert attempt.verdict == "reject" and "cannot build the request" in (attempt.error or "")


def test_wiring_alerts_are_unique_and_say_so() -> None:
    a, b = wiring_alert(), wiring_alert()
    assert a.alert_id != b.alert_id and a.title.startswith("TEST:")


class Broken:
    async def attempt(self, alert: Alert) -> Attempt:
        raise RuntimeError("bug while sending to https://hooks.example/T0/SECRET-TOKEN")


async def test_a_bug_fails_the_delivery_and_its_log_is_redacted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    redact = Redactor(["https://hooks.example/T0/SECRET-TOKEN"])
    d = Dispatcher({"slack": Broken()}, FAST, redact=redact)
    outcome = await d.submit(make_alert(), "slack")
    assert outcome.result == "delivery_failed" and "SECRET-TOKEN" not in (outcome.error or "")
    assert "RuntimeError" in caplog.text and "SECRET-TOKEN" not in caplog.text
