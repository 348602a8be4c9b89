# One command to run the service, one to pass the whole suite. Each sets itself up (idempotently).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Installs come from the lock files (scripts/lock.sh writes them from pyproject.toml). A stamp names
# the checksum of its lock and of pyproject.toml, so an install runs again only when one changes.
# STAMP marks the run install (requirements/run.txt), TEST_STAMP the test install (a superset).
RUN_LOCK := requirements/run.txt
TEST_LOCK := requirements/test.txt
STAMP := $(VENV)/.run-$(shell cat $(RUN_LOCK) pyproject.toml | cksum | cut -d' ' -f1)
TEST_STAMP := $(VENV)/.test-$(shell cat $(TEST_LOCK) pyproject.toml | cksum | cut -d' ' -f1)
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check

.PHONY: run test lint typecheck unit bench setup services container-tools image image-test clean screenshots lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# What running needs, nothing more (no pytest, playwright, mypy or ruff).
$(STAMP): $(RUN_LOCK) pyproject.toml | $(BIN)/python
	$(PIP) --require-hashes -r $(RUN_LOCK)
	$(PIP) --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.run-*
	touch $(STAMP)

# The test lock is a superset of the run lock, so a test install also satisfies `make run`.
$(TEST_STAMP): $(TEST_LOCK) pyproject.toml | $(BIN)/python
	$(PIP) --require-hashes -r $(TEST_LOCK)
	$(PIP) --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.run-* $(VENV)/.test-* $(VENV)/.installed-*
	touch $(STAMP) $(TEST_STAMP)

setup: $(TEST_STAMP)

## make run: set up and start hookcast on $HOST:$PORT (default 127.0.0.1:8080); data in HOOKCAST_DATA_DIR, see "hookcast info"
run: $(STAMP)
	$(BIN)/hookcast serve --host $${HOST:-127.0.0.1} --port $${PORT:-8080}

## make test: set up, start PostgreSQL / Redis if needed, lint, type-check and run every test
# Every test that owns its databases, servers, processes, browser or containers runs on pytest-xdist
# workers, twice as many as cores: a database test waits on PostgreSQL, SQLite's thread or a server
# for much of its time (on 2 cores, 4 workers ran the UI tests in a fifth less time than 2; 6 were
# no faster than 4). A module whose module-scoped fixture is costly (Chromium, the built wheel, the
# container image) stays on one worker (--dist loadgroup; tests/conftest.py groups them). Tests go
# out in the order named: the long waits first (a minute of paced pushes), the many short unit
# tests last, so the workers finish together. The test that measures several processes against
# platforms' per-second limits runs alone, after.
WORKERS ?= $(shell echo $$(( 2 * $$(nproc 2>/dev/null || echo 1) )))
test: $(TEST_STAMP) services container-tools lint typecheck
	$(BIN)/pytest -n $(WORKERS) --dist loadgroup tests/system tests/container tests/browser \
		tests/integration tests/contract tests/golden tests/unit --ignore=tests/system/test_processes.py
	$(BIN)/pytest tests/system/test_processes.py

services:
	bash scripts/ensure-services.sh

# podman, runc and debootstrap for the container test (Debian's, installed when missing and root).
container-tools:
	bash scripts/image.sh tools

## make image: build the container image localhost/hookcast (reused while its inputs are unchanged)
image: container-tools
	bash scripts/image.sh build $${BASE:-auto}

## make image-test: build (or reuse) the image and run the container tests alone
image-test: $(TEST_STAMP) services container-tools
	$(BIN)/pytest -m container tests/container

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

typecheck: $(TEST_STAMP)
	$(BIN)/mypy

unit: $(TEST_STAMP)
	$(BIN)/pytest tests/unit

bench: $(TEST_STAMP)
	$(BIN)/python bench/e2e.py

## make screenshots: run the browser tests and refresh the README's pictures in docs/screenshots
# Chinese pages need a CJK font to be drawn (Debian's fonts-noto-cjk; installed when missing and root).
screenshots: $(TEST_STAMP) services
	@fc-list :lang=zh 2>/dev/null | grep -q . || [ "$$(id -u)" != 0 ] || \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null || true
	HOOKCAST_SCREENSHOTS=docs/screenshots $(BIN)/pytest tests/browser -q

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

## make lock: regenerate requirements/*.txt after changing a pin in pyproject.toml
lock:
	bash scripts/lock.sh
