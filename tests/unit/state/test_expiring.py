"""ExpiringState forgets entries once their time has passed, on read and on sweep."""

from __future__ import annotations

from streams.state.expiring import ExpiringState


def test_get_put_delete_and_expiry() -> None:
    backing: dict[str, object] = {}
    state = ExpiringState(backing)
    state.put("k", {"a": 1}, now=100.0, ttl=10.0)
    state.put("forever", 1, now=100.0)
    assert state.get("k", now=105.0) == {"a": 1}
    assert state.get("k", now=110.0) is None
    assert state.get("forever", now=1e12) == 1
    assert state.sweep(now=111.0) == 1
    assert set(backing) == {"forever"}
    state.delete("forever")
    state.delete("never-there")
    assert len(state) == 0
