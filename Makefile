# Lindungi: every command sets itself up. On a fresh machine, only python3 (3.11+) and the
# package registries are needed: uv is installed into .tools/, dependencies from uv.lock into .venv/.
.DEFAULT_GOAL := help
SHELL := bash
PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .tools/bin/uv
# SAM CLI in a venv of its own (its pins are not the project's; uv.lock stays as it is): `sam build` (no
# Docker: every resource is built by its Makefile) and `sam validate --lint` (offline, no AWS credentials).
# Its settings (region, stack name, cached and parallel builds, lint) are in samconfig.toml.
SAM_VERSION := 1.170.0
SAM := .tools/sam/bin/sam
# checkov, the security scan of template.yaml, in a venv of its own too: it pins boto3 exactly (3.3.30 wants
# boto3==1.35.49), which the project's boto3 pin cannot share.
CHECKOV_VERSION := 3.3.30
CHECKOV_VENV ?= .tools/checkov
CHECKOV := $(CHECKOV_VENV)/bin/checkov
RUN := $(UV) run --frozen --no-dev --group dev

.PHONY: help demo test unit lint bench build requirements clean browser

help:
	@echo "make demo    the whole pipeline on a local AWS emulator (upload, parse, store, report, remind, SMS)"
	@echo "make test    lint, type-check, template lint and every test"
	@echo "make unit    the fast loop: the unit tests but the slow and hostile-corpus cases (under a minute)"
	@echo "make bench   the benchmarks (figures, not pass/fail)"
	@echo "make build   sam build: the deployable Lambda artifacts in .aws-sam/build (no Docker), and their sizes"

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(SAM):
	$(PYTHON) -m venv .tools/sam
	.tools/sam/bin/python -m pip install --quiet --disable-pip-version-check aws-sam-cli==$(SAM_VERSION)

$(CHECKOV):
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check checkov==$(CHECKOV_VERSION)

.venv/.synced: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --quiet
	@touch $@

demo: .venv/.synced browser
	$(RUN) python -m lindungi_dev.demo $(ARGS)

# cfn-lint runs once, inside `sam validate` (samconfig.toml: lint = true). checkov is the security scan; each
# exception is a skip with its reason in the resource's Metadata (docs/operations.md, "Security scan").
lint: .venv/.synced $(SAM) $(CHECKOV)
	$(RUN) ruff check .
	$(RUN) mypy
	SAM_CLI_TELEMETRY=0 $(SAM) validate --template template.yaml
	$(CHECKOV) --quiet --compact --skip-download --framework cloudformation --file template.yaml

# The page tests open the staff pages in Debian's headless Chromium; the portal tests drive it through WebDriver
# (Debian's chromium-driver, whose version is Chromium's own). Installed here when missing and apt is there (CI
# runs as root); elsewhere the tests skip with a message saying how to install them.
CHROMIUM ?= /usr/bin/chromium
CHROMEDRIVER ?= /usr/bin/chromedriver
browser:
	@if { [ ! -x "$(CHROMIUM)" ] || [ ! -x "$(CHROMEDRIVER)" ]; } && command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "installing Debian's chromium and chromium-driver for the page and portal tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi
	@[ -x "$(CHROMIUM)" ] || echo "chromium not installed (apt-get install chromium): the page tests will skip"
	@[ -x "$(CHROMEDRIVER)" ] || echo "chromium-driver not installed (apt-get install chromium-driver): the portal tests will skip"

test: lint browser
	$(RUN) pytest -n 2 --dist loadfile

# The loop while changing code: the unit tests but those marked slow or hostile (the hostile-file corpus, a
# process per case), which make test runs. No lint, no browser. ARGS go to pytest (e.g. ARGS="-n 2").
unit: .venv/.synced
	$(RUN) pytest tests/unit -m "not slow and not hostile" $(ARGS)

bench: .venv/.synced
	$(RUN) python -m lindungi_dev.bench $(ARGS)

build: .venv/.synced $(SAM)
	$(RUN) python -m lindungi_dev.build --check-requirements
	SAM_CLI_TELEMETRY=0 $(SAM) build $(ARGS)
	$(RUN) python -m lindungi_dev.build --sizes

requirements: .venv/.synced
	$(RUN) python -m lindungi_dev.build --requirements

clean:
	rm -rf .venv .tools .aws-sam .local
