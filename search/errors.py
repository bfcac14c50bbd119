"""The errors about where the articles are that a user can act on: no index there, another run
writing it, or the shards that hold them not answering."""

from __future__ import annotations


class IndexProblem(Exception):
    """Base of the errors about the index itself that a user can act on."""


class IndexNotFound(IndexProblem):
    pass


class IndexLocked(IndexProblem):
    pass


def locked(timeout: float, who: str) -> IndexLocked:
    """The error of a run that waited `timeout` s for the index; `who` says who holds it."""
    return IndexLocked(
        f"另一个索引进程正在写入该索引，等待 {timeout:g} 秒后放弃{who}"
        f" (another indexing run holds the index lock; gave up after {timeout:g} s)"
    )


class ShardsUnavailable(RuntimeError):
    """No shard answered (or, with partial results refused, some shard did not)."""
