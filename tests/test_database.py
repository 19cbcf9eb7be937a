"""The database: committed writes are visible to reads at once, however many tasks read at the same time."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.storage import Database


async def test_reads_see_every_commit_while_many_tasks_read(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "d.sqlite3")
    try:
        key = "id INTEGER PRIMARY KEY" if db.dialect == "sqlite" else "id BIGSERIAL PRIMARY KEY"
        await db.executescript(f"CREATE TABLE t ({key}, n INTEGER);")
        stop = asyncio.Event()

        async def busy_reader() -> None:
            while not stop.is_set():
                await db.fetchall("SELECT * FROM t")

        async def write_then_read(n: int) -> bool:
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO t (n) VALUES (?)", (n,))
            return await db.fetchone("SELECT n FROM t WHERE n = ?", (n,)) is not None

        readers = [asyncio.create_task(busy_reader()) for _ in range(20)]
        seen = await asyncio.gather(*(write_then_read(n) for n in range(300)))
        stop.set()
        await asyncio.gather(*readers)
        assert all(seen)
    finally:
        await db.close()


async def test_a_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "d.sqlite3")
    try:
        await db.executescript("CREATE TABLE t (n INTEGER);")
        try:
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO t VALUES (1)")
                raise RuntimeError("half way")
        except RuntimeError:
            pass
        assert await db.fetchval("SELECT COUNT(*) FROM t") == 0
    finally:
        await db.close()


def test_every_migration_has_its_postgresql_twin() -> None:
    """Each owner's migrations exist for both backends, with the same numbers and names."""
    root = Path(__file__).resolve().parent.parent
    folders = [path.parent for path in root.glob("**/migrations/0001_*.sql") if ".venv" not in path.parts]
    folders += [root / "bot" / "platforms" / "telegram_migrations"]
    assert len(folders) >= 7
    for folder in folders:
        sqlite = sorted(path.name for path in folder.glob("*.sql"))
        postgres = sorted(path.name for path in (folder / "postgresql").glob("*.sql"))
        assert sqlite == postgres, folder
