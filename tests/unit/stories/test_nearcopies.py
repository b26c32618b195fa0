"""MinHash signatures estimate text overlap; band keys make copies meet."""

from __future__ import annotations

from streams.stories.nearcopies import BANDS, NUM_PERM, band_keys, signature, similarity
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


def test_a_late_copy_finds_its_original_while_the_wall_clock_keeps_it() -> None:
    # In a worker, state waits for the wall clock as well as stream time: a copy arriving
    # after newer articles moved stream time past the window still finds its original, as
    # in published order; once the wall clock has passed too, it does not.
    from streams.state.expiring import ExpiringState
    from streams.stories.nearcopies import NearDuplicates

    wall = [0.0]
    week = 7 * 86400.0
    copies = NearDuplicates(ExpiringState({}, wall=lambda: wall[0]), week)
    copies.remember("a1", signature(BODY), "st-1", 0.0)
    late = 10 * 86400.0  # stream time, moved on by other articles
    found = copies.find("a2", signature(EDITED), late)
    assert found is not None and found.article_id == "a1"
    wall[0] = week + 1
    assert copies.find("a3", signature(EDITED), late) is None
