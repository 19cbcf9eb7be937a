"""Private answers held for people who have not started a chat with the bot (Telegram lets a bot write
to someone only after they did). The group gets a deep-link button, `t.me/<bot>?start=<payload>`; the
person's `/start <payload>` then brings every answer held for them, in order. The group is never told
what they were about."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.codec import dump_message, load_message
from bot.models import Message
from bot.storage import Database
from bot.timeutil import to_db

KEEP = timedelta(days=7)  # an answer nobody came for is dropped after a week
PAYLOAD_BYTES = 12  # 16 URL-safe characters: Telegram allows 64 of A-Z a-z 0-9 _ -


@dataclass(frozen=True)
class Held:
    message: Message
    zone: str


class HeldAnswers:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def hold(self, user_id: str, message: Message, zone: str) -> str:
        """Keep `message` for the user; returns the deep-link payload that brings it."""
        payload = secrets.token_urlsafe(PAYLOAD_BYTES)
        await self.db.write("INSERT INTO telegram_held (payload, user_id, message, zone, created_at) "
                            "VALUES (?, ?, ?, ?, ?)",
                            (payload, user_id, dump_message(message), zone, to_db(self.clock.now())))
        return payload

    async def take(self, user_id: str, payload: str) -> list[Held]:
        """Every answer held for the user, oldest first, if `payload` is one of theirs (a payload of
        someone else's brings nothing); they are forgotten once taken."""
        async with self.db.transaction() as tx:
            if await tx.fetchone("SELECT 1 FROM telegram_held WHERE payload = ? AND user_id = ?",
                                 (payload, user_id)) is None:
                return []
            rows = await tx.fetchall("SELECT message, zone FROM telegram_held WHERE user_id = ? "
                                     "ORDER BY id", (user_id,))
            await tx.execute("DELETE FROM telegram_held WHERE user_id = ?", (user_id,))
        return [Held(load_message(row[0]), row[1]) for row in rows]

    async def prune(self, now: datetime) -> None:
        await self.db.write("DELETE FROM telegram_held WHERE created_at < ?", (to_db(now - KEEP),))
