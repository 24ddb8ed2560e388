# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench demo clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## make run: start the bot (Socket Mode when SLACK_APP_TOKEN is set, else HTTP on port 3000)
run: $(STAMP)
	$(BIN)/python -m bot serve

## make test: the whole suite on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set
test: $(STAMP)
	$(BIN)/ruff check bot handlers jobs storage tests bench
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check bot handlers jobs storage tests bench

## make bench: the benchmarks behind BENCHMARKS.md
bench: $(STAMP)
	$(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_staff.py
	$(BIN)/python bench/bench_delivery.py --messages 10000 --rate 50 --staff 50000 --runs 3
	$(BIN)/python bench/bench_digest.py

clean:
	rm -rf $(VENV) .pytest_cache
