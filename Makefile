# geoevents: every command the README, CI and developers run. `make` lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help
help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml evaluation/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,rocksdb]' -e ./evaluation
	touch $(STAMP)

.PHONY: venv
venv: $(STAMP) ## Create the virtual environment with every dependency

.PHONY: run
run: $(STAMP) ## The main job: embedded broker, worker, sample feed, alerts on screen
	$(BIN)/geoevents run $(ARGS)

# Debian packages the deploy tests use: prometheus (with promtool), prometheus-alertmanager
# (amtool) and docker-compose, which renders docker-compose.yml without a Docker engine.
# Installed only when missing, as root with apt-get (as CI runs), without recommends;
# `apt-get update` only if the install fails on stale or absent lists. Elsewhere the tests
# that need them skip and say why (with CI set they fail instead).
.PHONY: tools
tools: ## Install prometheus, promtool, amtool and docker-compose (Debian) when missing
	@need=""; \
	command -v promtool >/dev/null || need="$$need prometheus"; \
	command -v amtool >/dev/null || need="$$need prometheus-alertmanager"; \
	command -v docker-compose >/dev/null || need="$$need docker-compose"; \
	if [ -z "$$need" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then \
		echo "tools: not root or no apt-get; install$$need yourself or their tests skip"; \
		exit 0; \
	fi; \
	echo "tools: installing$$need (Debian packages)"; \
	export DEBIAN_FRONTEND=noninteractive; \
	install="apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=120 $$need"; \
	$$install </dev/null >/dev/null 2>&1 \
		|| { apt-get update -qq </dev/null >/dev/null && $$install </dev/null >/dev/null; } \
		|| echo "tools: could not install$$need; the tests that need them skip"

.PHONY: test
test: $(STAMP) tools ## lint, then unit, then integration: each reports on its own, the first failure stops
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory integration

.PHONY: unit
unit: $(STAMP) ## Unit tests only (no broker)
	$(BIN)/pytest tests/unit $(ARGS)

.PHONY: integration
integration: $(STAMP) ## Integration tests only (each on the embedded Kafka-protocol broker)
	$(BIN)/pytest tests/integration $(ARGS)

.PHONY: lint
lint: $(STAMP) ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

.PHONY: fmt
fmt: $(STAMP) ## Format and auto-fix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

.PHONY: schemas
schemas: $(STAMP) ## Regenerate JSON Schemas and the AsyncAPI document under schemas/
	$(BIN)/geoevents schemas

.PHONY: constraints
constraints: $(STAMP) ## Pin the image's dependencies (deploy/constraints.txt) to this venv's
	$(BIN)/python deploy/constraints.py

.PHONY: replay
replay: $(STAMP) ## Replay the sample corpus in-process into out/replay
	$(BIN)/geoevents replay streams/data/sample/corpus.jsonl --out out/replay

.PHONY: eval-extraction
eval-extraction: $(STAMP) ## Score the extractor on the labelled corpus, field by field
	$(BIN)/geolab eval extraction $(ARGS)

PLOVER_GSR ?= ../shared/datasets/plover-gsr/sentences.jsonl
DATASETS ?= ../shared/datasets
SCORER ?= ../shared/eval/score.py

.PHONY: model
model: $(STAMP) ## Train the event classifier (seeded) into streams/data/model, with provenance
	$(BIN)/geolab train $(ARGS)

.PHONY: eval-events
eval-events: $(STAMP) ## Event classification, 5-fold cross-validated on plv-train; plover-gsr unseen
	$(BIN)/geolab eval events $(ARGS)

.PHONY: eval-roles
eval-roles: $(STAMP) ## Actor and recipient spans against plv-train's marks, cross-validated
	$(BIN)/geolab eval roles $(ARGS)

.PHONY: eval-geo
eval-geo: $(STAMP) ## Replay geo-dev (a dev set) and score it with the shared scorer
	$(BIN)/geoevents replay $(DATASETS)/geo-dev/articles.jsonl --out out/geo-dev > /dev/null
	$(BIN)/python $(SCORER) geo out/geo-dev $(DATASETS)/geo-dev/labels.json

.PHONY: eval-order
eval-order: $(STAMP) ## Own feeds and geo-dev in 100 shuffled orders each: the same events and pages as replay?
	$(BIN)/geolab eval order tests/fixtures/merging/articles.jsonl --orders 100
	$(BIN)/geolab eval order tests/fixtures/feed/articles.jsonl --orders 100
	$(BIN)/geolab eval order $(DATASETS)/geo-dev/articles.jsonl --orders 100

.PHONY: eval-heldout
eval-heldout: $(STAMP) ## Score extraction on the held-out own articles (never tuned on)
	$(BIN)/geolab eval extraction tests/fixtures/extraction-heldout/articles.jsonl \
		tests/fixtures/extraction-heldout/expected.jsonl $(ARGS)

.PHONY: bench-extract
bench-extract: $(STAMP) ## Time extract() on one core over 2,000 synthetic articles
	$(BIN)/geolab bench extract $(ARGS)

PLOVER ?= ../shared/datasets/plover-gsr

.PHONY: eval-actors
eval-actors: $(STAMP) ## Score actor and recipient codes on plover-gsr (P/R/F1)
	$(BIN)/geolab eval actors $(PLOVER)/sentences.jsonl $(ARGS)

ECBPLUS ?= ../shared/datasets/ecbplus-dev

.PHONY: eval-stories
eval-stories: $(STAMP) ## Score story ids on ecbplus-dev (pairwise and BCubed P/R/F1)
	$(BIN)/geolab eval stories $(ECBPLUS)/articles.jsonl $(ECBPLUS)/labels.jsonl $(ARGS)

.PHONY: eval-copies
eval-copies: $(STAMP) ## Pair similarities on ecbplus-dev and the near-copies marked
	$(BIN)/geolab eval copies $(ECBPLUS)/articles.jsonl $(ECBPLUS)/labels.jsonl

.PHONY: bench-stories
bench-stories: $(STAMP) ## Time story assignment with some 1,700 live stories on one core
	$(BIN)/geolab bench stories $(ECBPLUS)/articles.jsonl $(ARGS)

.PHONY: broker
broker: $(STAMP) ## Run the embedded broker in the foreground
	$(BIN)/geoevents broker $(ARGS)

.PHONY: clean
clean: ## Remove the virtual environment and generated state
	rm -rf $(VENV) .geoevents out .pytest_cache .mypy_cache .ruff_cache
