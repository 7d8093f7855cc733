# Two commands on a fresh machine with Python 3.11+: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app wsgi

export HUB_ENV ?= development

.PHONY: venv run test test-browser bench bench-load lint translations messages db-upgrade clean

venv: $(STAMP) translations

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Compiled catalogues are built, never committed.
translations: $(STAMP)
	@for dir in hub/translations $(wildcard hub/*/translations); do \
	  $(BIN)/pybabel compile -d "$$dir" >/dev/null || exit 1; \
	done

# Re-extract the strings after changing templates or code, then translate the new ones in the .po files.
# Which domain has which catalogue is said once, in hub/domains: the shared catalogue (hub/translations) holds the
# strings of the domains without their own, of the API, base templates and seeds, and every string that several
# catalogues' sources use; each other domain's hub/<domain>/translations holds the strings only it uses.
DOMAIN_I18N = $(shell $(BIN)/python -m hub.domains --i18n-domains)

messages: $(STAMP)
	$(BIN)/python -m hub.domains --write-pots
	$(BIN)/pybabel update -i hub/translations/messages.pot -d hub/translations --no-fuzzy-matching
	@for d in $(DOMAIN_I18N); do \
	  if [ -f hub/$$d/translations/ja/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel update -i hub/$$d/translations/messages.pot -d hub/$$d/translations --no-fuzzy-matching; \
	  else $(BIN)/pybabel init -i hub/$$d/translations/messages.pot -d hub/$$d/translations -l ja; fi; \
	done

db-upgrade: venv
	$(FLASK) db upgrade

run: venv
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	@echo ""
	@echo "Demo accounts (email / password):"
	@cat instance/demo-accounts.txt 2>/dev/null || echo "  (none: the database already had its accounts)"
	@echo ""
	@echo "Serving on http://127.0.0.1:$(PORT)  (Ctrl-C stops)"
	$(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers 2 --access-logfile - 'wsgi:app'

# The whole suite. Browser tests run when /usr/bin/chromium exists (CI installs it and runs them separately
# with test-browser, where a missing browser is a failure); HUB_SKIP_BROWSER=1 leaves them out.
test: venv
	$(BIN)/python -m pytest $(if $(HUB_SKIP_BROWSER),-m "not browser") --cov --cov-report=term:skip-covered -q

test-browser: venv
	HUB_REQUIRE_BROWSER=1 $(BIN)/python -m pytest -m browser -q -p no:cacheprovider

bench: venv
	$(BIN)/python -m bench

# The hub under gunicorn + wrk beside a hello-world app (bench/README.md); e.g. BENCH_LOAD_ARGS="--big" or "--in-process".
bench-load: venv
	$(BIN)/python -m bench.load $(BENCH_LOAD_ARGS)

lint: venv
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) instance/hub.sqlite3 .pytest_cache .coverage
