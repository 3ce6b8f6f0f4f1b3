# One command sets up and runs (`make run`), one runs every test (`make test`).
SHELL := /bin/bash
.DEFAULT_GOAL := run

# Python 3.12+ : on PATH, or under pyenv.
PYTHON ?= $(shell for p in python3.13 python3.12 python3 $$HOME/.pyenv/versions/3.13*/bin/python3 $$HOME/.pyenv/versions/3.12*/bin/python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
# Embedded PostgreSQL and Redis under .data/ unless DATABASE_URL / REDIS_URL are set
# (a failure to start them stops the recipe here, not at the first query).
SERVICES := services_env=$$($(BIN)/python -m safebabies.dev.embedded env) || exit 1; eval "$$services_env"
DEV_ENV := export DEBUG=$${DEBUG:-true} DJANGO_ENV=$${DJANGO_ENV:-development}

.PHONY: setup run test screenshots lint bench loadtest backup restore browser-deps messages services-stop clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed (none found on PATH or under pyenv)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) \
		|| { echo "Could not create $(VENV): on Debian/Ubuntu install python3-venv"; exit 1; }
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[embedded,dev]"
	@touch $@

# The web server, the Celery worker and beat run side by side; when any of them stops (or on
# Ctrl-C / SIGTERM) the others are stopped too, and only the embedded services stay up.
# Two database roles (SECURITY.md "Database roles"): migrations and the demo data run as the
# owner of the tables (DATABASE_URL as given, or the embedded server's superuser); the web
# server, the worker and beat run as safebabies_app, which `grant_app_role` creates and which
# may only add to and read the audit trail. RUN_AS_OWNER=1 keeps one role (an owner that may
# not create roles).
# The one worker of `make run` takes every queue (settings CELERY_TASK_QUEUES); docker-compose.yml
# runs a worker per queue.
CELERY_QUEUES := reminders,exports,cqi,default
run: setup
	@$(SERVICES); $(DEV_ENV); set -e; \
	owner_url="$$DATABASE_URL"; \
	if [ -z "$$RUN_AS_OWNER" ]; then app_url=$$($(BIN)/python -m safebabies.dev.embedded app-url); \
	  export DATABASE_MIGRATE_URL="$$owner_url" DATABASE_URL="$$app_url"; fi; \
	$(BIN)/python manage.py migrate --noinput; \
	if [ -z "$$RUN_AS_OWNER" ]; then $(BIN)/python manage.py grant_app_role \
	  || { echo "Could not set up the application's database role (see above); RUN_AS_OWNER=1 make run runs as one role"; exit 1; }; fi; \
	DATABASE_URL="$$owner_url" $(BIN)/python manage.py seed_demo; \
	mkdir -p .data; pids=""; \
	trap 'trap - EXIT; kill $$pids 2>/dev/null; wait' EXIT; trap 'exit 130' INT; trap 'exit 143' TERM; \
	$(BIN)/celery -A safebabies worker --loglevel INFO --concurrency 2 -Q $(CELERY_QUEUES) & pids="$$pids $$!"; \
	$(BIN)/celery -A safebabies beat --loglevel INFO --schedule .data/celerybeat-schedule & pids="$$pids $$!"; \
	$(BIN)/python manage.py runserver --noreload 127.0.0.1:8000 & pids="$$pids $$!"; \
	echo "Safe Babies is on http://127.0.0.1:8000 (demo logins above; Ctrl-C stops it)"; \
	set +e; wait -n; status=$$?; exit $$status

browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| { echo "Could not install chromium: run 'apt-get install chromium' as root"; exit 1; }; }
	@# WeasyPrint subsets the PDFs' fonts with HarfBuzz when it is there (fontTools otherwise: the
	@# same PDF, slower: README "Benchmarks"); optional, so a machine without apt still tests
	@{ ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset; } || { \
		echo "Installing Debian's libharfbuzz-subset0 (WeasyPrint's font subsetting)"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libharfbuzz-subset0 >/dev/null 2>&1 \
		|| echo "Could not install libharfbuzz-subset0: PDFs are written with fontTools (slower)"; }

# Every test, on every core (pytest-xdist: a test database and a cache prefix per worker);
# TEST_WORKERS=0 runs them in one process.
TEST_WORKERS ?= auto
test: setup browser-deps
	@$(SERVICES); $(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# A picture of every role's key pages at 1280x900 and 1024x768, to look at, in
# tests/browser/screenshots/ (the walk of tests/browser/test_every_page_says_what_it_means.py).
screenshots: setup browser-deps
	@$(SERVICES); KEEP_SCREENSHOTS=1 $(BIN)/python -m pytest \
		tests/browser/test_every_page_says_what_it_means.py $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@$(SERVICES); $(BIN)/mypy safebabies cases teams assessments familytime workforce community cqi
	@bash scripts/lint-rules.sh
	$(BIN)/lint-imports --no-cache
	$(BIN)/python scripts/private_imports.py
	$(BIN)/bandit -q -c pyproject.toml -r safebabies cases teams assessments familytime workforce community cqi
	@PIP_AUDIT=$(BIN)/pip-audit bash scripts/pip-audit.sh
	@$(SERVICES); DEBUG=true DJANGO_ENV=development $(BIN)/python manage.py makemigrations --check --dry-run >/dev/null \
		|| { echo "Models and migrations differ: run manage.py makemigrations"; exit 1; }

bench: setup
	@$(SERVICES); $(BIN)/python -m safebabies.dev.bench

# Simulated people of every role against the benchmark site on gunicorn (README "Load test");
# LOADTEST_USERS, LOADTEST_SECONDS, LOADTEST_CASES, LOADTEST_SPAWN_RATE, LOADTEST_P95_MS,
# LOADTEST_REBUILD; WEB_CONCURRENCY and GUNICORN_THREADS size gunicorn as in production.
loadtest: setup
	@$(SERVICES); $(BIN)/python -m safebabies.dev.loadtest

# Backups (README "Backups and restore"): the database as one pg_dump file (custom format, as
# the tables' owner when DATABASE_MIGRATE_URL is set) and the exports and documents folders as a
# tarball beside it, under BACKUP_DIR. pg_dump must be the server's major version or newer.
BACKUP_DIR ?= .data/backups
backup: setup
	@$(SERVICES); $(DEV_ENV); set -e; stamp=$$(date -u +%Y%m%dT%H%M%SZ); mkdir -p "$(BACKUP_DIR)"; \
	pg_dump --format=custom --file "$(BACKUP_DIR)/safebabies-$$stamp.dump" \
	  --dbname "$${DATABASE_MIGRATE_URL:-$$DATABASE_URL}"; \
	folders=$$(DJANGO_SETTINGS_MODULE=safebabies.settings $(BIN)/python -c \
	  'import django; django.setup(); from django.conf import settings as s; print(s.EXPORT_DIR, s.DOCUMENTS_DIR)'); \
	tar -czPf "$(BACKUP_DIR)/safebabies-files-$$stamp.tar.gz" --ignore-failed-read $$folders; \
	echo "Backed up to $(BACKUP_DIR)/safebabies-$$stamp.dump and safebabies-files-$$stamp.tar.gz"

# A dump into a fresh, empty database, then the migrations of this code over it:
#   make restore DUMP=.data/backups/safebabies-<stamp>.dump TARGET_URL=postgres://owner@host/new
# (then `manage.py grant_app_role` as the owner; the files: tar -xzPf safebabies-files-<stamp>.tar.gz)
restore: setup
	@test -n "$(DUMP)" -a -n "$(TARGET_URL)" \
	  || { echo "make restore DUMP=<file.dump> TARGET_URL=postgres://owner@host/<empty database>"; exit 1; }
	pg_restore --no-owner --no-acl --exit-on-error --jobs 2 --dbname "$(TARGET_URL)" "$(DUMP)"
	@$(SERVICES); $(DEV_ENV); DATABASE_URL="$(TARGET_URL)" DATABASE_MIGRATE_URL= \
	  $(BIN)/python manage.py migrate --noinput

# The Spanish catalogue (locale/es/LC_MESSAGES): new strings from the code and templates into
# django.po, then django.mo compiled from it (GNU gettext: apt-get install gettext). Both are
# committed; tests/test_i18n_family.py checks they agree and that nothing is left untranslated.
messages: setup
	@$(SERVICES); $(DEV_ENV); $(BIN)/python manage.py makemessages -l es --no-location --no-obsolete \
		--ignore=.venv --ignore=.data --ignore=staticfiles --ignore=tests \
		&& $(BIN)/python manage.py compilemessages -l es --ignore=.venv

services-stop:
	-$(BIN)/python -m safebabies.dev.embedded stop

clean: services-stop
	rm -rf $(VENV) .data staticfiles
