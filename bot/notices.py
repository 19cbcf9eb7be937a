"""Notices for a community's admins, sent to the chats that take the "admin" kind of announcement.

They say what went wrong that a person should know of: a message that could not be delivered for good,
a platform connection that was lost (and what was recovered), a platform that is down. Each is keyed,
so it is sent once however often the cause is seen.
"""

from __future__ import annotations

import asyncio
import logging
from sqlite3 import Row
from typing import TYPE_CHECKING

from bot.models import Community, Message, Moment, Text

if TYPE_CHECKING:
    from bot.app import App
    from bot.storage import Tx

log = logging.getLogger(__name__)
KIND = "admin"
LAST_WORDS_SECONDS = 10.0  # how long a failing process waits to deliver its "down" notice


class AdminNotices:
    def __init__(self, app: App) -> None:
        self.app = app

    async def tell(self, tx: Tx, community: Community, key: str, message: Message, *,
                   skip_platform: str | None = None, skip_chat: tuple[str, str] | None = None) -> int:
        """Queue a notice to the community's admin chats (except on `skip_platform`, or the one chat
        `skip_chat` that cannot be reached). Returns how many."""
        count = 0
        for platform, chat_id in await self.app.directory.announcement_chats(community.id, KIND):
            if platform != skip_platform and (platform, chat_id) != skip_chat and platform in self.app.platforms:
                await self.app.outbox.to_chat(tx, community, platform, chat_id, message, key=key, kind=KIND)
                count += 1
        if count == 0:
            log.warning("no admin chat of community %s took the notice %s", community.key, key)
        return count

    async def tell_everyone(self, key: str, text_key: str, *, skip_platform: str | None = None,
                            **values: object) -> int:
        """The same notice to every community's admins, each in its own language."""
        count = 0
        async with self.app.db.transaction() as tx:
            for community in await self.app.directory.communities():
                t = self.app.translator(community.language)
                count += await self.tell(tx, community, key, Message(t(text_key, **values)),
                                         skip_platform=skip_platform)
        return count

    async def delivery_failed(self, row: Row, error: str) -> None:
        if row["kind"] == KIND or row["community_id"] is None:
            return  # a notice that cannot be delivered is only logged: nothing to tell it with
        community = await self.app.directory.community(int(row["community_id"]))
        t = self.app.translator(community.language)
        text = t("notices.delivery_failed", platform=row["platform"], target=row["target"],
                 attempts=int(row["attempts"]) + 1, error=error)
        async with self.app.db.transaction() as tx:
            await self.tell(tx, community, f"admin:delivery:{row['id']}", Message(text),
                            skip_chat=(row["platform"], row["target"]))

    async def platform_down(self, platform: str, reason: str) -> None:
        """The process is about to exit: tell the other platforms' admin chats and deliver at once."""
        count = await self.tell_everyone(f"admin:down:{platform}:{self.app.clock.now().isoformat()}",
                                         "notices.platform_down", skip_platform=platform, platform=platform,
                                         reason=reason, since=Text.of(Moment(self.app.clock.now())))
        if count:
            try:
                others = [name for name in self.app.platforms if name != platform]
                await asyncio.wait_for(self.app.outbox.flush(others), LAST_WORDS_SECONDS)
            except TimeoutError:
                log.error("the notice that %s is down could not be delivered in time", platform)
