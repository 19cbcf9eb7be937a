PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-postgres demo bench lint install catalogs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/microfilm-bot run

test: $(STAMP)
	$(BIN)/python -m pytest -q

# The same suite on a throw-away PostgreSQL server (needs the server binaries: apt-get install postgresql).
test-postgres: $(STAMP)
	$(BIN)/python -m bot.testing.postgres -- $(BIN)/python -m pytest -q

demo: $(STAMP)
	$(BIN)/microfilm-bot demo

bench: $(STAMP)
	$(BIN)/python -m bench

# The Traditional Chinese catalogs (zh-Hant.po), made from the Simplified ones after those change.
catalogs: $(STAMP)
	$(BIN)/python -m bot.i18n.traditional tests/discord_locales

lint: $(STAMP)
	$(BIN)/ruff check bot cogs tests bench
	$(BIN)/mypy bot cogs
