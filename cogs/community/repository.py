"""All SQL of the community cog: link codes and failed tries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.models import Account
from bot.storage import Database, Tx
from bot.timeutil import from_db, to_db


@dataclass(frozen=True)
class LinkCode:
    id: int
    person_id: int
    platform: str
    expires_at: datetime
    used: bool


class LinkRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add_code(self, tx: Tx, person_id: int, code_hash: str, platform: str, now: datetime,
                       expires_at: datetime) -> None:
        await tx.execute("INSERT INTO link_codes (person_id, code_hash, platform, created_at, expires_at) "
                         "VALUES (?, ?, ?, ?, ?)", (person_id, code_hash, platform, to_db(now), to_db(expires_at)))

    async def codes_since(self, person_id: int, since: datetime) -> int:
        return int(await self.db.fetchval("SELECT COUNT(*) FROM link_codes WHERE person_id = ? AND created_at >= ?",
                                          (person_id, to_db(since))) or 0)

    async def find(self, tx: Tx, code_hash: str) -> LinkCode | None:
        row = await tx.fetchone("SELECT * FROM link_codes WHERE code_hash = ?", (code_hash,))
        if row is None:
            return None
        return LinkCode(row["id"], row["person_id"], row["platform"], from_db(row["expires_at"]),
                        row["used_at"] is not None)

    async def use(self, tx: Tx, code_id: int, now: datetime) -> bool:
        """Mark a code used; False if another request used it first."""
        cursor = await tx.execute("UPDATE link_codes SET used_at = ? WHERE id = ? AND used_at IS NULL",
                                  (to_db(now), code_id))
        return cursor.rowcount == 1

    async def move_codes(self, tx: Tx, source_id: int, target_id: int) -> None:
        await tx.execute("UPDATE link_codes SET person_id = ? WHERE person_id = ?", (target_id, source_id))

    async def add_failure(self, platform: str, user_id: str, now: datetime) -> None:
        async with self.db.transaction() as tx:
            await tx.execute("INSERT INTO link_failures (platform, user_id, at) VALUES (?, ?, ?)",
                             (platform, user_id, to_db(now)))

    async def failures_since(self, platform: str, user_id: str, since: datetime) -> int:
        return int(await self.db.fetchval(
            "SELECT COUNT(*) FROM link_failures WHERE platform = ? AND user_id = ? AND at >= ?",
            (platform, user_id, to_db(since))) or 0)

    async def forget(self, tx: Tx, person_id: int, accounts: list[Account]) -> None:
        await tx.execute("DELETE FROM link_codes WHERE person_id = ?", (person_id,))
        await tx.executemany("DELETE FROM link_failures WHERE platform = ? AND user_id = ?",
                             [(account.platform, account.user_id) for account in accounts])
