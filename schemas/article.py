"""Article: one news report as producers publish it on articles.raw."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

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


class ArticleRecord(Payload):
    """An accepted article after intake and story assignment (internal topic)."""

    article: Article
    signature: list[int] | None = Field(
        default=None, description="MinHash signature of the body, for near-duplicate detection."
    )
    features: dict[str, Any] | None = Field(
        default=None, description="Compact story features (terms, names, numbers, dates)."
    )
    story_id: str | None = None
    duplicate_of: str | None = Field(
        default=None, description="Id of the first copy when this article is a duplicate."
    )
    received_at: UtcDatetime | None = Field(
        default=None, description="When a worker read it from articles.raw (latency metrics)."
    )
