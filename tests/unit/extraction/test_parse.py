"""The parse with the tag map and lemmas applied from tables equals spaCy's full pipeline."""

from __future__ import annotations

import importlib

from streams.extraction.parse import MODEL_PACKAGE, parse

SENTENCES = [
    "North Korea test-fired an intercontinental ballistic missile on Thursday, Seoul said.",
    "The deployment of up to 12,000 troops to Russia has become a key topic.",
    "Russia's defence ministry denied that its missiles had hit any targets near the border.",
    "There are some 8,000 soldiers in Kursk Oblast, and they are preparing to fight.",
    "She told them it was not her decision, but the government would do something anyway.",
]


def test_parts_of_speech_and_lemmas_match_the_full_pipeline() -> None:
    full = importlib.import_module(MODEL_PACKAGE).load(exclude=["ner", "senter"])
    for ours, theirs in zip(parse(SENTENCES), full.pipe(SENTENCES), strict=True):
        assert [(t.text, t.pos_, t.lemma_, t.dep_, t.head.i) for t in ours] == [
            (t.text, t.pos_, t.lemma_, t.dep_, t.head.i) for t in theirs
        ]


def test_an_empty_batch_parses_nothing() -> None:
    assert parse([]) == []
