# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
TORCH_VERSION ?= 2.13.0

.PHONY: install demo test test-fast lint benchmark clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# CPU build of torch first (on this machine it installs from local disk in seconds);
	# a GPU user installs the CUDA build instead before `pip install -e ".[dev]"`.
	$(BIN)/python -m pip install --quiet torch==$(TORCH_VERSION)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Classify sample texts in Arabic, English and French with the built-in model.
demo: install
	$(BIN)/python examples/demo.py

# Every test, the slow ones (shared corpora, training) included.
test: install
	$(BIN)/python -m pytest -q

# Unit tests only: seconds, no corpora.
test-fast: install
	$(BIN)/python -m pytest -q -m "not slow"

# Lint (the library, tests, benchmark scripts, examples, data scripts) and type check (CI runs
# this before the tests): import order, complexity, mypy.
lint: install
	$(BIN)/ruff check extremism_nlp tests benchmarks examples data
	$(BIN)/mypy

benchmark: install
	$(BIN)/python benchmarks/bench_corpus.py
	$(BIN)/python benchmarks/bench_speed.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
