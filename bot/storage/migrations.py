"""Per-owner schema migrations: `NNNN_name.sql` files applied in order, each recorded once.

SQLite's files sit in the owner's migrations folder, PostgreSQL's in its `postgresql/` subfolder, with
the same numbers and names: each backend's schema in its own words (identity columns, tsvector indexes).
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.storage.base import Database

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    owner TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT ({now}),
    PRIMARY KEY (owner, version)
);
"""
_NOW = {"sqlite": "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        "postgresql": "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"}
# Two processes starting at once must not both apply a migration: PostgreSQL holds this lock meanwhile.
ALREADY_APPLIED = "migration already applied by another process"
_PG_LOCK = "SELECT pg_advisory_xact_lock(727100017);"


class MigrationError(RuntimeError):
    pass


def migration_files(directory: Path) -> list[tuple[int, Path]]:
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"migration {path} must be named NNNN_description.sql")
        found.append((int(match.group(1)), path))
    versions = [version for version, _ in found]
    if len(versions) != len(set(versions)):
        raise MigrationError(f"two migrations in {directory} share a number")
    return found


def known_versions(folders: dict[str, Path]) -> dict[str, int]:
    """The newest migration of each owner this release ships."""
    return {owner: max((version for version, _ in migration_files(folder)), default=0)
            for owner, folder in folders.items()}


async def apply_migrations(db: Database, owner: str, directory: Path) -> list[str]:
    """Apply what is new for `owner`; each file and its record commit together. Returns applied names."""
    postgres = db.dialect == "postgresql"
    lock = _PG_LOCK if postgres else ""
    await db.executescript(lock + _TABLE.format(now=_NOW[db.dialect]))
    folder = directory / "postgresql" if postgres else directory
    applied = []
    for version, path in migration_files(folder):
        # Checked inside the script as well: another process may have applied it since.
        record = (f"INSERT INTO schema_migrations (owner, version, name) "
                  f"VALUES ('{_quote(owner)}', {version}, '{_quote(path.name)}');")
        if await _applied(db, owner, version):
            continue
        await db.backup_before_migrating()
        script = path.read_text(encoding="utf-8") + "\n" + record
        if postgres:
            script = _once(owner, version, lock + script)
        try:
            await db.executescript(script)
        except Exception as exc:
            if ALREADY_APPLIED in str(exc):
                continue  # another process applied it while this one waited for the lock
            raise MigrationError(f"migration {owner}/{path.name} failed: {exc}") from exc
        applied.append(path.name)
    return applied


async def _applied(db: Database, owner: str, version: int) -> bool:
    found = await db.fetchval("SELECT 1 FROM schema_migrations WHERE owner = ? AND version = ?", (owner, version))
    return found is not None


def _once(owner: str, version: int, script: str) -> str:
    """The script, run only if the migration is still unrecorded once the lock is held (PostgreSQL)."""
    guard = (f"DO $guard$ BEGIN IF EXISTS (SELECT 1 FROM schema_migrations WHERE owner = '{_quote(owner)}' "
             f"AND version = {version}) THEN RAISE EXCEPTION '{ALREADY_APPLIED}'; END IF; END $guard$;")
    return script.replace(_PG_LOCK, _PG_LOCK + "\n" + guard, 1)


def _quote(value: str) -> str:
    return value.replace("'", "''")
