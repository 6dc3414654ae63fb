# Integrationsbarometer — the two commands a new user runs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
STORE  ?= data
DEMO_REGISTERS ?= data/registers-demo
DEMO_SCALE ?= 0.1
PORT   ?= 8000

.PHONY: demo test setup system-deps clean clean-data constraints

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

## demo: generate a synthetic Denmark, build a release, render two reports, and serve the website
demo: setup system-deps $(STORE)/CURRENT
	$(BIN)/barometer --store $(STORE) report --area 851 --format both --out out
	$(BIN)/barometer --store $(STORE) report --area 000 --format both --out out
	@echo "Reports in out/. Website: http://127.0.0.1:$(PORT)/  (Ctrl-C stops it)"
	$(BIN)/barometer --store $(STORE) serve --host 127.0.0.1 --port $(PORT)

# Synthetic registers are made once per scale/seed; delete the folder (or `make clean-data`) to regenerate.
$(DEMO_REGISTERS)/manifest.json: | setup
	$(BIN)/barometer synth --scale $(DEMO_SCALE) --seed 1 --years 2012-2024 --out $(DEMO_REGISTERS) --force

# A release is rebuilt whenever the registers change.
$(STORE)/CURRENT: $(DEMO_REGISTERS)/manifest.json
	$(BIN)/barometer --store $(STORE) build --registers $(DEMO_REGISTERS) --edition 2024-11

## test: lint and run the whole test suite
test: setup system-deps
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/pytest -n 2

## constraints: refresh the lock of exact versions after changing pyproject.toml
constraints:
	$(BIN)/pip freeze --exclude-editable > constraints.txt

clean:
	rm -rf $(VENV) out .pytest_cache

clean-data:
	rm -rf $(STORE) out
