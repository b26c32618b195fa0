"""Stories: mark near-duplicate copies, then give every article its story id."""

from __future__ import annotations

from schemas import ArticleRecord
from streams.settings import StateSettings
from streams.state.expiring import ExpiringState
from streams.stories.clusterer import StoryClusterer
from streams.stories.features import story_features
from streams.stories.nearcopies import NearDuplicates, signature


class StoryStage:
    """Near-duplicate detection and story assignment, which both need every article in view.

    Runs on one partition: the records it sees carry compact features computed upstream
    (the MinHash signature and the story features), so its per-article work stays small.
    """

    def __init__(self, copies: ExpiringState, stories: ExpiringState, windows: StateSettings):
        self.copies = NearDuplicates(copies, windows.duplicate_window_seconds)
        self.stories = StoryClusterer(stories, windows.story_window_seconds)

    def rebuild(self, now: float) -> None:
        """Re-derive in-memory indexes from the persistent state after a restart or rebalance."""
        self.copies.rebuild(now)
        self.stories.rebuild(now)

    def sweep(self, now: float) -> int:
        """Delete expired state (replay; a worker sweeps per partition through its tables)."""
        return self.copies.state.sweep(now) + self.stories.state.sweep(now)

    def assign(self, record: ArticleRecord, now: float) -> ArticleRecord:
        """The record with `story_id` and `duplicate_of` set, and its features dropped.

        A copy joins its first copy's story and names it, without touching the story's
        centroid; a redelivered article gets the answer it got the first time.
        """
        article = record.article
        sig = record.signature or signature(article.body)
        first = self.copies.find(article.id, sig, now)
        if first is not None:
            story, duplicate_of = first.story, first.article_id
        else:
            features = record.features
            if features is None:
                features = story_features(article)
            story = self.stories.assign(article.id, features, now)
            duplicate_of = None
            self.copies.remember(article.id, sig, story, now)
        return record.model_copy(
            update={
                "story_id": story,
                "duplicate_of": duplicate_of,
                "signature": None,
                "features": None,
            }
        )
