# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
#   make run    virtualenv, install, migrate, demo data, serve http://127.0.0.1:8000 (SQLite, eager tasks)
#   make test   virtualenv, install, the whole test suite (PYTEST_ARGS='-m "not browser"' to skip Chromium)
#   make lint   ruff check and ruff format --check
#   make check  lint, bandit (security lint) and pip-audit (known vulnerabilities, where PyPI's service answers)
# PYTHON picks the interpreter (default: pyenv's, from .python-version, else python3); it must be >= 3.12.
SHELL := /bin/bash
PYTHON ?= $(shell command -v pyenv >/dev/null 2>&1 && pyenv which python 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
NEEDS_312 := import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)

.PHONY: run test venv install migrate demo serve periodic lint format check bandit audit messages clean

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ] || ! command -v "$(PYTHON)" >/dev/null 2>&1; then \
		echo "ERROR: no Python interpreter found (PYTHON='$(PYTHON)')." >&2; \
		echo "       Install Python 3.12 (see .python-version) or run: make $(or $(MAKECMDGOALS),test) PYTHON=/path/to/python3.12" >&2; \
		exit 1; \
	fi
	@if ! "$(PYTHON)" -c '$(NEEDS_312)'; then \
		echo "ERROR: Python >= 3.12 is required; $(PYTHON) is $$("$(PYTHON)" -c 'import platform; print(platform.python_version())')." >&2; \
		echo "       Install 3.12 (see .python-version) or run: make $(or $(MAKECMDGOALS),test) PYTHON=/path/to/python3.12" >&2; \
		exit 1; \
	fi
	@if [ -x $(BIN)/python ] && ! $(BIN)/python -c '$(NEEDS_312)'; then \
		echo "$(VENV) was made with an older Python: making it again with $(PYTHON)."; rm -rf $(VENV); \
	fi
	test -x $(BIN)/python || "$(PYTHON)" -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

venv install: $(STAMP)

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

# Idempotent: a second run says the demo exchange exists and changes nothing.
demo: migrate
	$(BIN)/python manage.py seed_demo

# Serve with the embedded defaults; a companion process runs the periodic work (celery beat's stand-in),
# stopped when the server stops.
run: demo
	$(BIN)/python manage.py run_periodic & trap "kill $$! 2>/dev/null" EXIT; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

serve: migrate
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

periodic: migrate
	$(BIN)/python manage.py run_periodic

# pytest's own exit code is kept: 5 (no test collected) fails like any other failure.
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The code checks CI runs before the tests.
check: lint bandit audit

# Medium and high findings fail; an accepted one carries `# nosec <id>` after a comment saying why.
bandit: $(STAMP)
	$(BIN)/bandit -c pyproject.toml -r accounts catalog pricing marketplace --severity-level medium -q

# pip-audit asks PyPI's JSON API, release by release, for known vulnerabilities. Where that service does not
# answer (no network, or a mirror without it) the audit is skipped with a notice instead of passing on nothing.
PYPI_VULNERABILITY_PROBE := import importlib.metadata as m, urllib.request as u; \
	u.urlopen("https://pypi.org/pypi/django/%s/json" % m.version("django"), timeout=10)
audit: $(STAMP)
	@if $(BIN)/python -c '$(PYPI_VULNERABILITY_PROBE)' >/dev/null 2>&1; then \
		echo "$(BIN)/pip-audit --local --skip-editable"; \
		$(BIN)/pip-audit --local --skip-editable --progress-spinner off; \
	else \
		echo "NOTICE: pip-audit skipped: PyPI's vulnerability service (https://pypi.org/pypi/<name>/<version>/json) is not reachable from here."; \
	fi

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=var
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var
