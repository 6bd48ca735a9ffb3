# The two commands a new machine needs: `make run` and `make test`. Everything else is a step
# they take by themselves.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
SAM_VENV := .venv-sam
PORT ?= 3000
UV_VERSION := 0.13.9
export SAM_CLI_TELEMETRY := 0
# uv trusts the machine's certificate store, as pip and curl do (needed behind TLS proxies).
export UV_SYSTEM_CERTS := 1

.PHONY: help run test lint format venv db-stop clean load openapi fuzz

help:
	@echo "make run     serve the API on http://127.0.0.1:$(PORT) (local PostgreSQL unless DATABASE_URL is set)"
	@echo "make test    install what is needed, then lint and run the whole test suite"
	@echo "make lint    ruff and sam validate --lint"
	@echo "make format  format the code with ruff"
	@echo "make load    a load run against a throwaway stack (or BASE_URL=...), then a ledger check"
	@echo "make openapi rebuild functions/openapi/openapi.json from the functions' routes"
	@echo "make fuzz    a longer schemathesis run against the local API (EXAMPLES per operation)"
	@echo "make db-stop stop the local PostgreSQL that make run started"

# The functions' environment: Python 3.12 (the Lambda runtime) with the layer's libraries and
# the test tools. uv is bootstrapped into it with pip, then installs the rest.
$(VENV)/.installed: requirements-dev.txt layers/common/requirements.txt
	@python312=$$(scripts/find-python312); \
	  [ -x $(VENV)/bin/python ] || "$$python312" -m venv $(VENV); \
	  if [ ! -x $(VENV)/bin/uv ]; then \
	    $(VENV)/bin/python -m pip --version >/dev/null 2>&1 || $(VENV)/bin/python -m ensurepip >/dev/null; \
	    $(VENV)/bin/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION); \
	  fi
	$(VENV)/bin/uv pip install -q --python $(VENV)/bin/python -r requirements-dev.txt
	@touch $@

# SAM CLI in its own environment: its pins clash with the functions' libraries.
$(SAM_VENV)/.installed: requirements-sam.txt $(VENV)/.installed
	@[ -x $(SAM_VENV)/bin/python ] || $(VENV)/bin/uv venv -q -p "$$(scripts/find-python312)" $(SAM_VENV)
	$(VENV)/bin/uv pip install -q --python $(SAM_VENV)/bin/python -r requirements-sam.txt
	@touch $@

venv: $(VENV)/.installed $(SAM_VENV)/.installed

# Debian's Chromium, for the test of the docs page; Playwright drives it and never downloads a
# browser of its own.
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian's chromium with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "Debian's chromium is missing: as root, apt-get install chromium" >&2; exit 1; \
	fi

run: venv
	PORT=$(PORT) scripts/run-local.sh

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(SAM_VENV)/bin/sam validate --lint --template template.yaml

test: lint $(CHROMIUM)
	$(VENV)/bin/python -m pytest

# The published document is built from the functions' routes; a test fails when it is stale.
openapi: venv
	PYTHONPATH=layers/common $(VENV)/bin/python -m tools.openapi

# EXAMPLES per operation (make test runs 25 with a fixed seed); each run explores afresh.
fuzz: venv
	FUZZ_EXAMPLES=$${EXAMPLES:-300} $(VENV)/bin/python -m pytest tests/http/test_fuzz.py

# CLIENTS, DURATION (seconds) and BASE_URL shape the run; see tools/load.py.
load: venv
	PYTHONPATH=layers/common $(VENV)/bin/python -m tools.load --clients $${CLIENTS:-16} \
	  --seconds $${DURATION:-20} $${BASE_URL:+--base-url $$BASE_URL}

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

db-stop:
	scripts/postgres.sh stop "$$(scripts/run-local.sh --db-dir)"

clean:
	rm -rf $(VENV) $(SAM_VENV) .pytest_cache .ruff_cache
