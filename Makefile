# The one entry point. `make run` serves the app on the embedded default
# (SQLite, no Redis); `make test` runs the whole suite (DATABASE_URL and
# REDIS_URL are used when set).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# What docker-compose.yml gives the web service, for the deploy check.
PROD_ENV := ENVIRONMENT=production SECRET_KEY=check-only-$(shell printf '%064d' 0 | tr 0 x)-key-for-deploy-check \
	ALLOWED_HOSTS=ledningssystem.example.se DATABASE_URL=sqlite:///$(CURDIR)/var/check.sqlite3

.PHONY: run test lint fmt check messages install compilemessages worker clean

$(STAMP): pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

compilemessages: $(STAMP)
	$(BIN)/python manage.py compilemessages --ignore '.venv' -v 0

run: install compilemessages
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@echo "Ledningssystem: open http://$(HOST):$(PORT) and log in as e.g. medarbetare / demo"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install compilemessages
	@[ -x /usr/bin/chromium ] || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		echo "Installing Chromium for the browser tests ..." && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
		echo "Chromium is missing: browser tests will be skipped (apt-get install chromium)."
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: install
	@mkdir -p var
	$(PROD_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run

messages: install
	$(BIN)/python manage.py makemessages -l sv --ignore '.venv/*' --ignore 'var/*' --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore '.venv' -v 0

worker: install
	$(BIN)/celery -A ledningssystem worker --loglevel INFO

clean:
	rm -rf $(VENV) var db.sqlite3
