# Two commands: `make run` starts the server on the embedded SQLite database; `make test` runs
# every check. Both create .venv and install the project into it first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint typecheck layers pytest fuzz bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/maestoso server

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: install
	$(BIN)/mypy src

layers: install
	$(BIN)/lint-imports

pytest: install
	$(BIN)/pytest

test: lint typecheck layers pytest

# The OpenAPI fuzzing alone (it also runs within `make test`); MAESTOSO_FUZZ_EXAMPLES sets
# the examples per operation.
fuzz: install
	$(BIN)/pytest tests/fuzz

bench: install
	$(BIN)/maestoso bench

clean:
	rm -rf $(VENV) .maestoso .pytest_cache .mypy_cache .ruff_cache
