"""Where articles are kept, one sub-package per engine: `whoosh/`, the embedded index in a
folder (the default), and `xapian/`, shards served by `xapian-tcpsrv`.

Both answer the calls of `interface.SearchBackend` (and write through an
`interface.WriterSession`), so the web layer and the command line take whichever
`open_engine` gives them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .interface import SearchBackend

BACKENDS = ("whoosh", "xapian")


class UnknownBackend(ValueError):
    pass


def open_engine(index_dir: Path, backend: str = "whoosh", shards: str = "") -> SearchBackend:
    """The search engine of a backend: the Whoosh index in `index_dir`, or the Xapian shards
    `shards` (host:port,…) with `index_dir` as the folder of the frontend's own files
    (synonyms, keys, the search log)."""
    if backend == "whoosh":
        from .whoosh.engine import SearchEngine

        return SearchEngine(Path(index_dir))
    if backend == "xapian":
        from .xapian.engine import XapianEngine
        from .xapian.shards import parse_shards

        addresses = parse_shards(shards)
        Path(index_dir).mkdir(parents=True, exist_ok=True)
        return XapianEngine(addresses, home=Path(index_dir))
    raise UnknownBackend(f"未知的后端 (unknown backend {backend!r}; one of {', '.join(BACKENDS)})")
