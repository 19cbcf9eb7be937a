"""/submit: a maker enters their film (by number, or by a link not shared yet) in the open challenge."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cog import Room, command
from bot.commands import Option
from bot.context import Context
from bot.errors import UserError
from cogs.challenges import logic
from cogs.challenges.repository import Challenge, ChallengeRepository
from cogs.challenges.targets import challenge_in
from cogs.films.api import FILMS, format_runtime, parse_runtime

if TYPE_CHECKING:
    from bot.app import App


class EntriesRoom(Room):
    def __init__(self, app: App, repo: ChallengeRepository) -> None:
        self.app = app
        self.repo = repo

    @command("submit", Option("film", required=True, positional=True, autocomplete="films"),
             Option("challenge", int, min_value=1), Option("title", max_length=200), Option("runtime"),
             Option("category", max_length=logic.MAX_CATEGORY))
    async def submit(self, ctx: Context, film: str, challenge: int | None, title: str | None,
                     runtime: str | None, category: str | None) -> None:
        target = await (challenge_in(self.repo, ctx.community, challenge) if challenge else self._open_one(ctx))
        if target.state != "open":
            raise UserError("challenges.errors.not_open", id=target.id,
                            state=ctx.t.s(f"challenges.state.{target.state}"))
        if await self.repo.entry_of(target.id, ctx.person.id) is not None:
            raise UserError("challenges.errors.already_entered", id=target.id)
        kind = logic.check_category(category, target.categories)
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
            entry_id = await self.repo.add_entry(tx, target.id, existing.id, ctx.person.id, self.app.clock.now(),
                                                 category=kind)
        await ctx.reply(ctx.t("challenges.submitted_category" if kind else "challenges.submitted", entry=entry_id,
                              title=existing.title, id=target.id, theme=target.theme, category=kind))

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
