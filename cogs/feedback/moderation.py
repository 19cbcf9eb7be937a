"""Reports, removals and bars: keeping the exchange honest.

A report goes two ways: a short notice (no reviewer, no notes, no reporter) to the community's
"feedback" chats, and the whole critique, with the reviewer's name, privately to every admin the bot
has seen use /feedback in this community.
"""

from __future__ import annotations

from bot.cog import command
from bot.commands import Option
from bot.context import Context
from bot.errors import UserError
from bot.models import Message, Person, Text
from cogs.feedback import messages
from cogs.feedback.base import FeedbackBase
from cogs.feedback.exchange import CRITIQUE

USER = Option("user", required=True, positional=True)


class ModerationCommands(FeedbackBase):

    @command("feedback report", CRITIQUE,
             Option("reason", required=True, positional=True, greedy=True, max_length=500))
    async def report(self, ctx: Context, critique: int, reason: str) -> None:
        found = await self.critique_or_fail(ctx, critique)
        if found.removed:
            raise UserError("feedback.errors.removed", id=found.id)
        now = self.app.clock.now()
        async with self.app.db.transaction() as tx:
            report_id = await self.repo.add_report(tx, found.id, ctx.person.id, reason.strip(), now)
            if report_id is None:
                raise UserError("feedback.errors.already_reported", id=found.id)
            notice = ctx.t("feedback.report.announce", id=found.id, film=found.film_id)
            await self.app.outbox.announce(tx, ctx.community, "feedback", Message(notice),
                                           key=f"feedback.report:{report_id}")
            full = Text.of(ctx.t("feedback.report.to_admin", id=found.id, reporter=ctx.person.display_name),
                           "\n", ctx.t("feedback.report.reason"), " ", reason.strip(), "\n",
                           messages.critique_text(ctx.t, found, show_reviewer=True), "\n",
                           ctx.t("feedback.report.actions", id=found.id))
            for moderator in await self.repo.moderators(ctx.community.id):
                if moderator != ctx.person.id:
                    await self.tell(tx, ctx, moderator, Message(full), f"feedback.report:{report_id}:{moderator}")
        await ctx.reply(ctx.t("feedback.report.thanks", id=found.id))

    @command("feedback remove", CRITIQUE, admin=True)
    async def remove(self, ctx: Context, critique: int) -> None:
        found = await self.critique_or_fail(ctx, critique)
        now = self.app.clock.now()
        community = ctx.community.id
        async with self.app.db.transaction() as tx:
            if not await self.repo.mark_removed(tx, found.id, ctx.person.id, now):
                raise UserError("feedback.errors.removed", id=found.id)
            owed = found.earned + found.bonus
            taken = await self.repo.take_back(tx, community, found.reviewer_id, owed, "removed", found.id, now)
            note = ctx.t.plural("feedback.removed.to_reviewer", taken, id=found.id, film=found.film_id,
                                title=found.film_title, taken=taken)
            await self.tell(tx, ctx, found.reviewer_id, Message(note), f"feedback.removed:{found.id}")
            reopened = False
            if found.request_id is not None:
                request = await self.repo.request_by_id(found.request_id, tx)
                have = await self.repo.active_count(found.request_id, tx)
                if request is not None and request.status == "done" and have < request.wanted:
                    reopened = await self.repo.reopen_request(tx, request.id)
            if reopened:
                back = ctx.t("feedback.removed.to_maker", film=found.film_id, title=found.film_title)
                await self.tell(tx, ctx, found.maker_id, Message(back), f"feedback.reopened:{found.id}")
        # No reviewer name here: the reply may land in a group chat, and the critique may be anonymous.
        lines = [ctx.t("feedback.removed.done", id=found.id, taken=taken, owed=owed)]
        if reopened:
            lines.append(ctx.t("feedback.removed.reopened", film=found.film_id))
        await ctx.reply(ctx.t.join(lines))

    @command("feedback bar", USER, admin=True)
    async def bar(self, ctx: Context, user: str) -> None:
        person = await self.person_or_fail(ctx, user)
        if person.id == ctx.person.id:
            raise UserError("feedback.errors.bar_self")
        async with self.app.db.transaction() as tx:
            if not await self.repo.bar(tx, ctx.community.id, person.id, ctx.person.id, self.app.clock.now()):
                raise UserError("feedback.errors.already_barred", name=person.display_name)
        await ctx.reply(ctx.t("feedback.barred", name=person.display_name))

    @command("feedback unbar", USER, admin=True)
    async def unbar(self, ctx: Context, user: str) -> None:
        person = await self.person_or_fail(ctx, user)
        async with self.app.db.transaction() as tx:
            if not await self.repo.unbar(tx, ctx.community.id, person.id):
                raise UserError("feedback.errors.not_barred", name=person.display_name)
        await ctx.reply(ctx.t("feedback.unbarred", name=person.display_name))

    async def person_or_fail(self, ctx: Context, user: str) -> Person:
        person = await ctx.find_person(user)
        if person is None:
            raise UserError("feedback.errors.no_person", name=user)
        return person
