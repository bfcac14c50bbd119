"""Making what the write path wrote survive a power loss."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def fsync_files(folder: Path, names: Iterable[str]) -> None:
    """fsync these files of `folder` (those gone meanwhile are passed over), then the folder."""
    for name in names:
        try:
            fd = os.open(Path(folder) / name, os.O_RDONLY)
        except OSError:
            continue  # replaced or removed by a later commit meanwhile
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
