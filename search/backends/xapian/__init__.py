"""The Xapian backend: shards served by `xapian-tcpsrv`, searched as one database.

Xapian's Python bindings are Debian's (`python3-xapian`), not a wheel: `make test` links them
into the virtual environment (README, "Shards").
"""

from __future__ import annotations

from types import ModuleType


class XapianMissing(RuntimeError):
    """Xapian's Python bindings or its `xapian-tcpsrv` are not installed."""


INSTALL_HINT = "make xapian (as root: apt-get install python3-xapian xapian-tools, then a link)"


def import_xapian() -> ModuleType:
    """The `xapian` module, or a clear error saying how to install it."""
    try:
        import xapian
    except ImportError:
        raise XapianMissing(
            f"未安装 Xapian 的 Python 绑定 (Xapian's Python bindings are not installed:"
            f" {INSTALL_HINT})"
        ) from None
    return xapian
