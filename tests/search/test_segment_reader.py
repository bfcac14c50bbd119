"""Readers of a commit keep reading it while later commits remove its segments' files."""

from __future__ import annotations

from search.backends.whoosh.index import (
    IndexWriterSession,
    fresh_reader,
    open_index,
    open_or_create_index,
)
from search.documents import Article


def _two_segments(index_dir):
    index = open_or_create_index(index_dir)
    for n in range(2):
        with IndexWriterSession(index, merge=False) as session:
            for k in range(5):
                session.add(
                    Article(f"a{n}{k}", f"第{n}{k}篇", "江豚种群数量稳步回升", source="新华社")
                )
    return index


def test_a_reader_reads_its_segments_after_a_merge_deleted_their_files(tmp_path):
    index = _two_segments(tmp_path)
    reader = fresh_reader(index)
    names = set(p.name for p in tmp_path.glob("*.col"))

    writer = index.writer()
    writer.commit(optimize=True)  # one merged segment; the two old ones' files are deleted
    assert names.isdisjoint(p.name for p in tmp_path.glob("*.col"))

    # Columns never read before the merge are read now, from the files held open.
    assert sorted(fields["id"] for _, fields in reader.iter_docs()) == sorted(
        f"a{n}{k}" for n in range(2) for k in range(5)
    )
    assert all(reader.doc_field_length(d, "title") > 0 for d in range(10))
    assert list(reader.column_reader("source")) == ["新华社"] * 10
    reader.close()


def test_a_commit_that_removes_segments_while_they_are_opened_is_read_anew(tmp_path, monkeypatch):
    from search.backends.whoosh import index as index_module

    _two_segments(tmp_path)
    real_open = index_module.open_segment
    opened = []

    def removed_once(*args, **kwargs):
        if not opened:
            opened.append("gone")
            raise FileNotFoundError(2, "No such file or directory", "MAIN_x.trm")
        return real_open(*args, **kwargs)

    monkeypatch.setattr(index_module, "open_segment", removed_once)
    reader = fresh_reader(open_index(tmp_path))
    assert opened == ["gone"] and reader.doc_count() == 10
    reader.close()


def test_an_index_whose_commit_is_replaced_as_it_is_opened_opens_the_next(tmp_path, monkeypatch):
    from search.backends.whoosh import index as index_module

    _two_segments(tmp_path)
    real_open_dir = index_module.whoosh_index.open_dir
    tries = []

    def replaced_once(*args, **kwargs):
        tries.append(1)
        if len(tries) <= 2:  # as the index is found, then as it is opened
            raise FileNotFoundError(2, "No such file or directory", "_MAIN_2.toc")
        return real_open_dir(*args, **kwargs)

    monkeypatch.setattr(index_module.whoosh_index, "open_dir", replaced_once)
    assert open_index(tmp_path).doc_count() == 10 and len(tries) == 3
