"""The Telegram inbox: every raw update is written to the database before it is handled, and marked done after.

An update is confirmed to Telegram (the next getUpdates offset, or the webhook's 200) only once it is
written here, so a crash before its handler ran loses nothing: the next start replays it. An update_id
seen before is dropped (handled once). The adapter's SQL lives here and, for answers held behind a
deep link, in telegram_held.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.storage import Database
from bot.timeutil import to_db

KEEP_DONE = timedelta(days=2)  # Telegram keeps undelivered updates for 24 h; remember ids a little longer


@dataclass(frozen=True)
class InboxRow:
    update_id: int
    payload: dict[str, Any]
    attempts: int


class Inbox:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def record(self, update_id: int, payload: dict[str, Any]) -> bool:
        """Write an update down; False when this update_id was seen before."""
        cursor = await self.db.write(
            "INSERT OR IGNORE INTO telegram_inbox (update_id, payload, received_at, claimed_by) VALUES (?, ?, ?, ?)",
            (update_id, json.dumps(payload, ensure_ascii=False), to_db(self.clock.now()), self.db.claimer))
        return cursor.rowcount == 1

    async def unreadable(self, update_id: int, payload: dict[str, Any], error: str) -> None:
        """Keep an update the library cannot read, done at once (never replayed), for the operator."""
        now = to_db(self.clock.now())
        await self.db.write(
            "INSERT OR IGNORE INTO telegram_inbox (update_id, payload, received_at, done_at, last_error) "
            "VALUES (?, ?, ?, ?, ?)", (update_id, json.dumps(payload, ensure_ascii=False), now, now, error[:500]))

    async def pending(self) -> list[InboxRow]:
        """Unfinished updates of processes that are gone (an earlier run of this one, or another worker)."""
        live, params = self.db.live_claim("claimed_by")
        rows = await self.db.fetchall(
            f"SELECT update_id, payload, attempts FROM telegram_inbox WHERE done_at IS NULL AND NOT {live} "
            "ORDER BY update_id", params)
        return [InboxRow(int(row[0]), json.loads(row[1]), int(row[2])) for row in rows]

    async def attempt(self, update_id: int) -> bool:
        """Take an unfinished update over and count the replay (so one that keeps crashing the process is
        given up after a few tries); False if another live process took it first."""
        live, params = self.db.live_claim("claimed_by")
        async with self.db.transaction() as tx:
            done = await tx.execute(
                "UPDATE telegram_inbox SET attempts = attempts + 1, claimed_by = ? WHERE update_id = ? "
                f"AND done_at IS NULL AND NOT {live}", (self.db.claimer, update_id, *params))
        return done.rowcount == 1

    async def done(self, update_id: int, error: str | None = None) -> None:
        await self.db.write("UPDATE telegram_inbox SET done_at = ?, last_error = ? WHERE update_id = ?",
                            (to_db(self.clock.now()), error, update_id))

    async def prune(self, now: datetime) -> None:
        async with self.db.transaction() as tx:
            await tx.execute("DELETE FROM telegram_inbox WHERE done_at IS NOT NULL AND done_at < ?",
                             (to_db(now - KEEP_DONE),))

    async def count(self) -> tuple[int, int]:
        """(all rows, rows not yet done), for logs and tests."""
        row = await self.db.fetchone(
            "SELECT COUNT(*), COUNT(*) - COUNT(done_at) FROM telegram_inbox")
        assert row is not None
        return int(row[0]), int(row[1])

    # -- long button ids -------------------------------------------------------------------------------------

    async def shorten(self, custom_id: str) -> str:
        """A short stable token for a custom id too long for callback_data."""
        token = "~" + hashlib.sha256(custom_id.encode("utf-8")).hexdigest()[:40]
        async with self.db.transaction() as tx:
            await tx.execute("INSERT OR IGNORE INTO telegram_callback_data (token, custom_id, created_at) "
                             "VALUES (?, ?, ?)", (token, custom_id, to_db(self.clock.now())))
        return token

    async def expand(self, data: str) -> str:
        if not data.startswith("~"):
            return data
        found = await self.db.fetchval("SELECT custom_id FROM telegram_callback_data WHERE token = ?",
                                       (data,))
        return str(found) if found is not None else data
