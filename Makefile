# The two commands: `make run` and `make test` (see README.md). Nothing else is needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=
# pytest-xdist workers for `make test`: one per core (each gets its own PostgreSQL database).
PYTEST_WORKERS ?= auto

.PHONY: run test lint typecheck pytest bench docs messages clean vendor

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The app and its runtime dependencies.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

# Plus the test tools. The tests' example plugin (tests/example_plugin) is never installed:
# tests/conftest.py puts it on the tests' path, so a server `make run` started never sees it.
# (An older checkout installed it; it is removed.)
$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test]"
	-$(BIN)/pip uninstall --quiet --yes clientele-example 2>/dev/null
	touch $@

run: $(VENV)/.installed
	$(BIN)/clientele init
	$(BIN)/clientele demo --if-empty
	@echo "Admin login (e-mail password): $$(cat $${CLIENTELE_INSTANCE_PATH:-instance}/admin-login.txt 2>/dev/null || echo 'see the output of clientele init above')"
	@echo "Open http://127.0.0.1:5000 (the job worker runs beside it; Ctrl-C stops both)"
	$(BIN)/clientele run --with-worker --host 127.0.0.1 --port 5000

test: lint typecheck pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check core plugins tests bench
	$(BIN)/ruff format --check core plugins tests bench

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

pytest: $(VENV)/.installed-test
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

bench: $(VENV)/.installed-test
	$(BIN)/python -m bench

docs: $(VENV)/.installed-test
	$(BIN)/python -m core.docs_hooks docs/hooks.md

# Translations: extract the marked strings of the core and each plugin into their .po files,
# then compile the .mo files (both are committed; see docs/plugins.md, "Translating a plugin").
messages: $(VENV)/.installed
	$(BIN)/python -m core.catalogs update
	$(BIN)/python -m core.catalogs compile

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# Refresh the vendored front-end libraries (core/static/vendor) from the versions pinned in
# package.json / package-lock.json. Needs npm; a clone does not (the copies are committed).
vendor:
	scripts/vendor-static.sh
