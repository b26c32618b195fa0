"""The composition root: the one Faust app, configured from Settings."""

from __future__ import annotations

from typing import Any

import faust
from faust.transport.drivers import aiokafka as aiokafka_driver

from streams.metrics import Metrics
from streams.settings import KafkaSecurity, Settings, get_settings

# Faust's default; only used when the module is imported without a broker configured
# (unit tests, schema generation). `geoevents worker` starts the embedded broker and sets
# GEO_BROKER before this module is imported.
_UNCONFIGURED_BROKER = "kafka://127.0.0.1:9092"


def _bound_fetch_wait(wait_ms: int) -> None:
    """Make Faust's consumers wait at most `wait_ms` for a fetch to fill.

    Faust hard-codes 1.5 s. Apache Kafka answers a fetch as soon as data arrives, but the
    embedded broker holds it for the whole wait, so each of the five topic hops between an
    article and its alert cost up to 1.5 s there. aiokafka reads the value when the consumer
    starts, so setting it on the freshly created consumer is enough.
    """
    thread = aiokafka_driver.AIOKafkaConsumerThread
    create = thread._create_worker_consumer
    if getattr(create, "bounded_wait", None) == wait_ms:
        return

    def create_bounded(self: Any, transport: Any) -> Any:
        consumer = create(self, transport)
        consumer._fetch_max_wait_ms = wait_ms
        return consumer

    create_bounded.bounded_wait = wait_ms  # type: ignore[attr-defined]  # marks the patch
    thread._create_worker_consumer = create_bounded  # type: ignore[method-assign]  # the patch


def credentials(security: KafkaSecurity) -> Any:
    """Faust's form of the Kafka security settings (TLS context, SASL login), or None."""
    if security.security_protocol == "PLAINTEXT":
        return None
    context = security.ssl_context()
    if security.security_protocol == "SSL":
        return faust.SSLCredentials(context)
    return faust.SASLCredentials(
        username=security.sasl_username,
        password=security.password(),
        ssl_context=context,
        mechanism=security.sasl_mechanism,
    )


def create_app(settings: Settings) -> faust.App:
    """A Faust app with safe settings for this service."""
    _bound_fetch_wait(settings.broker_fetch_max_wait_ms)
    return faust.App(
        settings.app_id,
        broker=settings.broker_url if settings.broker else _UNCONFIGURED_BROKER,
        store=settings.store,
        datadir=str(settings.data_dir / "state"),
        autodiscover=["streams.agents", "streams.web", "streams.ops"],
        origin="streams",
        topic_partitions=settings.topics.partitions,
        topic_replication_factor=settings.topics.replication_factor,
        # acks=all: an alert or event the service reports as sent survives a broker failover.
        broker_credentials=credentials(settings.kafka),
        producer_acks=-1,
        producer_max_request_size=settings.limits.max_message_bytes,
        # Short group timeouts: a new group's first join waits about half the session timeout.
        broker_session_timeout=settings.broker_session_timeout,
        broker_rebalance_timeout=max(6.0, settings.broker_session_timeout * 0.6),
        broker_heartbeat_interval=1.0,
        broker_commit_interval=settings.broker_commit_interval,
        table_standby_replicas=settings.table_standby_replicas,
        consumer_group_instance_id=settings.consumer_instance_id,
        consumer_auto_offset_reset="earliest",
        web_enabled=True,
        web_bind=settings.web_host,
        web_port=settings.web_port,
        # The table browser would expose article and alert state to anyone on the port.
        web_tables_enabled=False,
        logging_config=None,
    )


settings = get_settings()
app = create_app(settings)
metrics = Metrics()
# Faust's own sensor records into the service's registry; /metrics (streams/web.py) serves both.
app.monitor = metrics.faust_monitor()
