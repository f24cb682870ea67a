# Lindungi: every command sets itself up. On a fresh machine, only python3 (3.11+) and the
# package registries are needed: uv is installed into .tools/, dependencies from uv.lock into .venv/.
.DEFAULT_GOAL := help
SHELL := bash
PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .tools/bin/uv
# SAM CLI in a venv of its own (its pins are not the project's; uv.lock stays as it is). Only for
# `sam validate --lint`, which runs offline without AWS credentials.
SAM_VERSION := 1.170.0
SAM := .tools/sam/bin/sam
RUN := $(UV) run --frozen --no-dev --group dev

.PHONY: help demo test lint bench build requirements clean

help:
	@echo "make demo    the whole pipeline on a local AWS emulator (upload, parse, store, report, remind, SMS)"
	@echo "make test    lint, type-check, template lint and every test"
	@echo "make bench   the benchmarks (figures, not pass/fail)"
	@echo "make build   the deployable Lambda artifacts in .aws-sam/build (no Docker)"

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(SAM):
	$(PYTHON) -m venv .tools/sam
	.tools/sam/bin/python -m pip install --quiet --disable-pip-version-check aws-sam-cli==$(SAM_VERSION)

.venv/.synced: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --quiet
	@touch $@

demo: .venv/.synced
	$(RUN) python -m lindungi_dev.demo $(ARGS)

lint: .venv/.synced $(SAM)
	$(RUN) ruff check .
	$(RUN) mypy
	$(RUN) cfn-lint template.yaml
	SAM_CLI_TELEMETRY=0 $(SAM) validate --lint --region ap-southeast-3 --template template.yaml

test: lint
	$(RUN) pytest -n 2 --dist loadfile

bench: .venv/.synced
	$(RUN) python -m lindungi_dev.bench $(ARGS)

build: .venv/.synced
	$(RUN) python -m lindungi_dev.build $(ARGS)

requirements: .venv/.synced
	$(RUN) python -m lindungi_dev.build --requirements

clean:
	rm -rf .venv .tools .aws-sam .local
