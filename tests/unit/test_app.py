"""The app bounds how long its consumers wait on a fetch."""

from __future__ import annotations

from faust.transport.drivers import aiokafka as aiokafka_driver

from streams.app import settings


def test_worker_consumer_fetch_wait_is_bounded() -> None:
    create = aiokafka_driver.AIOKafkaConsumerThread._create_worker_consumer
    assert getattr(create, "bounded_wait", None) == settings.broker_fetch_max_wait_ms


def test_standby_replicas_come_from_settings() -> None:
    from streams.app import create_app
    from streams.settings import Settings

    assert create_app(Settings(table_standby_replicas=0)).conf.table_standby_replicas == 0
    assert create_app(Settings()).conf.table_standby_replicas == 1
