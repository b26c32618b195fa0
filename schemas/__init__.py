"""Pydantic models of every topic payload; JSON Schemas beside them are generated from these."""

from schemas.alert import Alert, AlertKind
from schemas.article import Article, ArticleRecord, StoryFeatures
from schemas.dead_letter import DeadLetter
from schemas.event import (
    Actor,
    CanonicalEvent,
    EventMention,
    Evidence,
    Factuality,
    Location,
    Quantity,
    QuantityReport,
    Severity,
    Span,
)

__all__ = [
    "Actor",
    "Alert",
    "AlertKind",
    "Article",
    "ArticleRecord",
    "CanonicalEvent",
    "DeadLetter",
    "EventMention",
    "Evidence",
    "Factuality",
    "Location",
    "Quantity",
    "QuantityReport",
    "Severity",
    "Span",
    "StoryFeatures",
]
