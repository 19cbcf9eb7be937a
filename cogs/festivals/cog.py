"""Festival deadlines: the calendar, its cards and listings, reminders, submissions, iCalendar in and out.

Commands live in mixins by job (admin.py, reminders.py, submissions.py); this module holds the listings,
the CLI hooks and the set-up.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.cog import Cog, command, completer
from bot.commands import Option
from bot.config import ConfigError
from bot.context import Context
from bot.errors import Refused, UserError
from bot.i18n import Translator
from bot.models import Attachment, Community, Message, Text
from bot.services import CALENDARS
from bot.storage import Tx
from bot.timeutil import parse_duration, to_db
from cogs.festivals import ics, logic, views
from cogs.festivals.admin import AdminCommands, read_file
from cogs.festivals.archive.repository import FestivalArchive
from cogs.festivals.planner import Planner
from cogs.festivals.reminders import ReminderJobs
from cogs.festivals.repository import Festival, FestivalRepository
from cogs.festivals.settings import FestivalSettings
from cogs.festivals.submissions import SubmissionCommands
from cogs.festivals.tracker.repository import TrackerRepository
from cogs.films.api import FILMS

HERE = Path(__file__).parent


class FestivalsCog(AdminCommands, ReminderJobs, SubmissionCommands, Cog):
    name = "festivals"
    requires = ("films",)
    settings_type = FestivalSettings
    migrations = HERE / "migrations"
    locales = HERE / "locales"
    settings: FestivalSettings

    async def cog_load(self) -> None:
        self.app.services.provide(CALENDARS, self, self.name)
        self.repo = FestivalRepository(self.app.db)
        self.tracker = TrackerRepository(self.app.db)
        try:
            self.planner = Planner(self.app, self.repo, self.tracker, self.settings)
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc

    # -- looking ---------------------------------------------------------------------------------------------

    @command(
        "festival show",
        Option("festival", required=True, positional=True, greedy=True, autocomplete="festivals"),
        default=True,
    )
    async def festival_show(self, ctx: Context, festival: str) -> None:
        found = await self.festival_or_fail(ctx.community.id, festival)
        deadlines = await self.repo.deadlines(found.id)
        await ctx.reply(Message(card=views.festival_card(ctx.t, found, deadlines, self.app.clock.now())))

    @command(
        "festivals list", Option("category", max_length=40), Option("max_fee"), Option("within"), default=True
    )
    async def festivals_list(
        self, ctx: Context, category: str | None, max_fee: str | None, within: str | None
    ) -> None:
        span = logic.duration_or_fail(within or self.settings.default_within, "within")
        now = self.app.clock.now()
        found = await self.repo.upcoming(
            ctx.community.id,
            now,
            now + span,
            category=category,
            max_fee_cents=logic.parse_fee(max_fee),
            limit=self.settings.list_limit,
        )
        label = ctx.t.duration(span)
        if not found:
            await ctx.reply(ctx.t("festivals.list.empty", within=label))
            return
        lines = [ctx.t("festivals.list.header", within=label)]
        lines += [views.upcoming_line(ctx.t, item, now) for item in found]
        await ctx.reply(ctx.t.join(lines))

    @command(
        "festivals fit",
        Option("film", int, required=True, positional=True, autocomplete="films", min_value=1),
    )
    async def festivals_fit(self, ctx: Context, film: int) -> None:
        entry = await self.app.service(FILMS).film_or_fail(ctx, film)
        now = self.app.clock.now()
        found = await self.repo.fitting(
            ctx.community.id,
            now,
            runtime_seconds=entry.runtime_seconds,
            genre=entry.genre,
            limit=self.settings.list_limit,
        )
        if not found:
            await ctx.reply(ctx.t("festivals.fit.none", title=entry.title))
            return
        lines = [ctx.t("festivals.fit.header", title=entry.title, count=len(found))]
        lines += [views.upcoming_line(ctx.t, item, now) for item in found]
        await ctx.reply(ctx.t.join(lines))

    @command("festivals ics", Option("category", max_length=40), Option("max_fee"))
    async def festivals_ics(self, ctx: Context, category: str | None, max_fee: str | None) -> None:
        cents = logic.parse_fee(max_fee)
        data, count = await self._calendar([ctx.community.id], category, cents)
        await ctx.reply(
            Message(
                ctx.t("festivals.ics.ready", count=count),
                attachment=Attachment("festivals.ics", data, "text/calendar"),
            )
        )

    @completer("festivals")
    async def complete_festivals(self, community_id: int, prefix: str) -> list[tuple[str, str]]:
        return [
            (f"#{f.id} {f.name}"[:100], str(f.id)) for f in await self.repo.named_like(community_id, prefix)
        ]

    # -- calendars and export --------------------------------------------------------------------------------

    async def _calendar(
        self, community_ids: list[int], category: str | None, max_fee_cents: int | None
    ) -> tuple[bytes, int]:
        festivals: list[Festival] = []
        for community_id in community_ids:
            festivals.extend(await self.repo.all(community_id, category))
        by_id = await self.repo.deadlines_of([f.id for f in festivals])
        items = []
        for festival in festivals:
            kept = [
                d
                for d in by_id[festival.id]
                if max_fee_cents is None or d.fee_cents is None or d.fee_cents <= max_fee_cents
            ]
            if kept:
                items.append((festival, kept))
        alarm = parse_duration(self.settings.alarm) or timedelta(days=1)
        data = ics.build_calendar(items, alarm=alarm, now=self.app.clock.now(), name="Festival deadlines")
        return data, sum(len(kept) for _, kept in items)

    async def export_ics(self, *, category: str | None = None, max_fee: float | None = None) -> bytes:
        """`microfilm-bot export --format ics`: every community's deadlines."""
        if max_fee is not None and max_fee < 0:
            raise ConfigError("--max-fee must not be negative")
        cents = None if max_fee is None else round(max_fee * 100)
        communities = [c.id for c in await self.app.directory.communities()]
        data, _ = await self._calendar(communities, category, cents)
        return data

    async def import_ics_file(self, path: Path, community: Community) -> str:
        """`microfilm-bot import-ics PATH [--community KEY]`: a printable summary, or why nothing changed."""
        t = self.app.translator(community.language)
        try:
            return (await self.importer().run(community, read_file(path))).plain()
        except UserError as exc:
            raise Refused(t.s(exc.key, **exc.values)) from exc

    async def person_has_data(self, person_id: int) -> bool:
        return await self.tracker.has_person(person_id)

    async def merge_people(self, tx: Tx, source_id: int, target_id: int) -> None:
        await self.tracker.merge_person(tx, source_id, target_id)

    async def forget_person(self, tx: Tx, person_id: int, t: Translator) -> list[Text]:
        subscriptions, submissions = await FestivalArchive().forget_person(tx, person_id)
        lines = [t("festivals.forget.reminders")] if subscriptions else []
        if submissions:
            lines.append(t("festivals.forget.submissions", count=submissions))
        return lines

    async def import_data(self, tx: Tx, community_id: int, data: dict[str, Any]) -> None:
        """Festivals of an export; the reminders still ahead are planned as if each tier was just set."""
        now = to_db(self.app.clock.now())
        for festival_id in await FestivalArchive().import_community(tx, community_id, data, now):
            festival = await self.repo.get(festival_id, tx)
            assert festival is not None
            for deadline in await self.repo.deadlines(festival.id, tx):
                await self.planner.plan_tier(tx, festival, deadline.tier, deadline, festival.revision)
            await self.planner.plan_fee_rises(tx, festival, festival.revision)
            await self.planner.replan_notifications(tx, festival)

    async def export(self, community_id: int, *, public: bool) -> dict[str, Any]:
        festivals = await self.repo.all(community_id)
        by_id = await self.repo.deadlines_of([f.id for f in festivals])
        out: dict[str, Any] = {"festivals": [_festival_export(f, by_id[f.id]) for f in festivals]}
        if not public:
            out["festival_submissions"] = await self.tracker.export(community_id)
            out["festival_subscriptions"] = await self.tracker.export_subscriptions(community_id)
        return out


def _festival_export(festival: Festival, deadlines: list[Any]) -> dict[str, Any]:
    def day(value: Any) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": festival.id,
        "name": festival.name,
        "url": festival.url,
        "zone": festival.zone,
        "country": festival.country,
        "city": festival.city,
        "categories": list(festival.categories),
        "max_runtime_seconds": festival.max_runtime_seconds,
        "premiere": festival.premiere,
        "currency": festival.currency,
        "notification_date": day(festival.notification_date),
        "event_start": day(festival.event_start),
        "event_end": day(festival.event_end),
        "deadlines": [
            {
                "tier": d.tier,
                "local": d.local.strftime("%Y-%m-%dT%H:%M"),
                "due_at": to_db(d.due_at),
                "fee_cents": d.fee_cents,
            }
            for d in deadlines
        ],
    }
