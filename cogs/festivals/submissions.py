"""The submission tracker: which film went to which festival, its fate, and a nudge before results."""

from __future__ import annotations

from bot.cog import at, command
from bot.commands import Option
from bot.context import Context
from bot.errors import UserError
from bot.models import Message
from bot.scheduler import Job
from bot.storage import Tx
from cogs.festivals import logic
from cogs.festivals.base import FestivalsBase
from cogs.festivals.planner import NOTIFY
from cogs.festivals.tracker.repository import Submission
from cogs.festivals.views import fee_text
from cogs.films.api import FILMS


class SubmissionCommands(FestivalsBase):
    @command(
        "submissions add",
        Option("festival", required=True, positional=True, autocomplete="festivals"),
        Option("film", int, required=True, positional=True, autocomplete="films", min_value=1),
        Option("fee"),
        Option("status", choices=logic.STATUSES), quiet=True,
    )
    async def submissions_add(
        self, ctx: Context, festival: str, film: int, fee: str | None, status: str | None
    ) -> None:
        found = await self.festival_or_fail(ctx.community.id, festival)
        entry = await self.app.service(FILMS).film_or_fail(ctx, film)
        if entry.person_id != ctx.person.id and not ctx.is_admin:
            raise UserError("festivals.errors.not_your_film", id=entry.id, maker=entry.maker)
        fee_cents = logic.parse_fee(fee)
        now = self.app.clock.now()
        async with self.app.db.transaction() as tx:
            duplicate = await self.tracker.duplicate(tx, found.id, entry.id)
            if duplicate is not None:
                raise UserError("festivals.errors.submitted_twice", id=duplicate)
            submission_id = await self.tracker.add_submission(
                tx,
                ctx.community.id,
                found.id,
                entry.id,
                entry.person_id,
                fee_cents,
                status or "submitted",
                now,
            )
            submission = await self.tracker.submission(submission_id, tx)
            assert submission is not None
            await self.planner.plan_notification(tx, found, submission)
        await ctx.reply(
            ctx.t(
                "festivals.submissions.added",
                id=submission_id,
                film=entry.title,
                festival=found.name,
                status=ctx.t(f"festivals.status.{submission.status}"),
            )
        )

    @command("submissions list", quiet=True)
    async def submissions_list(self, ctx: Context) -> None:
        mine = await self.tracker.submissions_of(ctx.community.id, ctx.person.id)
        if not mine:
            await ctx.reply(ctx.t("festivals.submissions.none"))
            return
        lines = [ctx.t("festivals.submissions.header", count=len(mine))]
        lines += [
            ctx.t(
                "festivals.submissions.line",
                id=s.id,
                film=s.film,
                festival=s.festival,
                status=ctx.t(f"festivals.status.{s.status}"),
                fee=fee_text(ctx.t, s.fee_cents, s.currency),
            )
            for s in mine
        ]
        await ctx.reply(ctx.t.join(lines))

    @command(
        "submissions set",
        Option("id", int, required=True, positional=True, min_value=1),
        Option("status", required=True, choices=logic.STATUSES),
        Option("celebrate", bool), quiet=True,
    )
    async def submissions_set(self, ctx: Context, id: int, status: str, celebrate: bool | None) -> None:
        submission = await self._own(ctx, id)
        if celebrate and status != "selected":
            raise UserError("festivals.errors.celebrate_selected")
        async with self.app.db.transaction() as tx:
            await self.tracker.set_status(tx, submission.id, status, self.app.clock.now())
            festival = await self.repo.get(submission.festival_id, tx)
            updated = await self.tracker.submission(submission.id, tx)
            assert festival is not None and updated is not None
            await self.planner.plan_notification(tx, festival, updated)
            if celebrate:
                t = self.app.translator(ctx.community.language)
                text = t(
                    "festivals.submissions.celebrate",
                    maker=ctx.person.display_name,
                    film=submission.film,
                    festival=submission.festival,
                )
                await self.app.outbox.announce(
                    tx, ctx.community, "showcase", Message(text), key=f"festivals.selected/{submission.id}/"
                )
        await ctx.reply(
            ctx.t("festivals.submissions.set", id=submission.id, status=ctx.t(f"festivals.status.{status}"))
        )

    async def _own(self, ctx: Context, submission_id: int) -> Submission:
        found = await self.tracker.submission(submission_id)
        if found is None or found.community_id != ctx.community.id:
            raise UserError("festivals.errors.no_submission", id=submission_id)
        if found.person_id != ctx.person.id and not ctx.is_admin:
            raise UserError("festivals.errors.not_your_submission", id=submission_id)
        return found

    @at(NOTIFY)
    async def on_notification_eve(self, job: Job, tx: Tx) -> None:
        submission = await self.tracker.submission(int(job.payload["submission_id"]), tx)
        if submission is None or submission.status != "submitted":
            return
        festival = await self.repo.get(submission.festival_id, tx)
        if festival is None or festival.notification_date is None:
            return
        if festival.notification_date.isoformat() != job.payload["day"]:
            return  # the date moved; a row for the new date was planned with it
        community = await self.app.directory.community(submission.community_id)
        person = await self.app.directory.person(submission.person_id)
        t = self.app.translator(community.language)
        text = t(
            "festivals.submissions.notify",
            festival=festival.name,
            film=submission.film,
            day=festival.notification_date.isoformat(),
            id=submission.id,
        )
        zone = (person.zone if person else None) or community.zone
        await self.app.outbox.to_person(
            tx,
            submission.person_id,
            Message(text),
            key=job.key or f"n{job.id}",
            zone=zone,
            community_id=community.id,
        )
