"""One short welcome when the bot joins a Discord server or a Telegram group: what it does, where it will
post until told otherwise, and where to look next. Keyed by the space, so it is posted once, ever."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.models import Message

if TYPE_CHECKING:
    from bot.app import App


async def welcome(app: App, platform: str, space: str, title: str, posts_in: str) -> None:
    """Queue the welcome to the admins of the space just joined (`posts_in`: where announcements go)."""
    community = await app.directory.community_for_space(platform, space, title)
    t = app.translator(community.language)
    message = Message(t("core.welcome", where=posts_in))
    async with app.db.transaction() as tx:
        await app.outbox.to_chat(tx, community, platform, space, message, key=f"welcome:{platform}:{space}",
                                 kind="admin")
