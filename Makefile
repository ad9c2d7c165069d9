# The two commands that matter: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install migrate seed serve lint frontend clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/portal db upgrade

seed: migrate
	$(BIN)/portal seed-demo

# Workers follow RATELIMIT_STORAGE_URI (gunicorn.conf.py): one worker with threads for memory://, several for Redis.
run: seed
	@echo "Serving on http://$(HOST):$(PORT) (Ctrl+C to stop)"
	$(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) --access-logfile - 'portal:create_app()'

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check portal tests migrations

# Rebuild the committed GOV.UK Frontend assets (needs Node; running and testing do not).
frontend:
	frontend/build.sh

# Load-test the main pages against a national-scale data set (seeded once, the first time: ~10 minutes).
# PostgreSQL: make bench BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_national
BENCH_DIR ?= /tmp/national
BENCH_DATABASE_URL ?= sqlite:///$(BENCH_DIR)/portal.sqlite3
BENCH_PRACTITIONERS ?= 100000
BENCH_ARGS ?=
.PHONY: bench
bench: install
	mkdir -p $(BENCH_DIR)
	PORTAL_ENV=development PORTAL_INSTANCE_PATH=$(BENCH_DIR) $(BIN)/python bench/national_bench.py \
		--database-url '$(BENCH_DATABASE_URL)' --instance-path $(BENCH_DIR) \
		--seed-if-missing $(BENCH_PRACTITIONERS) --json $(BENCH_DIR)/bench-$(firstword $(subst :, ,$(BENCH_DATABASE_URL))).json \
		$(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
