"""All SQL of a film's discussion: the replies gathered under each film."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.models import MessageRef
from bot.storage import Database, Tx
from bot.timeutil import from_db, to_db


@dataclass(frozen=True)
class Discussion:
    replies: int
    latest: datetime | None


class ReplyRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def film_of(self, ref: MessageRef) -> int | None:
        """The film a recorded reply is gathered under (a reply to it joins the same discussion)."""
        found = await self.db.fetchval(
            "SELECT film_id FROM film_replies WHERE platform = ? AND chat_id = ? AND message_id = ?",
            (ref.platform, ref.chat_id, ref.message_id))
        return None if found is None else int(found)

    async def add(self, ref: MessageRef, film_id: int, person_id: int, at: datetime) -> None:
        """Once per reply message: the same one seen again (a replay, an edit) is not counted twice; a
        film deleted meanwhile takes nothing."""
        await self.db.write(
            "INSERT OR IGNORE INTO film_replies (platform, chat_id, message_id, film_id, person_id, replied_at) "
            "SELECT ?, ?, ?, id, ?, ? FROM films WHERE id = ?",
            (ref.platform, ref.chat_id, ref.message_id, person_id, to_db(at), film_id))

    async def discussion(self, film_id: int) -> Discussion:
        row = await self.db.fetchone(
            "SELECT COUNT(*), MAX(replied_at) FROM film_replies WHERE film_id = ?", (film_id,))
        count, latest = (int(row[0]), row[1]) if row else (0, None)
        return Discussion(count, from_db(latest) if latest else None)

    async def has_person(self, person_id: int) -> bool:
        return await self.db.fetchval("SELECT 1 FROM film_replies WHERE person_id = ? LIMIT 1",
                                      (person_id,)) is not None

    async def move_person(self, tx: Tx, source_id: int, target_id: int) -> None:
        await tx.execute("UPDATE film_replies SET person_id = ? WHERE person_id = ?", (target_id, source_id))

    async def forget_person(self, tx: Tx, person_id: int) -> int:
        cursor = await tx.execute("DELETE FROM film_replies WHERE person_id = ?", (person_id,))
        return max(cursor.rowcount, 0)

    async def export(self, community_id: int) -> list[dict[str, Any]]:
        rows = await self.db.fetchall(
            "SELECT r.film_id, r.person_id, r.platform, r.chat_id, r.message_id, r.replied_at FROM film_replies r "
            "JOIN films f ON f.id = r.film_id WHERE f.community_id = ? ORDER BY r.replied_at, r.message_id",
            (community_id,))
        return [{"film_id": row[0], "person_id": row[1], "platform": row[2], "chat_id": row[3],
                 "message_id": row[4], "replied_at": row[5]} for row in rows]

    async def import_replies(self, tx: Tx, replies: Sequence[dict[str, Any]]) -> None:
        await tx.executemany(
            "INSERT INTO film_replies (platform, chat_id, message_id, film_id, person_id, replied_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(r["platform"], str(r["chat_id"]), str(r["message_id"]), r["film_id"], r["person_id"],
              r["replied_at"]) for r in replies])
