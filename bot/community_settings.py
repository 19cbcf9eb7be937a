"""What admins chose with /setup, per community: stored choices that win over the config's defaults.

Read on every command and announcement, so kept in memory; processes sharing a PostgreSQL database
hear each other's changes through NOTIFY and drop their copy."""

from __future__ import annotations

from bot.storage import Database

CHANGED = "community_settings"  # the NOTIFY channel


def channel_key(platform: str, kind: str) -> str:
    return f"channel:{platform}:{kind}"


class CommunitySettings:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._cache: dict[int, dict[str, str]] = {}

    async def listen(self) -> None:
        await self.db.listen(CHANGED, lambda _payload: self._cache.clear())

    async def of(self, community_id: int) -> dict[str, str]:
        found = self._cache.get(community_id)
        if found is None:
            rows = await self.db.fetchall("SELECT key, value FROM community_settings WHERE community_id = ?",
                                          (community_id,))
            found = self._cache[community_id] = {row[0]: row[1] for row in rows}
        return found

    async def choose(self, community_id: int, key: str, value: str) -> None:
        async with self.db.transaction() as tx:
            tx.after_commit(self._cache.clear)
            await tx.execute("INSERT INTO community_settings (community_id, key, value) VALUES (?, ?, ?) "
                             "ON CONFLICT (community_id, key) DO UPDATE SET value = excluded.value",
                             (community_id, key, value))
        await self.db.notify(CHANGED, str(community_id))

    async def reset(self, community_id: int, keys: list[str]) -> int:
        """Forget the choices named (back to the config's defaults); returns how many were set."""
        count = 0
        async with self.db.transaction() as tx:
            tx.after_commit(self._cache.clear)
            for key in keys:
                cursor = await tx.execute("DELETE FROM community_settings WHERE community_id = ? AND key = ?",
                                          (community_id, key))
                count += max(cursor.rowcount or 0, 0)
        await self.db.notify(CHANGED, str(community_id))
        return count
