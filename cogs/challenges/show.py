"""/challenge show: a challenge at a glance, its entries (or, once closed, its whole ranking) a page at a
time, and for admins what is still waiting to be posted and when it will be out."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bot.cog import Room, command
from bot.commands import Option
from bot.context import Context
from bot.errors import UserError
from bot.models import Moment, Text
from cogs.challenges import messages
from cogs.challenges.gallery.repository import GalleryRepository
from cogs.challenges.repository import Challenge, ChallengeRepository
from cogs.challenges.results.repository import ResultRepository
from cogs.challenges.settings import ChallengeSettings
from cogs.challenges.targets import challenge_in, latest_challenge

if TYPE_CHECKING:
    from bot.app import App

PAGE = 20


class ShowRoom(Room):
    def __init__(self, app: App, settings: ChallengeSettings, repo: ChallengeRepository, results: ResultRepository,
                 gallery: GalleryRepository) -> None:
        self.app = app
        self.settings = settings
        self.repo = repo
        self.results = results
        self.gallery = gallery

    @command("challenge show", Option("id", int, positional=True, min_value=1),
             Option("page", int, min_value=1, max_value=100_000), default=True)
    async def challenge_show(self, ctx: Context, id: int | None, page: int | None) -> None:
        challenge = await (challenge_in(self.repo, ctx.community, id) if id
                           else latest_challenge(self.repo, ctx.community, ("open", "voting", "scheduled", "closed"),
                                                  "challenges.errors.none_yet"))
        lines = [messages.summary(challenge, ctx.t)]
        if challenge.brief:
            lines.append(Text.of(challenge.brief))
        lines.append(ctx.t("challenges.show.cap", cap=messages.cap_text(challenge, ctx.t)))
        if challenge.categories:
            lines.append(ctx.t("challenges.show.categories", categories=", ".join(challenge.categories)))
        total = await self.repo.count_entries(challenge.id)
        lines.append(ctx.t("challenges.show.entries", count=total))
        pages = max((total + PAGE - 1) // PAGE, 1)
        number = page or 1
        if number > pages:
            raise UserError("challenges.errors.no_page", page=number, pages=pages)
        if challenge.state in ("voting", "closed"):
            lines += await self._listing(ctx, challenge, (number - 1) * PAGE)
            if pages > 1:
                lines.append(ctx.t("challenges.show.page", page=number, pages=pages, id=challenge.id))
        if ctx.is_admin:
            lines += await self._backlog(ctx)
        await ctx.reply(ctx.t.join(lines))

    async def _listing(self, ctx: Context, challenge: Challenge, offset: int) -> list[Text]:
        ranked = await self.results.page(challenge.id, offset, PAGE) if challenge.state == "closed" else []
        if ranked:
            return [ctx.t("challenges.show.ranked", place=row.place, entry=row.entry_id, title=row.title,
                          maker=row.maker, votes=row.votes, points=row.points) for row in ranked]
        counts = await self.repo.tally(challenge.id)
        shown = challenge.state == "closed" or not self.settings.hidden_tallies
        key = "challenges.show.entry_count" if shown else "challenges.show.entry"
        return [ctx.t(key, entry=entry.id, title=entry.title, maker=entry.maker, votes=counts.get(entry.id, 0))
                for entry in await self.gallery.page(challenge.id, None, offset, PAGE)]

    async def _backlog(self, ctx: Context) -> list[Text]:
        """The community's messages waiting per platform, and when the pace will have them all out."""
        now = self.app.clock.now()
        return [ctx.t("challenges.show.backlog", platform=name, count=count,
                      finish=Moment(now + timedelta(seconds=seconds), "R"))
                for name, (count, seconds) in (await self.app.outbox.backlog(ctx.community.id)).items()]
