# oretrace — `make run` serves the demo at http://127.0.0.1:8000; `make test` runs the tests.
SHELL := /bin/bash
PYENV_ROOT ?= $(shell pyenv root 2>/dev/null || echo $$HOME/.pyenv)
PYTHON ?= $(firstword $(wildcard $(PYENV_ROOT)/versions/3.13.0/bin/python3.13 $(PYENV_ROOT)/versions/3.12.1/bin/python3.12))
VENV := .venv
BIN := $(VENV)/bin
export ORETRACE_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test lint venv dev-venv messages catalogues clean

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "oretrace needs Python 3.13 or 3.12: neither $(PYENV_ROOT)/versions/3.13.0/bin/python3.13 nor $(PYENV_ROOT)/versions/3.12.1/bin/python3.12 exists (set PYTHON=/path/to/python3.12+)." >&2; exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

venv: $(BIN)/python
	$(BIN)/pip install --quiet -e .

dev-venv: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'

WITNESS_DIR = $(ORETRACE_DATA_DIR)/witness

# A local witness (a key of its own in var/witness) cosigns the demo's checkpoints: `oretrace
# demo` has it cosign the demo's checkpoint, then it follows the served log every 15 seconds.
# A real deployment's witnesses are other organisations (docs/reference/ledger.md#witnesses).
run: venv
	@mkdir -p var "$(WITNESS_DIR)"
	@test -f "$(WITNESS_DIR)/witness.key" || $(BIN)/oretrace witness init --name localhost/demo-witness \
	  --key-file "$(WITNESS_DIR)/witness.key" > "$(WITNESS_DIR)/witness.vkey"
	@set -e; export ORETRACE_DEBUG=true ORETRACE_LEDGER_WITNESSES="$$(cat "$(WITNESS_DIR)/witness.vkey")"; \
	  $(BIN)/oretrace setup; \
	  $(BIN)/oretrace demo; \
	  LOG_VKEY="$$($(BIN)/oretrace ledger vkey)"; \
	  echo "oretrace: serving http://127.0.0.1:8000 with a task worker and a local witness (Ctrl-C stops them)"; \
	  $(BIN)/oretrace worker & WORKER=$$!; \
	  (sleep 8; exec $(BIN)/oretrace witness cosign http://127.0.0.1:8000/ledger --log-key "$$LOG_VKEY" \
	    --key-file "$(WITNESS_DIR)/witness.key" --state "$(WITNESS_DIR)/witness-state.json" --every 15) & WITNESS=$$!; \
	  trap 'kill $$WORKER $$WITNESS 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/oretrace serve --bind 127.0.0.1:8000 --workers 2

# The suite runs on every core (pytest-xdist; a test module stays on one worker, --dist
# loadfile, so its module-scoped fixtures are built once; the longest modules start first:
# LONGEST_FIRST in conftest.py). PYTEST_WORKERS=0 runs it in one
# process (to debug a test that depends on what an earlier one left behind).
# --no-migrations: each worker's test database is created from the models (a few seconds)
# instead of by replaying every migration (a quarter of a minute of CPU per worker). The
# migrations stay tested: tests/test_cli.py runs `oretrace setup` on a fresh database, CI's
# makemigrations --check fails when the models and the migrations differ, and CI's
# PostgreSQL step (which runs pytest itself) migrates its test database.
# PYTHONDONTWRITEBYTECODE= (empty: off, whatever the caller exports; CI exports 1): the
# workers compile oretrace while they collect the tests and keep the bytecode, so the
# `oretrace` and Django processes the tests start (test_cli, test_configuration, the worker
# and SMS loopback tests) load it instead of compiling it again: 0.45 CPU-s per start,
# tests/test_cli.py 58.5 -> 53.9 CPU-s (benchmarks/suite-time.md, session 9).
PYTEST_WORKERS ?= auto
test: dev-venv
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --no-migrations

# mypy's Django plugin loads the settings: debug mode, and a scratch data folder.
lint: dev-venv
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	ORETRACE_DEBUG=true ORETRACE_DATA_DIR="$(ORETRACE_DATA_DIR)/mypy" $(BIN)/mypy --strict src/oretrace

messages: dev-venv
	$(BIN)/python scripts/compile_messages.py

# How complete each catalogue is against what the source marks today, and what each one lacks
# (docs/development/adding-a-language.md).
catalogues: dev-venv
	$(BIN)/python scripts/catalogue_report.py --missing all

clean:
	rm -rf $(VENV) var
