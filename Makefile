# Two commands: `make run` starts the server on the embedded SQLite database; `make test` runs
# every check. Both create .venv first: `make run` installs the runtime dependencies only,
# `make test` (and `make install`) the development set too. The web UI is committed built
# (src/maestoso/ui/static): `make run` needs no Node.js; `make ui` rebuilds it from ui/.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUNTIME_STAMP := $(VENV)/.runtime

.PHONY: install run test lint typecheck layers pytest fuzz bench clean ui ui-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUNTIME_STAMP)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP) $(RUNTIME_STAMP)

install: $(STAMP)

run: $(RUNTIME_STAMP)
	$(BIN)/maestoso server

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: install
	$(BIN)/mypy src

layers: install
	$(BIN)/lint-imports

# Tests run in parallel processes, each test module in one of them (its servers and
# databases started once); PYTEST_WORKERS=0 runs them in this process.
PYTEST_WORKERS ?= 3

pytest: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadscope

test: lint typecheck layers ui-test pytest

# The OpenAPI fuzzing alone (it also runs within `make test`); MAESTOSO_FUZZ_EXAMPLES sets
# the examples per operation.
fuzz: install
	$(BIN)/pytest tests/fuzz

# The web UI: `ui` rebuilds the bundle the server serves; `ui-test` checks its sources'
# formatting (prettier) and runs its component tests.
ui:
	cd ui && npm ci --no-audit --no-fund && npm run build

ui-test:
	cd ui && npm ci --no-audit --no-fund && npx prettier --check src && npx vitest run

bench: $(RUNTIME_STAMP)
	$(BIN)/maestoso bench

clean:
	rm -rf $(VENV) .maestoso .pytest_cache .mypy_cache .ruff_cache ui/node_modules test-artifacts
