"""Headless Debian Chromium driven by Playwright, against a real `zhsearch serve`.

Where Chromium is missing these tests skip, unless ZHSEARCH_REQUIRE_BROWSER is set (CI sets
it, so a broken browser set-up fails there instead of passing quietly).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from tests.server import ROOT, running_server

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def chromium_path() -> str | None:
    return os.environ.get("ZHSEARCH_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    missing = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "playwright is not installed"
    if executable is None:
        missing = "Debian's chromium is not installed"
    if missing:
        if os.environ.get("ZHSEARCH_REQUIRE_BROWSER"):
            pytest.fail(f"browser tests required but {missing}")
        pytest.skip(missing)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module", params=["whoosh", "xapian"])
def demo_server(request):
    """`zhsearch serve` over the bundled corpus: in the Whoosh index, and in three Xapian
    shards (the page's tests run on both backends)."""
    if request.param == "whoosh":
        home, args = request.getfixturevalue("demo_index"), ()
    else:
        home, shards = request.getfixturevalue("demo_shards")
        args = ("--backend", "xapian", "--shards", shards)
    with running_server(home, args=args) as server:
        server.shot_suffix = "" if request.param == "whoosh" else "-xapian"  # screenshots' names
        # Suggestions come from a lexicon built in the background after start: these tests
        # type into the box, so they begin once it is there, however busy the machine is.
        deadline = time.monotonic() + 120
        while not json.loads(server.get("/api/suggest?q=bu")[1])["suggestions"]:
            assert time.monotonic() < deadline, "the server built no suggestion lexicon"
            time.sleep(0.2)
        yield server


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go: $ZHSEARCH_ARTIFACTS, else artifacts/screenshots."""
    folder = Path(os.environ.get("ZHSEARCH_ARTIFACTS", ROOT / "artifacts")) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
