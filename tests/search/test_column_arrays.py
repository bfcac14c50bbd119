"""A segment's columns read whole give what Whoosh reads document by document."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
from whoosh.util.times import long_to_datetime

from search.backends.whoosh import column_arrays
from search.backends.whoosh.index import IndexWriterSession, open_or_create_index
from search.backends.whoosh.segment_reader import open_segment
from search.documents import Article

ARTICLES = [
    Article("d1", "北京大学迎来新生", "新生入学。", source="示例日报", category="教育",
            date=datetime(2024, 9, 1, 9, 0)),
    Article("d2", "", "没有标题的一篇。", source="样例晚报", date=datetime(1900, 2, 28, 23, 59)),
    Article("d3", "没有来源", "一篇没有来源也没有日期的文章。" * 40),
    Article("d4", "上海港", "长江口的港口。", source="示例日报", category="经济",
            date=datetime(2026, 12, 31, 23, 59, 59)),
    Article("d5", "闰日", "二月二十九日。", source="Ünïcode 来源", category="教育",
            date=datetime(2024, 2, 29)),
    # Last, with no date: Whoosh writes a column only up to its last value.
    Article("d6", "最后一篇", "没有日期。", source="样例晚报"),
]  # fmt: skip


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    index = open_or_create_index(tmp_path_factory.mktemp("columns"))
    with IndexWriterSession(index) as session:
        for article in ARTICLES:
            session.update(article)
    with IndexWriterSession(index) as session:  # a deletion in the segment
        session.delete(["d4"])
    (segment,) = index._segments()
    reader = open_segment(index.storage, index.schema, segment)
    assert reader.has_deletions()
    yield reader
    reader.close()


def test_field_lengths_are_whooshs_for_every_document_deleted_ones_too(reader):
    for field in ("title", "text"):
        expected = [reader.doc_field_length(d, field, 0) or 0 for d in range(len(ARTICLES))]
        assert column_arrays.field_lengths(reader, field).tolist() == expected
    assert column_arrays.field_lengths(reader, "no such field").tolist() == [0] * len(ARTICLES)


def test_text_columns_give_the_values_whoosh_reads_as_codes_of_sorted_names(reader):
    for field in ("source", "category"):
        names, codes = column_arrays.codes(reader, field)
        expected = [value or "" for value in reader.column_reader(field)]
        assert names == sorted(set(expected))
        assert [names[c] for c in codes] == expected and codes.dtype == np.int32


def test_dates_give_whooshs_values_days_and_years(reader):
    column = reader.column_reader("date", translate=False)
    raw = column_arrays.numbers(column, len(ARTICLES), np.uint64)
    assert raw.tolist() == list(column)  # the last article's default included
    dated = raw[raw <= 2**63]
    days, years = column_arrays.days_and_years(dated)
    expected = [long_to_datetime(int(value)).date() for value in dated]
    assert days.tolist() == [day.toordinal() for day in expected]
    assert years.tolist() == [day.year for day in expected]
