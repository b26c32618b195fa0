"""Stories: recognise exact duplicates within a window and give every article a story id."""

from __future__ import annotations

import hashlib

from schemas import ArticleRecord
from streams.stages.state import State


def story_id_for(article_id: str) -> str:
    """A story id derived from the article that opened the story."""
    return "st-" + hashlib.sha1(article_id.encode(), usedforsecurity=False).hexdigest()[:16]


def assign_story(record: ArticleRecord, seen: State, now: float, window: float) -> ArticleRecord:
    """Mark a copy of an article seen within `window` seconds as its duplicate, in its story.

    `seen` is keyed by fingerprint, so every copy of one text meets on one partition.
    A redelivered first copy finds itself and stays the original.
    """
    article_id = record.article.id
    first = seen.get(record.fingerprint, now)
    if first is not None and first["article_id"] != article_id:
        return record.model_copy(
            update={"story_id": first["story_id"], "duplicate_of": first["article_id"]}
        )
    story = first["story_id"] if first is not None else story_id_for(article_id)
    if first is None:
        seen.put(record.fingerprint, {"article_id": article_id, "story_id": story}, now, window)
    return record.model_copy(update={"story_id": story, "duplicate_of": None})
