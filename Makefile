# Two commands set up a fresh machine: `make demo` and `make test`.
# Both create .venv when it is missing and install the package (editable) with what it needs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PLUGINS := $(wildcard plugins/*/pyproject.toml)

.PHONY: demo test lint typecheck unit bench clean install

install: $(STAMP)

$(STAMP): pyproject.toml $(PLUGINS)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "inclusionkit needs Python >= 3.11 (found $$($(PYTHON) --version))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@for p in $(dir $(PLUGINS)); do \
	  echo "installing plugin $$p"; \
	  $(BIN)/python -m pip install --quiet -e "$$p" || exit 1; \
	done
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/inclusionkit demo --output demo-output

# ruff's TID251 bans inclusionkit's private modules in plugins/; the two tests check the docs'
# examples for private imports and the package for import cycles (function-level ones included).
lint: $(STAMP)
	$(BIN)/ruff check src tests plugins scripts benchmarks
	$(BIN)/ruff format --check src tests plugins scripts benchmarks
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/plugins/test_public_imports.py \
	  tests/test_import_graph.py

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests $(wildcard plugins/*/tests)

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/run.py $(if $(SIZE),--sizes $(SIZE),)
	@# The register (issue 13): 1M-row import into SQLite/PostgreSQL, report vs Parquet.
	$(if $(NO_REGISTER),,$(BIN)/python benchmarks/register.py --rows $(or $(REGISTER_ROWS),1000000))

clean:
	rm -rf $(VENV) demo-output build dist .mypy_cache .ruff_cache .pytest_cache
