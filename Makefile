# The product's commands. `make run` and `make test` work on a fresh machine with only Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WEB_WORKERS ?= 3
CELERY_CONCURRENCY ?= 2
export ALLOWED_HOSTS ?= 127.0.0.1,localhost,[::1],$(HOST)
# Request lines up to gunicorn's maximum (long `q`s; longer ones go through POST …/search); header fields twice
# that, so a Referer holding such a URL still fits. Beyond these gunicorn answers its own HTML 414 or 400.
GUNICORN_LIMITS := --limit-request-line 8190 --limit-request-field_size 16380
GUNICORN = $(BIN)/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers $(WEB_WORKERS) $(GUNICORN_LIMITS)

.PHONY: install run serve test test-fast fmt lint migrate worker clean mutate

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

# Web server and Celery worker side by side; Ctrl-C stops both within seconds (tools/run.py). The demo may send
# webhooks to a receiver on this machine (loopback and private addresses are refused otherwise).
run: export WEBHOOKS_ALLOW_PRIVATE_URLS ?= true
run: migrate
	$(BIN)/python manage.py seed_demo
	@echo "Serving http://$(HOST):$(PORT)/ (API docs at /api/docs/, admin at /admin/, login admin/admin)"
	@$(BIN)/python tools/run.py --web "$(GUNICORN) --access-logfile - --graceful-timeout 3" \
		--worker "$(BIN)/celery -A config worker --beat --loglevel=WARNING --concurrency=$(CELERY_CONCURRENCY)"

# The production web server alone: no demo data, no worker (docs/operations.md); reads HOST, PORT, DATABASE_URL.
serve: migrate
	$(GUNICORN)

worker: install
	$(BIN)/celery -A config worker --loglevel=INFO

lint: install
	$(BIN)/ruff check .

# The suite in one process per core (pytest-xdist; docs/testing.md, "Suite time"). TEST_PROCESSES=0 runs it in one.
TEST_PROCESSES ?= auto
test: lint
	$(BIN)/pytest -n $(TEST_PROCESSES)

# Mutation testing of the business rules, run by hand (about three hours for every area; docs/testing.md).
# `make mutate AREAS="split statuses"` for some areas, MUTATE_ARGS=--survivors to retry only what survived.
mutate: install
	nice -n 10 $(BIN)/python tools/mutate.py $(AREAS) $(MUTATE_ARGS)

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf var/ .pytest_cache .ruff_cache
