"""API keys, kept hashed in the index folder (`keys.json`), never in clear.

A key is 32 random bytes (`zhs_` and URL-safe base64), so a SHA-256 of it is as good as a slow
password hash: nobody can guess back from the digest to a key. A key is checked against every
stored digest with `hmac.compare_digest`, without stopping at the first match, so the time an
answer takes says nothing about which key, or how much of one, was right.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

FILE_NAME = "keys.json"
READ = "read"
WRITE = "write"
SCOPES = (READ, WRITE)
_NAME = re.compile(r"^[\w.@-]{1,64}$")


class KeyProblem(ValueError):
    """A key command that cannot be done (a taken name, an unknown one)."""


@dataclass(frozen=True)
class StoredKey:
    name: str
    scope: str
    sha256: str
    created: str


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class KeyStore:
    """The keys of one index folder; re-read whenever the file changes (keys created or
    revoked while a server runs take effect at its next request)."""

    def __init__(self, index_dir: Path):
        self.path = Path(index_dir) / FILE_NAME
        self._seen: tuple[int, int] | None = None
        self._keys: list[StoredKey] = []

    def all(self) -> list[StoredKey]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._seen, self._keys = None, []
            return []
        if self._seen != (stat.st_mtime_ns, stat.st_size):
            entries = json.loads(self.path.read_text(encoding="utf-8"))
            self._keys = [StoredKey(**entry) for entry in entries]
            self._seen = (stat.st_mtime_ns, stat.st_size)
        return self._keys

    def has_scope(self, scope: str) -> bool:
        return any(key.scope == scope for key in self.all())

    def check(self, presented: str) -> StoredKey | None:
        """The stored key this one is, or None; constant time in where a mismatch lies."""
        digest = _digest(presented)
        found = None
        for key in self.all():
            if hmac.compare_digest(digest, key.sha256):
                found = key
        return found

    def create(self, name: str, scope: str) -> str:
        """A new key under `name`; the key itself is returned once and never stored."""
        if not _NAME.match(name):
            raise KeyProblem(
                f"密钥名称无效：{name!r} (a key name is 1–64 letters, digits, '_', '.', '@', '-')"
            )
        if scope not in SCOPES:
            raise KeyProblem(f"权限必须是 read 或 write (scope must be read or write): {scope}")
        keys = self.all()
        if any(key.name == name for key in keys):
            raise KeyProblem(f"密钥名称已存在：{name} (a key named {name} exists; revoke it first)")
        key = "zhs_" + secrets.token_urlsafe(32)
        created = datetime.now().astimezone().isoformat(timespec="seconds")
        self._save([*keys, StoredKey(name, scope, _digest(key), created)])
        return key

    def revoke(self, name: str) -> None:
        keys = self.all()
        kept = [key for key in keys if key.name != name]
        if len(kept) == len(keys):
            raise KeyProblem(f"没有名为 {name} 的密钥 (no key named {name})")
        self._save(kept)

    def _save(self, keys: list[StoredKey]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        # Digests only, yet nobody but the owner needs to read them.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump([asdict(key) for key in keys], out, ensure_ascii=False, indent=1)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.path)
        self._seen = None
