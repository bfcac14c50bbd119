# The two set-up commands of the README: `make demo` and `make test`.
VENV ?= .venv
PORT ?= 8000
INDEX ?= index
BIN = $(VENV)/bin

.PHONY: demo test lint browser bench-quality

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

# The browser tests drive Debian's chromium (with CJK fonts for the screenshots); installed
# here when missing and apt-get can be used, otherwise those tests skip.
browser:
	@if ! command -v chromium >/dev/null || ! fc-list | grep -q "Noto Sans CJK"; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else echo "chromium or fonts-noto-cjk missing and not root: browser tests will skip"; fi; \
	fi

test: lint browser  ## lint, then every test (screenshots in artifacts/screenshots)
	$(BIN)/python -m pytest
