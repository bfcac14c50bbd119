"""What each source file last contributed to the index: its content hash and article ids.

Kept as `sources.json` in the index folder and rewritten (atomically) after each commit, so a
re-run reads only new and changed files and `--prune` knows which articles a vanished file
left behind. If a crash lands between a commit and the rewrite, the next run re-reads those
files and updates their articles in place: never duplicates, never losses.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

FILE_NAME = "sources.json"


def file_digest(path: Path) -> str:
    digest = hashlib.sha1()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def source_key(path: Path) -> str:
    return str(path.resolve())


class SourceManifest:
    def __init__(self, index_dir: Path):
        self.path = Path(index_dir) / FILE_NAME
        self.entries: dict[str, dict] = {}
        if self.path.exists():
            self.entries = json.loads(self.path.read_text(encoding="utf-8"))

    def unchanged(self, path: Path, digest: str) -> bool:
        entry = self.entries.get(source_key(path))
        return entry is not None and entry["sha1"] == digest

    def ids_of(self, path: Path | str) -> list[str]:
        key = path if isinstance(path, str) else source_key(path)
        return self.entries.get(key, {}).get("ids", [])

    def record(self, path: Path, digest: str, ids: list[str]) -> None:
        self.entries[source_key(path)] = {"sha1": digest, "ids": ids}

    def forget(self, key: str) -> None:
        self.entries.pop(key, None)

    def vanished(self) -> list[str]:
        """Sources the manifest knows whose files no longer exist."""
        return [key for key in self.entries if not Path(key).exists()]

    def save(self) -> None:
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.entries, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, self.path)
