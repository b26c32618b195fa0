"""The app bounds how long its consumers wait on a fetch."""

from __future__ import annotations

from faust.transport.drivers import aiokafka as aiokafka_driver

from streams.app import settings


def test_worker_consumer_fetch_wait_is_bounded() -> None:
    create = aiokafka_driver.AIOKafkaConsumerThread._create_worker_consumer
    assert getattr(create, "bounded_wait", None) == settings.broker_fetch_max_wait_ms
