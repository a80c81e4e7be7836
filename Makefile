# Quick start: `make synth`, `make test`. Every target sets up what it needs first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# checkov pins packaging<24 and our pytest needs >=24, so it lives in a venv of its own.
CHECKOV_VENV := .venv-checkov
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 16,18,20
export CHECKPOINT_DISABLE := 1
export CDKTF_DISABLE_PLUGIN_CACHE_ENV := 1

.PHONY: setup history synth validate test bench checkov clean

setup: $(VENV)/.installed node_modules/.installed history

# Approvals are verified against the commits that signed them (config/gates.yaml `approvals.verify`):
# a shallow clone lacks them, so fetch the rest of the history when the remote can be reached.
history:
	@if [ "$$(git rev-parse --is-shallow-repository 2>/dev/null)" = true ]; then \
	  git fetch --quiet --unshallow || echo "warning: shallow clone: signed approvals cannot be verified (git fetch --unshallow)" >&2; \
	fi

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

$(CHECKOV_VENV)/.installed: policies/requirements.txt
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r policies/requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

validate: setup
	$(BIN)/pilotfactory validate

# Withheld stacks (exit 3) never stop the other pilots' documents; the first failing status is kept.
synth: setup
	@$(BIN)/pilotfactory synth; synth=$$?; \
	if [ $$synth -ne 0 ] && [ $$synth -ne 3 ]; then exit $$synth; fi; \
	$(BIN)/pilotfactory docs; docs=$$?; \
	if [ $$synth -ne 0 ]; then exit $$synth; fi; exit $$docs

test: setup $(CHECKOV_VENV)/.installed
	$(BIN)/python -m pytest

# Our guardrail rules run inside checkov too; offline it needs --skip-download.
checkov: synth $(CHECKOV_VENV)/.installed
	$(CHECKOV_VENV)/bin/checkov -d cdktf.out --framework terraform_json \
	  --external-checks-dir policies --skip-download --compact --quiet

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf cdktf.out .cdktf.out.* $(VENV) $(CHECKOV_VENV) node_modules
