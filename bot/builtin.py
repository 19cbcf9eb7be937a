"""Commands every bot has whatever cogs are loaded: /help, /start, /timezone, /setup."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.backups import BackupsRoom
from bot.cog import Cog, command, completer
from bot.commands import Command, Option
from bot.context import Context
from bot.forget import ForgetRoom
from bot.i18n import Translator
from bot.models import Text
from bot.setup import SetupCommands
from bot.setup_buttons import SetupButtons
from bot.storage import Tx
from bot.timeutil import known_zone, zones_like

if TYPE_CHECKING:
    from bot.app import App


class Builtin(Cog, SetupCommands, SetupButtons):
    name = "core"

    def __init__(self, app: App) -> None:
        super().__init__(app)
        self.backups = BackupsRoom(app)
        self.rooms = [ForgetRoom(app), self.backups]

    async def cog_load(self) -> None:
        await self.backups.plan()

    async def forget_person(self, tx: Tx, person_id: int, t: Translator) -> list[Text]:
        """The core's part, last of all: the accounts, names and zone, and private messages still waiting."""
        accounts = await self.app.directory.accounts_of(person_id)
        await self.app.outbox.drop_private(tx, accounts)
        await self.app.directory.forget(tx, person_id, t.s("core.forget.former_member"))
        return [t("core.forget.accounts", count=len(accounts))]

    @command("help", Option("command", positional=True, greedy=True), quiet=True)
    async def help(self, ctx: Context, command: str | None) -> None:
        if command:
            await ctx.reply(self._one(ctx, command.removeprefix("/").lower()))
            return
        visible = self.app.registry.visible()
        lines = [ctx.t("core.help.header")]
        lines += [self._line(ctx, cmd) for cmd in visible if not cmd.admin]
        if ctx.is_admin:  # as in the platforms' menus: members are not shown what they may not use
            lines.append(ctx.t("core.help.admin_header"))
            lines += [self._line(ctx, cmd) for cmd in visible if cmd.admin]
        lines.append(ctx.t("core.help.footer"))
        await ctx.reply(ctx.t.join(lines))

    def _line(self, ctx: Context, cmd: Command) -> Text:
        return ctx.t("core.help.line", name=cmd.name, description=ctx.t(cmd.catalog_key + ".description"))

    def _one(self, ctx: Context, name: str) -> Text:
        registry = self.app.registry
        found = [cmd for cmd in registry.visible() if cmd.name == name or cmd.group == name]
        if not found:
            return ctx.t("errors.unknown_command", command=name, suggestion=registry.suggest(name))
        parts: list[Text] = []
        for cmd in found:
            parts.append(ctx.t("core.help.usage", usage=cmd.usage(),
                               description=ctx.t(cmd.catalog_key + ".description")))
            extra = cmd.catalog_key + ".help"
            if ctx.t.catalog.has("en", extra):
                parts.append(ctx.t(extra))
            if cmd.admin:
                parts.append(ctx.t("core.help.admin_only"))
        return ctx.t.join(parts)

    @command("start", Option("payload", positional=True), hidden=True)
    async def start(self, ctx: Context, payload: str | None) -> None:
        await ctx.reply(ctx.t("core.start", name=ctx.person.display_name))

    @command("timezone", Option("zone", positional=True, autocomplete="zones"), quiet=True)
    async def timezone(self, ctx: Context, zone: str | None) -> None:
        if zone is None:
            await ctx.reply(ctx.t("core.timezone.current", zone=ctx.zone))
            return
        if zone.lower() in ("off", "reset", "none"):
            await self.app.directory.set_zone(ctx.person.id, None)
            await ctx.reply(ctx.t("core.timezone.reset", zone=ctx.community.zone))
            return
        found = known_zone(zone)
        if found is None:
            ctx.fail("core.timezone.unknown", zone=zone[:64])
        await self.app.directory.set_zone(ctx.person.id, found)
        await ctx.reply(ctx.t("core.timezone.set", zone=found))

    @completer("zones")
    async def complete_zones(self, community_id: int, prefix: str) -> list[tuple[str, str]]:
        return [(name.replace("_", " "), name) for name in zones_like(prefix)]


async def setup(app: App) -> None:
    await app.add_cog(Builtin(app))
