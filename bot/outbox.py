"""The outbox: messages written in the same transaction as the change they announce, then delivered.

A row per (key, platform, target) makes every announcement idempotent: scheduling the same key twice
sends once. A failure on one platform is retried there with backoff and never holds up the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from datetime import timedelta
from sqlite3 import Row

from bot.clock import Clock
from bot.codec import dump_message, load_message
from bot.directory import Directory
from bot.models import Community, Message, MessageRef
from bot.platform import DeliveryError, Platform
from bot.sent import SentMessages
from bot.storage import Database, Tx
from bot.timeutil import from_db, to_db

log = logging.getLogger(__name__)
BACKOFF = (5, 30, 120, 600, 3600)  # seconds between attempts
MAX_ATTEMPTS = 8


class Outbox:
    def __init__(self, db: Database, clock: Clock, directory: Directory, sent: SentMessages,
                 platforms: Mapping[str, Platform]) -> None:
        self.db = db
        self.clock = clock
        self.directory = directory
        self.sent = sent
        self.platforms = platforms
        self._locks: dict[str, asyncio.Lock] = {}  # one delivery loop per platform at a time
        self._wakeup = asyncio.Event()

    async def announce(self, tx: Tx, community: Community, kind: str, message: Message, *, key: str,
                       tag: str | None = None) -> int:
        """Queue `message` for every chat of the community that takes `kind`. Returns how many."""
        count = 0
        for platform, chat_id in await self.directory.announcement_chats(community.id, kind):
            count += await self._insert(tx, key, community.id, platform, chat_id, False, kind,
                                        community.zone, tag, message)
        tx.after_commit(self.flush)
        return count

    async def to_chat(self, tx: Tx, community: Community, platform: str, chat_id: str, message: Message, *,
                      key: str, tag: str | None = None) -> None:
        await self._insert(tx, key, community.id, platform, chat_id, False, None, community.zone, tag, message)
        tx.after_commit(self.flush)

    async def to_person(self, tx: Tx, person_id: int, message: Message, *, key: str, zone: str,
                        community_id: int | None = None) -> bool:
        """Queue a private message on the person's most recently used account of a running platform."""
        for account in await self.directory.accounts_of(person_id):
            if account.platform in self.platforms:
                await self._insert(tx, key, community_id, account.platform, account.user_id, True, None,
                                   zone, None, message)
                tx.after_commit(self.flush)
                return True
        return False

    async def _insert(self, tx: Tx, key: str, community_id: int | None, platform: str, target: str,
                      private: bool, kind: str | None, zone: str, tag: str | None, message: Message) -> int:
        if platform not in self.platforms:
            return 0
        now = to_db(self.clock.now())
        cursor = await tx.execute(
            "INSERT OR IGNORE INTO outbox (key, community_id, platform, target, private, kind, zone, tag, payload, "
            "next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (key, community_id, platform, target, int(private), kind, zone, tag, dump_message(message), now, now))
        return cursor.rowcount

    async def flush(self) -> int:
        """Deliver every pending row that is due, oldest first on each platform. Returns how many were sent.

        Platforms are served side by side: one that hangs or fails never holds up delivery on the others."""
        counts = await asyncio.gather(*(self._flush_platform(name) for name in self.platforms))
        return sum(counts)

    async def _flush_platform(self, name: str) -> int:
        async with self._locks.setdefault(name, asyncio.Lock()):
            sent = 0
            while True:
                # A failed row moves its next attempt into the future, so it is not picked again here.
                row = await self.db.fetchone(
                    "SELECT * FROM outbox WHERE status = 'pending' AND platform = ? AND next_attempt_at <= ? "
                    "ORDER BY id LIMIT 1", (name, to_db(self.clock.now())))
                if row is None:
                    return sent
                sent += await self._deliver(row)

    async def _deliver(self, row: Row) -> int:
        platform = self.platforms.get(row["platform"])
        if platform is None:
            return 0
        message = load_message(row["payload"])
        try:
            ref: MessageRef | None
            if row["private"]:
                ref = await platform.send_private(row["target"], message, zone=row["zone"])
            else:
                ref = await platform.send(row["target"], message, zone=row["zone"], kind=row["kind"])
        except Exception as exc:  # any platform failure is retried; the other rows go on
            await self._failed(row, exc)
            return 0
        async with self.db.transaction() as tx:
            await tx.execute("UPDATE outbox SET status = 'sent', attempts = attempts + 1, message_id = ? "
                             "WHERE id = ?", (ref.message_id if ref else None, row["id"]))
            if ref is not None and row["tag"]:
                await self.sent.record(tx, ref, row["tag"], row["community_id"])
        return 1

    async def _failed(self, row: Row, exc: Exception) -> None:
        attempts = int(row["attempts"]) + 1
        permanent = isinstance(exc, DeliveryError) and exc.permanent
        give_up = permanent or attempts >= MAX_ATTEMPTS
        delay = timedelta(seconds=BACKOFF[min(attempts - 1, len(BACKOFF) - 1)])
        log.warning("delivery to %s %s failed (attempt %d%s): %s", row["platform"], row["target"], attempts,
                    ", giving up" if give_up else "", exc)
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE outbox SET attempts = ?, last_error = ?, status = ?, next_attempt_at = ? WHERE id = ?",
                (attempts, str(exc)[:500], "failed" if give_up else "pending",
                 to_db(self.clock.now() + delay), row["id"]))
        self._wakeup.set()  # the retry loop recomputes its wait

    async def next_attempt_at(self) -> float | None:
        """Seconds until the earliest pending retry, for the background retry loop."""
        running = list(self.platforms)
        if not running:
            return None
        # Rows for a platform that is not running now wait for a run that has it; they set no wake-up.
        marks = ",".join("?" * len(running))
        due = await self.db.fetchval(
            f"SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending' AND platform IN ({marks})", running)
        if due is None:
            return None
        return max(0.0, (from_db(due) - self.clock.now()).total_seconds())

    async def run_retries(self) -> None:
        """Background loop (real time): deliver retries when they fall due."""
        while True:
            wait = await self.next_attempt_at()
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=60.0 if wait is None else max(wait, 0.05))
            await self.flush()
