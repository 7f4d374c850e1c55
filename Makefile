# Chimera: `make run` runs a real campaign on the embedded default; `make test` runs the tests.
# Both set up what they need first (idempotent): uv, the locked virtualenv, the services.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(shell command -v uv 2>/dev/null)
NPM := $(shell command -v npm 2>/dev/null)
AGENT ?= agent-ethiopia-fashion-001
GOAL ?= Promote the new Ethiopian summer fashion line on TikTok.
export LANGGRAPH_CLI_NO_ANALYTICS := 1
export LANGGRAPH_NO_VERSION_CHECK := 1
# Subprocess-heavy tests (CLI, MCP servers) start Python often: let it keep its bytecode.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: setup browser run run-llm test test-fast test-faults lint bench-fanout bench-mcp bench-budget bench-trends bench-console dev services-stop clean

setup: $(VENV)/.synced node_modules/.installed

# The console's browser tests drive Debian's chromium (Playwright cannot download browsers here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get install -y chromium || { apt-get update && apt-get install -y chromium; }; \
	  else echo "chromium missing: install it (apt-get install -y chromium) for the console tests"; fi; }

# The anvil devnet binary (npm @foundry-rs/anvil); without Node the wallet server uses eth-tester.
node_modules/.installed: package.json package-lock.json
ifneq ($(NPM),)
	npm ci --no-audit --no-fund
	touch $@
else
	@echo "npm not found: the wallet server will use the in-process eth-tester chain"
endif

$(VENV)/.synced: pyproject.toml uv.lock
ifeq ($(UV),)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	$(PYTHON) -m uv sync --frozen --compile-bytecode
else
	uv sync --frozen --compile-bytecode
endif
	touch $@

run: setup
	$(BIN)/chimera run --agent $(AGENT) --goal "$(GOAL)"

# A real open model, offline: builds llama.cpp (once) into .chimera/llm-venv; see specs/llm.md §6.
run-llm: setup
	$(BIN)/python scripts/local_llm.py run

test: setup browser lint
	$(BIN)/pytest -q

test-fast: setup
	$(BIN)/pytest -q -m "not slow"

test-faults: setup
	$(BIN)/pytest -q tests/e2e/test_faults_*.py tests/integration/test_faults_*.py

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

bench-fanout: setup
	$(BIN)/python -m bench fanout

bench-mcp: setup
	$(BIN)/python -m bench mcp

bench-budget: setup
	$(BIN)/python -m bench budget

bench-trends: setup
	$(BIN)/python -m bench trends

bench-console: setup
	$(BIN)/python -m bench console

dev: setup
	$(BIN)/langgraph dev --no-browser --host 127.0.0.1 --port $${PORT:-2025}

services-stop: setup
	$(BIN)/chimera services stop

clean: services-stop
	rm -rf $(VENV) .chimera node_modules
