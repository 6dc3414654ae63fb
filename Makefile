# Integrationsbarometer — the two commands a new user runs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
STORE  ?= data
DEMO_REGISTERS ?= data/registers-demo
DEMO_SCALE ?= 0.02
PORT   ?= 8000

.PHONY: demo test setup system-deps lint clean constraints

## setup: create .venv and install the pinned dependencies (constraints.txt)
setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

## system-deps: Debian packages the tests need (installed only when missing and running as root)
system-deps:
	@bash scripts/system-deps.sh

## demo: build a release from the shipped published figures, render reports, and serve the website
demo: setup system-deps
	$(BIN)/barometer --store $(STORE) import-published tests/fixtures/published-2024-11.csv --edition 2024-11
	$(BIN)/barometer --store $(STORE) report --area 851 --format pdf --out out
	$(BIN)/barometer --store $(STORE) report --area 851 --format html --out out
	$(BIN)/barometer --store $(STORE) report --area 000 --format pdf --out out
	$(BIN)/barometer --store $(STORE) report --area 000 --format html --out out

## test: lint and run the whole test suite
test: setup system-deps
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/pytest -n 2

## constraints: refresh the lock of exact versions after changing pyproject.toml
constraints:
	$(BIN)/pip freeze --exclude-editable > constraints.txt

clean:
	rm -rf $(VENV) out .pytest_cache
