"""The embedded broker against real aiokafka clients, and publishing inputs through it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.client import AIOKafkaClient

from streams.broker import EmbeddedBroker, TopicSpec, ensure_topics, wait_until_ready
from streams.errors import BrokerError
from streams.feed import publish, read_records

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A dead child not yet reaped by init still answers signal 0; it is gone all the same.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait_gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return not _alive(pid)


async def _consume(bootstrap: str, topic: str, count: int) -> list[ConsumerRecord]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    records: list[ConsumerRecord] = []
    try:
        deadline = asyncio.get_running_loop().time() + 15
        while len(records) < count and asyncio.get_running_loop().time() < deadline:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(batch)
    finally:
        await consumer.stop()
    return records


async def test_broker_answers_metadata(broker: str) -> None:
    await wait_until_ready(broker, timeout=5)
    client = AIOKafkaClient(bootstrap_servers=broker)
    await client.bootstrap()
    try:
        [node] = client.cluster.brokers()
        assert f"{node.host}:{node.port}" == broker
    finally:
        await client.close()


async def test_ensure_topics_creates_and_is_idempotent(broker: str, unique_topic: str) -> None:
    compacted = f"{unique_topic}-compacted"
    specs = [
        TopicSpec(unique_topic, partitions=3),
        TopicSpec(compacted, partitions=2, configs={"cleanup.policy": "compact"}),
    ]
    await ensure_topics(broker, specs)
    # Again, with a different count: existing topics are left as they are.
    await ensure_topics(broker, {unique_topic: TopicSpec(unique_topic, partitions=5)})

    client = AIOKafkaClient(bootstrap_servers=broker)
    await client.bootstrap()
    try:
        metadata = await client.fetch_all_metadata()
    finally:
        await client.close()
    assert metadata.partitions_for_topic(unique_topic) == {0, 1, 2}
    assert metadata.partitions_for_topic(compacted) == {0, 1}

    admin = AIOKafkaAdminClient(bootstrap_servers=broker)
    await admin.start()
    try:
        [response] = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, compacted)]
        )
    finally:
        await admin.close()
    [resource] = response.resources
    configs = {entry[0]: entry[1] for entry in resource[4]}
    assert configs["cleanup.policy"] == "compact"


def test_stop_leaves_no_process() -> None:
    embedded = EmbeddedBroker()
    embedded.start()
    pid = embedded.pid
    assert pid is not None and embedded.running
    embedded.stop()
    assert not embedded.running
    assert not _alive(pid)
    embedded.stop()  # idempotent


def test_busy_port_is_a_clear_error(broker: str) -> None:
    port = int(broker.rsplit(":", 1)[1])
    with pytest.raises(BrokerError, match="in use"):
        EmbeddedBroker(port=port).start()


async def test_wait_until_ready_times_out_without_broker() -> None:
    with pytest.raises(BrokerError, match="no Kafka broker answered"):
        await wait_until_ready("127.0.0.1:1", timeout=0.5)


@pytest.mark.parametrize("ending", ["sigkill", "exit"])
def test_parent_death_leaves_no_orphan(ending: str) -> None:
    script = textwrap.dedent(
        f"""
        import sys, time
        from streams.broker import EmbeddedBroker
        broker = EmbeddedBroker()
        broker.start()
        print(broker.pid, flush=True)
        if {ending!r} == "sigkill":
            time.sleep(60)
        else:
            sys.stdin.readline()  # exit when the test says so, not before it looked
        """
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None and parent.stdin is not None
    pid = int(parent.stdout.readline())
    try:
        assert _alive(pid)
        if ending == "sigkill":
            parent.send_signal(signal.SIGKILL)
        else:
            parent.stdin.close()
        parent.wait(10)
        assert _wait_gone(pid, within=5), f"tansu {pid} outlived its parent"
    finally:
        parent.kill()
        parent.wait()
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)


async def test_produce_consume_roundtrip(broker: str, unique_topic: str) -> None:
    await ensure_topics(broker, [TopicSpec(unique_topic, partitions=2)])
    producer = AIOKafkaProducer(bootstrap_servers=broker, acks="all")
    await producer.start()
    try:
        for n in range(3):
            await producer.send_and_wait(unique_topic, f"value-{n}".encode(), key=f"k{n}".encode())
    finally:
        await producer.stop()

    records = await _consume(broker, unique_topic, 3)
    assert sorted((r.key, r.value) for r in records) == [
        (f"k{n}".encode(), f"value-{n}".encode()) for n in range(3)
    ]


async def test_publish_reads_back_exact_bytes(
    broker: str, unique_topic: str, tmp_path: Path
) -> None:
    jsonl = tmp_path / "articles.jsonl"
    good = json.dumps({"id": "a-1", "source": "Harbor Wire", "body": "Text."}).encode()
    jsonl.write_bytes(b"\n".join([good, b"not json", b'{"id": "caf\xe9"}']) + b"\n")
    wire = tmp_path / "copy.txt"
    wire.write_text(
        "date 2024-05-01 OSLO (NTB) — First story.\n\nBERGEN (NTB) — Second story.\n",
        encoding="utf-8",
    )
    records = list(read_records([jsonl, wire]))
    await ensure_topics(broker, [TopicSpec(unique_topic, partitions=2)])

    sent = await publish(records, broker, unique_topic, progress=False)

    assert sent == len(records) == 5
    consumed = await _consume(broker, unique_topic, sent)
    assert Counter((m.key, m.value) for m in consumed) == Counter((r.key, r.value) for r in records)
