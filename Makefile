# One command to run the service, one to pass the whole suite. Each sets itself up (idempotently).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test lint typecheck unit bench setup services clean screenshots

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)

## make run: set up and start hookcast on $HOST:$PORT (default 127.0.0.1:8080); data in HOOKCAST_DATA_DIR, see "hookcast info"
run: $(STAMP)
	$(BIN)/hookcast serve --host $${HOST:-127.0.0.1} --port $${PORT:-8080}

## make test: set up, start PostgreSQL / Redis if needed, lint, type-check and run every test
test: $(STAMP) services lint typecheck
	$(BIN)/pytest

services:
	bash scripts/ensure-services.sh

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest tests/unit

bench: $(STAMP)
	$(BIN)/python bench/e2e.py

## make screenshots: run the browser tests and refresh the README's pictures in docs/screenshots
screenshots: $(STAMP) services
	HOOKCAST_SCREENSHOTS=docs/screenshots $(BIN)/pytest tests/browser -q

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
