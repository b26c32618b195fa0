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
OWN_SENTENCES = REPO / "training" / "own-sentences.jsonl"
ECBPLUS_ARTICLES = DATASETS / "ecbplus-dev" / "articles.jsonl"
"""The real news the benchmarks' news-like streams are built from."""
