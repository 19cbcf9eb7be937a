"""Bot messages worth finding again: a tag ("challenges.entry:12") per platform message."""

from __future__ import annotations

from bot.clock import Clock
from bot.models import MessageRef
from bot.storage import Database, Tx
from bot.timeutil import to_db


class SentMessages:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def record(self, tx: Tx, ref: MessageRef, tag: str, community_id: int | None) -> None:
        await tx.execute(
            "INSERT OR REPLACE INTO bot_messages (platform, chat_id, message_id, tag, community_id, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (ref.platform, ref.chat_id, ref.message_id, tag, community_id, to_db(self.clock.now())))

    async def tag_of(self, ref: MessageRef) -> tuple[str, int | None] | None:
        row = await self.db.fetchone(
            "SELECT tag, community_id FROM bot_messages WHERE platform = ? AND chat_id = ? AND message_id = ?",
            (ref.platform, ref.chat_id, ref.message_id))
        return (row[0], row[1]) if row else None

    async def refs_with_tag(self, tag: str) -> list[MessageRef]:
        rows = await self.db.fetchall(
            "SELECT platform, chat_id, message_id FROM bot_messages WHERE tag = ? ORDER BY created_at", (tag,))
        return [MessageRef(row[0], row[1], row[2]) for row in rows]
