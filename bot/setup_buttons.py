"""The buttons under /setup show: announce a kind here, put it back to the config's chats, speak a
language. Each press is checked for admin rights here, whatever the platform showed; the message then
shows the new state in place, and the presser is told what changed (Telegram: a toast)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot.cog import button
from bot.community_settings import channel_key
from bot.context import Context
from bot.errors import UserError
from bot.i18n import LANGUAGES, Translator
from bot.models import ANNOUNCEMENT_KINDS, Text
from bot.setup_rules import RuleCommands
from bot.setup_view import BACK, HERE, LANGUAGE, chat_name, settings_message

if TYPE_CHECKING:
    from bot.app import App


async def choose_channel(ctx: Context, kind: str, target: str) -> Text:
    """Store `target` for `kind` on the speaker's platform; the answer names it and any right the bot
    lacks there (still saved: the admin may grant it next)."""
    platform = ctx.account.platform
    await ctx.app.community_settings.choose(ctx.community.id, channel_key(platform, kind), target)
    answer = [ctx.t("core.setup.channel_set", kind=kind, chat=await chat_name(ctx.app, platform, target, kind))]
    running = ctx.app.platforms.get(platform)
    missing = await running.missing_rights(target) if running is not None else []
    if missing:
        rights = ", ".join(ctx.t.s(f"notices.permission.{platform}.{right}") for right in missing)
        answer.append(ctx.t("core.setup.missing_rights", rights=rights))
    return ctx.t.join(answer)


def here(ctx: Context) -> str:
    """The target of the chat the speaker is in, and its topic on a forum group."""
    if ctx.chat.is_private:
        ctx.fail("core.setup.not_in_private")
    running = ctx.app.platforms.get(ctx.chat.platform)
    return running.announce_target(ctx.chat) if running is not None else ctx.chat.chat_id


class SetupButtons(RuleCommands):
    """Mixed into the core's commands (bot/builtin.py), beside SetupCommands (the rules' lines too)."""

    app: App

    @button(HERE)
    async def setup_here(self, ctx: Context, arg: str) -> None:
        ctx.require_admin()
        await self._show(ctx, await choose_channel(ctx, _kind(arg), here(ctx)))

    @button(BACK)
    async def setup_back(self, ctx: Context, arg: str) -> None:
        ctx.require_admin()
        kind = _kind(arg)
        await self.app.community_settings.reset(ctx.community.id, [channel_key(ctx.account.platform, kind)])
        await self._show(ctx, ctx.t("core.setup.reset", setting=kind))

    @button(LANGUAGE)
    async def setup_speak(self, ctx: Context, arg: str) -> None:
        ctx.require_admin()
        if arg not in LANGUAGES:
            raise UserError("errors.stale_button")
        await self.app.community_settings.choose(ctx.community.id, "language", arg)
        t = self.app.translator(arg)  # the message and the answer already in the language chosen
        await self._show(ctx, t("core.setup.language_set", language=arg), t)

    async def _show(self, ctx: Context, said: Text, t: Translator | None = None) -> None:
        """The pressed message with the new state (an edit first: on Discord it is the press's answer)."""
        now = replace(ctx, community=await self.app.directory.community(ctx.community.id), t=t or ctx.t)
        await ctx.update(await settings_message(now, await self.rule_lines(now)))
        await ctx.reply_private(said)


def _kind(arg: str) -> str:
    if arg not in ANNOUNCEMENT_KINDS:
        raise UserError("errors.stale_button")
    return arg
