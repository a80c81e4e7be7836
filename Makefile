# Quick start: `make synth`, `make test`. Every target sets up what it needs first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 16,18,20
export CHECKPOINT_DISABLE := 1
export CDKTF_DISABLE_PLUGIN_CACHE_ENV := 1

.PHONY: setup synth validate test bench clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

validate: setup
	$(BIN)/pilotfactory validate

synth: setup
	$(BIN)/pilotfactory synth

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf cdktf.out .cdktf.out.* $(VENV) node_modules
