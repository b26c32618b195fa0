"""MinHash signatures estimate text overlap; band keys make copies meet."""

from __future__ import annotations

from streams.stages.neardup import BANDS, NUM_PERM, band_keys, signature, similarity
from tests.unit.stages.test_stories import BODY, EDITED, OTHER


def test_signature_is_deterministic_and_sized() -> None:
    sig = signature(BODY)
    assert len(sig) == NUM_PERM and sig == signature(BODY)
    assert len(band_keys(sig)) == BANDS


def test_copies_score_high_and_other_reports_low() -> None:
    assert similarity(signature(BODY), signature(BODY.upper())) == 1.0
    assert similarity(signature(BODY), signature(EDITED)) >= 0.6
    assert similarity(signature(BODY), signature(OTHER)) < 0.2
    assert set(band_keys(signature(BODY))) & set(band_keys(signature(EDITED)))


def test_dateline_does_not_count() -> None:
    moved = BODY.replace("SEOUL (Harbor Wire) —", "WASHINGTON (AP) —")
    assert signature(moved) == signature(BODY)
