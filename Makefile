# The two commands a new machine needs: `make run` and `make test`. Everything else is a step
# they take by themselves.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
SAM_VENV := .venv-sam
LINT_VENV := .venv-lint
BUILD_DIR ?= .aws-sam/build
BENCH_VENV := .venv-bench
RUNTIME_VENV := .venv-runtime
PORT ?= 3000
UV_VERSION := 0.13.9
export SAM_CLI_TELEMETRY := 0
# uv trusts the machine's certificate store, as pip and curl do (needed behind TLS proxies).
export UV_SYSTEM_CERTS := 1

.PHONY: help run test lint format venv db-stop clean load build e2e deploy openapi fuzz overload bench

help:
	@echo "make run     serve the API on http://127.0.0.1:$(PORT) (local PostgreSQL unless DATABASE_URL is set)"
	@echo "make test    install what is needed, then lint and run the whole test suite"
	@echo "make lint    ruff, sam validate --lint, cfn-lint, checkov and the workflow checks"
	@echo "make build   sam build of the template into $(BUILD_DIR), with Python 3.12 found by itself"
	@echo "make e2e     the end-to-end smoke test against BASE_URL=... (a local or deployed API)"
	@echo "make deploy  build, then sam deploy --config-env CONFIG_ENV=dev|prod (see README)"
	@echo "make format  format the code with ruff"
	@echo "make load    a load run against a throwaway stack (or BASE_URL=...), then a ledger check"
	@echo "make openapi rebuild functions/openapi/openapi.json from the functions' routes"
	@echo "make fuzz    a longer schemathesis run against the local API (EXAMPLES per operation)"
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

# The linters of the template and the workflows, in their own environment too (checkov's pins).
$(LINT_VENV)/.installed: requirements-lint.txt $(VENV)/.installed
	@[ -x $(LINT_VENV)/bin/python ] || $(VENV)/bin/uv venv -q -p "$$(scripts/find-python312)" $(LINT_VENV)
	$(VENV)/bin/uv pip install -q --python $(LINT_VENV)/bin/python -r requirements-lint.txt
	@touch $@

# The benchmark's plot in an environment of its own: matplotlib stays out of the functions'.
$(BENCH_VENV)/.installed: requirements-bench.txt $(VENV)/.installed
	@[ -x $(BENCH_VENV)/bin/python ] || $(VENV)/bin/uv venv -q -p "$$(scripts/find-python312)" $(BENCH_VENV)
	$(VENV)/bin/uv pip install -q --python $(BENCH_VENV)/bin/python -r requirements-bench.txt
	@touch $@

# What Lambda's runtime has beside a function's own code: the cold starts of make bench run on it.
$(RUNTIME_VENV)/.installed: requirements-runtime.txt $(VENV)/.installed
	@rm -rf $(RUNTIME_VENV) && $(VENV)/bin/uv venv -q -p "$$(scripts/find-python312)" $(RUNTIME_VENV)
	$(VENV)/bin/uv pip install -q --python $(RUNTIME_VENV)/bin/python -r requirements-runtime.txt
	@touch $@

venv: $(VENV)/.installed $(SAM_VENV)/.installed $(LINT_VENV)/.installed

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

# Every linter runs offline: checkov without its platform's metadata or update check, zizmor
# without its online audits, check-jsonschema with the schema it ships.
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(SAM_VENV)/bin/sam validate --lint --template template.yaml
	$(SAM_VENV)/bin/cfn-lint --non-zero-exit-code informational -- template.yaml
	BC_SKIP_MAPPING=TRUE CKV_SKIP_PACKAGE_UPDATE_CHECK=true $(LINT_VENV)/bin/checkov --quiet \
	  --compact --skip-download --framework cloudformation --file template.yaml
	$(LINT_VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(LINT_VENV)/bin/zizmor --offline --no-progress .github/workflows/

test: lint $(CHROMIUM)
	$(VENV)/bin/python -m pytest

# sam build needs a python3.12 on PATH for the functions' runtime: the one find-python312 finds
# is linked into a folder of its own and put first (its own folder may hold other Pythons).
# Then everything built is compiled to bytecode that Python trusts without reading the source
# (unchecked-hash): Lambda's file system is read-only and SAM zips each file with a 1980
# timestamp, so without it every cold start compiles every module it imports, some 350 ms.
build: venv
	@mkdir -p .aws-sam/python312 && ln -sf "$$(scripts/find-python312)" .aws-sam/python312/python3.12
	PATH="$(CURDIR)/.aws-sam/python312:$$PATH" $(SAM_VENV)/bin/sam build --build-dir $(BUILD_DIR)
	"$$(scripts/find-python312)" -m compileall -q -f -j 0 --invalidation-mode unchecked-hash \
	  $(BUILD_DIR) >/dev/null

e2e: venv
	@[ -n "$(BASE_URL)" ] || { echo "make e2e: set BASE_URL=http://127.0.0.1:3000, say" >&2; exit 2; }
	$(VENV)/bin/python -m tools.e2e --base-url "$(BASE_URL)"

# CONFIG_ENV is an environment of samconfig.toml; the account's settings come from the process
# environment (tools/deploy.py), the credentials from the caller's AWS session.
deploy: venv
	@[ -n "$(CONFIG_ENV)" ] || { echo "make deploy: set CONFIG_ENV=dev or CONFIG_ENV=prod" >&2; exit 2; }
	$(MAKE) --no-print-directory build
	$(VENV)/bin/python -m tools.deploy $(CONFIG_ENV)

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

# MAX_CONNECTIONS, WORKERS, CLIENTS and DURATION (seconds per phase) shape the run; see
# tools/overload.py.
overload: venv
	PYTHONPATH=layers/common $(VENV)/bin/python -m tools.overload \
	  --max-connections $${MAX_CONNECTIONS:-20} --workers $${WORKERS:-4} \
	  --clients $${CLIENTS:-8} --seconds $${DURATION:-5}

# Not part of make test: speed is measured here, never asserted by a timed test. About eleven
# minutes on 2 cores; ROUNDS (cold starts per function) and RUNS (warm runs per endpoint) shape it.
bench: venv $(BENCH_VENV)/.installed $(RUNTIME_VENV)/.installed
	$(MAKE) --no-print-directory build BUILD_DIR=.aws-sam/bench-build
	PYTHONPATH=layers/common $(VENV)/bin/python -m tools.bench --output bench \
	  --rounds $${ROUNDS:-11} --runs $${RUNS:-2000} --runtime-python $(RUNTIME_VENV)/bin/python \
	  --build-dir .aws-sam/bench-build
	$(BENCH_VENV)/bin/python -m tools.bench.plot bench/results.json bench/cold-start.png

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

db-stop:
	scripts/postgres.sh stop "$$(scripts/run-local.sh --db-dir)"

clean:
	rm -rf $(VENV) $(SAM_VENV) $(LINT_VENV) $(BENCH_VENV) $(RUNTIME_VENV) .aws-sam .pytest_cache .ruff_cache
