"""Stories: mark near-duplicate copies, then give every article its story id."""

from __future__ import annotations

import hashlib

from schemas import ArticleRecord
from streams.settings import StateSettings
from streams.stages.neardup import NearDuplicates, signature
from streams.stages.state import ExpiringState


def story_id_for(article_id: str) -> str:
    """A story id derived from the article that opened the story."""
    return "st-" + hashlib.sha1(article_id.encode(), usedforsecurity=False).hexdigest()[:16]


class StoryStage:
    """Near-duplicate detection and story assignment, which both need every article in view.

    Runs on one partition: the records it sees carry compact features computed upstream
    (the MinHash signature), so its per-article work stays small.
    """

    def __init__(self, copies: ExpiringState, windows: StateSettings) -> None:
        self.copies = NearDuplicates(copies, windows.duplicate_window_seconds)

    def rebuild(self, now: float) -> None:
        """Re-derive in-memory indexes from the persistent state after a restart or rebalance."""
        self.copies.rebuild(now)

    def assign(self, record: ArticleRecord, now: float) -> ArticleRecord:
        """The record with `story_id` and `duplicate_of` set, and its features dropped.

        A copy joins its first copy's story and names it; a redelivered article gets the
        same answer it got the first time.
        """
        article_id = record.article.id
        sig = record.signature or signature(record.article.body)
        first = self.copies.find(article_id, sig, now)
        if first is not None:
            story, duplicate_of = first["story"], first["article_id"]
        else:
            stored = self.copies.state.get(article_id, now)
            story = stored["story"] if stored is not None else story_id_for(article_id)
            duplicate_of = None
            self.copies.remember(article_id, sig, story, now)
        return record.model_copy(
            update={"story_id": story, "duplicate_of": duplicate_of, "signature": None}
        )
