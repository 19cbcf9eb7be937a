"""Bot messages worth finding again: a tag ("challenges.entry:12") per platform message.

Every reaction asks which message it is on, so answers are kept in memory (a storm of reactions on a
few cards reads nothing); recording a message updates the memory once its transaction commits.
"""

from __future__ import annotations

from bot.clock import Clock
from bot.models import MessageRef
from bot.storage import Database, Tx
from bot.timeutil import to_db

Tagged = tuple[str, int | None]  # (tag, community id)
CACHE_LIMIT = 100_000  # remembered answers, found and not found; cleared whole when full
_UNKNOWN: Tagged = ("", None)  # "not asked yet", told apart from a remembered "not ours" (None)


class SentMessages:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._known: dict[MessageRef, Tagged | None] = {}
        self._version = 0  # bumped by every committed record, so a read that raced one is not kept

    async def record(self, tx: Tx, ref: MessageRef, tag: str, community_id: int | None) -> None:
        await tx.execute(
            "INSERT OR REPLACE INTO bot_messages (platform, chat_id, message_id, tag, community_id, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (ref.platform, ref.chat_id, ref.message_id, tag, community_id, to_db(self.clock.now())))
        tx.after_commit(lambda: self._recorded(ref, (tag, community_id)))

    async def record_copies(self, tx: Tx, ref: MessageRef, watermark: str | None, tag: str,
                            community_id: int | None) -> None:
        """An earlier send of `ref`'s content may have been posted unseen: it is a message after
        `watermark` and before `ref` in the same chat. Reactions there count as on `ref`."""
        if watermark is None or not (watermark.isdigit() and ref.message_id.isdigit()):
            return  # nothing bounds the copy; it stays unknown
        low, high = int(watermark), int(ref.message_id)
        if high - low <= 1:
            return  # no room for a copy: the first send was not posted
        await tx.execute(
            "INSERT INTO bot_message_ranges (platform, chat_id, low, high, tag, community_id, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)", (ref.platform, ref.chat_id, low, high, tag, community_id,
                                             to_db(self.clock.now())))
        tx.after_commit(self._forget_all)  # "not ours" answers in that span are stale now

    def _recorded(self, ref: MessageRef, found: Tagged) -> None:
        self._version += 1
        self._remember(ref, found)

    def _forget_all(self) -> None:
        self._version += 1
        self._known.clear()

    def _remember(self, ref: MessageRef, found: Tagged | None) -> None:
        if len(self._known) >= CACHE_LIMIT:
            self._known.clear()
        self._known[ref] = found

    async def tag_of(self, ref: MessageRef) -> Tagged | None:
        found = self._known.get(ref, _UNKNOWN)
        if found is not _UNKNOWN:
            return found
        version = self._version
        row = await self.db.fetchone(
            "SELECT tag, community_id FROM bot_messages WHERE platform = ? AND chat_id = ? AND message_id = ?",
            (ref.platform, ref.chat_id, ref.message_id))
        if row is None and ref.message_id.isdigit():
            row = await self.db.fetchone(
                "SELECT tag, community_id FROM bot_message_ranges WHERE platform = ? AND chat_id = ? AND high > ? "
                "AND low < ? ORDER BY high LIMIT 1", (ref.platform, ref.chat_id, int(ref.message_id),
                                                       int(ref.message_id)))
        answer = (row[0], row[1]) if row else None
        # "Not ours" is kept only when no other process shares the database: another one may be recording
        # that very message now (it sent it; a reaction on it came here first).
        if version == self._version and (answer is not None or not self.db.shared):
            self._remember(ref, answer)
        return answer

    async def newest_ids(self, platform: str) -> dict[str, int]:
        """The newest recorded message id per chat, for platforms whose ids count up (Telegram)."""
        rows = await self.db.fetchall(
            "SELECT chat_id, MAX(CAST(message_id AS INTEGER)) FROM bot_messages WHERE platform = ? GROUP BY chat_id",
            (platform,))
        return {str(row[0]): int(row[1]) for row in rows if row[1] is not None}

    async def refs_with_tag(self, tag: str) -> list[MessageRef]:
        rows = await self.db.fetchall(
            "SELECT platform, chat_id, message_id FROM bot_messages WHERE tag = ? ORDER BY created_at", (tag,))
        return [MessageRef(row[0], row[1], row[2]) for row in rows]
