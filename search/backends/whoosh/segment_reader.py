"""Opening a segment for reading with all of its files, so that a commit cannot take them away.

A commit deletes the files of the segments it no longer names (a merge's sources, say) at
once. An open file stays readable after it is deleted, but Whoosh opens a segment's column
files (stored fields, field lengths, sortable columns) only when they are first read: under a
steady stream of writes, with merges installed every few seconds, the suggestion lexicon's
build found no stored fields in a segment (a TypeError inside Whoosh) again and again, and a
search made just before such a commit could as well. Readers made here hold every file of
their segment from the start, as Lucene's segment readers do.
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import W3Codec, W3PerDocReader
from whoosh.reading import SegmentReader


class _HeldColumns(W3PerDocReader):
    """Whoosh's per-document reader with every column file of the segment opened at once."""

    def __init__(self, storage, segment):
        super().__init__(storage, segment)
        prefix, suffix = segment.make_filename("."), W3Codec.COLUMN_EXT
        for name in storage.list():
            if name.startswith(prefix) and name.endswith(suffix):
                column = name[len(prefix) : -len(suffix)]
                self._colfiles[column] = self._get_column_file(column)

    def has_column(self, fieldname: str) -> bool:
        return fieldname in self._colfiles


def open_segment(storage, schema, segment, generation: int | None = None) -> SegmentReader:
    """A reader of one segment that holds all of its files open (FileNotFoundError if a
    commit removed the segment before they could all be opened: read the newer commit)."""
    reader = SegmentReader(storage, schema, segment, generation=generation)
    if type(reader._perdoc) is W3PerDocReader and not segment.is_compound():
        try:
            held = _HeldColumns(reader._storage, segment)
        except BaseException:
            reader.close()
            raise
        reader._perdoc.close()  # it had opened nothing yet
        reader._perdoc = held
    return reader
