"""A test cog that keeps nothing about people but forgot to say so: it must not load."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cog import Cog

if TYPE_CHECKING:
    from bot.app import App


class Forgetless(Cog):
    name = "forgetless"


async def setup(app: App) -> None:
    await app.add_cog(Forgetless(app))
