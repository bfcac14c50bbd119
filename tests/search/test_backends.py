"""Every backend answers the calls of `search.backends.interface`, with the same parameters."""

from __future__ import annotations

import inspect

import pytest

from search.backends.interface import SearchBackend, WriterSession
from search.backends.whoosh.engine import SearchEngine
from search.backends.whoosh.index import IndexWriterSession
from tests.shard_servers import require_xapian


def _calls(protocol: type) -> dict[str, list[str]]:
    """The protocol's methods and their parameter names."""
    return {
        name: list(inspect.signature(member).parameters)
        for name, member in vars(protocol).items()
        if callable(member) and (not name.startswith("_") or name in ("__enter__", "__exit__"))
    }


def _engines() -> list[type]:
    require_xapian()
    from search.backends.xapian.engine import XapianEngine

    return [SearchEngine, XapianEngine]


def _sessions() -> list[type]:
    require_xapian()
    from search.backends.xapian.writer import ShardSession

    return [IndexWriterSession, ShardSession]


@pytest.mark.parametrize(
    ("protocol", "backends"), [(SearchBackend, _engines), (WriterSession, _sessions)]
)
def test_every_backend_answers_every_call_with_the_same_parameters(protocol, backends):
    calls = _calls(protocol)
    assert "search" in calls or "update" in calls  # the protocol was read
    for backend in backends():
        for name, parameters in calls.items():
            member = getattr(backend, name, None)
            assert callable(member), f"{backend.__name__} lacks {name}"
            given = list(inspect.signature(member).parameters)
            if name.startswith("__"):  # the with statement's: by position
                assert len(given) == len(parameters), (backend.__name__, name)
                continue
            # the protocol's parameters come first, in its order (a backend may add options)
            assert given[: len(parameters)] == parameters, (backend.__name__, name)
