"""The write path: a durable journal of acknowledged writes, and the one committer that applies
them to the index (see `journal`, `committer`, `lock` and `route`)."""
