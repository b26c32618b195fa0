"""The committed JSON Schemas and AsyncAPI document match the models; payloads round-trip."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from schemas import ArticleRecord, DeadLetter, EventMention
from streams import schemagen
from streams.stories.features import story_features
from tests.conftest import make_record


def test_committed_schema_files_are_current() -> None:
    stale = schemagen.stale()
    assert not stale, f"stale generated files {stale}: run `make schemas`"


def test_asyncapi_names_every_public_topic_with_a_schema() -> None:
    doc = schemagen.asyncapi(schemagen.TopicSettings())
    addresses = {c["address"] for c in doc["channels"].values()}
    assert addresses == set(schemagen.TopicSettings().public())
    for channel in doc["channels"].values():
        for message in channel["messages"].values():
            ref = message["payload"]["$ref"].removeprefix("./")
            assert (schemagen.SCHEMA_DIR / ref).exists()


def test_dead_letter_keeps_original_bytes() -> None:
    original = b"\xff\x00 not text"
    letter = DeadLetter(
        stage="intake",
        reason="not_utf8",
        error="bad",
        original=original,
        failed_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    wire = letter.to_json_bytes()
    json.loads(wire)
    assert DeadLetter.model_validate_json(wire).original == original


def test_an_article_records_features_are_typed_and_their_json_unchanged() -> None:
    record = make_record()
    features = story_features(record.article)
    assert record.features == features
    wire = record.to_json_bytes()
    assert json.loads(wire)["features"] == features.model_dump(mode="json")
    assert ArticleRecord.model_validate_json(wire) == record
    wrong = {**json.loads(wire), "features": {**json.loads(wire)["features"], "years": {"20": 1}}}
    with pytest.raises(ValidationError):
        ArticleRecord.model_validate(wrong)


def test_mode_must_belong_to_root() -> None:
    fields = {
        "mention_id": "m",
        "article_id": "a",
        "source": "s",
        "event_type": "MOBILIZE",
        "severity": "high",
        "confidence": 0.5,
        "evidence": {"sentence": "x", "start": 0, "end": 1},
    }
    EventMention.model_validate({**fields, "mode": "troops"})
    with pytest.raises(ValidationError, match="not a PLOVER mode of MOBILIZE"):
        EventMention.model_validate({**fields, "mode": "aerial"})
