"""The order of articles that rank equal: by a hash of their id, whatever segment holds them.

BM25 gives many articles the very same score (the same count of a word in texts whose lengths
Whoosh keeps in the same byte), and dates tie by the day. Ordered by document number, equals
came in the order they were indexed — so an archive indexed in one run and the same archive
indexed in many runs and updated showed different pages. A hash of the id is the same on both,
spreads a source's articles (ids often count up), and the same for every worker. The Whoosh
index reads the keys of tied articles from its segments (`search.backends.whoosh.tie_keys`);
the Xapian shards keep each article's in its sort keys.
"""

from __future__ import annotations

import hashlib


def id_key(article_id: str) -> int:
    """An article's place among equals (a 63-bit hash of its id)."""
    digest = hashlib.blake2b(article_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1
