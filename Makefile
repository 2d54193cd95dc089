# Two commands for a new user: `make demo` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint bench clean addin

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: setup
	$(BIN)/arxl demo --out out/demo

test: setup
	$(BIN)/ruff check arxl udfs macros tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check arxl udfs macros tests bench
	$(BIN)/mypy

# The Excel add-in, built from workbooks/addin (a build output, not in git; `arxl addin install` builds its own).
addin: setup
	$(BIN)/arxl addin build -o workbooks/arxl.xlam

bench: setup
	$(BIN)/python bench/read_ledger.py
	$(BIN)/python bench/invoices.py
	$(BIN)/python bench/match.py
	$(BIN)/python bench/match_quality.py
	$(BIN)/python bench/match_heldout.py --seed 1
	$(BIN)/python bench/aging.py
	$(BIN)/python bench/lock.py

clean:
	rm -rf $(VENV) out build *.egg-info .pytest_cache .mypy_cache .ruff_cache
