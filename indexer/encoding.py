"""Turning the bytes of a file into text without mojibake."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

# Pages that say GBK or GB2312 often use characters only GB18030 has; it is a superset of both.
_ALIASES = {"gbk": "gb18030", "gb2312": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def normalise_encoding_name(name: str) -> str | None:
    """The Python codec for a declared charset name, or None if Python knows no such codec."""
    name = _ALIASES.get(name.strip().lower(), name.strip().lower())
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_html_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a BOM or a `<meta>` near its top."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    match = _META_CHARSET.search(data[:4096])
    return normalise_encoding_name(match.group(1).decode("ascii")) if match else None


def _decodes(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """(text, encoding used) for bytes whose declared charset may be missing or wrong.

    Valid UTF-8 wins (other encodings almost never form it by chance), then the declared
    charset, then GB18030 (a superset of GBK and GB2312), with charset-normalizer consulted
    for undeclared pages in the traditional-Chinese Big5 family.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name, errors="replace"), name
    if (text := _decodes(data, "utf-8")) is not None:
        return text, "utf-8"
    if declared and (text := _decodes(data, declared)) is not None:
        return text, declared
    best = from_bytes(data[:65536]).best() if not declared else None
    big5 = best is not None and best.encoding in ("big5", "cp950", "big5hkscs")
    if big5 and (text := _decodes(data, best.encoding)) is not None:
        return text, best.encoding
    if (text := _decodes(data, "gb18030")) is not None:
        return text, "gb18030"
    return data.decode("gb18030", errors="replace"), "gb18030"


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def looks_binary(text: str) -> bool:
    """Decoded "text" that is really binary data: NUL bytes or many control characters."""
    sample = text[:65536]
    return "\x00" in sample or len(_CONTROL.findall(sample)) > 0.02 * max(len(sample), 1)
