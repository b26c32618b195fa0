"""Intake: turn raw message bytes into a validated, normalised Article, or say why not."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata

from pydantic import ValidationError

from schemas import Article, ArticleRecord
from streams.errors import RejectedMessage

_SPACES = re.compile(r"\s+")
# Typographic variants that syndicated copies swap freely; folded before fingerprinting.
_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2014": "-"})


def parse_article(raw: bytes, max_bytes: int, max_body_chars: int) -> Article:
    """Decode and validate one raw message; raise RejectedMessage naming the reason."""
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
    if not isinstance(data, dict):
        raise RejectedMessage("not_object", f"expected a JSON object, got {type(data).__name__}")
    try:
        article = Article.model_validate(data)
    except ValidationError as err:
        raise _rejection(err) from err
    if len(article.body) > max_body_chars:
        raise RejectedMessage(
            "too_large", f"body is {len(article.body)} characters, limit is {max_body_chars}"
        )
    return normalise(article)


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


def fingerprint(body: str) -> str:
    """A hash of the body that ignores case, spacing and typographic quote variants."""
    folded = _SPACES.sub(" ", body.translate(_FOLD).casefold()).strip()
    return hashlib.sha256(folded.encode()).hexdigest()[:32]


def to_record(article: Article) -> ArticleRecord:
    """The record the next stage consumes."""
    return ArticleRecord(article=article, fingerprint=fingerprint(article.body))
