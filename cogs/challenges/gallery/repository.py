"""All SQL of the gallery: pages of entries and who has seen which (for /watch)."""

from __future__ import annotations

from datetime import datetime

from bot.storage import Database, Tx
from bot.timeutil import to_db
from cogs.challenges.repository import ENTRIES_SQL, Entry, entry_from_row, move_person_rows


class GalleryRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def page(self, challenge_id: int, category: str | None, offset: int, limit: int,
                   tx: Tx | None = None) -> list[Entry]:
        where, params = self._where(challenge_id, category)
        sql, values = ENTRIES_SQL + where + " ORDER BY e.id LIMIT ? OFFSET ?", (*params, limit, offset)
        rows = await (tx.fetchall(sql, values) if tx else self.db.fetchall(sql, values))
        return [entry_from_row(row) for row in rows]

    async def count(self, challenge_id: int, category: str | None, tx: Tx | None = None) -> int:
        where, params = self._where(challenge_id, category)
        sql = "SELECT COUNT(*) FROM challenge_entries e " + where
        row = await (tx.fetchone(sql, params) if tx else self.db.fetchone(sql, params))
        return int(row[0]) if row else 0

    async def next_unseen(self, challenge_id: int, person_id: int, category: str | None) -> Entry | None:
        """The entry this person has not seen that the fewest people have (oldest first among equals);
        never their own."""
        where, params = self._where(challenge_id, category)
        row = await self.db.fetchone(
            ENTRIES_SQL + where + " AND e.person_id != ? AND NOT EXISTS (SELECT 1 FROM challenge_views v "
            "WHERE v.person_id = ? AND v.entry_id = e.id) ORDER BY e.views, e.id LIMIT 1",
            (*params, person_id, person_id))
        return entry_from_row(row) if row else None

    async def seen(self, tx: Tx, entry_id: int, person_id: int, now: datetime) -> None:
        cursor = await tx.execute("INSERT OR IGNORE INTO challenge_views (entry_id, person_id, at) VALUES (?, ?, ?)",
                                  (entry_id, person_id, to_db(now)))
        if cursor.rowcount:
            await tx.execute("UPDATE challenge_entries SET views = views + 1 WHERE id = ?", (entry_id,))

    async def move_person(self, tx: Tx, source_id: int, target_id: int) -> None:
        await move_person_rows(tx, ("challenge_views",), source_id, target_id)

    @staticmethod
    def _where(challenge_id: int, category: str | None) -> tuple[str, tuple[object, ...]]:
        if category:
            return "WHERE e.challenge_id = ? AND e.category = ?", (challenge_id, category)
        return "WHERE e.challenge_id = ?", (challenge_id,)
