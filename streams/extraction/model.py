"""The event classifier: a linear model over clause features, trained by `geoevents train`,
applied with numpy, its probabilities calibrated on held-out folds."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from streams.errors import ConfigError
from streams.extraction.features import Features

MODEL_DIR = Path(__file__).resolve().parents[1] / "data" / "model"
# The classes the model tells apart: the PLOVER roots with CONCEDE and RETREAT as one
# (the training sentences code them as one, YIELD), and NONE for a clause that reports no
# political event.
NONE = "NONE"
YIELD = "YIELD"


@dataclass(frozen=True)
class Head:
    """One linear classifier: weights per feature and class, a bias per class."""

    classes: tuple[str, ...]
    index: dict[str, int]
    weights: np.ndarray  # (features, classes)
    bias: np.ndarray  # (classes,)
    temperature: float

    def probabilities(self, features: Features) -> np.ndarray:
        """Calibrated class probabilities for one clause."""
        index = self.index
        known = [(index[name], value) for name, value in features.items() if name in index]
        scores = self.bias.copy()
        if known:
            rows, values = zip(*known, strict=True)
            if all(v == 1.0 for v in values):  # binary features: a sum of rows
                scores += self.weights[list(rows)].sum(axis=0)
            else:
                scores += np.asarray(values, dtype=np.float32) @ self.weights[list(rows)]
        scores = scores / self.temperature
        scores = np.exp(scores - scores.max())
        probs: np.ndarray = scores / scores.sum()
        return probs

    def best(self, features: Features) -> tuple[str, float, np.ndarray]:
        """(class, calibrated probability, all probabilities)."""
        probs = self.probabilities(features)
        i = int(probs.argmax())
        return self.classes[i], float(probs[i]), probs


@dataclass(frozen=True)
class EventModel:
    """Two heads: one for parsed clauses, one for sentences read without a parse."""

    parsed: Head
    lexical: Head
    provenance: dict[str, Any]
    # Word forms of the predicates the training sentences report events with: with the
    # lexicon's triggers, the words that make a sentence a candidate.
    triggers: frozenset[str] = frozenset()


def _head(meta: dict[str, Any], arrays: Any, name: str) -> Head:
    features: list[str] = meta["features"]
    classes = tuple(meta["classes"])
    weights = np.asarray(arrays[f"{name}_weights"], dtype=np.float32)
    bias = np.asarray(arrays[f"{name}_bias"], dtype=np.float32)
    if weights.shape != (len(features), len(classes)) or bias.shape != (len(classes),):
        raise ConfigError(f"model head {name!r}: weights do not match its features and classes")
    return Head(
        classes=classes,
        index={f: i for i, f in enumerate(features)},
        weights=weights,
        bias=bias,
        temperature=float(meta.get("temperature", 1.0)),
    )


def load(directory: Path = MODEL_DIR) -> EventModel:
    """Read a model written by `save` (model.json beside model.npz)."""
    try:
        meta = json.loads((directory / "model.json").read_text(encoding="utf-8"))
        arrays = np.load(directory / "model.npz")
    except (OSError, ValueError) as err:
        raise ConfigError(
            f"{directory}: no event model ({err}); run `make model` to train one"
        ) from err
    return EventModel(
        parsed=_head(meta["parsed"], arrays, "parsed"),
        lexical=_head(meta["lexical"], arrays, "lexical"),
        provenance=meta.get("provenance", {}),
        triggers=frozenset(meta.get("triggers", ())),
    )


@cache
def default_model() -> EventModel:
    """The packaged model, loaded once per process."""
    return load()


def save(
    directory: Path,
    heads: dict[str, tuple[list[str], list[str], np.ndarray, np.ndarray, float]],
    provenance: dict[str, Any],
    triggers: frozenset[str] = frozenset(),
) -> None:
    """Write heads {name: (features, classes, weights, bias, temperature)}, the trigger
    words and the provenance."""
    directory.mkdir(parents=True, exist_ok=True)
    meta: dict[str, Any] = {"provenance": provenance, "triggers": sorted(triggers)}
    arrays: dict[str, np.ndarray] = {}
    for name, (features, classes, weights, bias, temperature) in heads.items():
        meta[name] = {"classes": classes, "features": features, "temperature": temperature}
        arrays[f"{name}_weights"] = weights.astype(np.float16)
        arrays[f"{name}_bias"] = bias.astype(np.float32)
    (directory / "model.json").write_text(
        json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    np.savez_compressed(directory / "model.npz", allow_pickle=False, **arrays)
