"""Admin commands: add, deadline, edit, remove and import festivals."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.cog import command
from bot.commands import Option
from bot.context import Context
from bot.errors import UserError
from bot.links import lookalike_warning
from bot.models import IncomingFile, Moment
from cogs.festivals import logic
from cogs.festivals.base import FestivalsBase
from cogs.festivals.importer import Importer
from cogs.festivals.views import fee_text, tier_label
from cogs.films.logic import parse_runtime

DETAIL_OPTIONS = (
    Option("country", max_length=80),
    Option("city", max_length=80),
    Option("categories"),
    Option("max_runtime"),
    Option("currency"),
    Option("premiere", max_length=300),
    Option("notification"),
    Option("event"),
)
EDITABLE = (
    "name",
    "url",
    "zone",
    "country",
    "city",
    "categories",
    "max_runtime",
    "currency",
    "premiere",
    "notification",
    "event",
)


def validated(raw: Mapping[str, str | None]) -> dict[str, Any]:
    """Check every given field before anything is written; returns festival columns."""
    out: dict[str, Any] = {}
    checks = {
        "name": logic.check_name,
        "url": logic.check_url,
        "zone": logic.check_zone,
        "categories": logic.parse_categories,
        "currency": logic.check_currency,
    }
    for key, value in raw.items():
        if value is None:
            continue
        if key in checks:
            out[key] = checks[key](value)
        elif key in ("country", "city", "premiere"):
            out[key] = logic.check_text(value, key)
        elif key == "max_runtime":
            out["max_runtime_seconds"] = parse_runtime(value)
        elif key == "notification":
            out["notification_date"] = logic.parse_day(value)
        elif key == "event":
            out["event_start"], out["event_end"] = logic.parse_event(value)
    return out


class AdminCommands(FestivalsBase):
    @command(
        "festival add",
        Option("name", required=True, positional=True, greedy=True, max_length=120),
        Option("url", required=True),
        Option("zone", required=True),
        *DETAIL_OPTIONS,
        admin=True,
    )
    async def festival_add(self, ctx: Context, name: str, url: str, zone: str, **details: str | None) -> None:
        fields = validated({"name": name, "url": url, "zone": zone, **details})
        fields.setdefault("currency", "USD")
        async with self.app.db.transaction() as tx:
            if await self.repo.by_name(ctx.community.id, fields["name"], tx) is not None:
                raise UserError("festivals.errors.duplicate", name=fields["name"])
            festival_id = await self.repo.add(tx, ctx.community.id, fields, self.app.clock.now())
        added = ctx.t("festivals.added", id=festival_id, name=fields["name"])
        await ctx.reply(ctx.t.join([added, *lookalike_warning(ctx.t, fields["url"])]))

    @command(
        "festival deadline",
        Option("festival", required=True, positional=True, autocomplete="festivals"),
        Option("tier", required=True, positional=True, choices=logic.TIERS),
        Option("when", required=True, positional=True, greedy=True),
        Option("fee"),
        admin=True,
    )
    async def festival_deadline(
        self, ctx: Context, festival: str, tier: str, when: str, fee: str | None
    ) -> None:
        found_festival = await self.festival_or_fail(ctx.community.id, festival)
        removing = when.strip().lower() in ("remove", "delete", "none")
        fee_cents = logic.parse_fee(fee)
        found = None if removing else logic.future_local(when, found_festival.zone, self.app.clock.now())
        async with self.app.db.transaction() as tx:
            change = await self.planner.apply_deadline(
                tx, ctx.community, found_festival, tier, found, fee_cents, keep_fee=True
            )
        tier_text = tier_label(ctx.t, tier)
        values: dict[str, Any] = {"name": found_festival.name, "tier": tier_text}
        if change.after is not None:
            values.update(
                when=Moment(change.after.due_at),
                local=change.after.local.strftime("%Y-%m-%d %H:%M"),
                zone=found_festival.zone,
                fee=fee_text(ctx.t, change.after.fee_cents, found_festival.currency),
            )
        if change.before is not None:
            values["old"] = Moment(change.before.due_at)
        parts = [ctx.t(f"festivals.deadline.{change.kind}", **values)]
        if found is not None and found.ambiguous:
            parts.append(ctx.t("festivals.deadline.ambiguous", zone=found_festival.zone))
        await ctx.reply(ctx.t.join(parts))

    @command(
        "festival edit",
        Option("festival", required=True, positional=True, autocomplete="festivals"),
        Option("name", max_length=120),
        Option("url"),
        Option("zone"),
        *DETAIL_OPTIONS,
        admin=True,
    )
    async def festival_edit(self, ctx: Context, festival: str, **changes: str | None) -> None:
        found = await self.festival_or_fail(ctx.community.id, festival)
        given = {key: value for key, value in changes.items() if value is not None}
        if not given:
            raise UserError("festivals.errors.nothing_to_edit", keys=", ".join(EDITABLE))
        fields = validated(given)
        async with self.app.db.transaction() as tx:
            if "name" in fields:
                other = await self.repo.by_name(ctx.community.id, fields["name"], tx)
                if other is not None and other.id != found.id:
                    raise UserError("festivals.errors.duplicate", name=fields["name"])
            await self.repo.update(tx, found.id, fields)
            updated = await self.repo.get(found.id, tx)
            assert updated is not None
            if "zone" in fields and fields["zone"] != found.zone:
                await self.planner.replan_zone(tx, ctx.community, updated)
            if "notification_date" in fields or "zone" in fields:
                await self.planner.replan_notifications(tx, updated)
        edited = ctx.t("festivals.edited", name=updated.name, keys=", ".join(given))
        await ctx.reply(ctx.t.join([edited, *lookalike_warning(ctx.t, fields.get("url", ""))]))

    @command(
        "festival remove",
        Option("festival", required=True, positional=True, greedy=True, autocomplete="festivals"),
        admin=True,
    )
    async def festival_remove(self, ctx: Context, festival: str) -> None:
        found = await self.festival_or_fail(ctx.community.id, festival)
        async with self.app.db.transaction() as tx:
            await self.planner.cancel_festival(tx, found.id)
            await self.repo.delete(tx, found.id)
        await ctx.reply(ctx.t("festivals.removed", name=found.name))

    @command(
        "festival import",
        Option("path", positional=True, greedy=True),
        Option("file", IncomingFile),
        admin=True,
    )
    async def festival_import(self, ctx: Context, path: str | None, file: IncomingFile | None) -> None:
        if file is not None:
            data = file.data
        elif path:
            if not ctx.can_read_local_files:
                raise UserError("festivals.errors.path_console_only")  # never read server files for a chat
            data = read_file(Path(path.strip()))
        else:
            raise UserError("festivals.errors.import_what")
        await ctx.reply(await self.importer().run(ctx.community, data))

    def importer(self) -> Importer:
        return Importer(self.app, self.repo, self.planner, self.settings)


def read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UserError("festivals.errors.unreadable", path=str(path), reason=exc.strerror or "?") from None
