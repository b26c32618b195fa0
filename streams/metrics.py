"""The service's own Prometheus metrics, in base units, created against a replaceable registry."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from streams import __version__

# Seconds, from sub-millisecond stage work up to minutes of broker backlog.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
STAGE_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1)


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
        self.mentions = Counter(
            "geoevents_mentions_total", "Event mentions extracted", ["event_type"], registry=r
        )
        self.events = Counter(
            "geoevents_canonical_events_total",
            "Canonical events created or updated",
            ["change"],
            registry=r,
        )
        self.alerts = Counter(
            "geoevents_alerts_total", "Alerts raised", ["kind", "severity"], registry=r
        )
        self.deliveries = Counter(
            "geoevents_deliveries_total",
            "Alert deliveries by channel and outcome",
            ["channel", "outcome"],
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
        self.build_info = Gauge("geoevents_build_info", "Build metadata", ["version"], registry=r)
        self.build_info.labels(version=__version__).set(1)
