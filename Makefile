# The two commands of the README: `make up` runs the system, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: up test lint bench reliability clean

up: $(BIN)/crossdept
	$(BIN)/crossdept up

test: $(BIN)/crossdept node_modules/.package-lock.json
	$(BIN)/crossdept lint
	npm run --silent lint:models
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(BIN)/crossdept node_modules/.package-lock.json
	$(BIN)/crossdept lint
	npm run --silent lint:models

# The whole reliability and security suite: H2 and PostgreSQL, bigger numbers (tests/reliability/conftest.py).
reliability: $(BIN)/crossdept
	CROSSDEPT_RELIABILITY_FULL=1 $(BIN)/python -m pytest tests/reliability $(PYTEST_ARGS)

bench: $(BIN)/crossdept
	$(BIN)/python bench/compare.py $(BENCH_ARGS)

$(BIN)/crossdept: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

clean:
	rm -rf $(VENV) node_modules
