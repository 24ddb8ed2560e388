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
	$(BIN)/ruff check bot handlers jobs storage tests bench examples
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check bot handlers jobs storage tests bench examples

## make bench: the benchmarks behind BENCHMARKS.md, at each city size in SIZES (about 42 min for both sizes
## on 2 shared cores; `make bench SIZES=5000` about 8 min)
SIZES ?= 5000 50000
bench: $(STAMP)
	$(BIN)/python bench/bench_import.py --staff $(SIZES)
	$(BIN)/python bench/bench_staff.py --staff $(SIZES) --requests 400
	$(BIN)/python bench/bench_digest.py --staff $(SIZES)
	$(BIN)/python bench/bench_delivery.py --staff $(SIZES) --rate 50 --send-seconds 60 --runs 3
	$(BIN)/python bench/bench_load.py --staff $(SIZES) --rate 50 --seconds 60
	$(BIN)/python bench/bench_community.py --members 5000 --rate 50 --staff $(lastword $(SIZES)) --runs 3

## make demo: a scripted morning against a fake Slack on loopback (no workspace needed), as a transcript
demo: $(STAMP)
	$(BIN)/python examples/demo_morning.py

clean:
	rm -rf $(VENV) .pytest_cache
