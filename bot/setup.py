"""/setup: a community's admins choose, in chat, where each kind of announcement goes and the
community's zone and language; the config's values stay the defaults until they do."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cog import command
from bot.commands import Option
from bot.community_settings import channel_key
from bot.context import Context
from bot.i18n import LANGUAGES
from bot.models import ANNOUNCEMENT_KINDS
from bot.setup_buttons import choose_channel, here
from bot.setup_rules import RuleCommands
from bot.setup_view import settings_message
from bot.timeutil import known_zone, zones_like

if TYPE_CHECKING:
    from bot.app import App

KIND = Option("kind", positional=True, required=True, choices=ANNOUNCEMENT_KINDS)
CHANNEL = Option("channel", positional=True, picker="channel")  # Discord: a picker; elsewhere: this chat
ZONE = Option("zone", positional=True, required=True, autocomplete="zones")
LANGUAGE = Option("language", positional=True, required=True)
KEY = Option("key", positional=True, required=True)


class SetupCommands(RuleCommands):
    """Mixed into the core's commands (bot/builtin.py)."""

    app: App

    @command("setup show", admin=True, default=True)
    async def setup_show(self, ctx: Context) -> None:
        await ctx.reply(await settings_message(ctx, await self.rule_lines(ctx)))

    @command("setup channel", KIND, CHANNEL, admin=True)
    async def setup_channel(self, ctx: Context, kind: str, channel: str | None) -> None:
        await ctx.reply(await choose_channel(ctx, kind, channel or here(ctx)))

    @command("setup zone", ZONE, admin=True)
    async def setup_zone(self, ctx: Context, zone: str) -> None:
        found = known_zone(zone)
        if found is None:
            ctx.fail("core.setup.zone_unknown", zone=zone[:64],
                     suggestions=", ".join(zones_like(zone, 3)) or "Asia/Shanghai, Europe/Berlin")
        await self.app.community_settings.choose(ctx.community.id, "zone", found)
        await ctx.reply(ctx.t("core.setup.zone_set", zone=found))

    @command("setup language", LANGUAGE, admin=True)
    async def setup_language(self, ctx: Context, language: str) -> None:
        language = next((known for known in LANGUAGES if known.lower() == language.strip().lower()), "")
        if not language:
            ctx.fail("core.setup.unknown_language", languages=", ".join(LANGUAGES))
        await self.app.community_settings.choose(ctx.community.id, "language", language)
        t = self.app.translator(language)  # the answer already in the language chosen
        await ctx.reply(t("core.setup.language_set", language=language))

    @command("setup reset", KEY, admin=True)
    async def setup_reset(self, ctx: Context, key: str) -> None:
        key = key.strip().lower()
        if key in ANNOUNCEMENT_KINDS:
            keys = [channel_key(ctx.account.platform, key)]
        elif key in ("zone", "language"):
            keys = [key]
        elif (rule := await self.reset_rule(ctx, key)) is not None:
            keys = rule
        else:
            ctx.fail("core.setup.unknown_key", setting=key[:64], kinds=", ".join(ANNOUNCEMENT_KINDS))
        await self.app.community_settings.reset(ctx.community.id, keys)
        community = await self.app.directory.community(ctx.community.id)
        await ctx.reply(self.app.translator(community.language)("core.setup.reset", setting=key))

