# oretrace — `make run` serves the demo at http://127.0.0.1:8000; `make test` runs the tests.
SHELL := /bin/bash
PYENV_ROOT ?= $(shell pyenv root 2>/dev/null || echo $$HOME/.pyenv)
PYTHON ?= $(firstword $(wildcard $(PYENV_ROOT)/versions/3.13.0/bin/python3.13 $(PYENV_ROOT)/versions/3.12.1/bin/python3.12))
VENV := .venv
BIN := $(VENV)/bin
export ORETRACE_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test lint venv dev-venv messages clean

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "oretrace needs Python 3.13 or 3.12: neither $(PYENV_ROOT)/versions/3.13.0/bin/python3.13 nor $(PYENV_ROOT)/versions/3.12.1/bin/python3.12 exists (set PYTHON=/path/to/python3.12+)." >&2; exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

venv: $(BIN)/python
	$(BIN)/pip install --quiet -e .

dev-venv: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'

run: venv
	@mkdir -p var
	ORETRACE_DEBUG=true $(BIN)/oretrace setup
	ORETRACE_DEBUG=true $(BIN)/oretrace demo
	@echo "oretrace: serving http://127.0.0.1:8000 with a task worker (Ctrl-C stops both)"
	@ORETRACE_DEBUG=true $(BIN)/oretrace worker & WORKER=$$!; \
	  trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	  ORETRACE_DEBUG=true $(BIN)/oretrace serve --bind 127.0.0.1:8000 --workers 2

test: dev-venv
	$(BIN)/pytest

lint: dev-venv
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

messages: dev-venv
	$(BIN)/python scripts/compile_messages.py

clean:
	rm -rf $(VENV) var
