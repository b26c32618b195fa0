"""The worker's HTTP endpoints: /metrics for Prometheus, /healthz and /readyz for probes."""

from __future__ import annotations

from typing import Any

from prometheus_client import generate_latest

from streams.app import app, metrics
from streams.ops import liveness, readiness

PROMETHEUS_TEXT = "text/plain; version=0.0.4"


@app.page("/metrics")
async def prometheus_metrics(self: Any, request: Any) -> Any:
    """The service's own metrics in the Prometheus text format."""
    return self.bytes(generate_latest(metrics.registry), content_type=PROMETHEUS_TEXT)


@app.page("/healthz")
async def healthz(self: Any, request: Any) -> Any:
    """Alive: the worker's event loop answers, and it has not been without its broker for
    longer than GEO_BROKER_LOST_GRACE_SECONDS. A liveness probe restarts it otherwise."""
    body = liveness()
    return self.json(body, status=200 if body.pop("alive") else 503)


@app.page("/readyz")
async def readyz(self: Any, request: Any) -> Any:
    """Ready: the worker has joined its group, holds partitions and has recovered its tables."""
    body = readiness()
    return self.json(body, status=200 if body["ready"] else 503)
