# Each target sets up its own virtual environment in .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run lint test screenshots bench bench-server stress clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall whenever the project's dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: $(VENV)/.installed ## open the TUI on the demo database
	$(BIN)/incidents --demo

lint: $(VENV)/.installed ## ruff over the repository, mypy over tui (strict for tui.domain, tui.store)
	$(BIN)/ruff check .
	$(BIN)/mypy tui

test: lint ## lint, then the whole test suite (starts its own PostgreSQL)
	$(BIN)/pytest -q

screenshots: $(VENV)/.installed ## regenerate screenshots/ from the demo data
	$(BIN)/python screenshots/generate.py screenshots

bench: $(VENV)/.installed ## print the benchmark table
	$(BIN)/python -m benchmarks $(if $(PG),--modes sqlite,postgresql,api --pg $(PG))

bench-server: $(VENV)/.installed ## the API's table (PG=postgresql://user@host/postgres adds the PostgreSQL rows)
	$(BIN)/python -m benchmarks.server $(if $(PG),--pg $(PG))

stress: $(VENV)/.installed ## writers at once: lost/duplicated writes (PG=postgresql://user@host/postgres adds PostgreSQL, and two serve on it)
	$(BIN)/python -m benchmarks.stress $(if $(PG),--pg $(PG) --serve 2)

clean:
	rm -rf $(VENV) build dist .pytest_cache
