"""A cog that fails while loading, to show loading is all-or-nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cog import Cog, command
from bot.context import Context
from bot.i18n import Translator
from bot.models import Text
from bot.storage import Tx

if TYPE_CHECKING:
    from bot.app import App


class Broken(Cog):
    name = "broken"

    async def forget_person(self, tx: Tx, person_id: int, t: Translator) -> list[Text]:
        return []  # it keeps nothing about people

    @command("broken")
    async def broken(self, ctx: Context) -> None:
        raise AssertionError("never reached")

    async def cog_load(self) -> None:
        raise RuntimeError("the broken cog cannot start")


async def setup(app: App) -> None:
    await app.add_cog(Broken(app))
