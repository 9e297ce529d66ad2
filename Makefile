# Two commands: `make lab` (set up and open JupyterLab) and `make test` (the whole suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LAB_PORT ?= 8888
DATA_DIR ?= generated/default
WORKSHOP_DIR ?= workshop
PYTEST_ARGS ?=
SLOW ?= $(CI)
# Tools the suite starts by name (nbgrader runs `alembic`, Jupyter finds its kernels) come from the venv.
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: lab test venv data lint format bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "cadrelab needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

data: $(STAMP)
	$(BIN)/cadrelab data generate --seed 1 --out $(DATA_DIR)

lab: data
	$(BIN)/cadrelab workshop init $(WORKSHOP_DIR)
	$(BIN)/cadrelab lab --port $(LAB_PORT)

# The long tests (marked slow: the 30-trainee hub, every real exercise graded, the staffing
# course for 40 trainees, ...) run in CI, where CI is set, or with `make test SLOW=1`.
test: $(STAMP)
	$(BIN)/python -m pytest $(if $(SLOW),,-m 'not slow') $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_data.py
	$(BIN)/python benchmarks/bench_sim.py
	$(BIN)/python benchmarks/bench_autograde.py

clean:
	rm -rf $(VENV) generated .pytest_cache .ruff_cache .hypothesis
