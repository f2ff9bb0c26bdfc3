# Wijkmonitor Veerkrachtige Wijken — the two commands:
#   make run   installs everything and starts the app on http://localhost:8501
#   make test  installs everything (incl. Chromium and PostgreSQL) and runs the whole test suite
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB := data/wijkmonitor.sqlite
# The programme data (targets, decisions, participation, decks, change log): its own file, which no build, `make db`
# or `make clean` touches. Only `make wipe-programma` removes it.
PROGRAMME_DB := data/wijkmonitor-programma.sqlite
DATA_INPUTS := $(shell find data -type f \( -name '*.csv' -o -name '*.parquet' -o -name '*.json' -o -name '*.geojson' -o -name '*.topojson' -o -name '*.toml' \))
# The metric store is computed at build time: the metrics code, the catalog and the programme configuration are
# inputs of the database too.
LOADER_CODE := $(wildcard loaders/*.py metrics/*.py metrics/*.yaml wijkmonitor/*.py) config/programme.toml
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

AXE := node_modules/axe-core/axe.min.js

.PHONY: run test deps system-deps db bench clean wipe-programma

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

deps: $(BIN)/.installed

# Production install (docs/deploy.md): the runtime requirements only — no pytest, Playwright or browser, no
# PostgreSQL server, no npm. `make test` (deps) still installs everything.
.PHONY: install
$(BIN)/.runtime: requirements.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

install: $(BIN)/.runtime

# axe-core for the accessibility browser test (tests/browser/test_accessibility.py), from the npm registry at
# the version in package-lock.json. Test-only: the app itself needs no JavaScript packages.
$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian packages the tests need: Chromium for the browser tests, PostgreSQL for the database tests, npm for axe-core,
# poppler-utils to look at exported PDFs, nginx for the replicas-behind-a-proxy test (tests/test_deploy.py runs
# its own nginx on loopback; the system service is not used), systemd-analyze and openssl for the runbook test
# (tests/test_runbook.py: unit files, self-signed certificate). Installed only when absent.
system-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	fc-list 2>/dev/null | grep -qi dejavu || missing="$$missing fonts-dejavu-core"; \
	command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	command -v systemd-analyze >/dev/null 2>&1 || missing="$$missing systemd"; \
	command -v openssl >/dev/null 2>&1 || missing="$$missing openssl"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

# The embedded SQLite database, rebuilt when missing or older than its inputs.
$(DB): $(BIN)/.installed $(DATA_INPUTS) $(LOADER_CODE)
	DATABASE_URL=sqlite:///$(CURDIR)/$(DB) $(BIN)/python -m wijkmonitor build
	touch $@

db: $(DB)

run: $(DB)
	DATABASE_URL=$${DATABASE_URL:-sqlite:///$(CURDIR)/$(DB)} $(BIN)/streamlit run app.py --server.port 8501

# The suite runs on 3 pytest-xdist workers, whole files per worker, the slowest files handed out first
# (tests/conftest.py: SLOW_FILES_FIRST); the tests wait on browsers, servers and subprocesses enough for 3 to beat 2
# on 2 cores. PYTEST_ARGS comes after and wins: `make test PYTEST_ARGS="-n 0"` runs serially,
# `make test PYTEST_ARGS="-n 0 tests/test_store.py"` one file.
PYTEST_XDIST ?= -n 3 --dist loadfile --no-loadscope-reorder

test: deps system-deps
	@$(MAKE) --no-print-directory $(AXE)
	@set -euo pipefail; \
	PG_URL=$$(scripts/pg.sh start); \
	trap 'scripts/pg.sh stop' EXIT; \
	WIJKMONITOR_TEST_PG_URL=$$PG_URL $(BIN)/python -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

bench: $(DB)
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) $(DB) $(DB)-wal $(DB)-shm test-output node_modules

# Deletes ALL programme data of the embedded database (targets, decisions, participation, decks, change log),
# without asking. Make a backup first: .venv/bin/python -m wijkmonitor backup --out programma-backup.zip
wipe-programma:
	rm -f $(PROGRAMME_DB) $(PROGRAMME_DB)-wal $(PROGRAMME_DB)-shm
