# Fanfold: `make run` serves a demo archive on 127.0.0.1:8000; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench
PIP := $(BIN)/python -m pip --disable-pip-version-check
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes: "auto" is one per CPU; PYTEST_WORKERS=0 runs everything in one process (for pdb).
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=
# Local runs are in debug mode unless the environment says otherwise; debug mode needs no SECRET_KEY.
export DEBUG ?= 1

.PHONY: run test lint check migrate demo bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev]'
	touch $(STAMP)

$(BENCH_STAMP): $(STAMP)
	$(PIP) install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

migrate: $(STAMP)
	$(MANAGE) migrate --noinput -v 0

demo: migrate
	$(MANAGE) load_demo

run: migrate
	$(MANAGE) load_demo --url http://$(HOST):$(PORT)/
	$(MANAGE) runserver $(HOST):$(PORT)

check: $(STAMP)
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

# Every step runs even when an earlier one fails, so one run shows all that is wrong; any failure fails.
test: $(STAMP)
	@status=0; \
	set -x; \
	DEBUG=1 $(MANAGE) makemigrations --check --dry-run || status=1; \
	$(BIN)/ruff check . || status=1; \
	DEBUG=1 $(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS) || status=$$?; \
	{ set +x; } 2>/dev/null; \
	exit $$status

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The load run needs PostgreSQL (see BENCHMARKS.md, "Load"); e.g. LOAD_ARGS="--database sqlite --works 2000".
LOAD_ARGS ?=
bench: $(BENCH_STAMP)
	DEBUG=1 $(BIN)/python bench/run.py
	DEBUG=1 $(BIN)/python bench/bookmarks_bench.py
	$(BIN)/python bench/load.py $(LOAD_ARGS)

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache .hypothesis
