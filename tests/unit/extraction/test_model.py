"""The classifier's training, calibration, artifact and cross-validation, on small data."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from geolab import crossval
from geolab.training import (
    Example,
    Sources,
    fit,
    folds,
    learned_triggers,
    model_class,
    read,
    temperature,
    train,
)
from streams.extraction import model as model_module
from streams.extraction.model import NONE, Head, default_model, load, save

ROOTS = ("ASSAULT", "ACCUSE", "CONSULT")
SENTENCES = {
    "ASSAULT": [
        "Russian forces shelled {} overnight.",
        "Israeli jets struck targets in {} on Monday.",
        "Gunmen attacked a police post in {} on Sunday.",
        "Turkish drones hit militant positions near {}.",
    ],
    "ACCUSE": [
        "Japan condemned the attack on {}.",
        "The European Union accused Russia of war crimes in {}.",
        "Seoul criticised the raid on {}.",
        "The United Nations denounced the killing of civilians in {}.",
    ],
    "CONSULT": [
        "Leaders met in {} for talks on Tuesday.",
        "The foreign ministers held talks in {}.",
        "The two presidents met in {} for a summit.",
        "Envoys gathered in {} to negotiate a truce.",
    ],
}
PLACES = ["Kharkiv", "Gaza", "Kano", "Mosul", "Aleppo"]


def write_sources(tmp_path: Path) -> Sources:
    rows = [
        {"id": f"s-{root}-{i}-{j}", "text": t.format(place), "event_type": root,
         "actor_span": "", "recipient_span": ""}
        for root, templates in SENTENCES.items()
        for i, t in enumerate(templates)
        for j, place in enumerate(PLACES)
    ]  # fmt: skip
    plv = tmp_path / "plv.jsonl"
    plv.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    gsr = tmp_path / "gsr.jsonl"
    gsr.write_text(
        "\n".join(json.dumps(r | {"id": "g" + r["id"]}) for r in rows[::4]) + "\n",
        encoding="utf-8",
    )
    own = tmp_path / "own.jsonl"
    own.write_text(
        json.dumps({"id": "n", "text": "The striker scored twice.", "event_type": "NONE"}) + "\n",
        encoding="utf-8",
    )
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    (fixtures / "articles.jsonl").write_text("", encoding="utf-8")
    (fixtures / "expected.jsonl").write_text("", encoding="utf-8")
    return Sources(plv=plv, gsr=gsr, own=own, fixtures=fixtures)


def test_yields_are_one_class() -> None:
    assert [model_class(r) for r in ("CONCEDE", "RETREAT", "YIELD", "ASSAULT")] == [
        "YIELD", "YIELD", "YIELD", "ASSAULT"
    ]  # fmt: skip


def test_folds_are_stratified_and_fixed_by_the_seed() -> None:
    examples = [Example(str(i), "x", ROOTS[i % 3], "plv") for i in range(60)]
    first, again = folds(examples), folds(examples)
    assert first == again
    per_fold = Counter((f, e.label) for f, e in zip(first, examples, strict=True))
    assert set(per_fold.values()) == {4}  # each root spread evenly over the five folds


def test_temperature_makes_overconfident_logits_honest() -> None:
    rng = np.random.default_rng(0)
    gold = rng.integers(0, 3, 400)
    # logits far too sure of a class right only 60% of the time
    picked = np.where(rng.random(400) < 0.6, gold, (gold + 1) % 3)
    logits = [np.eye(3)[p] * 8.0 for p in picked]
    assert temperature(logits, list(gold)) > 2.0
    sure = [np.eye(3)[g] * 2.0 for g in gold]  # right every time: sharpen
    assert temperature(sure, list(gold)) < 1.0


def test_a_model_round_trips_and_its_probabilities_sum_to_one(tmp_path: Path) -> None:
    fitted = fit([{"a": 1.0}, {"b": 1.0}, {"a": 1.0, "c": 1.0}], ["X", "Y", "X"])
    head = fitted.head(0.5)
    heads = {
        name: (fitted.features, fitted.classes, fitted.weights, fitted.bias, 0.5)
        for name in ("parsed", "lexical")
    }
    save(tmp_path, heads, {"command": "test"}, frozenset({"shelled"}))
    loaded = load(tmp_path)
    assert loaded.triggers == frozenset({"shelled"}) and loaded.provenance == {"command": "test"}
    probs = loaded.parsed.probabilities({"a": 1.0, "unknown": 1.0})
    assert probs.sum() == pytest.approx(1.0)
    assert loaded.parsed.best({"a": 1.0})[0] == head.best({"a": 1.0})[0] == "X"
    # a lower temperature sharpens: the same ranking, a surer top class
    cold = Head(head.classes, head.index, head.weights, head.bias, 0.25)
    assert cold.best({"a": 1.0})[1] > head.best({"a": 1.0})[1]


def test_a_missing_model_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(model_module.ConfigError, match="make model"):
        load(tmp_path)


def test_the_shipped_model_names_its_data_and_classes() -> None:
    shipped = default_model()
    assert NONE in shipped.parsed.classes and "YIELD" in shipped.parsed.classes
    assert shipped.parsed.classes == shipped.lexical.classes
    paths = [d["path"] for d in shipped.provenance["data"]]
    assert any("plv-train" in p for p in paths) and "training/own-sentences.jsonl" in paths
    assert not any("heldout" in p for p in paths)  # the held-out articles never train it
    assert "shelled" in shipped.triggers or "shell" in shipped.triggers


def test_train_and_cross_validate_small_data(tmp_path: Path) -> None:
    sources = write_sources(tmp_path)
    plv, others = sources.load()
    read(plv + others)
    assert "shelled" in learned_triggers(plv)
    trained = train(sources, tmp_path / "model", "test")
    assert trained.provenance["examples"] == {"plv": 60, "gsr": 15, "own": 1}
    report = crossval.run(sources)
    assert report.plv.sentences == 60 and report.gsr is not None and report.gsr.sentences == 15
    # the templates are easy: every held-out fold is read right
    assert report.plv.accuracy >= 0.9
    assert sum(n for _, _, n, _ in report.plv_reliability.rows) == 60 - report.plv.undecided
