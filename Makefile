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
		awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,rocksdb]'
	touch $(STAMP)

.PHONY: venv
venv: $(STAMP) ## Create the virtual environment with every dependency

.PHONY: run
run: $(STAMP) ## The main job: embedded broker, worker, sample feed, alerts on screen
	$(BIN)/geoevents run $(ARGS)

.PHONY: test
test: $(STAMP) ## Lint, type-check, and run every test (unit and integration)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest $(ARGS)

.PHONY: unit
unit: $(STAMP) ## Unit tests only (no broker)
	$(BIN)/pytest tests/unit $(ARGS)

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

.PHONY: replay
replay: $(STAMP) ## Replay the sample corpus in-process into out/replay
	$(BIN)/geoevents replay streams/data/sample/corpus.jsonl --out out/replay

.PHONY: broker
broker: $(STAMP) ## Run the embedded broker in the foreground
	$(BIN)/geoevents broker $(ARGS)

.PHONY: clean
clean: ## Remove the virtual environment and generated state
	rm -rf $(VENV) .geoevents out .pytest_cache .mypy_cache .ruff_cache
