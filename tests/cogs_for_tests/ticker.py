"""A test cog whose due rows announce a tick, and whose effect can be told to fail."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cog import Cog, at, command
from bot.commands import Option
from bot.context import Context
from bot.i18n import Translator
from bot.models import Message, Text
from bot.scheduler import Job
from bot.storage import Tx
from bot.timeutil import parse_duration

if TYPE_CHECKING:
    from bot.app import App


class Ticker(Cog):
    name = "ticker"

    async def forget_person(self, tx: Tx, person_id: int, t: Translator) -> list[Text]:
        return []  # it keeps nothing about people

    async def cog_load(self) -> None:
        self.fail_next = 0
        self.ran: list[str] = []

    @command("tick", Option("label", required=True, positional=True), Option("after", required=True))
    async def tick(self, ctx: Context, label: str, after: str) -> None:
        delay = parse_duration(after)
        assert delay is not None
        async with self.app.db.transaction() as tx:
            await self.app.scheduler.schedule(tx, "ticker.tick", self.app.clock.now() + delay,
                                              {"label": label}, key=f"tick:{label}", community_id=ctx.community.id)
        await ctx.reply(Text.of(f"scheduled {label}"))

    @at("ticker.tick")
    async def on_tick(self, job: Job, tx: Tx) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise RuntimeError("tick effect failed")
        self.ran.append(job.payload["label"])
        assert job.community_id is not None
        community = await self.app.directory.community(job.community_id)
        label = job.payload["label"]
        message = Message(Text.of(f"tick {label} due {job.due_at:%H:%M} ran {self.app.clock.now():%H:%M}"))
        await self.app.outbox.announce(tx, community, "showcase", message, key=f"tick:{job.payload['label']}")


COG = Ticker


async def setup(app: App) -> None:
    await app.add_cog(Ticker(app))
