# The two set-up commands of the README: `make demo` and `make test`.
VENV ?= .venv
PORT ?= 8000
INDEX ?= index
BIN = $(VENV)/bin

.PHONY: demo test lint bench-quality

$(BIN)/zhsearch: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

demo: $(BIN)/zhsearch  ## index the bundled corpus/ and serve the search page
	$(BIN)/zhsearch index --index $(INDEX) corpus
	$(BIN)/zhsearch serve --index $(INDEX) --port $(PORT)

lint: $(BIN)/zhsearch
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint  ## lint, then every test
	$(BIN)/python -m pytest
