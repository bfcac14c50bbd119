"""Whoosh's segment writer, faster where a profile showed Whoosh's own code to be the limit.

`SegmentWriter` writes the very files Whoosh's writer writes (tested), only reading the field
lengths once. `MergingWriter` builds one segment out of others by reading their posting lists
a block at a time, in the order their terms already are: Whoosh's `add_reader` reads every
posting of every source through a matcher, one at a time, and sorts them all again. On this
project's 2-core machine, ten segments of 60 articles merge in 2.9 s instead of 6.5, ten of
1,000 in 25 s instead of 83 (xwlb articles). The merged segment holds the same postings,
blocks, statistics, stored fields and columns as Whoosh's merge of the same segments (tested),
so every reader reads it as it reads Whoosh's; only a block's data is left uncompressed where
zlib would make it longer.
"""

from __future__ import annotations

import heapq
import io
import mmap
import pickle
import struct
import zlib
from array import array
from itertools import accumulate, groupby
from operator import itemgetter

from whoosh import writing
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3TermInfo
from whoosh.reading import SegmentReader
from whoosh.system import pack_ushort
from whoosh.util.numeric import length_to_byte

_BLOCK_LENGTH = struct.Struct("!i")  # before each posting block: its length, negative if last
# A posting block's data shorter than this is written as it is: most blocks of a small segment
# hold a posting or two in 64-95 bytes, which zlib leaves as long (60-article segments of xwlb).
_COMPRESS_BYTES = 96


class FieldLengths:
    """The field lengths of a per-document reader, each field's read into a list at once."""

    def __init__(self, reader):
        self._reader = reader
        self._tables: dict[str, list[int]] = {}

    def table(self, fieldname: str) -> list[int]:
        """Every document's length of the field (0 where it has none), by document number."""
        table = self._tables.get(fieldname)
        if table is None:
            read = self._reader.doc_field_length
            count = self._reader.doc_count_all()
            table = self._tables[fieldname] = [read(d, fieldname) or 0 for d in range(count)]
        return table


class SegmentWriter(writing.SegmentWriter):
    """Whoosh's segment writer, but the postings are written out as `MergingWriter` writes
    them: a term's list at once, its field lengths read once (Whoosh reads one from the column
    file for every posting it writes, and makes every posting a call of its own)."""

    def __init__(self, index, **kwargs):
        super().__init__(index, **kwargs)
        _check_codec(self.codec)

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths = self.per_document_reader()
        try:
            _write_terms(self, FieldLengths(lengths), _pooled_terms(self.pool.iter_postings()))
        finally:
            lengths.close()
        self.fieldwriter.close()


def _pooled_terms(postings):
    """The sorted postings of Whoosh's pool, a term at a time: ((fieldname, term bytes),
    ids, weights, values)."""
    for term, group in groupby(postings, key=itemgetter(0, 1)):
        ids: list[int] = []
        weights: list[float] = []
        values: list = []
        for _, _, docnum, weight, value in group:
            if docnum == -1:
                continue  # Whoosh's mark of a spelling word, not a posting
            ids.append(docnum)
            weights.append(weight)
            values.append(value)
        if ids:
            yield term, ids, weights, values


def _check_codec(codec) -> None:
    if not isinstance(codec, W3Codec) or codec._inlinelimit > 1:
        raise TypeError(f"postings written by blocks need Whoosh's W3 codec, not {codec!r}")


class MergingWriter(writing.SegmentWriter):
    """A writer of one new segment that holds the live articles of the segments given to
    `add_segment`, in that order, as Whoosh's `add_reader` of each would.

    The stored fields, lengths and columns are copied by Whoosh's own code (a small part of
    the work); the posting lists term by term, each source's blocks decoded whole and the
    merged list cut into blocks again exactly as Whoosh's postings writer cuts them.
    """

    def __init__(self, index, **kwargs):
        super().__init__(index, **kwargs)
        _check_codec(self.codec)
        self._sources: list[tuple[SegmentReader, int | list[int | None]]] = []

    def add_segment(self, reader: SegmentReader) -> None:
        """Add a segment's live articles (the reader must stay open until the commit)."""
        self._check_state()
        if not isinstance(reader, SegmentReader):
            raise TypeError(f"a merge by blocks reads segments, not {reader!r}")
        base = self.docnum
        fieldnames = set(self.schema.names()) | {
            name for name in reader.indexed_field_names() if name in self.schema
        }
        docmap = self.write_per_doc(fieldnames, reader)
        if docmap is None:
            new_numbers: int | list[int | None] = base  # every one moves by `base`
        else:
            new_numbers = [docmap.get(d) for d in range(reader.doc_count_all())]  # None: deleted
        self._sources.append((reader, new_numbers))
        self._added = True

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths = self.per_document_reader()
        try:
            _write_merged_postings(self, FieldLengths(lengths))
        finally:
            lengths.close()
        self.fieldwriter.close()


class _Source:
    """A segment being merged: its terms and postings files, mapped, and where each of its
    documents goes in the merged segment: `new_numbers[docnum]` (None: deleted), or, for a
    segment without deletions, `new_numbers` is the number its first document gets."""

    _TERMINFO = struct.Struct("!BfIBBfII")  # W3TermInfo's fixed part, then offset and length
    _EXTENT = struct.Struct("!qi")
    _ENTRY = struct.Struct("!ii")  # a hash file entry: key length, value length

    def __init__(self, reader: SegmentReader, new_numbers: int | list[int | None]):
        terms = reader._terms
        self.tindex = terms._tindex
        self.terms_map = _mapped(terms._dbfile)
        self.postings_map = _mapped(terms._postfile)
        self.new_numbers = new_numbers
        fieldmap = self.tindex.extras["fieldmap"]
        self.unmap = {num: name for name, num in fieldmap.items()}
        names = [self.unmap[num] for num in sorted(self.unmap)]
        if names != sorted(names):
            raise ValueError(f"a segment's fields are out of order: {names}")

    def terms(self, number: int, schema):
        """The source's terms in order, as ((fieldname, term bytes), `number`, the postings'
        offset and length); its field numbers must follow the field names' order, as Whoosh
        writes them, for the merge of all sources to be in order."""
        data = self.terms_map
        entry = self._ENTRY
        fixed = self._TERMINFO.size
        extent = self._EXTENT
        unmap = self.unmap
        pos, end = self.tindex.startofdata, self.tindex.endofdata
        while pos < end:
            keylen, datalen = entry.unpack_from(data, pos)
            keypos = pos + entry.size
            datapos = keypos + keylen
            pos = datapos + datalen
            fieldname = unmap[(data[keypos] << 8) | data[keypos + 1]]
            if fieldname not in schema:
                continue
            if data[datapos]:  # the flags: postings inlined in the term info
                raise ValueError("inlined postings: not written by the codec this project uses")
            offset, length = extent.unpack_from(data, datapos + fixed)
            yield (fieldname, data[keypos + 2 : datapos]), number, offset, length

    def read_postings(self, format_, offset: int, length: int, ids, weights, values) -> None:
        """Append a term's live postings to the lists, its documents renumbered."""
        raw = io.BytesIO(self.postings_map[offset : offset + length])
        if raw.read(4) != WHOOSH3_HEADER_MAGIC:
            raise ValueError(f"a posting list at {offset} does not start as Whoosh's do")
        fixed = format_.fixed_value_size()
        new_numbers = self.new_numbers
        while True:
            (block_length,) = _BLOCK_LENGTH.unpack(raw.read(4))
            start = raw.tell()
            count, _, _, compression, _, _ = pickle.load(raw)
            data = raw.read(abs(block_length) - (raw.tell() - start))
            if compression:
                data = zlib.decompress(data)
            block_ids, block_weights, block_values = pickle.loads(data)
            if block_weights is None:
                block_weights = (1.0,) * count
            elif isinstance(block_weights, float):
                block_weights = (block_weights,) * count
            if fixed is None or fixed < 0:
                pass  # a tuple of byte strings
            elif fixed == 0:
                block_values = (None,) * count
            else:
                block_values = [
                    block_values[i : i + fixed] for i in range(0, len(block_values), fixed)
                ]
            if isinstance(new_numbers, int):  # no deletions: every document moves by as much
                ids.extend([old + new_numbers for old in accumulate(block_ids)])
                weights.extend(block_weights)
                values.extend(block_values)
            else:
                for old, weight, value in zip(
                    accumulate(block_ids), block_weights, block_values, strict=True
                ):
                    new = new_numbers[old]
                    if new is not None:
                        ids.append(new)
                        weights.append(weight)
                        values.append(value)
            if block_length < 0:
                return

    def close(self) -> None:
        self.terms_map.close()
        self.postings_map.close()


def _mapped(structfile) -> mmap.mmap:
    return mmap.mmap(structfile.file.fileno(), 0, access=mmap.ACCESS_READ)


def _write_merged_postings(writer: MergingWriter, lengths: FieldLengths) -> None:
    schema = writer.schema
    sources = [_Source(reader, new_numbers) for reader, new_numbers in writer._sources]
    try:
        streams = [source.terms(n, schema) for n, source in enumerate(sources)]
        _write_terms(writer, lengths, _merged_terms(sources, streams, schema))
    finally:
        for source in sources:
            source.close()


def _merged_terms(sources: list[_Source], streams, schema):
    """The sources' terms in order, each with its live postings from all of them."""
    for (fieldname, btext), parts in groupby(heapq.merge(*streams), key=itemgetter(0)):
        ids: list[int] = []
        weights: list[float] = []
        values: list = []
        format_ = schema[fieldname].format
        for _, number, offset, length in parts:
            sources[number].read_postings(format_, offset, length, ids, weights, values)
        if ids:  # else every article of it was deleted: Whoosh's merge drops the term too
            yield (fieldname, btext), ids, weights, values


def _write_terms(writer: writing.SegmentWriter, lengths: FieldLengths, terms) -> None:
    """Write the terms, in order, with their postings, through the writer's field writer."""
    schema = writer.schema
    fieldwriter = writer.fieldwriter
    postings = _PostingsWriter(
        fieldwriter._postfile, writer.codec._blocklimit, writer.codec._compression
    )
    current_field = None
    for (fieldname, btext), ids, weights, values in terms:
        if fieldname not in schema:
            continue
        fieldobj = schema[fieldname]
        if fieldname != current_field:
            if current_field is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(fieldname, fieldobj)
            current_field = fieldname
            field_lengths = lengths.table(fieldname)  # zeros for a field without lengths
        terminfo = postings.write(fieldobj.format, ids, weights, values, field_lengths)
        fieldwriter._tindex.add(pack_ushort(fieldwriter._fieldid) + btext, terminfo.to_bytes())
    if current_field is not None:
        fieldwriter.finish_field()


class _PostingsWriter:
    """Writes a term's postings to the postings file as Whoosh's `W3PostingsWriter` does:
    blocks of `blocklimit`, each with its statistics, pickled alike; but a block's data is
    compressed only from `_COMPRESS_BYTES` on."""

    def __init__(self, postfile, blocklimit: int, compression: int):
        self.postfile = postfile
        self.blocklimit = blocklimit
        self.compression = compression

    def write(self, format_, ids, weights, values, lengths) -> W3TermInfo:
        terminfo = W3TermInfo()
        start = self.postfile.tell()
        parts = [WHOOSH3_HEADER_MAGIC]
        fixed = format_.fixed_value_size()
        limit = self.blocklimit
        for first in range(0, len(ids), limit):
            last = first + limit >= len(ids)
            block = _Block(
                ids[first : first + limit],
                weights[first : first + limit],
                values[first : first + limit],
                lengths,
            )
            terminfo.add_block(block)
            parts.extend(self._block_bytes(block, fixed, last))
        written = b"".join(parts)
        self.postfile.write(written)
        terminfo.set_extent(start, len(written))
        return terminfo

    def _block_bytes(self, block: _Block, fixed, last: bool) -> tuple[bytes, bytes, bytes]:
        ids = block._ids
        weights = block._weights
        if all(w == 1.0 for w in weights):
            mini_weights = None
        elif all(w == weights[0] for w in weights):
            mini_weights = weights[0]
        else:
            mini_weights = tuple(weights)
        if fixed is None or fixed < 0:
            mini_values = tuple(v for v in block.values if v)
        elif fixed == 0:
            mini_values = None
        else:
            mini_values = b"".join(v for v in block.values if v)
        deltas = tuple(b - a for a, b in zip([0, *ids], ids, strict=False))
        data = pickle.dumps((deltas, mini_weights, mini_values), 2)
        compression = self.compression if len(data) >= _COMPRESS_BYTES else 0
        if compression:
            data = zlib.compress(data, compression)
        info = pickle.dumps(
            (
                len(ids),
                ids[-1],
                block.max_weight(),
                compression,
                length_to_byte(block.min_length()),
                length_to_byte(block.max_length()),
            ),
            2,
        )
        length = len(info) + len(data)
        return _BLOCK_LENGTH.pack(-length if last else length), info, data


class _Block:
    """One block of postings with the statistics `W3TermInfo.add_block` asks of it."""

    def __init__(self, ids: list[int], weights: list[float], values: list, lengths: list[int]):
        self._ids = ids
        # Stored as 32-bit floats, and summed so into the term's weight, as Whoosh does; its
        # largest weight is taken from the weights as given, as Whoosh takes it.
        self._weights = array("f", weights)
        self._max_weight = max(0, max(weights))
        self.values = values
        found = [n for n in map(lengths.__getitem__, ids) if n]
        self._min_length = min(found) if found else None
        self._max_length = max(found) if found else 0

    def __len__(self) -> int:
        return len(self._ids)

    def min_id(self) -> int:
        return self._ids[0]

    def max_id(self) -> int:
        return self._ids[-1]

    def min_length(self) -> int | None:
        return self._min_length

    def max_length(self) -> int:
        return self._max_length

    def max_weight(self) -> float:
        return self._max_weight
