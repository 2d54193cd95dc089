# Two commands for a new user: `make demo` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test test-lowest lint bench clean addin

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

# The floors in pyproject.toml, tested: a venv of its own with the lowest version every direct dependency allows
# (uv's lowest-direct resolution), made anew each time so nothing newer lingers, then the tests. It skips the
# tests marked slow (the whole suite takes ~17 min on 2 cores; a floor that lies fails the quick tests too).
LOWEST := .venv-lowest
test-lowest:
	rm -rf $(LOWEST)
	$(PYTHON) -m venv $(LOWEST)
	$(LOWEST)/bin/python -m pip install --quiet uv
	VIRTUAL_ENV=$(LOWEST) $(LOWEST)/bin/uv pip install --quiet --resolution lowest-direct -e '.[test]'
	$(LOWEST)/bin/python -m pytest -q -m "not slow"

lint: setup
	$(BIN)/ruff check arxl udfs macros tests bench
	$(BIN)/mypy

# The Excel add-in, built from workbooks/addin (a build output, not in git; `arxl addin install` builds its own).
addin: setup
	$(BIN)/arxl addin build -o workbooks/arxl.xlam

bench: setup
	$(BIN)/python bench/read_ledger.py
	$(BIN)/python bench/invoices.py
	$(BIN)/python bench/pdfs.py
	$(BIN)/python bench/match.py
	$(BIN)/python bench/match_speed.py
	$(BIN)/python bench/match_quality.py
	$(BIN)/python bench/match_heldout.py --seed 1
	$(BIN)/python bench/match_learning.py
	$(BIN)/python bench/aging.py
	$(BIN)/python bench/lock.py
	$(BIN)/python bench/audit.py
	$(BIN)/python bench/excel_roundtrips.py
	$(BIN)/python bench/flat.py
	$(BIN)/python bench/batch.py

clean:
	rm -rf $(VENV) $(LOWEST) out build *.egg-info .pytest_cache .mypy_cache .ruff_cache
