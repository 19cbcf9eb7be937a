"""/theme: members suggest themes; admins approve, reject and reorder the queue the weekly schedule uses."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cog import Room, command
from bot.commands import Option
from bot.context import Context
from bot.errors import UserError
from bot.storage import Tx
from cogs.challenges import logic
from cogs.challenges.repository import ChallengeRepository, Theme

if TYPE_CHECKING:
    from bot.app import App


class ThemesRoom(Room):
    def __init__(self, app: App, repo: ChallengeRepository) -> None:
        self.app = app
        self.repo = repo

    @command("theme suggest", Option("text", required=True, positional=True, greedy=True, max_length=200), quiet=True)
    async def theme_suggest(self, ctx: Context, text: str) -> None:
        theme = logic.check_theme(text)
        norm = logic.normalize_theme(theme)
        if await self.repo.theme_used(ctx.community.id, norm):
            raise UserError("challenges.errors.theme_used", theme=theme)
        if await self.repo.theme_waiting(ctx.community.id, norm):
            raise UserError("challenges.errors.theme_waiting", theme=theme)
        async with self.app.db.transaction() as tx:
            theme_id = await self.repo.add_theme(tx, ctx.community.id, theme, norm, ctx.person.id,
                                                 self.app.clock.now())
        await ctx.reply(ctx.t("challenges.themes.suggested", id=theme_id, theme=theme))

    @command("theme queue")
    async def theme_queue(self, ctx: Context) -> None:
        approved = await self.repo.themes(ctx.community.id, "approved")
        suggested = await self.repo.themes(ctx.community.id, "suggested")
        if not approved and not suggested:
            await ctx.reply(ctx.t("challenges.themes.empty"))
            return
        lines = [ctx.t("challenges.themes.queue_header")]
        lines += [ctx.t("challenges.themes.queued", position=theme.position, id=theme.id, theme=theme.text)
                  for theme in approved]
        if suggested:
            lines.append(ctx.t("challenges.themes.suggested_header"))
            lines += [ctx.t("challenges.themes.suggestion", id=theme.id, theme=theme.text,
                            name=theme.suggested_by or "?") for theme in suggested]
        await ctx.reply(ctx.t.join(lines))

    async def _theme(self, ctx: Context, theme_id: int, statuses: tuple[str, ...]) -> Theme:
        theme = await self.repo.theme(ctx.community.id, theme_id)
        if theme is None:
            raise UserError("challenges.errors.theme_not_found", id=theme_id)
        if theme.status not in statuses:
            raise UserError("challenges.errors.theme_status", id=theme_id,
                            status=ctx.t.s(f"challenges.themes.status.{theme.status}"))
        return theme

    @command("theme_admin approve", Option("id", int, required=True, positional=True, min_value=1), admin=True,
             was="theme approve")
    async def theme_approve(self, ctx: Context, id: int) -> None:
        theme = await self._theme(ctx, id, ("suggested", "rejected"))
        async with self.app.db.transaction() as tx:
            queue = await self.repo.themes(ctx.community.id, "approved", tx)
            await self.repo.set_theme(tx, theme.id, "approved", len(queue) + 1)
        await ctx.reply(ctx.t("challenges.themes.approved", id=id, theme=theme.text, position=len(queue) + 1))

    @command("theme_admin reject", Option("id", int, required=True, positional=True, min_value=1), admin=True,
             was="theme reject")
    async def theme_reject(self, ctx: Context, id: int) -> None:
        theme = await self._theme(ctx, id, ("suggested", "approved"))
        async with self.app.db.transaction() as tx:
            await self.repo.set_theme(tx, theme.id, "rejected", None)
            await self._renumber(tx, ctx.community.id, [t.id for t in await self.repo.themes(
                ctx.community.id, "approved", tx)])
        await ctx.reply(ctx.t("challenges.themes.rejected", id=id, theme=theme.text))

    @command("theme_admin move", Option("id", int, required=True, positional=True, min_value=1),
             Option("position", int, required=True, positional=True, min_value=1), admin=True, was="theme move")
    async def theme_move(self, ctx: Context, id: int, position: int) -> None:
        theme = await self._theme(ctx, id, ("approved",))
        async with self.app.db.transaction() as tx:
            order = [t.id for t in await self.repo.themes(ctx.community.id, "approved", tx) if t.id != theme.id]
            position = min(position, len(order) + 1)
            order.insert(position - 1, theme.id)
            await self._renumber(tx, ctx.community.id, order)
        await ctx.reply(ctx.t("challenges.themes.moved", id=id, theme=theme.text, position=position))

    async def _renumber(self, tx: Tx, community_id: int, order: list[int]) -> None:
        for index, theme_id in enumerate(order, start=1):
            await self.repo.set_theme(tx, theme_id, "approved", index)
