# skm: two commands to start: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The PostgreSQL of `make test-postgres` (pytest-django creates and drops test_<name> in it).
POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: install test test-postgres demo lint bench audit clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

test: install
	$(BIN)/python -m pytest

test-postgres: install
	SKM_DATABASE_URL=$(POSTGRES_URL) $(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check skm tests bench

# Builds the demo database (var/skm.sqlite3 unless SKM_DATABASE_URL says otherwise) and serves it.
demo: install
	$(BIN)/skm demo

# bench_results needs PostgreSQL (see docs/performance.md).
bench: install
	$(BIN)/python bench/bench_compute.py
	$(BIN)/python bench/bench_results.py
	$(BIN)/python bench/bench_reports.py
	$(BIN)/python bench/bench_submit.py
	$(BIN)/python bench/bench_import.py

# Known vulnerabilities in the pinned versions (pip-audit; needs PyPI's JSON API online).
AUDIT_STRICT ?= --strict
audit: install
	$(BIN)/pip-audit --requirement requirements.lock --no-deps --disable-pip --progress-spinner off $(AUDIT_STRICT)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .hypothesis
