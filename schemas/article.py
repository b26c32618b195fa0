"""Article: one news report as producers publish it on articles.raw."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from schemas.base import Payload, UtcDatetime


class Article(Payload):
    """A news article as it arrives on `articles.raw`."""

    id: str = Field(min_length=1, max_length=512, description="Producer-assigned article id.")
    source: str = Field(min_length=1, max_length=200, description="Outlet or feed name, e.g. AP.")
    url: str | None = Field(default=None, max_length=4096)
    published_at: UtcDatetime | None = Field(
        default=None, description="Publication time; UTC is assumed when no offset is given."
    )
    title: str = Field(default="", max_length=2000)
    body: str = Field(description="Plain-text article body.")
    language: str = Field(default="en", min_length=2, max_length=16)

    @field_validator("body")
    @classmethod
    def _body_has_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("body is empty")
        return value

    @field_validator("id", "source")
    @classmethod
    def _no_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


Year = Annotated[str, StringConstraints(pattern=r"^\d{4}$")]
Day = Annotated[str, StringConstraints(pattern=r"^\d{2}-\d{2}(-\d{4})?$")]


class StoryFeatures(Payload):
    """What the story stage compares about one article: compact JSON, computed before it
    (streams.stories.features)."""

    terms: dict[str, float]
    """Top content terms (lower case, plurals folded) -> (1 + ln tf) x background IDF."""
    entities: dict[str, float]
    """Proper-noun terms (people, places, organisations) -> weight as for terms."""
    numbers: list[str]
    """Numbers the text states (two digits or more, not years), most frequent first."""
    years: dict[Year, int]
    """Years mentioned (1900-2099) -> count, lead mentions counted twice."""
    lead_years: list[Year]
    """Years in the title, dateline or first sentence: the year the report is about."""
    dates: list[Day]
    """Calendar days named in the text, MM-DD, or MM-DD-YYYY when the year is attached."""
    published: float | None
    """Publication time, epoch seconds (the caller's choice of stream time)."""


class ArticleRecord(Payload):
    """An accepted article after intake and story assignment (internal topic)."""

    article: Article
    signature: list[int] | None = Field(
        default=None, description="MinHash signature of the body, for near-duplicate detection."
    )
    features: StoryFeatures | None = Field(
        default=None, description="Compact story features (terms, names, numbers, dates)."
    )
    story_id: str | None = None
    duplicate_of: str | None = Field(
        default=None, description="Id of the first copy when this article is a duplicate."
    )
    received_at: UtcDatetime | None = Field(
        default=None, description="When a worker read it from articles.raw (latency metrics)."
    )
