"""Copies within the window join their first copy's story and name it; other texts do not."""

from __future__ import annotations

from streams.settings import StateSettings
from streams.stages.stories import StoryStage
from streams.state.expiring import ExpiringState
from tests.conftest import make_record

WINDOWS = StateSettings(duplicate_window_seconds=3600.0)
BODY = (
    "SEOUL (Harbor Wire) — North Korea fired an intercontinental ballistic missile into the "
    "sea off its east coast on Thursday, the South Korean military said, its first such launch "
    "in almost a year. The missile flew for about 70 minutes before it came down outside "
    "Japan's exclusive economic zone, officials in Tokyo said.\n\n"
    "The launch came hours after Seoul and Washington held talks on nuclear deterrence."
)
EDITED = (
    "TOKYO (Capital Dispatch) — North Korea fired an intercontinental ballistic missile into "
    "the sea off its east coast on Thursday, the South Korean military said, its first such "
    "launch in almost a year. The missile flew for about 70 minutes before it came down "
    "outside Japan's exclusive economic zone, officials in Tokyo said."
)
OTHER = (
    "North Korea's launch drew condemnation from Washington, Seoul and Tokyo, whose envoys "
    "called it a flagrant breach of Security Council resolutions and urged Pyongyang to return "
    "to talks without preconditions."
)

UNRELATED = (
    "LIMA (Andes Ledger) — A magnitude 6.1 earthquake shook southern Peru on Tuesday, "
    "damaging adobe homes in two highland villages, the national emergency institute said. "
    "No deaths were reported, and road crews were clearing landslides near Arequipa."
)


def stage() -> StoryStage:
    return StoryStage(ExpiringState({}), ExpiringState({}), WINDOWS)


def test_light_edit_is_a_duplicate_of_the_first_copy() -> None:
    stories = stage()
    first = stories.assign(make_record(article_id="a", body=BODY), 0.0)
    copy = stories.assign(make_record(article_id="b", body=EDITED), 10.0)
    reaction = stories.assign(make_record(article_id="c", body=OTHER), 20.0)
    quake = stories.assign(make_record(article_id="d", body=UNRELATED), 30.0)
    assert first.duplicate_of is None and first.signature is None and first.features is None
    assert copy.duplicate_of == "a" and copy.story_id == first.story_id
    assert reaction.duplicate_of is None  # its own report, though of the same happening
    assert quake.duplicate_of is None and quake.story_id != first.story_id


def test_redelivered_original_stays_original() -> None:
    stories = stage()
    once = stories.assign(make_record(article_id="a", body=BODY), 0.0)
    again = stories.assign(make_record(article_id="a", body=BODY), 5.0)
    assert again == once


def test_copy_after_window_is_new() -> None:
    stories = stage()
    stories.assign(make_record(article_id="a", body=BODY), 0.0)
    late = stories.assign(make_record(article_id="b", body=BODY), 3601.0)
    assert late.duplicate_of is None


def test_rebuilt_index_still_finds_copies() -> None:
    copies, stories = ExpiringState({}), ExpiringState({})
    StoryStage(copies, stories, WINDOWS).assign(make_record(article_id="a", body=BODY), 0.0)
    restarted = StoryStage(copies, stories, WINDOWS)  # a new worker: only the state survives
    restarted.rebuild(5.0)
    copy = restarted.assign(make_record(article_id="b", body=EDITED), 10.0)
    assert copy.duplicate_of == "a"
