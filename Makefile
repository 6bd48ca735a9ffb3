# The two commands a new machine needs: `make run` and `make test`. Everything else is a step
# they take by themselves.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
SAM_VENV := .venv-sam
BENCH_VENV := .venv-bench
PORT ?= 3000
UV_VERSION := 0.13.9
export SAM_CLI_TELEMETRY := 0
# uv trusts the machine's certificate store, as pip and curl do (needed behind TLS proxies).
export UV_SYSTEM_CERTS := 1

.PHONY: help run test lint format venv db-stop clean load overload bench

help:
	@echo "make run     serve the API on http://127.0.0.1:$(PORT) (local PostgreSQL unless DATABASE_URL is set)"
	@echo "make test    install what is needed, then lint and run the whole test suite"
	@echo "make lint    ruff and sam validate --lint"
	@echo "make format  format the code with ruff"
	@echo "make load    a load run against a throwaway stack (or BASE_URL=...), then a ledger check"
	@echo "make overload  a load run while PostgreSQL's connections run out: 503, then recovery"
	@echo "make bench   the performance budget, measured: writes bench/results.{json,md} and a plot"
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

# The benchmark's plot in an environment of its own: matplotlib stays out of the functions'.
$(BENCH_VENV)/.installed: requirements-bench.txt $(VENV)/.installed
	@[ -x $(BENCH_VENV)/bin/python ] || $(VENV)/bin/uv venv -q -p "$$(scripts/find-python312)" $(BENCH_VENV)
	$(VENV)/bin/uv pip install -q --python $(BENCH_VENV)/bin/python -r requirements-bench.txt
	@touch $@

venv: $(VENV)/.installed $(SAM_VENV)/.installed

run: venv
	PORT=$(PORT) scripts/run-local.sh

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(SAM_VENV)/bin/sam validate --lint --template template.yaml

test: lint
	$(VENV)/bin/python -m pytest

# CLIENTS, DURATION (seconds) and BASE_URL shape the run; see tools/load.py.
load: venv
	PYTHONPATH=layers/common $(VENV)/bin/python -m tools.load --clients $${CLIENTS:-16} \
	  --seconds $${DURATION:-20} $${BASE_URL:+--base-url $$BASE_URL}

# MAX_CONNECTIONS, WORKERS, CLIENTS and DURATION (seconds per phase) shape the run; see
# tools/overload.py.
overload: venv
	PYTHONPATH=layers/common $(VENV)/bin/python -m tools.overload \
	  --max-connections $${MAX_CONNECTIONS:-20} --workers $${WORKERS:-4} \
	  --clients $${CLIENTS:-8} --seconds $${DURATION:-5}

# Not part of make test: speed is measured here, never asserted by a timed test. About six
# minutes on 2 cores; ROUNDS (cold starts per function) and RUNS (warm runs per endpoint) shape it.
bench: venv $(BENCH_VENV)/.installed
	PYTHONPATH=layers/common $(VENV)/bin/python -m tools.bench --output bench \
	  --rounds $${ROUNDS:-11} --runs $${RUNS:-2000}
	$(BENCH_VENV)/bin/python -m tools.bench.plot bench/results.json bench/cold-start.png

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

db-stop:
	scripts/postgres.sh stop "$$(scripts/run-local.sh --db-dir)"

clean:
	rm -rf $(VENV) $(SAM_VENV) $(BENCH_VENV) .pytest_cache .ruff_cache
