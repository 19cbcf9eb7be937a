"""Forgetting a person: `/forgetme` (private, after a confirmation) and an admin's `/forget <user>`.

Every cog says how it forgets someone (`Cog.forget_person`, required: a cog without it is not loaded),
and all of them run in one transaction, newest cog first, the core last (accounts, names, zone): an
interruption leaves everything or nothing. The preview runs the very same hooks in a transaction that is
rolled back, so what a person is told would happen is what then happens.

A person is one across communities and platforms (linked accounts are one person), so forgetting covers
all of it: every account, in every community the bot serves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cog import Room, button, command
from bot.commands import Option, parse_id
from bot.context import Context
from bot.errors import UserError
from bot.i18n import Translator
from bot.models import Button, ButtonStyle, Message, Text

if TYPE_CHECKING:
    from bot.app import App


class _Preview(Exception):
    def __init__(self, lines: list[Text]) -> None:
        super().__init__("preview")
        self.lines = lines


async def forget_person(app: App, person_id: int, t: Translator, *, preview: bool = False) -> list[Text]:
    """Remove the person through every cog's hook in one transaction; returns what was removed or kept
    (with `preview`, what would be, and nothing changes)."""
    try:
        async with app.db.transaction() as tx:
            lines: list[Text] = []
            for cog in reversed(list(app.cogs.values())):
                lines.extend(await cog.forget_person(tx, person_id, t))
            if preview:
                raise _Preview(lines)
    except _Preview as undone:
        return undone.lines
    return lines


class ForgetRoom(Room):
    def __init__(self, app: App) -> None:
        self.app = app

    @command("forgetme", Option("confirm", bool))
    async def forgetme(self, ctx: Context, confirm: bool | None) -> None:
        if not ctx.chat.is_private:
            raise UserError("core.forget.private_only")
        if confirm:
            await self._forget(ctx, ctx.person.id, "core.forget.done")
            return
        lines = await forget_person(self.app, ctx.person.id, ctx.t, preview=True)
        buttons = (Button(ctx.t.s("core.forget.button"), "core.forget", str(ctx.person.id), ButtonStyle.DANGER),
                   Button(ctx.t.s("core.forget.keep_button"), "core.forget_keep", ""))
        await ctx.reply(Message(ctx.t.join([ctx.t("core.forget.preview"), *lines,
                                            ctx.t("core.forget.confirm_hint")]), buttons=buttons))

    @command("forget", Option("user", required=True, positional=True, greedy=True), Option("confirm", bool),
             admin=True)
    async def forget(self, ctx: Context, user: str, confirm: bool | None) -> None:
        person = await ctx.find_person(user)
        if person is None:
            raise UserError("core.forget.no_person", name=user[:80])
        if confirm:
            await self._forget(ctx, person.id, "core.forget.member_done", name=person.display_name)
            return
        lines = await forget_person(self.app, person.id, ctx.t, preview=True)
        buttons = (Button(ctx.t.s("core.forget.member_button"), "core.forget_member", str(person.id),
                          ButtonStyle.DANGER),
                   Button(ctx.t.s("core.forget.keep_button"), "core.forget_keep", ""))
        await ctx.reply(Message(ctx.t.join([ctx.t("core.forget.member_preview", name=person.display_name), *lines,
                                            ctx.t("core.forget.member_confirm_hint")]), buttons=buttons))

    @button("core.forget")
    async def press_forget(self, ctx: Context, arg: str) -> None:
        if arg != str(ctx.person.id):
            raise UserError("core.forget.not_yours")
        await self._forget(ctx, ctx.person.id, "core.forget.done")

    @button("core.forget_member")
    async def press_forget_member(self, ctx: Context, arg: str) -> None:
        ctx.require_admin()
        person_id = parse_id(arg)
        person = await self.app.directory.person(person_id) if person_id is not None else None
        if person is None:
            raise UserError("core.forget.gone")
        await self._forget(ctx, person.id, "core.forget.member_done", name=person.display_name)

    @button("core.forget_keep")
    async def press_keep(self, ctx: Context, arg: str) -> None:
        await ctx.reply_private(ctx.t("core.forget.kept"))

    async def _forget(self, ctx: Context, person_id: int, key: str, **values: object) -> None:
        if await self.app.directory.is_forgotten(person_id):
            raise UserError("core.forget.gone")
        lines = await forget_person(self.app, person_id, ctx.t)
        message = Message(ctx.t.join([ctx.t(key, **values), *lines]))
        if person_id == ctx.person.id or ctx.chat.is_private:
            await ctx.reply_private(message)
        else:
            await ctx.reply(message)
