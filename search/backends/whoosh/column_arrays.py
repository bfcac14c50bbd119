"""A segment's columns read whole, into arrays: field lengths, dates, sources and categories.

Whoosh reads a column one document at a time (a seek, a read and an unpacking each, and a
decoding for text), and the first search after `serve` starts reads every document's field
lengths (for BM25's average length over live articles) and its facets' columns: at 10⁶
articles that first search took 2.5 s (8 s under a profiler, nearly all of it there) and, cut
short by the time limit, answered an empty page. The columns' layouts are simple: a numeric
column is its values, big-endian, one a document up to the last one written (the rest have
its default); a bytes column is its values end to end, then their lengths. They are read
here in one piece each. A column of another kind is read Whoosh's way, document by document.
"""

from __future__ import annotations

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocReader
from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.util.numeric import _length_byte_cache

# What each length byte stands for: Whoosh keeps a field's length in a byte, roughly.
_BYTE_LENGTHS = np.asarray(_length_byte_cache, dtype=np.float64)


def field_lengths(reader, fieldname: str) -> np.ndarray:
    """Every document's length in the field, as BM25F reads it (0 for an empty field)."""
    count = reader.doc_count_all()
    perdoc = getattr(reader, "_perdoc", None)
    if isinstance(perdoc, W3PerDocReader):
        column = perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
        if column is None:
            return np.zeros(count, dtype=np.float64)
        if type(column) is NumericColumn.Reader:
            return _BYTE_LENGTHS[numbers(column, count, np.uint8)]
    lengths = (reader.doc_field_length(d, fieldname, 0) or 0 for d in range(count))
    return np.fromiter(lengths, dtype=np.float64, count=count)


def numbers(column, count: int, dtype) -> np.ndarray:
    """All `count` values of a numeric column, as `dtype` (the column's own type)."""
    if type(column) is not NumericColumn.Reader:
        return np.fromiter(column, dtype=dtype, count=count)
    written = min(column._count, count)
    raw = column._dbfile.get(column._basepos, written * column._fixedlen)
    values = np.full(count, column._default, dtype=dtype)
    values[:written] = np.frombuffer(raw, dtype=np.dtype(column._typecode).newbyteorder(">"))
    return values


def codes(reader, fieldname: str) -> tuple[list[str], np.ndarray]:
    """The distinct values of a text column, sorted ("" among them where a document has none),
    and each document's position among them."""
    count = reader.doc_count_all()
    if not reader.has_column(fieldname):
        return [""], np.zeros(count, dtype=np.int32)
    column = reader.column_reader(fieldname, translate=False)
    if type(column) is VarBytesColumn.Reader and len(column._lengths) == count:
        lengths = np.asarray(column._lengths, dtype=np.int64)
        data = column._dbfile.get(column._basepos, int(lengths.sum()))
        ends = np.cumsum(lengths).tolist()
        starts = [0, *ends[:-1]]
        values = [data[start:end] for start, end in zip(starts, ends, strict=True)]
    else:
        values = list(column)
    distinct = sorted(set(values))  # UTF-8's order is the characters' order
    position = {value: i for i, value in enumerate(distinct)}
    names = [value.decode("utf-8") for value in distinct]
    return names, np.fromiter((position[v] for v in values), np.int32, count)


_MICROSECONDS_A_DAY = 86_400 * 1_000_000


def days_and_years(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The date ordinals and years of dates as Whoosh stores them (microseconds since
    datetime.min, naive), for values that are dates."""
    days = (raw // np.uint64(_MICROSECONDS_A_DAY)).astype(np.int64)  # since 0001-01-01
    first = np.datetime64("0001-01-01", "D")
    years = (first + days.astype("timedelta64[D]")).astype("datetime64[Y]").astype(np.int64)
    return days + 1, years + 1970
