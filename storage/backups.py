"""Database files as an operator handles them: checking one, the dated daily backups
(named, listed, pruned), the lock `xianfeng run` holds, and putting a backup back.

Plain ``sqlite3`` on purpose: these run in the command line tools or, for the daily
backup's pruning, between two awaits, never inside the bot's open connections.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from storage.database import DatabaseError
from storage.files import PRIVATE_FILE, create_private_file, database_files

BACKUP_NAME = re.compile(r"^xianfeng-(\d{4}-\d{2}-\d{2})\.sqlite3$")


@dataclass(frozen=True)
class FileCheck:
    integrity: str
    """``ok``, or SQLite's first complaint from ``PRAGMA integrity_check``."""
    schema_version: int

    @property
    def intact(self) -> bool:
        return self.integrity == "ok"


def check_file(path: Path) -> FileCheck:
    """Integrity and schema version of a database file, opened read-only."""
    if not path.is_file():
        raise DatabaseError(f"{path} is not a file")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            integrity = str(conn.execute("PRAGMA integrity_check").fetchone()[0])
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"cannot use {path} as a database: {exc}") from exc
    return FileCheck(integrity, version)


def backup_path(folder: Path, day: date) -> Path:
    return folder / f"xianfeng-{day.isoformat()}.sqlite3"


@dataclass(frozen=True)
class BackupFile:
    path: Path
    day: date


def list_backups(folder: Path) -> list[BackupFile]:
    """The daily backups in ``folder``, oldest first (other files are left alone)."""
    found = []
    for path in folder.iterdir() if folder.is_dir() else ():
        match = BACKUP_NAME.match(path.name)
        if match and path.is_file():
            found.append(BackupFile(path, date.fromisoformat(match.group(1))))
    return sorted(found, key=lambda backup: backup.day)


def prune(folder: Path, today: date, keep_days: int) -> list[Path]:
    """Delete the daily backups older than ``keep_days``; return what was deleted."""
    cutoff = today - timedelta(days=keep_days)
    removed = []
    for backup in list_backups(folder):
        if backup.day < cutoff:
            backup.path.unlink()
            removed.append(backup.path)
    return removed


class Locked(DatabaseError):
    """Another process (a running bot) holds the database's lock."""


@contextlib.contextmanager
def run_lock(database: Path) -> Iterator[None]:
    """Held by `xianfeng run` for as long as it runs (and by `restore` while it works):
    ``<database>.lock``, locked with flock, so it is released even by a killed process."""
    if not database.parent.is_dir():
        raise DatabaseError(f"folder for the database does not exist: {database.parent}")
    lock = Path(f"{database}.lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            raise Locked(
                f"{database} is in use by a running xianfeng (process {holder}); stop it first"
                " (e.g. systemctl stop xianfeng)"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Restored:
    backup_version: int
    aside: Path | None
    """Where the database that was replaced now is (None if there was none)."""


def restore(database: Path, backup: Path, *, latest_version: int, now: datetime) -> Restored:
    """Put ``backup`` in the place of ``database``, keeping the current file aside.

    Refuses a backup that fails its integrity check or was written by a newer version.
    The caller holds the run lock, and migrates the result when it is older.
    """
    checked = check_file(backup)
    if not checked.intact:
        raise DatabaseError(f"{backup} failed its integrity check ({checked.integrity}); not used")
    if checked.schema_version > latest_version:
        raise DatabaseError(
            f"{backup} has schema version {checked.schema_version}, newer than this program"
            f" ({latest_version}); upgrade the program first"
        )
    if checked.schema_version == 0:
        raise DatabaseError(f"{backup} holds no xianfeng data (schema version 0); not used")
    incoming = Path(f"{database}.restoring")
    incoming.unlink(missing_ok=True)
    _copy_database(backup, incoming)
    aside = None
    if database.exists():
        aside = Path(f"{database}.before-restore-{now:%Y%m%d-%H%M%S}")
        for current in database_files(database):
            suffix = str(current)[len(str(database)) :]
            current.rename(Path(f"{aside}{suffix}"))
    os.replace(incoming, database)
    return Restored(checked.schema_version, aside)


def _copy_database(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API, created owner-only."""
    create_private_file(target)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dest = sqlite3.connect(target)
        try:
            src.backup(dest)
        finally:
            dest.close()
    finally:
        src.close()
