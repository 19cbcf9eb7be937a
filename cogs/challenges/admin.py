"""/challenge: new, weekly, list, show, extend, cancel."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bot.cog import Room, command
from bot.commands import Option
from bot.context import Context
from bot.errors import UserError
from bot.models import Message, Moment
from bot.scheduler import next_weekly
from bot.timeutil import to_db
from cogs.challenges import logic, messages
from cogs.challenges.phases import PhasesRoom
from cogs.challenges.repository import ChallengeRepository, Weekly
from cogs.challenges.settings import ChallengeSettings, RulesOf
from cogs.challenges.targets import VoteTargets, challenge_in
from cogs.films.api import parse_runtime

if TYPE_CHECKING:
    from bot.app import App

DAY_CHOICES = logic.DAYS


class AdminRoom(Room):
    def __init__(self, app: App, rules: RulesOf, repo: ChallengeRepository, targets: VoteTargets,
                 phases: PhasesRoom) -> None:
        self.app = app
        self.rules = rules
        self.repo = repo
        self.targets = targets
        self.phases = phases

    @command("challenge_admin new", Option("theme", required=True, positional=True, greedy=True, max_length=200),
             Option("brief", max_length=1000), Option("max_runtime"), Option("opens"), Option("submit_until"),
             Option("vote_until"), Option("categories", max_length=500), admin=True, was="challenge new")
    async def challenge_new(self, ctx: Context, theme: str, brief: str | None, max_runtime: str | None,
                            opens: str | None, submit_until: str | None, vote_until: str | None,
                            categories: str | None) -> None:
        theme = logic.check_theme(theme)
        kinds = logic.parse_categories(categories)
        if await self.repo.theme_used(ctx.community.id, logic.normalize_theme(theme)):
            raise UserError("challenges.errors.theme_used", theme=theme)
        now, zone = self.app.clock.now(), ctx.community.zone
        rules = await self.rules(ctx.community.id)
        start = logic.parse_when(opens, zone=zone, base=now) if opens else now
        if start < now - timedelta(minutes=1):
            raise UserError("challenges.errors.opens_past")
        submit = (logic.parse_when(submit_until, zone=zone, base=start) if submit_until
                  else start + timedelta(days=rules.submit_days))
        vote = (logic.parse_when(vote_until, zone=zone, base=submit) if vote_until
                else submit + timedelta(days=rules.vote_days))
        logic.check_window(now, start, submit, vote)
        cap = self._cap(max_runtime, rules)
        async with self.app.db.transaction() as tx:
            challenge = await self.phases.create(tx, ctx.community, theme=theme, brief=logic.check_brief(brief),
                                                 max_runtime=cap, opens=max(start, now), submit_until=submit,
                                                 vote_until=vote, weekly=False, categories=kinds)
        await ctx.reply(ctx.t("challenges.created", id=challenge.id, theme=theme, opens=Moment(challenge.opens_at),
                              submit_until=Moment(submit, "FR"), vote_until=Moment(vote, "FR")))

    @staticmethod
    def _cap(raw: str | None, rules: ChallengeSettings) -> int | None:
        if raw is None:
            return rules.default_cap()
        if raw.strip().lower() in ("0", "none", "off", "no"):
            return None
        return parse_runtime(raw)

    @command("challenge_admin weekly", Option("switch", positional=True, choices=("on", "off")),
             Option("day", choices=DAY_CHOICES), Option("time"), Option("zone"),
             Option("submit_days", int, min_value=1, max_value=6), Option("vote_days", int, min_value=1,
                                                                          max_value=6), admin=True,
             was="challenge weekly")
    async def challenge_weekly(self, ctx: Context, switch: str | None, day: str | None, time: str | None,
                               zone: str | None, submit_days: int | None, vote_days: int | None) -> None:
        community_id = ctx.community.id
        if switch == "off":
            async with self.app.db.transaction() as tx:
                await self.repo.set_weekly(tx, community_id, None)
                await self.app.scheduler.cancel(tx, f"challenges:weekly:{community_id}:")
            await ctx.reply(ctx.t("challenges.weekly.off"))
            return
        hour, minute = logic.parse_hhmm(time or "09:00")
        rules = await self.rules(community_id)
        plan = Weekly(logic.parse_day(day or "mon"), hour, minute, logic.check_zone(zone or ctx.community.zone),
                      submit_days or rules.submit_days, vote_days or rules.vote_days)
        if plan.submit_days + plan.vote_days > 7:
            raise UserError("challenges.errors.week_too_short")
        async with self.app.db.transaction() as tx:
            version = await self.repo.set_weekly(tx, community_id, plan)
            await self.app.scheduler.cancel(tx, f"challenges:weekly:{community_id}:")
            fire = await self.phases.schedule_weekly(tx, community_id, version, self.app.clock.now())
        assert fire is not None
        await ctx.reply(ctx.t("challenges.weekly.on", day=ctx.t.s(f"challenges.days.{plan.day}"),
                              time=f"{hour:02d}:{minute:02d}", zone=plan.zone, next=Moment(fire),
                              submit_days=plan.submit_days, vote_days=plan.vote_days))

    @command("challenge_admin list", admin=True, was="challenge list")
    async def challenge_list(self, ctx: Context) -> None:
        found = await self.repo.in_community(ctx.community.id)
        if not found:
            await ctx.reply(ctx.t("challenges.list.empty"))
            return
        lines = [ctx.t("challenges.list.header")] + [messages.summary(item, ctx.t) for item in found]
        weekly = await self.repo.weekly(ctx.community.id)
        if weekly is not None:
            upcoming = next_weekly(self.app.clock.now(), weekly.day, weekly.hour, weekly.minute, weekly.zone)
            lines.append(ctx.t("challenges.list.weekly", next=Moment(upcoming)))
        await ctx.reply(ctx.t.join(lines))

    @command("challenge_admin extend", Option("id", int, required=True, positional=True, min_value=1),
             Option("phase", required=True, positional=True, choices=logic.PHASES),
             Option("duration", required=True, positional=True), admin=True, was="challenge extend")
    async def challenge_extend(self, ctx: Context, id: int, phase: str, duration: str) -> None:
        challenge = await challenge_in(self.repo, ctx.community, id)
        delta = logic.parse_extension(duration)
        allowed = ("scheduled", "open") if phase == "submissions" else ("scheduled", "open", "voting")
        if challenge.state not in allowed:
            raise UserError("challenges.errors.extend_state", id=id, phase=ctx.t.s(f"challenges.phase.{phase}"))
        # Longer submissions push the vote close back by the same amount, so voting keeps its length.
        submit = challenge.submit_until + (delta if phase == "submissions" else timedelta(0))
        vote = challenge.vote_until + delta
        deadline = submit if phase == "submissions" else vote
        async with self.app.db.transaction() as tx:
            await self.repo.set_deadlines(tx, challenge.id, submit, vote)
            self.targets.forget(tx)
            await self.app.scheduler.reschedule(tx, f"challenges:{id}:submissions", submit)
            await self.app.scheduler.reschedule(tx, f"challenges:{id}:voting", vote)
            await self.phases.schedule_reminders(tx, challenge.id, ctx.community.id, submit, vote)
            await self.app.outbox.announce(
                tx, ctx.community, "challenges",
                Message(ctx.t("challenges.extended", id=id, theme=challenge.theme,
                              phase=ctx.t.s(f"challenges.phase.{phase}"), until=Moment(deadline, "FR"))),
                key=f"challenges:{id}:extend:{phase}:{to_db(deadline)}")
        await ctx.reply(ctx.t("challenges.extend_done", id=id))

    @command("challenge_admin cancel", Option("id", int, required=True, positional=True, min_value=1), admin=True,
             was="challenge cancel")
    async def challenge_cancel(self, ctx: Context, id: int) -> None:
        challenge = await challenge_in(self.repo, ctx.community, id)
        if challenge.state in ("closed", "cancelled"):
            raise UserError("challenges.errors.cancel_state", id=id,
                            state=ctx.t.s(f"challenges.state.{challenge.state}"))
        async with self.app.db.transaction() as tx:
            await self.repo.set_state(tx, challenge.id, "cancelled", self.app.clock.now())
            self.targets.forget(tx)
            await self.app.scheduler.cancel(tx, f"challenges:{id}:")
            await self.app.outbox.announce(tx, ctx.community, "challenges",
                                           Message(ctx.t("challenges.cancelled", id=id, theme=challenge.theme)),
                                           key=f"challenges:{id}:cancel")
        await ctx.reply(ctx.t("challenges.cancel_done", id=id))
