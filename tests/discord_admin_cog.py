"""A test-only cog for the Discord tests: an admin command, a button, and a reaction listener."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bot.cog import Cog, button, command, listener
from bot.context import Context
from bot.i18n import Translator
from bot.models import Button, Community, Message, Person, ReactionEvent, Text
from bot.storage import Tx

if TYPE_CHECKING:
    from bot.app import App


class DiscordTestCog(Cog):
    name = "discordtest"

    async def forget_person(self, tx: Tx, person_id: int, t: Translator) -> list[Text]:
        return []  # it keeps nothing about people
    locales = Path(__file__).parent / "discord_locales"

    async def cog_load(self) -> None:
        self.reactions: list[tuple[ReactionEvent, str, Person]] = []

    @command("purge", admin=True)
    async def purge(self, ctx: Context) -> None:
        await ctx.reply(ctx.t("discordtest.purged"))

    @command("ballot")
    async def ballot(self, ctx: Context) -> None:
        vote = Button("Vote", "discordtest.vote", "7")
        await ctx.reply(Message(ctx.t("discordtest.ballot"), buttons=(vote,)))

    @button("discordtest.vote")
    async def vote(self, ctx: Context, arg: str) -> None:
        await ctx.reply_private(ctx.t("discordtest.voted", name=ctx.person.display_name, arg=arg))

    @listener("reaction")
    async def on_reaction(self, event: ReactionEvent, tag: str, person: Person, community: Community) -> None:
        self.reactions.append((event, tag, person))


COG = DiscordTestCog


async def setup(app: App) -> None:
    await app.add_cog(DiscordTestCog(app))
