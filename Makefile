# Everything installs into .venv at the repository root; only python3 (≥ 3.11) is assumed.
VENV := .venv
UV := $(VENV)/bin/uv
BIN := $(VENV)/bin
UV_VERSION := $(shell sed -n '/^name = "uv"$$/{n;s/version = "\(.*\)"/\1/p;}' uv.lock)

.PHONY: setup demo test lint bench bench-concurrency bench-workers clean bench-longevity bench-creditpool bench-csv bench-csv-small bench-meter-storage bench-cluster

$(UV):
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet --compile-bytecode
	$(BIN)/python -m compileall -q src  # bytecode even where PYTHONDONTWRITEBYTECODE is set
	touch $@

setup: $(VENV)/.synced

demo: setup
	$(BIN)/gzvpp demo

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

bench: setup
	$(BIN)/python bench/run.py

# wrk (Debian's package) drives the steady load of bench/concurrency.py.
WRK := command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)

bench-concurrency: setup
	$(WRK)
	$(BIN)/python bench/concurrency.py
	$(BIN)/python bench/concurrency.py --postgres

# The console, bids and OpenADR phases on PostgreSQL with 1, 2 and 4 server processes.
bench-workers: setup
	$(WRK)
	for n in 1 2 4; do $(BIN)/python bench/concurrency.py --postgres --no-overload --workers $$n; done

# Bytes per account-day and upload throughput of meter data on PostgreSQL (docs/scale.md).
bench-meter-storage: setup
	$(BIN)/python bench/meter_storage.py

# gzvpp evaluate --cluster on a 2-worker LocalCluster next to the single process (docs/scale.md);
# ARGS=--big for 100,000 accounts.
bench-cluster: setup
	$(BIN)/python bench/cluster.py $(ARGS)

bench-longevity: setup
	$(BIN)/python bench/longevity.py

bench-creditpool: setup
	$(BIN)/python bench/creditpool.py

# The same data as CSV meter exports; and the everyday file, 80 accounts over two years.
bench-csv: setup
	$(BIN)/python bench/run.py --format csv

bench-csv-small: setup
	$(BIN)/python bench/run.py --format csv --accounts 80 --days 730 --events 150 --awards 3000

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
