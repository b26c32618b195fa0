"""A sweep deletes only expired keys that live on the partition being processed."""

from __future__ import annotations

from aiokafka.partitioner import DefaultPartitioner

from streams.merging.store import block_of, event_key
from streams.state.expiring import ExpiringState
from streams.tables import Sweeper

PARTITIONS = 4


def test_sweep_touches_only_this_partitions_expired_keys() -> None:
    backing: dict[str, object] = {}
    state = ExpiringState(backing)
    blocks = [f"MOBILIZE|missile_test|S{n}" for n in range(40)]
    for block in blocks:
        state.put(block, [], now=0.0, ttl=10.0)
        state.put(event_key(block, "ev-1"), {}, now=0.0, ttl=10.0)
    state.put("MOBILIZE|missile_test|LIVE", [], now=0.0, ttl=1e6)
    sweeper = Sweeper(state, PARTITIONS, window=2000.0, key_of=block_of)  # sweeps every 100 s
    assert sweeper.maybe(now=50.0, partition=1) == 0  # the first call only starts the clock
    removed = sweeper.maybe(now=200.0, partition=1)

    def partition(block: str) -> int:
        return DefaultPartitioner()(block.encode(), list(range(PARTITIONS)), [])

    on_one = [b for b in blocks if partition(b) == 1]
    assert removed == 2 * len(on_one) > 0
    assert all(block_of(k) not in on_one for k in backing)
    assert "MOBILIZE|missile_test|LIVE" in backing
