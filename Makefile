# districtwatch — `make demo` and `make test` are the two commands a new user needs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help venv demo test test-fast lint typecheck schemas gazetteer bench bench-quick clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else "districtwatch needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev,data,deploy]'
	@touch $(STAMP)

venv: $(STAMP) ## create .venv and install the project with its test tools

demo: $(STAMP) ## broker + worker + replay of the 20 Aug 2021 sample; prints the alerts
	$(BIN)/districtwatch demo

test: $(STAMP) ## the whole test suite (unit, agents, integration on the embedded broker, Kafka where java+mvn exist)
	$(BIN)/python -m pytest

test-fast: $(STAMP) ## unit tests only
	$(BIN)/python -m pytest tests/unit -q

lint: $(STAMP) ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP) ## mypy strict on the package and the mapped folders
	$(BIN)/mypy districtwatch agents schemas

schemas: $(STAMP) ## rewrite schemas/json from the pydantic models
	$(BIN)/districtwatch schemas --write

gazetteer: $(STAMP) ## rebuild the Afghanistan gazetteer from ../shared/data/afghanistan
	$(BIN)/python -m pip install --quiet -e '.[data]'
	$(BIN)/python scripts/build_gazetteer.py --source ../shared/data/afghanistan --out districtwatch/data/gazetteers/afghanistan.json

bench: $(STAMP) ## full benchmarks: extraction, then 1,000,000 posts through the pipeline (see bench/README.md)
	$(BIN)/python bench/bench_extract.py
	$(BIN)/python bench/bench_pipeline.py --kafka --json bench/results/latest.json

bench-quick: $(STAMP) ## quick benchmarks (under 2 minutes); the last line sums up the pipeline
	$(BIN)/python bench/bench_extract.py --posts 20000 --repeat 1
	$(BIN)/python bench/bench_pipeline.py --quick

clean: ## remove the virtualenv and local state
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
