"""Sending alerts: a task per alert and channel, rate-limited and retried, none blocking another."""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
import time
import traceback
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol

import httpx

from schemas import Actor, Alert, CanonicalEvent, Severity
from streams.delivery.channels import BUILDERS, classifier, console
from streams.delivery.channels.base import Links, Verdict
from streams.delivery.channels.config import REQUIRED, Redactor, Target, check_routed, targets
from streams.delivery.policy import (
    RateLimiter,
    Result,
    RetryPolicy,
    delivered_key,
    parse_retry_after,
)
from streams.metrics import Metrics
from streams.rules import ChannelOptions, RuleSet
from streams.settings import Settings

log = logging.getLogger(__name__)

# httpx logs every request's URL at INFO, and a Slack webhook URL is itself the secret.
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)

ERROR_SNIPPET = 300
"""Characters of a refusing channel's answer kept in the error (after redaction)."""


@dataclass(frozen=True)
class Attempt:
    """What one attempt to send got back."""

    verdict: Verdict
    status: int | None = None
    retry_after: float | None = None
    error: str | None = None


class Sender(Protocol):
    """Makes one attempt to hand an alert to a channel; never raises for the channel's faults."""

    async def attempt(self, alert: Alert) -> Attempt:
        """Send once and say how it went."""


class ConsoleSender:
    """The console channel: the alert as text on stdout, for a person watching the worker."""

    def __init__(
        self,
        options: ChannelOptions,
        links: Links,
        write: Callable[[str], None] | None = None,
    ) -> None:
        self.options = options
        self.links = links
        # print, not log: the console channel is stdout, and `geoevents run` shows it.
        self._write = write or (lambda text: print(text, flush=True))

    async def attempt(self, alert: Alert) -> Attempt:
        self._write(console.text(alert, self.options, self.links))
        return Attempt("delivered")


class HttpSender:
    """An HTTP channel: builds the request with the channel's module, sends it, reads the answer."""

    def __init__(
        self,
        channel: str,
        target: Target,
        options: ChannelOptions,
        links: Links,
        client: httpx.AsyncClient,
        timeout: float,
        redact: Callable[[str], str],
    ) -> None:
        self.channel = channel
        self._build = BUILDERS[channel]
        self._classify = classifier(channel)
        self._target = target
        self._options = options
        self._links = links
        self._client = client
        self._timeout = timeout
        self._redact = redact

    async def attempt(self, alert: Alert) -> Attempt:
        try:
            request = self._build(alert, self._target, self._options, self._links)
        except Exception as err:  # a bad option or template: this alert can never be sent
            return Attempt("reject", error=self._redact(f"cannot build the request: {err!r}"))
        try:
            # One deadline for the whole exchange: a server trickling bytes cannot stretch it.
            async with asyncio.timeout(self._timeout):
                response = await self._client.request(
                    request.method, request.url, headers=request.headers, content=request.body
                )
        except TimeoutError:
            return Attempt("retry", error=f"no answer within {self._timeout:g}s")
        except (httpx.HTTPError, OSError) as err:
            return Attempt("retry", error=self._redact(f"{type(err).__name__}: {err}"))
        status = response.status_code
        verdict = self._classify(status)
        if verdict == "delivered":
            return Attempt("delivered", status)
        snippet = " ".join(response.text[:ERROR_SNIPPET].split())
        return Attempt(
            verdict,
            status,
            parse_retry_after(response.headers.get("Retry-After")),
            self._redact(f"HTTP {status} {snippet}".strip()),
        )


@dataclass(frozen=True)
class Outcome:
    """How delivering one alert to one channel ended."""

    channel: str
    result: Result
    attempts: int
    error: str | None = None
    seconds: float = 0.0
    repeat: bool = False
    """This worker had already delivered it (before a rebalance): nothing was sent again."""
    abandoned: bool = False
    """Given up because no message waits for it any more (its partition was released)."""


@dataclass
class _Job:
    key: str
    alert: Alert
    channel: str
    future: asyncio.Future[Outcome]
    attempts: int = 0
    claimed: bool = True


class Dispatcher:
    """Runs every delivery as its own task: one channel's retries never wait on another's.

    Each channel has a rate limiter (a 429's Retry-After holds the whole channel) and a
    bound on requests in flight. A delivery already running for the same alert and channel
    is joined rather than started again, and deliveries this process completed are
    remembered, so a message read twice (a duplicate in the outbox, a rebalance) sends once.
    """

    def __init__(
        self,
        senders: Mapping[str, Sender],
        policy: RetryPolicy,
        per_minute: Mapping[str, float | None] | None = None,
        max_in_flight: int = 4,
        metrics: Metrics | None = None,
        rand: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
        remember: int = 10_000,
        redact: Callable[[str], str] = str,
    ) -> None:
        self.senders = dict(senders)
        self.policy = policy
        self.metrics = metrics
        self._rand = rand
        self._clock = clock
        rates = per_minute or {}
        self._limiters = {c: RateLimiter(rates.get(c), clock) for c in self.senders}
        self._slots = {c: asyncio.Semaphore(max_in_flight) for c in self.senders}
        self._jobs: dict[str, _Job] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._remember = remember
        self._redact = redact

    def submit(self, alert: Alert, channel: str) -> asyncio.Future[Outcome]:
        """Start (or join) delivering `alert` to `channel`; the future says how it ended."""
        key = delivered_key(alert.alert_id, channel)
        job = self._jobs.get(key)
        if job is not None:
            job.claimed = True
            return job.future
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        if key in self._recent:
            outcome = Outcome(channel, "sent", 0, repeat=True)
            self._count(outcome)
            future.set_result(outcome)
            return future
        job = _Job(key, alert, channel, future)
        self._jobs[key] = job
        task = asyncio.create_task(self._run(job), name=f"deliver {channel} {alert.alert_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return future

    def release(self) -> None:
        """No message waits for the running deliveries any more: each stops before its next
        attempt unless submitted again meanwhile."""
        for job in self._jobs.values():
            job.claimed = False

    @property
    def running(self) -> int:
        """Deliveries not yet ended."""
        return len(self._jobs)

    async def close(self) -> None:
        """Cancel every delivery still running (the worker stops; its messages are re-read)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _run(self, job: _Job) -> None:
        started = self._clock()
        try:
            outcome = await self._deliver(job)
        except asyncio.CancelledError:
            job.future.cancel()
            self._jobs.pop(job.key, None)
            raise
        except Exception as err:  # a bug here must not strand the message unacked forever
            trace = self._redact("".join(traceback.format_exception(err)))
            log.error(
                "delivering alert %s to %s failed\n%s", job.alert.alert_id, job.channel, trace
            )
            outcome = Outcome(job.channel, "delivery_failed", job.attempts, self._redact(repr(err)))
        self._jobs.pop(job.key, None)
        outcome = replace(outcome, seconds=self._clock() - started)
        if outcome.result == "sent":
            self._recent[job.key] = None
            while len(self._recent) > self._remember:
                self._recent.popitem(last=False)
        self._count(outcome)
        if not job.future.done():
            job.future.set_result(outcome)

    async def _deliver(self, job: _Job) -> Outcome:
        channel = job.channel
        sender = self.senders.get(channel)
        if sender is None:
            error = f"channel {channel} is not configured on this worker (see docs/alerting.md)"
            return Outcome(channel, "not_deliverable", 0, error)
        limiter, slot = self._limiters[channel], self._slots[channel]
        while True:
            if not job.claimed:
                return Outcome(
                    channel, "delivery_failed", job.attempts, "abandoned", abandoned=True
                )
            wait = limiter.reserve()
            if wait > 0:
                await asyncio.sleep(wait)
                if not job.claimed:
                    continue  # released while waiting for its turn: give up above
            async with slot:
                job.attempts += 1
                attempt = await sender.attempt(job.alert)
            if attempt.verdict == "delivered":
                return Outcome(channel, "sent", job.attempts)
            error = attempt.error or "refused"
            if attempt.verdict == "reject":
                return Outcome(channel, "not_deliverable", job.attempts, error)
            if attempt.retry_after is not None:
                limiter.defer(attempt.retry_after)
            delay = self.policy.delay(job.attempts, attempt.retry_after, self._rand)
            if delay is None:
                if job.attempts < self.policy.max_attempts:
                    error += f" (Retry-After {attempt.retry_after:g}s is beyond the limit)"
                return Outcome(channel, "delivery_failed", job.attempts, error)
            if self.metrics is not None:
                self.metrics.deliveries.labels(channel=channel, outcome="retried").inc()
            log.warning(
                "%s: attempt %d for alert %s failed (%s); next in %.1fs",
                channel,
                job.attempts,
                job.alert.alert_id,
                error,
                delay,
            )
            await asyncio.sleep(delay)

    def _count(self, outcome: Outcome) -> None:
        if self.metrics is None or outcome.abandoned:
            return
        if outcome.repeat:
            self.metrics.deliveries.labels(channel=outcome.channel, outcome="duplicate").inc()
        elif outcome.result == "sent":
            self.metrics.deliveries.labels(channel=outcome.channel, outcome="sent").inc()
            self.metrics.delivery_seconds.labels(channel=outcome.channel).observe(outcome.seconds)
        else:
            self.metrics.deliveries.labels(channel=outcome.channel, outcome="failed").inc()


def policy_of(settings: Settings) -> RetryPolicy:
    """The retry policy the settings describe."""
    d = settings.delivery
    return RetryPolicy(
        max_attempts=d.max_attempts,
        base=d.backoff_base_seconds,
        cap=d.backoff_max_seconds,
        max_retry_after=d.max_retry_after_seconds,
    )


def rates_of(settings: Settings) -> dict[str, float | None]:
    """Requests a minute each channel allows (None: no limit)."""
    d = settings.delivery
    return {
        "console": None,
        "slack": d.slack_per_minute,
        "pagerduty": d.pagerduty_per_minute,
        "alertmanager": d.alertmanager_per_minute,
        "webhook": d.webhook_per_minute,
    }


def links_of(settings: Settings) -> Links:
    """Article and event links from the settings' URL templates."""
    d = settings.delivery
    return Links(d.article_url_template, d.event_url_template)


@asynccontextmanager
async def open_senders(
    settings: Settings,
    rules: RuleSet,
    write: Callable[[str], None] | None = None,
) -> AsyncIterator[tuple[dict[str, Sender], Redactor]]:
    """A sender for console and each channel the environment configures, sharing one client."""
    found = targets(settings.channels)
    redact = Redactor.for_targets(found)
    links = links_of(settings)
    timeout = settings.delivery.timeout_seconds
    async with httpx.AsyncClient(
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,  # a redirect would carry a signed body somewhere unreviewed
    ) as client:
        senders: dict[str, Sender] = {
            "console": ConsoleSender(rules.channels.console, links, write),
        }
        for channel, target in found.items():
            options = rules.channels.options(channel)
            senders[channel] = HttpSender(channel, target, options, links, client, timeout, redact)
        yield senders, redact


@asynccontextmanager
async def open_dispatcher(
    settings: Settings, rules: RuleSet, metrics: Metrics | None = None
) -> AsyncIterator[Dispatcher]:
    """A dispatcher over every configured channel, closed (its deliveries cancelled) on exit."""
    async with open_senders(settings, rules) as (senders, redact):
        dispatcher = Dispatcher(
            senders,
            policy_of(settings),
            rates_of(settings),
            settings.delivery.max_in_flight,
            metrics,
            redact=redact,
        )
        try:
            yield dispatcher
        finally:
            await dispatcher.close()


def check_channels(settings: Settings, rules: RuleSet) -> None:
    """Stop the start when a secret file is unreadable or a rule routes to an unset channel."""
    check_routed(rules.routed_channels(), targets(settings.channels), settings.rules_file)


def wiring_alert(severity: Severity = "info", now: datetime | None = None) -> Alert:
    """An alert that says it is a test, unique per call so no channel drops it as a repeat."""
    when = now or datetime.now(UTC)
    stamp = when.strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(4)
    event = CanonicalEvent(
        event_id=f"ev-test-{stamp}",
        event_type="CONSULT",
        subtype="wiring_test",
        severity=severity,
        actors=[Actor(code="TEST", name="geoevents")],
        first_seen=when,
        last_seen=when,
        article_ids=[f"test-{stamp}"],
        sources=["geoevents alerts test"],
        confidence=1.0,
    )
    return Alert(
        alert_id=f"al-test-{stamp}",
        event_id=event.event_id,
        kind="new",
        severity=severity,
        title=f"TEST: geoevents alert wiring check ({severity}); not a real event",
        article_ids=list(event.article_ids),
        rule="alerts-test",
        channels=[],
        created_at=when,
        event=event,
    )


async def send_test(
    settings: Settings, rules: RuleSet, channel: str, severity: Severity = "info"
) -> tuple[Outcome, Alert]:
    """Send a test alert to `channel` with the worker's policy; how it ended, and the alert."""
    alert = wiring_alert(severity).model_copy(update={"channels": [channel]})
    async with open_senders(settings, rules) as (senders, redact):
        if channel not in senders:
            error = f"{channel} is not configured: set {REQUIRED.get(channel, '?')} (or _FILE)"
            return Outcome(channel, "not_deliverable", 0, error), alert
        dispatcher = Dispatcher(
            {channel: senders[channel]},
            policy_of(settings),
            rates_of(settings),
            settings.delivery.max_in_flight,
            redact=redact,
        )
        try:
            return await dispatcher.submit(alert, channel), alert
        finally:
            await dispatcher.close()
