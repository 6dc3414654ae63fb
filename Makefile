# Integrationsbarometer — the two commands a new user runs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
STORE  ?= data
# The demo's synthetic Denmark: DEMO_SCALE=1 is the whole population (about 5.9 million residents); 0.1 a tenth.
DEMO_SCALE ?= 1
DEMO_REGISTERS ?= data/registers-demo-$(DEMO_SCALE)
DEMO_RELEASE := $(STORE)/.demo-release-$(DEMO_SCALE)
SYNTH_SOURCES := $(wildcard src/barometer/synth/*.py src/barometer/synth/data/*)
PORT   ?= 8000
# One server process for the demo: it starts in about half the time of two (each worker imports the whole app)
# and one user's browsing needs no more; `barometer serve` defaults to two for real use (docs/deployment.md).
DEMO_WORKERS ?= 1

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

## demo: generate a synthetic Denmark, build a release and serve the website; the two reports render meanwhile
# The server starts as soon as the release is published. The reports of Aalborg and Hele landet render in the
# background at low priority (log in out/reports.log); they ignore Ctrl-C, so stopping the server does not cut
# them short, and out/.demo-reports marks them done for the current release (otherwise the next run renders them).
demo: setup system-deps $(DEMO_RELEASE)
	@mkdir -p out
	@if [ out/.demo-reports -nt $(DEMO_RELEASE) ]; then echo "Reports of this release already in out/"; else \
	 echo "Rendering the Udviklingsrapport of Aalborg and of Hele landet to out/ in the background (out/reports.log)"; \
	 rm -f out/.demo-reports; ( { nice -n 10 $(BIN)/barometer --store $(STORE) report --area 851 --format both --out out & \
	   aalborg=$$!; nice -n 10 $(BIN)/barometer --store $(STORE) report --area 000 --format both --out out & landet=$$!; \
	   wait $$aalborg && wait $$landet; } > out/reports.log 2>&1 \
	 && touch out/.demo-reports && echo "Reports of Aalborg and Hele landet written to out/" \
	 || echo "Rendering the reports failed: see out/reports.log" ) & fi
	@echo "Website: http://127.0.0.1:$(PORT)/  (Ctrl-C stops it)"
	$(BIN)/barometer --store $(STORE) serve --host 127.0.0.1 --port $(PORT) --workers $(DEMO_WORKERS)

# Synthetic registers are made once per scale and generator version (seed 1); `make clean-data` removes them.
# The manifest is written last, so an interrupted run is generated again.
$(DEMO_REGISTERS)/manifest.json: $(SYNTH_SOURCES) | setup
	$(BIN)/barometer synth --scale $(DEMO_SCALE) --seed 1 --years 2012-2024 --out $(DEMO_REGISTERS) --force

# The release is rebuilt when the registers change or the store's current release came from another scale.
$(DEMO_RELEASE): $(DEMO_REGISTERS)/manifest.json
	$(BIN)/barometer --store $(STORE) build --registers $(DEMO_REGISTERS) --edition 2024-11
	@rm -f $(STORE)/.demo-release-* && touch $@

## test: lint, check the layers (import-linter) and the types (mypy), and run the whole test suite
test: setup system-deps
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports --no-logo
	$(BIN)/mypy
	$(BIN)/pytest -n 2

## constraints: refresh the lock of exact versions after changing pyproject.toml
constraints:
	$(BIN)/pip freeze --exclude-editable > constraints.txt

clean:
	rm -rf $(VENV) out .pytest_cache

clean-data:
	rm -rf $(STORE) out
