"""Where `bench.scale` keeps the indexes it builds: Whoosh index folders, or Xapian shards
(`--backend xapian --shards N`: N real `xapian-tcpsrv` servers for each index, on this
machine, the folder then the frontend's own)."""

from __future__ import annotations

import shutil
from pathlib import Path

from bench.perf import du, free_port, memory_mb


class WhooshStore:
    label = "the Whoosh index"

    def fresh(self, folder: Path) -> None:
        """An empty place for a new index at `folder`."""
        shutil.rmtree(folder, ignore_errors=True)

    def args(self, folder: Path) -> list[str]:
        """What a `zhsearch` command is given to use this index."""
        return ["--index", str(folder)]

    def disk_bytes(self, folder: Path) -> int:
        return du(folder)

    def servers_memory(self, folder: Path) -> dict | None:
        """The memory of the processes beside zhsearch's that hold the index (None: none)."""
        return None

    def engine(self, folder: Path):
        from search.backends import open_engine

        return open_engine(folder)

    def close(self) -> None:
        pass


class ShardStore:
    """N shard servers for each index folder, started empty by `fresh`, all stopped by
    `close`."""

    def __init__(self, count: int):
        self.count = count
        self.label = f"{count} Xapian shard{'s' if count > 1 else ''}"
        self._servers: dict[Path, list] = {}

    @staticmethod
    def _shard_folder(folder: Path) -> Path:
        return folder.with_name(folder.name + "-shards")

    def fresh(self, folder: Path) -> None:
        from search.backends.xapian.shards import ShardServer

        self._stop(folder)
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(self._shard_folder(folder), ignore_errors=True)
        servers = [
            ShardServer(self._shard_folder(folder) / f"shard-{n}", free_port())
            for n in range(self.count)
        ]
        self._servers[folder] = servers
        for server in servers:
            server.start()

    def shards(self, folder: Path) -> str:
        return ",".join(str(server.address) for server in self._servers[folder])

    def args(self, folder: Path) -> list[str]:
        return ["--index", str(folder), "--backend", "xapian", "--shards", self.shards(folder)]

    def disk_bytes(self, folder: Path) -> int:
        return du(self._shard_folder(folder)) + (du(folder) if folder.exists() else 0)

    def servers_memory(self, folder: Path) -> dict | None:
        trees = [memory_mb(server.process.pid) for server in self._servers[folder]]
        return {
            "processes": sum(t["processes"] for t in trees),
            "rss_sum": sum(t["rss_sum"] for t in trees),
            "pss_sum": sum(t["pss_sum"] for t in trees),
        }

    def engine(self, folder: Path):
        from search.backends import open_engine

        return open_engine(folder, "xapian", self.shards(folder))

    def _stop(self, folder: Path) -> None:
        for server in self._servers.pop(folder, []):
            server.stop()

    def close(self) -> None:
        for folder in list(self._servers):
            self._stop(folder)
