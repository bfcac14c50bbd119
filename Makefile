# The two set-up commands of the README: `make demo` and `make test`.
VENV ?= .venv
PORT ?= 8000
INDEX ?= index
BIN = $(VENV)/bin

.PHONY: demo test lint browser xapian bench-quality

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

# The Xapian shards' tests use Debian's bindings (python3-xapian) and xapian-tcpsrv
# (xapian-tools): installed here when missing and apt-get can be used, and the bindings linked
# into the virtual environment (they are built for Debian's Python 3.11, which the venv's
# must match); otherwise those tests skip.
XAPIAN_BINDINGS = /usr/lib/python3/dist-packages/xapian
xapian: $(BIN)/zhsearch
	@if [ ! -d $(XAPIAN_BINDINGS) ] || ! command -v xapian-tcpsrv >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-xapian xapian-tools >/dev/null; \
	  else echo "python3-xapian or xapian-tools missing and not root: Xapian tests will skip"; fi; \
	fi
	@if [ -d $(XAPIAN_BINDINGS) ]; then \
	  ln -sfn $(XAPIAN_BINDINGS) "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/xapian"; \
	fi

test: lint browser xapian  ## lint, then every test (screenshots in artifacts/screenshots)
	$(BIN)/python -m pytest
