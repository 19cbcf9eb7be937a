"""/submit an entry and the /leaderboard."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.cog import command
from bot.commands import Option
from bot.context import Context
from bot.errors import UserError
from cogs.challenges import logic
from cogs.challenges.base import Base
from cogs.challenges.repository import Challenge
from cogs.films.api import FILMS, format_runtime, parse_runtime


class Submit(Base):
    @command("submit", Option("film", required=True, positional=True, autocomplete="films"),
             Option("challenge", int, min_value=1), Option("title", max_length=200), Option("runtime"))
    async def submit(self, ctx: Context, film: str, challenge: int | None, title: str | None,
                     runtime: str | None) -> None:
        target = await (self.challenge_in(ctx.community, challenge) if challenge else self._open_one(ctx))
        if target.state != "open":
            raise UserError("challenges.errors.not_open", id=target.id,
                            state=ctx.t.s(f"challenges.state.{target.state}"))
        if await self.repo.entry_of(target.id, ctx.person.id) is not None:
            raise UserError("challenges.errors.already_entered", id=target.id)
        seconds = parse_runtime(runtime) if runtime else None
        films = self.app.service(FILMS)
        film_id = logic.parse_film_ref(film)
        existing = (await films.find(ctx.community.id, film_id) if film_id is not None
                    else await films.find_by_link(ctx.community.id, film))
        if film_id is not None and existing is None:
            raise UserError("films.errors.not_found", id=film_id)
        if existing is not None and existing.person_id != ctx.person.id:
            raise UserError("challenges.errors.not_your_film", id=existing.id, maker=existing.maker)
        known = seconds if seconds is not None else existing.runtime_seconds if existing else None
        if existing is None:
            if not title:
                raise UserError("challenges.errors.title_needed")
            self._check_runtime(target, known)
            existing = await films.create_film(ctx, film, title, runtime=runtime)
        else:
            self._check_runtime(target, known)
        async with self.app.db.transaction() as tx:
            if seconds is not None and existing.runtime_seconds != seconds:
                await films.set_runtime(tx, existing.id, seconds)
            entry_id = await self.repo.add_entry(tx, target.id, existing.id, ctx.person.id, self.app.clock.now())
        await ctx.reply(ctx.t("challenges.submitted", entry=entry_id, title=existing.title, id=target.id,
                              theme=target.theme))

    def _check_runtime(self, challenge: Challenge, seconds: int | None) -> None:
        if challenge.max_runtime is None:
            return
        if seconds is None:
            raise UserError("challenges.errors.runtime_needed", cap=format_runtime(challenge.max_runtime))
        if seconds > challenge.max_runtime:
            raise UserError("challenges.errors.too_long", runtime=format_runtime(seconds),
                            cap=format_runtime(challenge.max_runtime))

    async def _open_one(self, ctx: Context) -> Challenge:
        found = await self.repo.in_community(ctx.community.id, ("open",))
        if not found:
            raise UserError("challenges.errors.none_open")
        if len(found) > 1:
            raise UserError("challenges.errors.which", ids=", ".join(f"#{item.id}" for item in found))
        return found[0]

    @command("leaderboard", Option("season", int, min_value=2000, max_value=2999))
    async def leaderboard(self, ctx: Context, season: int | None) -> None:
        zone = ZoneInfo(ctx.community.zone)
        year = season or self.app.clock.now().astimezone(zone).year
        start, end = datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)
        standings = await self.repo.standings(ctx.community.id, start, end)
        if not standings:
            await ctx.reply(ctx.t("challenges.leaderboard.empty", season=year))
            return
        lines = [ctx.t("challenges.leaderboard.header", season=year)]
        place = 0
        for index, row in enumerate(standings[: self.settings.leaderboard_size]):
            if index == 0 or row.points != standings[index - 1].points:
                place = index + 1  # equal points share a place
            lines.append(ctx.t("challenges.leaderboard.line", place=place, name=row.name, points=row.points,
                               wins=row.wins, entries=row.entries))
        await ctx.reply(ctx.t.join(lines))
