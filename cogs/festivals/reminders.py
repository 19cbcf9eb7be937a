"""Due rows firing (deadline reminders, fee rises) and members' private reminder subscriptions."""

from __future__ import annotations

from bot.cog import at, command
from bot.commands import Option
from bot.context import Context
from bot.i18n import Translator
from bot.models import Text
from bot.scheduler import Job
from bot.storage import Tx
from bot.timeutil import to_db
from cogs.festivals import logic, views
from cogs.festivals.base import FestivalsBase
from cogs.festivals.planner import FEE_RISE, REMINDER
from cogs.festivals.repository import Deadline, Festival


class ReminderJobs(FestivalsBase):
    async def _current(self, job: Job, tx: Tx) -> tuple[Festival, Deadline, list[Deadline]] | None:
        """The festival and tier a row is about, if the deadline is still the one it was planned for and
        has not passed (a row that fires late, after a down time, is skipped once its deadline is gone)."""
        festival = await self.repo.get(int(job.payload["festival_id"]), tx)
        if festival is None:
            return None
        deadlines = await self.repo.deadlines(festival.id, tx)
        deadline = next((d for d in deadlines if d.tier == job.payload["tier"]), None)
        if deadline is None or to_db(deadline.due_at) != job.payload["deadline"]:
            return None
        if deadline.due_at <= self.app.clock.now():
            return None
        return festival, deadline, deadlines

    @at(REMINDER)
    async def on_reminder(self, job: Job, tx: Tx) -> None:
        found = await self._current(job, tx)
        if found is None:
            return
        festival, deadline, _ = found
        now = self.app.clock.now()
        community = await self.app.directory.community(festival.community_id)

        def build(t: Translator) -> Text:
            return views.reminder_text(t, festival, deadline, now)

        await self.planner.broadcast(
            tx, community, festival, deadline.fee_cents, job.key or f"r{job.id}", build
        )

    @at(FEE_RISE)
    async def on_fee_rise(self, job: Job, tx: Tx) -> None:
        found = await self._current(job, tx)
        if found is None:
            return
        festival, deadline, deadlines = found
        rises = logic.fee_rises([(d.tier, d.due_at, d.fee_cents) for d in deadlines])
        following_tier = next((rise[2] for rise in rises if rise[0] == deadline.tier), None)
        following = next((d for d in deadlines if d.tier == following_tier), None)
        if following is None:
            return
        now = self.app.clock.now()
        community = await self.app.directory.community(festival.community_id)

        def build(t: Translator) -> Text:
            return views.fee_rise_text(t, festival, deadline, following, now)

        await self.planner.broadcast(
            tx, community, festival, deadline.fee_cents, job.key or f"f{job.id}", build
        )

    @command("remind festivals", Option("category", max_length=40), Option("max_fee"))
    async def remind_festivals(self, ctx: Context, category: str | None, max_fee: str | None) -> None:
        cents = logic.parse_fee(max_fee)
        wanted = category.strip().lower() if category else None
        await self.tracker.subscribe(ctx.community.id, ctx.person.id, wanted, cents, self.app.clock.now())
        filters = []
        if wanted:
            filters.append(ctx.t("festivals.remind.category", category=wanted))
        if cents is not None:
            filters.append(ctx.t("festivals.remind.max_fee", fee=logic.format_fee(cents, "")))
        # The configured offsets (30d, 7d) in words, in the reader's language: 30 days, 7 days / 30天、7天.
        spans = [logic.parse_duration(offset) for offset in self.settings.reminder_offsets]
        offsets = ctx.t.s("core.list_separator").join(ctx.t.duration(span) for span in spans if span)
        await ctx.reply(
            ctx.t(
                "festivals.remind.on",
                offsets=offsets,
                filters=ctx.t.join(filters, "; ") if filters else ctx.t("festivals.remind.all"),
            )
        )

    @command("remind off")
    async def remind_off(self, ctx: Context) -> None:
        removed = await self.tracker.unsubscribe(ctx.community.id, ctx.person.id)
        await ctx.reply(ctx.t("festivals.remind.off" if removed else "festivals.remind.was_off"))
