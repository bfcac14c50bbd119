"""The embedded backend: a Whoosh index in a folder on this machine, the default.

`engine.py` searches it (tiered ranking over vectorised BM25F, `collect.py`, `vectorized.py`,
`statistics.py`), `index.py` opens it and writes articles into it in committed batches (with
segments built in worker processes, `builders.py`, written by `segment_writer.py` and merged
by `merge_policy.py`), `facet_arrays.py` and `tie_keys.py` read segments' columns for facets and
ties, `segment_cache.py` keeps what is read from a segment while it lives.
"""
