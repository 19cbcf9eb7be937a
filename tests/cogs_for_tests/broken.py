"""A cog that fails while loading, to show loading is all-or-nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cog import Cog, command
from bot.context import Context

if TYPE_CHECKING:
    from bot.app import App


class Broken(Cog):
    name = "broken"

    @command("broken")
    async def broken(self, ctx: Context) -> None:
        raise AssertionError("never reached")

    async def cog_load(self) -> None:
        raise RuntimeError("the broken cog cannot start")


async def setup(app: App) -> None:
    await app.add_cog(Broken(app))
