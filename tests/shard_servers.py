"""What the tests of the Xapian backend share: whether Xapian is here to test with."""

from __future__ import annotations

import os
import shutil

import pytest

from search.backends.xapian import XapianMissing, import_xapian


def require_xapian() -> None:
    """Skip the calling tests where Debian's python3-xapian or xapian-tools are missing
    (`make test` installs them when it runs as root), or fail them where
    ZHSEARCH_REQUIRE_XAPIAN is set (CI sets it)."""
    missing = "" if shutil.which("xapian-tcpsrv") else "xapian-tcpsrv is not installed"
    try:
        import_xapian()
    except XapianMissing as exc:
        missing = str(exc)
    if missing:
        if os.environ.get("ZHSEARCH_REQUIRE_XAPIAN"):
            pytest.fail(f"Xapian tests required but {missing}")
        pytest.skip(missing)
