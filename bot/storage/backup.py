"""Backups of the SQLite file: consistent copies while the bot runs, checked restores, and the lock that
tells whether a bot has the database open.

A copy is made with SQLite's online backup API from its own connection: in WAL mode that reader sees the
last commit and never holds up the bot's writers, so `microfilm-bot backup` and the scheduled backups
run beside a vote storm. Copies are written to a temporary name and renamed, so a half-written copy
never passes for a backup.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

HEADER = b"SQLite format 3\x00"
BACKUPS = "backups"  # the folder beside the database where the bot keeps its own copies


class BackupProblem(RuntimeError):
    """A copy cannot be made, or a file cannot be restored; the message says why."""


def backups_folder(database: str | Path) -> Path:
    return Path(database).resolve().parent / BACKUPS


def stamp(instant: datetime | None = None) -> str:
    return (instant or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def backup_target(path: Path) -> Path:
    """Where `backup PATH` writes: PATH itself, or a dated file in it when PATH is a folder."""
    if path.is_dir():
        return path / f"microfilm-{stamp()}.sqlite3"
    if path.exists():
        raise BackupProblem(f"{path} exists already; give a new file name or a folder")
    return path


def backup_file(source: str | Path, target: Path) -> Path:
    """A consistent copy of the database at `source` in `target` (its folder is made if needed)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    try:
        with contextlib.closing(sqlite3.connect(source, timeout=30)) as reader, \
                contextlib.closing(sqlite3.connect(partial)) as writer:
            reader.backup(writer)
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise BackupProblem(f"cannot copy {source} to {target}: {exc}") from exc
    return target


def prune(folder: Path, prefix: str, keep: int) -> list[Path]:
    """Delete all but the newest `keep` copies named `<prefix>-<stamp>.sqlite3`; returns those deleted."""
    copies = sorted(folder.glob(f"{prefix}-*.sqlite3"))
    doomed = copies[:-keep] if keep > 0 else copies
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


# -- restoring -------------------------------------------------------------------------------------------------

def check_backup(path: Path, known: dict[str, int]) -> None:
    """Refuse (BackupProblem) a file that is not a sound microfilm-bot database this release can run."""
    if not path.is_file():
        raise BackupProblem(f"there is no file {path}")
    with path.open("rb") as handle:
        if handle.read(len(HEADER)) != HEADER:
            raise BackupProblem("it is not an SQLite database")
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            if result != "ok":
                raise BackupProblem(f"it is damaged (integrity check: {result})")
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "schema_migrations" not in tables:
                raise BackupProblem("it is not a microfilm-bot database (no schema_migrations table)")
            versions = conn.execute("SELECT owner, MAX(version) FROM schema_migrations GROUP BY owner").fetchall()
    except sqlite3.Error as exc:
        raise BackupProblem(f"it cannot be read as a database ({exc})") from exc
    for owner, version in versions:
        if owner not in known:
            raise BackupProblem(f"it holds tables of {owner!r}, which this release does not know")
        if version > known[owner]:
            raise BackupProblem(f"it was written by a newer release ({owner} schema {version}; this release "
                                f"knows up to {known[owner]}); upgrade microfilm-bot first")


def restore_file(backup: Path, database: Path, known: dict[str, int]) -> Path | None:
    """Check `backup`, keep the current database aside (returned), and put a copy of the backup in its
    place. The caller makes sure no bot has the database open."""
    check_backup(backup, known)
    aside = None
    if database.exists():
        aside = backup_file(database, backups_folder(database) / f"replaced-{stamp()}.sqlite3")
    fresh = backup_file(backup, database.with_name(database.name + ".restoring"))
    for suffix in ("-wal", "-shm"):  # belonged to the file being replaced; the copy above holds their pages
        database.with_name(database.name + suffix).unlink(missing_ok=True)
    os.replace(fresh, database)
    return aside


# -- is a bot running on this database? ------------------------------------------------------------------------

def _lock_path(database: str | Path) -> Path:
    return Path(database).resolve().with_name(Path(database).name + ".lock")


class RunLock:
    """Held (shared) by every running bot on a database; a restore needs it exclusively."""

    def __init__(self, database: str | Path) -> None:
        self.path = _lock_path(database)
        self._handle: IO[str] | None = None

    def acquire(self) -> bool:
        """Take the shared lock; False while a restore holds it."""
        handle = self.path.open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._handle = handle
        return True

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing drops the lock
            self._handle = None


@contextlib.contextmanager
def nothing_running(database: str | Path) -> Iterator[None]:
    """Hold the database's lock exclusively for a restore; BackupProblem if a bot holds it. A bot that
    starts meanwhile waits for the restore to finish."""
    with _lock_path(database).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupProblem("the bot is running on it") from None
        yield
