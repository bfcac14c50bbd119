"""The title and body of a plain text file (.txt, .md).

Most text files open with their headline on a line of its own, and that line is the title.
Some open with a paragraph instead — a column's introduction, a transcript's first sentences,
a note pasted without a heading — and as the title that paragraph would head every result the
file is in. So a first line that reads as a paragraph stays in the body, and the title comes
from the next best place:

1. in Markdown, a `#` heading among the first lines (the introduction came before it);
2. the file's name, when it reads as a title — four Chinese characters or more
   (`长江禁渔第四年.txt`), not a number, a code or a default name (`0012.txt`,
   `article_3f2a.txt`, `新闻07.txt`, `新建文本文档.txt`);
3. the paragraph's first sentence, cut at a sensible length: at its first full stop, else at
   the last comma or pause before the length limit, else at the limit, with an ellipsis.
"""

from __future__ import annotations

import re
from pathlib import Path

TITLE_MAX_CHARS = 40  # a title taken from a sentence is cut to this many characters
HEADLINE_MAX_CHARS = 64  # a first line longer than this is a paragraph, not a headline
HEADING_LOOKAHEAD = 5  # lines in which a Markdown heading after an introduction is looked for

_SENTENCE_END = re.compile(r"[。！？!?；;]")
_PAUSE = re.compile(r"[，、：,:]")
_HAN = re.compile(r"[\u3400-\u9fff]")
# The names editors and tools give files that have none yet.
_DEFAULT_NAME = re.compile(r"^(?:新建文本文档|新建文件|未命名|无标题|未标题)")
NAME_MIN_HAN = 4  # a file name reads as a title with this many Chinese characters


def reads_as_paragraph(line: str) -> bool:
    """Whether a line is a paragraph rather than a headline: long, or several sentences, or a
    sentence of some length closed by a full stop (headlines seldom end in 。)."""
    if len(line) > HEADLINE_MAX_CHARS:
        return True
    if len(_SENTENCE_END.findall(line)) >= 2 and len(line) > 20:
        return True
    return line.endswith("。") and len(line) > 30


def _name_reads_as_title(name: str) -> bool:
    return len(_HAN.findall(name)) >= NAME_MIN_HAN and not _DEFAULT_NAME.match(name)


def title_and_body(lines: list[str], path: Path) -> tuple[str, str]:
    """The title and body of a text file's non-empty, stripped lines."""
    first = lines[0]
    if first.startswith("#") or not reads_as_paragraph(first):
        return first.lstrip("#").strip(), "\n".join(lines[1:])
    for n, line in enumerate(lines[1:HEADING_LOOKAHEAD], start=1):
        if line.startswith("#") and path.suffix.lower() == ".md" and line.lstrip("#").strip():
            return line.lstrip("#").strip(), "\n".join(lines[:n] + lines[n + 1 :])
    body = "\n".join(lines)
    if _name_reads_as_title(path.stem.strip()):
        return path.stem.strip(), body
    return first_sentence(first), body


def first_sentence(paragraph: str) -> str:
    """The paragraph's first sentence, at most TITLE_MAX_CHARS characters, cut where it can
    be read: at a full stop, else at a comma or pause, else at the limit with an ellipsis."""
    end = _SENTENCE_END.search(paragraph)
    if end and end.start() <= TITLE_MAX_CHARS:
        return paragraph[: end.start()]
    head = paragraph[:TITLE_MAX_CHARS]
    pauses = [m.start() for m in _PAUSE.finditer(head) if m.start() >= TITLE_MAX_CHARS // 3]
    if pauses:
        return head[: pauses[-1]]
    return head + "…"
