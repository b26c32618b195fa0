"""The service speaks TLS to its brokers, and refuses a broker it cannot trust.

Tansu 0.6 takes --cert and --key, but in our tries refused to combine them, so a TLS
terminator the test runs sits in front of it (as a load balancer can in production): the
broker advertises the terminator's port, so every connection, bootstrap or not, is TLS.
Certificates come from a CA the test makes (trustme). A worker and `geoevents ingest`
connect with GEO_KAFKA__SECURITY_PROTOCOL=SSL and the CA; an ingest with another CA fails at
once with a clear error instead of hanging.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from schemas import Alert
from streams.broker import EmbeddedBroker, ensure_topics, free_port, service_topics
from streams.demo import read_all, stop_worker
from streams.lag import wait_drained
from streams.settings import KafkaSecurity
from tests.integration.conftest import pipeline_settings, start_pipeline
from tests.order import records

pytestmark = pytest.mark.integration

FIXTURE = Path(__file__).parents[1] / "fixtures" / "merging" / "articles.jsonl"


class Terminator:
    """TLS on `port`, plain TCP to the broker behind it, in a thread of its own."""

    def __init__(self, port: int, backend: int, context: ssl.SSLContext) -> None:
        self.port, self.backend, self.context = port, backend, context
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Terminator:
        self.thread.start()
        assert self.ready.wait(10)
        return self

    def __exit__(self, *_: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(
            asyncio.start_server(self._serve, "127.0.0.1", self.port, ssl=self.context)
        )
        self.ready.set()
        try:
            self.loop.run_forever()
        finally:
            server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(
                "127.0.0.1", self.backend
            )
        except OSError:
            writer.close()
            return

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, ConnectionError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            with contextlib.suppress(OSError, ConnectionError):
                dst.close()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("tls")
    ca = trustme.CA()
    ca.cert_pem.write_to_path(str(tmp / "ca.pem"))
    trustme.CA().cert_pem.write_to_path(str(tmp / "other-ca.pem"))
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server)
    front = free_port("127.0.0.1")
    broker = EmbeddedBroker(advertised_port=front, log_path=tmp / "broker.log")
    broker.start()
    try:
        with Terminator(front, broker.port, server):
            yield {"bootstrap": f"127.0.0.1:{front}", "ca": tmp / "ca.pem", "dir": tmp}
    finally:
        broker.stop()


def run_cli(
    env: dict[str, str], *args: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "streams.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_a_worker_and_ingest_over_tls(tls: dict[str, Any]) -> None:
    security = KafkaSecurity(security_protocol="SSL", ssl_cafile=tls["ca"])
    options = security.client_options()
    port = free_port("127.0.0.1")
    settings, env = pipeline_settings(tls["bootstrap"], port, tls["dir"] / "worker")
    env |= {"GEO_KAFKA__SECURITY_PROTOCOL": "SSL", "GEO_KAFKA__SSL_CAFILE": str(tls["ca"])}
    asyncio.run(ensure_topics(tls["bootstrap"], service_topics(settings), options=options))
    pipeline = start_pipeline(settings, env, tls["dir"] / "worker")
    try:
        ingest = run_cli(env, "ingest", "--no-progress", str(FIXTURE))
        assert ingest.returncode == 0, ingest.stderr
        asyncio.run(
            wait_drained(
                tls["bootstrap"], settings.app_id, settings.consumed_topics(), 120, 0.5, options
            )
        )
        alerts = [
            Alert.model_validate_json(value)
            for _, value in asyncio.run(read_all(tls["bootstrap"], settings.topics.alerts, options))
        ]
        assert len(alerts) >= 3 and len(records("merging")) == 10
    finally:
        stop_worker(pipeline.worker)


def test_an_untrusted_broker_fails_at_start_with_a_clear_error(tls: dict[str, Any]) -> None:
    env = {
        "GEO_BROKER": tls["bootstrap"],
        "GEO_KAFKA__SECURITY_PROTOCOL": "SSL",
        "GEO_KAFKA__SSL_CAFILE": str(tls["dir"] / "other-ca.pem"),
    }
    started = time.monotonic()
    ingest = run_cli(env, "ingest", "--no-progress", str(FIXTURE))
    took = time.monotonic() - started
    assert ingest.returncode != 0 and took < 45
    assert "CERTIFICATE_VERIFY_FAILED" in ingest.stderr
    worker = run_cli({**env, "GEO_DATA_DIR": str(tls["dir"] / "w2")}, "worker", timeout=60)
    assert worker.returncode == 2 and "CERTIFICATE_VERIFY_FAILED" in worker.stderr
    print(json.dumps({"ingest_seconds": round(took, 1), "ingest_error": ingest.stderr[-300:]}))
