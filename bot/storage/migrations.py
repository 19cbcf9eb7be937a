"""Per-owner schema migrations: `NNNN_name.sql` files applied in order, each recorded once."""

from __future__ import annotations

import re
from pathlib import Path

from bot.storage.database import Database

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    owner TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (owner, version)
);
"""


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
    await db.executescript(_TABLE)
    done = {row[0] for row in await db.fetchall(
        "SELECT version FROM schema_migrations WHERE owner = ?", (owner,))}
    applied = []
    for version, path in migration_files(directory):
        if version in done:
            continue
        await db.backup_before_migrating()
        record = (f"INSERT INTO schema_migrations (owner, version, name) "
                  f"VALUES ('{_quote(owner)}', {version}, '{_quote(path.name)}');")
        try:
            await db.executescript(path.read_text(encoding="utf-8") + "\n" + record)
        except Exception as exc:
            raise MigrationError(f"migration {owner}/{path.name} failed: {exc}") from exc
        applied.append(path.name)
    return applied


def _quote(value: str) -> str:
    return value.replace("'", "''")
