"""Exact copies within the window share the first copy's story and name it as original."""

from __future__ import annotations

from streams.stages.state import ExpiringState
from streams.stages.stories import assign_story
from tests.conftest import make_record

WINDOW = 3600.0


def test_copy_is_marked_duplicate_of_first() -> None:
    seen = ExpiringState({})
    first = assign_story(make_record(article_id="a"), seen, 0.0, WINDOW)
    copy = assign_story(make_record(article_id="b"), seen, 10.0, WINDOW)
    other = assign_story(make_record(article_id="c", body="Something else."), seen, 20.0, WINDOW)
    assert first.duplicate_of is None
    assert copy.duplicate_of == "a" and copy.story_id == first.story_id
    assert other.duplicate_of is None and other.story_id != first.story_id


def test_redelivered_original_stays_original() -> None:
    seen = ExpiringState({})
    once = assign_story(make_record(article_id="a"), seen, 0.0, WINDOW)
    again = assign_story(make_record(article_id="a"), seen, 5.0, WINDOW)
    assert again == once


def test_copy_after_window_is_new() -> None:
    seen = ExpiringState({})
    assign_story(make_record(article_id="a"), seen, 0.0, WINDOW)
    late = assign_story(make_record(article_id="b"), seen, WINDOW + 1, WINDOW)
    assert late.duplicate_of is None
