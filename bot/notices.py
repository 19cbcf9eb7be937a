"""Notices for a community's admins, sent to the chats that take the "admin" kind of announcement.

They say what went wrong that a person should know of: a message that could not be delivered for good,
a chat that refuses the bot's posts for a missing right (which chat, which right), a platform connection
that was lost (and what was recovered), a platform that is down. Each is keyed,
so it is sent once however often the cause is seen.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from bot.errors import Failure
from bot.models import Community, Message, Moment, Text

if TYPE_CHECKING:
    from bot.app import App
    from bot.platform import Refusal
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

    async def failed_for_good(self, failure: Failure, error: str) -> None:
        """A delivery given up, a job that keeps failing: the community's admins hear of it once."""
        if failure.community_id is None or failure.kind == "delivery" and failure.name == KIND:
            return  # a notice that cannot be delivered is only logged: nothing to tell it with
        community = await self.app.directory.community(failure.community_id)
        t = self.app.translator(community.language)
        what = t(f"notices.what.{failure.kind}", subject=failure.subject)
        text = t("notices.failed_for_good", what=what, attempts=failure.attempts or 1, error=error)
        # Not to the chat that could not be reached (it would fail the same way).
        skip = (failure.platform, failure.chat) if failure.platform and failure.chat else None
        async with self.app.db.transaction() as tx:
            await self.tell(tx, community, f"admin:failed:{failure.kind}:{failure.subject}:{failure.attempts}",
                            Message(text), skip_chat=skip)

    async def refused(self, failure: Failure, refusal: Refusal) -> None:
        """A chat refused a post for a missing right: the admins hear once per chat and right which one,
        however many announcements fail the same way (each is still logged)."""
        if failure.community_id is None or failure.name == KIND:
            return
        community = await self.app.directory.community(failure.community_id)
        t = self.app.translator(community.language)
        text = t("notices.refused", platform=t(f"notices.platform.{failure.platform}"), place=refusal.place,
                 permission=t(f"notices.permission.{failure.platform}.{refusal.permission}"))
        skip = (failure.platform, failure.chat) if failure.platform and failure.chat else None
        async with self.app.db.transaction() as tx:
            await self.tell(tx, community, f"admin:refused:{failure.platform}:{refusal.place_id}:{refusal.permission}",
                            Message(text), skip_chat=skip)

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
