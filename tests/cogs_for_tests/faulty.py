"""A cog whose command fails after its change is saved, and whose timed job always fails: the one error
path (App.on_error) must log each once and tell the admins of the job that keeps failing."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bot.cog import Cog, at, command
from bot.context import Context
from bot.i18n import Translator
from bot.models import Text
from bot.scheduler import Job
from bot.storage import Tx

if TYPE_CHECKING:
    from bot.app import App


class Faulty(Cog):
    name = "faulty"

    async def forget_person(self, tx: Tx, person_id: int, t: Translator) -> list[Text]:
        return []  # it keeps nothing about people

    @command("saveandfail")
    async def save_and_fail(self, ctx: Context) -> None:
        async with self.app.db.transaction() as tx:
            await self.app.scheduler.schedule(tx, "faulty.tick", self.app.clock.now() + timedelta(minutes=1),
                                              key="faulty:tick", community_id=ctx.community.id)
        raise RuntimeError("the answer could not be put together")

    @at("faulty.tick")
    async def tick(self, job: Job, tx: Tx) -> None:
        raise RuntimeError("the job's work failed")


async def setup(app: App) -> None:
    await app.add_cog(Faulty(app))
