"""The `zhsearch` command: index, search, serve."""
