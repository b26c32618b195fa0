"""Intake: turn raw message bytes into a validated, normalised Article, or say why not."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime

from pydantic import ValidationError

from schemas import Article, ArticleRecord
from streams.errors import RejectedMessage
from streams.stories.features import story_features
from streams.stories.nearcopies import signature

_SURROGATE = re.compile("[\ud800-\udfff]")
"""A lone surrogate (JSON allows the escape "\\ud800"): no UTF-8 encoder writes it, so the
article could not be sent on."""


def parse_article(raw: bytes | None, max_bytes: int, max_body_chars: int) -> Article:
    """Decode and validate one raw message; raise RejectedMessage naming the reason."""
    if raw is None:
        raise RejectedMessage("tombstone", "a message without a value (a tombstone)")
    if len(raw) > max_bytes:
        raise RejectedMessage("too_large", f"message is {len(raw)} bytes, limit is {max_bytes}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise RejectedMessage("not_utf8", f"not UTF-8: {err}") from err
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise RejectedMessage("not_json", f"not JSON: {err}") from err
    except RecursionError as err:
        raise RejectedMessage("too_deep", "JSON nested too deeply to read") from err
    if not isinstance(data, dict):
        raise RejectedMessage("not_object", f"expected a JSON object, got {type(data).__name__}")
    for name, value in data.items():
        if isinstance(value, str) and _SURROGATE.search(value):
            raise RejectedMessage(
                "invalid_surrogate", f"{name}: a lone UTF-16 surrogate (\\ud800-\\udfff)"
            )
    try:
        article = Article.model_validate(data)
    except ValidationError as err:
        raise _rejection(err) from err
    if len(article.body) > max_body_chars:
        raise RejectedMessage(
            "too_large", f"body is {len(article.body)} characters, limit is {max_body_chars}"
        )
    return normalise(article)


def check_time(article: Article, now: float, max_ahead: float, earliest: datetime) -> None:
    """Refuse an article dated too far ahead of `now` (the clock, epoch seconds) or before
    `earliest`: stream time follows publication times, and one article from the year 9999
    would otherwise expire every table's state and stop their sweeps."""
    published = article.published_at
    if published is None:
        return
    if published.timestamp() > now + max_ahead:
        ahead = published.timestamp() - now
        raise RejectedMessage(
            "future_dated",
            f"published_at {published.isoformat()} is {ahead:,.0f} s ahead of the clock; "
            f"the limit is {max_ahead:,.0f} s (GEO_LIMITS__MAX_AHEAD_SECONDS)",
        )
    if published < earliest:
        raise RejectedMessage(
            "too_old",
            f"published_at {published.isoformat()} is before {earliest.isoformat()} "
            "(GEO_LIMITS__EARLIEST)",
        )


def _rejection(err: ValidationError) -> RejectedMessage:
    problems = err.errors(include_url=False, include_input=False)
    empty = any(p["loc"] == ("body",) and "empty" in p["msg"] for p in problems)
    summary = "; ".join(f"{'.'.join(map(str, p['loc'])) or '<root>'}: {p['msg']}" for p in problems)
    return RejectedMessage("empty_body" if empty else "invalid_fields", summary)


def normalise(article: Article) -> Article:
    """Unicode NFC, unified line ends, no outer blanks: offsets mean the same everywhere."""
    body = unicodedata.normalize("NFC", article.body).replace("\r\n", "\n").replace("\r", "\n")
    title = unicodedata.normalize("NFC", article.title).strip()
    return article.model_copy(update={"body": body.strip(), "title": title})


def to_record(article: Article) -> ArticleRecord:
    """The record the story stage consumes, with the compact features it compares."""
    return ArticleRecord(
        article=article,
        signature=signature(article.body),
        features=story_features(article),
    )
