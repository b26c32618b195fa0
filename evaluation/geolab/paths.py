"""Where the lab's data lives by default: the checkout it runs from, and the shared datasets
beside it. Every command takes these as arguments too; the defaults only save typing."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
"""The geoevents checkout (the lab is installed editable from it: `make venv`)."""
DATASETS = Path(os.environ.get("GEO_DATASETS", REPO.parent / "shared" / "datasets"))
"""The shared labelled datasets (plv-train, plover-gsr, ecbplus-dev, geo-dev);
`GEO_DATASETS` points elsewhere."""
FIXTURES = REPO / "tests" / "fixtures"
"""The project's own labelled articles and feeds."""
PLV_TRAIN = DATASETS / "plv-train" / "sentences.jsonl"
"""Real news sentences coded with PLOVER roots and marked actor and target spans."""
PLOVER_GSR = DATASETS / "plover-gsr" / "sentences.jsonl"
"""PLOVER's gold-standard coded sentences."""
OWN_SENTENCES = REPO / "training" / "own-sentences.jsonl"
"""Labelled sentences written for this project."""
OWN_ARTICLES = FIXTURES / "extraction"
"""The project's own labelled articles (articles.jsonl, expected.jsonl)."""
ECBPLUS_ARTICLES = DATASETS / "ecbplus-dev" / "articles.jsonl"
"""The real news the benchmarks' news-like streams are built from."""
