"""Ids and stored signatures are the same in every version: they are in stored state and on
the topics, so a change here splits an event, a story or a page from its past."""

from __future__ import annotations

import hashlib

from streams.feed import wire_id
from streams.ids import content_id
from streams.merging.merge import event_id_for
from streams.stages.alerts import alert_id_for
from streams.stories.clusterer import story_id_for
from streams.stories.nearcopies import pack, signature, unpack

LAUNCH = (
    "PYONGYANG (Wire) — North Korea test-fired an intercontinental ballistic missile on "
    "Tuesday, its military said."
)


def test_content_ids_are_pinned() -> None:
    assert content_id("a1|10|52|ASSAULT|airstrike") == "8ec8ff3b299e4f8b"  # a mention's id
    assert story_id_for("a1") == "st-f29bc91bbdab169f"
    assert event_id_for("ASSAULT|-|UKR|2026-11-20") == "ev-68056e4f05fedcb8"
    assert alert_id_for("ev-68056e4f05fedcb8", "new", "critical") == "al-dbd21114fd7c00db"
    rose = alert_id_for("ev-68056e4f05fedcb8", "escalation", "critical", "troops rose to 12000")
    assert rose == "al-8f960cbc4c20d6d0"
    assert wire_id("Wire", "2026-11-20", "Body text.") == "wire-bea54445293f1e5e"


def test_a_stored_signature_is_pinned() -> None:
    stored = pack(signature(LAUNCH))
    assert stored.startswith("r/2/CiczLgMsgHgpRLotNiNmmQrEEhQPCVQ9DQrfDwee1fUIIpvRDifAqxCo")
    digest = hashlib.sha256(stored.encode()).hexdigest()
    assert digest == "a1a2cc755a0885bc74fa1c07db3dbaea9b0275bbfab792d0f6ec4797d2fd5f63"
    assert list(unpack(stored)) == signature(LAUNCH)
