"""Where articles are kept, one sub-package per engine: `xapian/` holds the Xapian shards
(served by `xapian-tcpsrv`). The embedded Whoosh index is the rest of `search/`.

Both engines answer the same calls — `search`, `ranked_ids`, `document`, `related`,
`suggest`, `terms_to_mark`, `doc_count`, `stats`, `close` — so the web layer and the command
line take whichever `open_engine` gives them.
"""

from __future__ import annotations

from pathlib import Path

BACKENDS = ("whoosh", "xapian")


class UnknownBackend(ValueError):
    pass


def open_engine(index_dir: Path, backend: str = "whoosh", shards: str = ""):
    """The search engine of a backend: the Whoosh index in `index_dir`, or the Xapian shards
    `shards` (host:port,…) with `index_dir` as the folder of the frontend's own files
    (synonyms, keys, the search log)."""
    if backend == "whoosh":
        from search.engine import SearchEngine

        return SearchEngine(Path(index_dir))
    if backend == "xapian":
        from .xapian.engine import XapianEngine
        from .xapian.shards import parse_shards

        addresses = parse_shards(shards)
        Path(index_dir).mkdir(parents=True, exist_ok=True)
        return XapianEngine(addresses, home=Path(index_dir))
    raise UnknownBackend(f"未知的后端 (unknown backend {backend!r}; one of {', '.join(BACKENDS)})")
