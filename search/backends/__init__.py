"""Where articles are kept, one sub-package per engine: `xapian/` holds the Xapian shards
(served by `xapian-tcpsrv`). The embedded Whoosh index is the rest of `search/`."""
