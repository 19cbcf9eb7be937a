from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.films.cog import FilmsCog

if TYPE_CHECKING:
    from bot.app import App

COG = FilmsCog


async def setup(app: App) -> None:
    await app.add_cog(FilmsCog(app))
