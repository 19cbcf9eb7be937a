"""The vote's close and what follows from it: recount, rank, save the results, announce them; and the
/leaderboard of a season."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.cog import Room, command
from bot.commands import Option
from bot.context import Context
from bot.models import Community
from bot.storage import Tx
from cogs.challenges import logic, messages
from cogs.challenges.repository import Challenge, ChallengeRepository
from cogs.challenges.settings import ChallengeSettings
from cogs.challenges.targets import VoteTargets
from cogs.challenges.voting import VotingRoom

if TYPE_CHECKING:
    from bot.app import App


class ResultsRoom(Room):
    def __init__(self, app: App, settings: ChallengeSettings, repo: ChallengeRepository, targets: VoteTargets,
                 voting: VotingRoom) -> None:
        self.app = app
        self.settings = settings
        self.repo = repo
        self.targets = targets
        self.voting = voting

    async def close_voting(self, tx: Tx, challenge: Challenge, community: Community) -> None:
        """Recount, rank and announce. Votes after `vote_until` never reached the store, so a late run
        still counts as of the true close time."""
        await self.voting.recount(tx, challenge)
        entries = {entry.id: entry for entry in await self.repo.entries(challenge.id, tx)}
        counts = await self.repo.tally(challenge.id, tx)
        placed = logic.rank(sorted(counts.items()), self.settings.points)
        closed = [*await self.repo.closed_ids(tx, community.id), challenge.id]
        streaks: dict[int, int] = {}
        for entry in entries.values():
            entered = await self.repo.entered_by(tx, community.id, entry.person_id)
            streaks[entry.person_id] = logic.streak(closed, entered)
        for item in placed:
            entry = entries[item.entry_id]
            await self.repo.save_result(tx, challenge.id, entry.id, entry.person_id, item.place, item.votes,
                                        item.points, streaks[entry.person_id])
        await self.repo.set_state(tx, challenge.id, "closed", self.app.clock.now())
        self.targets.forget(tx)
        t = self.app.translator(community.language)
        await self.app.outbox.announce(tx, community, "challenges",
                                       messages.results(challenge, placed, entries, streaks, t),
                                       key=f"challenges:{challenge.id}:voting")

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
