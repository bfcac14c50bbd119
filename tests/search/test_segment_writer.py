"""Segments written and merged a posting list at a time read as those Whoosh writes."""

from __future__ import annotations

from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.reading import SegmentReader

from search.backends.whoosh.index import IndexWriterSession, open_index, open_or_create_index
from search.backends.whoosh.segment_writer import MergingWriter, SegmentWriter
from search.documents import Article

SENTENCES = [
    "长江十年禁渔进入第五年，江豚种群数量稳步回升。",
    "山区县城迈入高铁时代，旅客出行更加方便。",
    "秋粮上市以来，各地粮库开足马力收购。",
    "社区书屋开放，居民家门口就能读书。",
]


def _article(n: int) -> Article:
    body = "".join(SENTENCES[(n + k) % len(SENTENCES)] for k in range(1 + n % 3))
    return Article(
        id=f"m{n:04d}",
        title=f"第{n}号稿件",
        text=body + f"编号{n}",
        source=["新华社", "人民网"][n % 2],
        category="时政" if n % 5 else None,
    )


def _index_of_segments(index_dir: Path, sizes: list[int], deleted: set[int]) -> None:
    """Segments of these sizes (one commit each), then the given articles deleted."""
    index = open_or_create_index(index_dir)
    n = 0
    for size in sizes:
        with IndexWriterSession(index, commit_every=10**9, merge=False) as session:
            for _ in range(size):
                session.add(_article(n))
                n += 1
    with IndexWriterSession(index, commit_every=10**9, merge=False) as session:
        session.delete([f"m{n:04d}" for n in sorted(deleted)])


def _merge(index_dir: Path, into: Path, by_blocks: bool) -> None:
    index = open_index(index_dir)
    toc = index._read_toc()
    into.mkdir()
    merged = whoosh_index.create_in(str(into), toc.schema, indexname=index.indexname)
    writer = MergingWriter(merged) if by_blocks else merged.writer()
    readers = [SegmentReader(index.storage, toc.schema, s) for s in toc.segments]
    for reader in readers:
        writer.add_segment(reader) if by_blocks else writer.add_reader(reader)
    writer.commit(merge=False)
    for reader in readers:
        reader.close()


def _blocks(matcher) -> list[tuple]:
    """The posting list's blocks as a reader sees them: size, last id, statistics."""
    blocks = []
    while matcher.is_active():
        blocks.append(
            (
                matcher._blocklength,
                matcher.block_max_id(),
                matcher.block_max_weight(),
                matcher.block_min_length(),
                matcher.block_max_length(),
            )
        )
        matcher._next_block()
    return blocks


def _contents(index_dir: Path) -> dict:
    """Everything a reader can read of a one-segment index."""
    index = open_index(index_dir)
    reader = index.reader()
    assert isinstance(reader, SegmentReader)
    schema = index.schema
    docs = range(reader.doc_count_all())
    contents = {
        "stored": [reader.stored_fields(d) for d in docs],
        "lengths": {f: [reader.doc_field_length(d, f) for d in docs] for f in ("title", "text")},
        "totals": {f: reader.field_length(f) for f in ("title", "text")},
        "columns": {
            f: list(reader.column_reader(f)) for f in schema.names() if reader.has_column(f)
        },
        "terms": {},
    }
    for fieldname, text in reader.all_terms():
        info = reader.term_info(fieldname, text)
        matcher = reader.postings(fieldname, text)
        listed = []
        while matcher.is_active():
            listed.append((matcher.id(), matcher.weight(), matcher.value()))
            matcher.next()
        matcher = reader.postings(fieldname, text)
        assert isinstance(matcher, W3LeafMatcher)
        contents["terms"][fieldname, text] = (
            info.weight(),
            info.doc_frequency(),
            info.min_length(),
            info.max_length(),
            info.max_weight(),
            info.min_id(),
            info.max_id(),
            listed,
            _blocks(matcher),
        )
    reader.close()
    return contents


def test_a_merge_by_blocks_reads_as_whooshs_own_merge_deletions_and_long_lists_included(
    tmp_path,
):
    # Segments of 1 to 300 articles: terms in one segment or in all, lists of one posting
    # and of several blocks (Whoosh cuts them at 128); deletions in two of the segments,
    # including every article that holds some terms.
    _index_of_segments(tmp_path / "ix", [40, 1, 300, 7, 150], deleted={3, 5, 41, 200, 201, 496})
    _merge(tmp_path / "ix", tmp_path / "whoosh", by_blocks=False)
    _merge(tmp_path / "ix", tmp_path / "blocks", by_blocks=True)

    expected = _contents(tmp_path / "whoosh")
    merged = _contents(tmp_path / "blocks")
    assert len(merged["stored"]) == 498 - 6
    assert max(len(t[8]) for t in merged["terms"].values()) >= 3  # lists of several blocks
    assert ("id", b"m0003") not in merged["terms"] and ("id", b"m0004") in merged["terms"]
    for part in ("stored", "lengths", "totals", "columns"):
        assert merged[part] == expected[part], part
    assert merged["terms"].keys() == expected["terms"].keys()
    for term, seen in merged["terms"].items():
        assert seen == expected["terms"][term], term


def test_a_merged_segment_is_searched_as_the_segments_it_replaces(tmp_path):
    from search.backends.whoosh.engine import SearchEngine

    _index_of_segments(tmp_path / "ix", [30, 30, 30], deleted={2, 33})
    before = SearchEngine(tmp_path / "ix")
    queries = ["江豚", '"高铁时代"', "粮库 收购", "第7号稿件", "来源:新华社"]
    expected = {q: before.search(q, size=100) for q in queries}
    _merge(tmp_path / "ix", tmp_path / "blocks", by_blocks=True)
    after = SearchEngine(tmp_path / "blocks")
    assert after.stats().articles == 88
    for query in queries:
        found = after.search(query, size=100)
        assert found.total == expected[query].total > 0, query
        assert {h.id for h in found.hits} == {h.id for h in expected[query].hits}, query


def test_a_segment_written_a_list_at_a_time_reads_as_whooshs_own(tmp_path):
    from whoosh import writing

    from search.backends.whoosh.index import article_fields
    from search.schema import build_schema

    contents = []
    for writer_class in (writing.SegmentWriter, SegmentWriter):
        folder = tmp_path / writer_class.__module__
        folder.mkdir()
        writer = writer_class(whoosh_index.create_in(str(folder), build_schema()))
        for n in range(300):
            writer.add_document(**article_fields(_article(n)))
        writer.commit(merge=False)
        contents.append(_contents(folder))
    whooshs, ours = contents
    assert max(len(t[8]) for t in ours["terms"].values()) >= 3  # lists of several blocks
    assert ours == whooshs
