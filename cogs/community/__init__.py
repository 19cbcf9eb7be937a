from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.community.cog import CommunityCog

if TYPE_CHECKING:
    from bot.app import App

COG = CommunityCog


async def setup(app: App) -> None:
    await app.add_cog(CommunityCog(app))
