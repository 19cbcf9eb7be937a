from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.festivals.cog import FestivalsCog

if TYPE_CHECKING:
    from bot.app import App

COG = FestivalsCog


async def setup(app: App) -> None:
    await app.add_cog(FestivalsCog(app))
