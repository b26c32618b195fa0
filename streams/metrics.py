"""The service's own Prometheus metrics, in base units, created against a replaceable registry."""

from __future__ import annotations

import platform

import faust
from faust.sensors.prometheus import FaustMetrics, PrometheusMonitor
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from streams import __version__

# Seconds, from sub-millisecond stage work up to minutes of broker backlog.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
STAGE_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1)
# Seconds from publication to alert: feeds deliver articles seconds to hours after publication.
PUBLISHED_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400)
# Faust's own sensor (messages, events, commits, rebalances; its latencies in milliseconds),
# under a fixed prefix so dashboards do not depend on the app id.
FAUST_PREFIX = "faust"


class Metrics:
    """Every metric the service exports; labels never carry article or event ids."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.articles_consumed = Counter(
            "geoevents_articles_consumed_total",
            "Raw messages read from the articles topic",
            registry=r,
        )
        self.articles_accepted = Counter(
            "geoevents_articles_accepted_total", "Articles that passed intake", registry=r
        )
        self.dead_letters = Counter(
            "geoevents_dead_letters_total",
            "Messages sent to a dead-letter topic",
            ["stage", "reason"],
            registry=r,
        )
        self.duplicates = Counter(
            "geoevents_duplicate_articles_total", "Articles recognised as copies", registry=r
        )
        self.stories = Counter(
            "geoevents_stories_total",
            "Stories opened by an article no earlier one copies",
            registry=r,
        )
        self.mentions = Counter(
            "geoevents_mentions_total", "Event mentions extracted", ["event_type"], registry=r
        )
        self.events = Counter(
            "geoevents_canonical_events_total",
            "Canonical event records written: new, updated, or retired into another event",
            ["change"],
            registry=r,
        )
        self.alerts = Counter(
            "geoevents_alerts_total", "Alerts raised", ["kind", "severity"], registry=r
        )
        self.deliveries = Counter(
            "geoevents_deliveries_total",
            "Alert deliveries by channel and outcome (sent, retried, failed, duplicate)",
            ["channel", "outcome"],
            registry=r,
        )
        self.delivery_seconds = Histogram(
            "geoevents_delivery_seconds",
            "From the deliver agent taking an alert to the channel acknowledging it, retries "
            "and rate limiting included",
            ["channel"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.alerts_dead_lettered = Counter(
            "geoevents_alerts_dead_lettered_total",
            "Alerts sent to alerts.dlq because a channel refused them or the last attempt failed",
            ["channel", "reason"],
            registry=r,
        )
        self.stage_seconds = Histogram(
            "geoevents_stage_seconds",
            "Time one stage spends on one message",
            ["stage"],
            buckets=STAGE_BUCKETS,
            registry=r,
        )
        self.intake_to_alert_seconds = Histogram(
            "geoevents_intake_to_alert_seconds",
            "From the worker receiving an article to raising the alert it caused",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.published_to_alert_seconds = Histogram(
            "geoevents_published_to_alert_seconds",
            "From the publication time of an event's latest article to the alert it caused",
            buckets=PUBLISHED_BUCKETS,
            registry=r,
        )
        self.consumer_lag = Gauge(
            "geoevents_consumer_lag",
            "Messages between the group's committed offset and the end, per assigned partition",
            ["topic", "partition"],
            registry=r,
        )
        self.worker_ready = Gauge(
            "geoevents_worker_ready",
            "1 while the worker holds partitions, is not rebalancing and has recovered its tables",
            registry=r,
        )
        self.table_keys = Gauge(
            "geoevents_table_keys",
            "Keys each state table holds on this worker",
            ["table"],
            registry=r,
        )
        self.build_info = Gauge(
            "geoevents_build_info", "Build metadata", ["version", "python", "faust"], registry=r
        )
        self.build_info.labels(
            version=__version__, python=platform.python_version(), faust=faust.__version__
        ).set(1)
        self.faust = FaustMetrics.create(r, FAUST_PREFIX)

    def faust_monitor(self) -> PrometheusMonitor:
        """Faust's Prometheus sensor, recording into this registry (set it as `app.monitor`)."""
        return PrometheusMonitor(metrics=self.faust)
