"""A test-only cog for the Telegram adapter tests: records reactions and button presses, and offers a
few hidden commands (cards with buttons, long text, private replies, an admin command, files, a stall).
Loaded by dotted name: `[bot] cogs = ["films", "tests.telegram_probe_cog"]`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.cog import Cog, button, command, listener
from bot.commands import Option
from bot.context import Context
from bot.i18n import Translator
from bot.models import (
    Attachment,
    Button,
    Card,
    CardField,
    Community,
    IncomingFile,
    Message,
    Person,
    ReactionEvent,
    Strong,
    Text,
)
from bot.storage import Tx

if TYPE_CHECKING:
    from bot.app import App


@dataclass(frozen=True)
class ProbeSettings:
    hang: bool = False  # /probe_hang stalls forever (for the crash drill)


class ProbeCog(Cog):
    name = "probe"

    async def forget_person(self, tx: Tx, person_id: int, t: Translator) -> list[Text]:
        return []  # it keeps nothing about people
    settings_type = ProbeSettings
    settings: ProbeSettings

    async def cog_load(self) -> None:
        self.reactions: list[tuple[ReactionEvent, str, Person]] = []
        self.presses: list[tuple[str, str, bool]] = []
        self.changed = asyncio.Event()

    def _seen(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()

    @command("probe_card", hidden=True)
    async def card(self, ctx: Context) -> None:
        card = Card("Dawn <b> & @channel", "https://example.com/a?b=1&c=2", Text.of("A <i>logline</i>"),
                    (CardField("Maker", Text.of(ctx.person.display_name)),), footer="Film #0")
        buttons = (Button("Vote", "probe", "v1"), Button("Long", "probe", "x" * 80))
        message = Message(Text.of(Strong("Entry"), " ready"), card=card, buttons=buttons)
        await ctx.reply(message, tag="probe.card")

    @command("probe_long", Option("lines", int, positional=True), hidden=True)
    async def long(self, ctx: Context, lines: int | None) -> None:
        body = "\n".join(f"line {n} <&> " + "🎬" * 20 for n in range(lines or 200))
        await ctx.reply(Text.of(Strong("Long"), "\n", body))

    @command("probe_dm", hidden=True)
    async def dm(self, ctx: Context) -> None:
        await ctx.reply_private(Text.of("a private note for ", ctx.person.display_name))

    @command("probe_admin", admin=True, hidden=True)
    async def admin_only(self, ctx: Context) -> None:
        await ctx.reply(Text.of("admin ok"))

    @command("probe_file", Option("file", IncomingFile, required=True), hidden=True)
    async def file(self, ctx: Context, file: IncomingFile) -> None:
        back = Attachment("echo-" + file.filename, file.data.upper(), "text/plain")
        await ctx.reply(Message(Text.of(f"got {file.filename}: {len(file.data)} bytes"), attachment=back))

    @command("probe_hang", hidden=True)
    async def hang(self, ctx: Context) -> None:
        if self.settings.hang:
            await asyncio.sleep(3600)
        await ctx.reply(Text.of("hang done"))

    @listener("reaction")
    async def on_reaction(self, event: ReactionEvent, tag: str, person: Person, community: Community) -> None:
        self.reactions.append((event, tag, person))
        self._seen()

    @button("probe")
    async def pressed(self, ctx: Context, arg: str) -> None:
        self.presses.append((arg, ctx.person.display_name, ctx.is_admin))
        self._seen()
        await ctx.reply(Text.of("pressed ", arg[:10]))

    async def wait(self, what: str, count: int = 1, timeout: float = 5) -> None:
        async def enough() -> None:
            while len(getattr(self, what)) < count:
                await self.changed.wait()
        await asyncio.wait_for(enough(), timeout)


COG = ProbeCog


async def setup(app: App) -> None:
    await app.add_cog(ProbeCog(app))
