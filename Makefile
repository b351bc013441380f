# Two entry points for newcomers: `make ask` and `make test` (see README Quickstart).
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
Q ?= Why isn't Russia helping Iran?

.PHONY: setup ask test lint bench eval

$(BIN)/wirecheck: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# The CPU wheel first: an unpinned resolve could pull torch's CUDA build.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

setup: $(BIN)/wirecheck

ask: setup
	$(BIN)/wirecheck ask "$(Q)"

test: setup
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check bot retrieval tests bench
	$(BIN)/ruff format --check bot retrieval tests bench

bench: setup
	$(BIN)/python bench/bench.py

eval: setup
	$(BIN)/python bench/eval_all.py
