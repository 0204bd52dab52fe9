# heaven — every target works on a fresh machine with python3 (3.10+) and cargo
# (and, for `test` and the PostgreSQL examples, Debian's apt: see system-deps).
# `make` alone lists the targets.

.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.deps-installed
HOST ?= 127.0.0.1
PORT ?= 8000
INTERFACE ?= asgi

# Pinned tools for building, serving and testing (runtime deps come from pyproject.toml).
DEV_DEPS := "maturin==1.16.0" "granian[uvloop,reload]==2.8.7" "httpx==0.28.1" "pytest==9.2.0" \
            "websockets==17.4" "httpx-sse==0.4.3" "openapi-spec-validator==0.9.0" \
            "schemathesis==4.32.5" "uvicorn==0.54.0" "hypercorn==0.18.0" "msgspec>=0.19,<1" "jinja2>=3.1,<4" \
            "PyJWT==2.15.1" "selenium==4.51.0" "mkdocs==1.6.1" "ruff==0.14.7" "mypy==1.19.0" "pytest-cov==7.1.0" \
            "aiofiles==25.1.0" "orjson==3.13.0" "h2==4.3.0"
# Debian packages the tests drive for real: a PostgreSQL server, a headless browser and its
# driver, a font so the browser's screenshots show text, and perf and wrk for the HTTP benches'
# smoke runs, and valgrind for the instruction counts.
SYSTEM_DEPS := postgresql chromium chromium-driver fonts-dejavu-core linux-perf wrk valgrind
# A worker holding an open stream or websocket is stopped after 5 s on Ctrl-C instead of never.
GRANIAN := $(VENV)/bin/granian --interface $(INTERFACE) --loop uvloop --host $(HOST) --port $(PORT) --workers-kill-timeout 5
# The tree at the start of issue 14 (performance), built with its own extension by `make bench`:
# the HTTP table's endpoints are measured against it in the same run ("no endpoint slower").
ISSUE14_START := 8714113
BEFORE_TREE := benches/http/.before-issue14
# Runs a command with DATABASE_URL set: a throwaway PostgreSQL unless DATABASE_URL is already set.
WITH_PG := $(PY) tests/services/postgres.py --

.PHONY: help
help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet $(DEV_DEPS)
	touch $(STAMP)

.PHONY: install
install: $(STAMP) ## Create .venv with the pinned build, serve and test tools

.PHONY: build-dev
build-dev: $(STAMP) ## Build the Rust extension (release) into .venv, editable
	VIRTUAL_ENV=$(abspath $(VENV)) PATH=$(abspath $(VENV))/bin:$$PATH $(VENV)/bin/maturin develop --release --quiet --extras pg

.PHONY: build-prod
build-prod: $(STAMP) ## Build the single abi3 wheel into dist/
	$(VENV)/bin/maturin build --release --out dist

.PHONY: run
run: build-dev ## Serve examples/hello.py under granian on $(HOST):$(PORT)
	$(VENV)/bin/granian --interface asgi --loop uvloop --host $(HOST) --port $(PORT) --working-dir examples hello:app

.PHONY: system-deps
system-deps: ## Install the Debian packages the tests use (PostgreSQL, Chromium, chromedriver, a font), only those missing
	@missing=""; \
	for pkg in $(SYSTEM_DEPS); do \
	  dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$pkg"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null; then \
	  echo "system-deps: not Debian; install PostgreSQL (initdb, pg_ctl), chromium and chromedriver yourself"; exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then echo "system-deps: missing$$missing; run: sudo make system-deps"; exit 1; fi; \
	echo "system-deps: installing$$missing"; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing

.PHONY: compat-venv
compat-venv: $(STAMP) ## Create the PyPI heaven 2.4.3 venv that tests/compat compares against
	PY=$(abspath $(PY)) bash tests/compat/setup_heaven243.sh

.PHONY: test
test: system-deps build-dev compat-venv ## Rust tests, Python tests (ASGI + RSGI + real granian, PostgreSQL, Chromium, heaven 2.4.3 differential), docs site, bounded router bench
	cargo test --workspace --quiet
	HEAVEN_TEST_STRICT=1 $(PY) -m pytest -q --cov=heaven --cov-report=term:skip-covered
	cargo bench -p heaven-core --bench router -- --quick --noplot
	$(MAKE) --no-print-directory wheel-check
	$(MAKE) --no-print-directory lint

DOCS_SITE ?= target/site
.PHONY: docs
docs: $(STAMP) ## Build the documentation site into target/site (mkdocs, warnings are errors)
	$(VENV)/bin/mkdocs build --strict --quiet --site-dir $(DOCS_SITE)

.PHONY: example-patients
example-patients: build-dev ## Serve examples/patients on $(HOST):$(PORT), INTERFACE=asgi|rsgi (a throwaway PostgreSQL unless DATABASE_URL is set)
	$(WITH_PG) sh -c '$(PY) -m heaven.plugins.pg migrate examples/patients/migrations && exec $(GRANIAN) --working-dir examples/patients patients:app'

.PHONY: example-auth
example-auth: build-dev ## Serve examples/auth on $(HOST):$(PORT), INTERFACE=asgi|rsgi (a throwaway PostgreSQL unless DATABASE_URL is set)
	$(WITH_PG) sh -c '$(PY) -m heaven.plugins.pg migrate examples/auth/migrations && exec $(GRANIAN) --working-dir examples/auth auth:app'

.PHONY: example-chat
example-chat: build-dev ## Serve examples/chat on $(HOST):$(PORT), INTERFACE=asgi|rsgi (open it in two browser windows)
	$(GRANIAN) --working-dir examples/chat chat:app

.PHONY: wheel-check
wheel-check: $(STAMP) ## Build the release wheel and check it is one abi3 wheel
	rm -rf dist
	$(VENV)/bin/maturin build --release --quiet --out dist
	test "$$(ls dist/*.whl | wc -l)" = 1 && ls dist/*-abi3-*.whl

.PHONY: lint
lint: build-dev ## cargo fmt --check, clippy, ruff, mypy over python/heaven, stubtest for the _core stub
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	$(VENV)/bin/ruff check python/heaven tests benches examples
	$(VENV)/bin/mypy
	$(PY) -m mypy.stubtest heaven._core

.PHONY: format
format: ## Format the Rust sources
	cargo fmt --all

.PHONY: bench
bench: system-deps build-dev ## Router benches, in-process dispatch cost, HTTP bench against every peer, websockets/SSE, granian scope costs, Python work over HTTP, the worker's CPU by part and its instructions a request, cold start and memory, soak (~130-150 min: run.py ~40, run.py against the start of issue 14 ~20, instructions.py against it ~20, amplify.py ~5, cpu_split.py ~10, worker_instructions.py against it ~14, work.py ~25, live.py ~12, soaks; needs wrk, valgrind and cargo)
	cargo bench -p heaven-core --bench router
	$(PY) benches/criterion_medians.py
	$(PY) benches/dispatch.py
	$(PY) benches/multidict.py
	bash benches/http/setup_peers.sh
	$(PY) benches/http/run.py --markdown benches/http/results/http-bench.md
	bash benches/http/build_before.sh $(ISSUE14_START) $(BEFORE_TREE)
	$(PY) benches/http/run.py --only heaven,heaven_rsgi,bare,bare_rsgi --against $(BEFORE_TREE) --duration 4 --markdown benches/http/results/against-start.md
	$(PY) benches/instructions.py --against $(BEFORE_TREE) --markdown benches/http/results/instructions-against-start.md
	$(PY) benches/http/granian_costs.py
	$(PY) benches/http/amplify.py --markdown benches/http/results/amplify.md
	$(PY) benches/http/cpu_split.py --markdown benches/http/results/cpu-split.md
	$(PY) benches/http/worker_instructions.py --endpoints plaintext,json,params,validate --against $(BEFORE_TREE) --markdown benches/http/results/worker-instructions.md
	$(PY) benches/http/work.py --markdown benches/http/results/work-bench.md
	$(PY) benches/http/live.py --markdown benches/http/results/live-bench.md
	$(PY) benches/startup.py --markdown benches/http/results/startup.md
	$(PY) benches/http/validate.py --micro-only
	$(PY) benches/soak.py --interface asgi
	$(PY) benches/soak.py --interface rsgi

.PHONY: clean
clean: ## Remove build output and the venvs
	rm -rf target dist $(VENV) benches/http/.venv-heaven243 $(BEFORE_TREE)
