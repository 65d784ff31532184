"""Files that hold members' and children's data are owner-only (0600).

The umask decides nothing here: a server's usual 022 would leave the database, its WAL
and every backup readable by any account on the machine.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
# SQLite keeps these beside the database; they hold recent writes in full.
SIDECARS = ("-wal", "-shm", "-journal")


def create_private_file(path: Path) -> None:
    """Create an empty file readable by its owner only; refuse if it exists already."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)  # os.open's mode passes through the umask
    finally:
        os.close(fd)


def make_private_dir(folder: Path) -> None:
    """Create ``folder`` (and its parents) if need be, and make it owner-only."""
    folder.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    folder.chmod(PRIVATE_DIR)


def private_output(path: Path) -> None:
    """Make ``path`` an empty owner-only file (new or truncated) for an export to fill:
    writing into an existing file keeps its mode, whatever writes it."""
    fd = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)
    finally:
        os.close(fd)


def database_files(database: Path) -> list[Path]:
    """The database and whichever of its SQLite sidecar files exist now."""
    candidates = [database, *(Path(f"{database}{suffix}") for suffix in SIDECARS)]
    return [p for p in candidates if p.is_file()]


def too_open(paths: list[Path]) -> list[tuple[Path, int]]:
    """Those of ``paths`` that others than the owner may read or write, with their mode."""
    found = []
    for path in paths:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            found.append((path, mode))
    return found


def tighten_sidecars(database: Path) -> None:
    """Give the WAL and shared-memory files the database's owner-only mode.

    SQLite creates them with the database file's permissions, so this only matters for
    a database created private by us whose sidecars were left by an older start.
    """
    if too_open([database]):
        return  # the operator chose this; `xianfeng run` warns about it instead
    for path, _ in too_open(database_files(database)[1:]):
        path.chmod(PRIVATE_FILE)
