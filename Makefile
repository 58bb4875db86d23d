# The two commands in the README: `make run` (the app on embedded defaults, with demo
# data) and `make test` (the whole suite). Everything else supports those two.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

# The first interpreter that is Python 3.12 or newer.
PYTHON := $(shell for p in python3.14 python3.13 python3.12 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	echo $$p; break; fi; done)

.PHONY: install run test chromium lint format worker beat migrate demo check-deploy clean \
	loadtest loadtest-faults

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "Python 3.12 or newer is needed (tried python3.14, python3.13, python3.12, python3)." >&2; \
		exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/python manage.py migrate --no-input

demo: migrate
	$(BIN)/python manage.py seed_demo

run: demo
	@mkdir -p var
	$(BIN)/honcho start -f Procfile.dev

worker: install
	$(BIN)/celery -A config worker --loglevel=INFO

beat: install
	$(BIN)/celery -A config beat --loglevel=INFO

# The browser tests drive Debian's Chromium (Playwright's own download is not used).
# Installed here when missing and we may; otherwise say how to skip them.
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing Debian's chromium for the browser tests"; \
			apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "Chromium is missing: install it (apt-get install chromium), or run" \
				"make test PYTEST_ARGS=\"-m 'not browser'\" to skip the browser tests." >&2; \
		fi; \
	fi

test: install $(if $(findstring not browser,$(PYTEST_ARGS)),,chromium)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-deploy: install
	DEBUG=0 SECRET_KEY=check-deploy-$$(head -c 48 /dev/urandom | base64 | tr -d '/+=') \
	ALLOWED_HOSTS=mentoring.example.org \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

# Load and fault figures (issue 17; README "Load and faults"): minutes each, never in CI.
# They need PostgreSQL and Redis on 127.0.0.1; the fault run restarts both.
$(VENV)/.installed-load: pyproject.toml | $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev,load]'
	@touch $@

loadtest: $(VENV)/.installed-load
	$(BIN)/python -m tests.load.run $(LOAD_ARGS)

loadtest-faults: $(VENV)/.installed-load
	$(BIN)/python -m tests.load.faults $(LOAD_ARGS)

clean:
	rm -rf var/broker var/pw var/mail var/celerybeat-schedule*
