"""The vote's close and what follows from it: before its transaction, recount the cards and download the
podium's thumbnails; inside it, apply the recount, rank overall, per category and by the jury, save the
results and announce them in one post per chat with the podium's picture (the full ranking attached when
it is long); and the /leaderboard of a season, overall or for one category."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.cog import Room, command
from bot.commands import Option
from bot.context import Context
from bot.errors import UserError
from bot.models import Card, Community, Message, Text
from bot.storage import Tx
from cogs.challenges import logic
from cogs.challenges.ranking import rank_round
from cogs.challenges.repository import Challenge, ChallengeRepository
from cogs.challenges.results import views
from cogs.challenges.results.pictures import Closing, likely_podium, podium_tiles
from cogs.challenges.results.repository import ResultRepository
from cogs.challenges.settings import ChallengeSettings, RulesOf
from cogs.challenges.targets import VoteTargets
from cogs.challenges.voting import VotingRoom
from cogs.films.api import FILMS

if TYPE_CHECKING:
    from bot.app import App


class ResultsRoom(Room):
    def __init__(self, app: App, settings: ChallengeSettings, rules: RulesOf, repo: ChallengeRepository,
                 targets: VoteTargets, voting: VotingRoom) -> None:
        self.app = app
        self.settings = settings
        self.rules = rules
        self.repo = repo
        self.targets = targets
        self.voting = voting
        self.results = ResultRepository(app.db)

    async def prepare_close(self, challenge: Challenge) -> Closing:
        """With no transaction open: what the cards show now, and the likely podium's thumbnails."""
        recount = await self.voting.recounter.gather(challenge)
        likely = set(likely_podium(await self.repo.tally(challenge.id), recount))
        entries = [entry for entry in await self.repo.entries(challenge.id) if entry.id in likely]
        tiles = await podium_tiles(self.app.service(FILMS), challenge.community_id, entries,
                                   self.settings.thumbnail_timeout)
        return Closing(recount, tiles)

    async def close_voting(self, tx: Tx, challenge: Challenge, community: Community,
                           prepared: Closing | None = None) -> None:
        """Apply the recount gathered before this transaction, rank and announce. Votes after `vote_until`
        never reached the store, so a late run still counts as of the true close time."""
        if prepared is not None:
            await self.voting.apply_recount(tx, challenge, prepared.recount)
        entries = await self.repo.entries(challenge.id, tx)
        points = (await self.rules(community.id)).points
        standings = rank_round([(entry.id, entry.category) for entry in entries],
                               await self.repo.tally(challenge.id, tx),
                               await self.results.jury_scores(tx, challenge.id), points)
        closed = [*await self.results.closed_ids(tx, community.id), challenge.id]
        entered = await self.results.entered_by(tx, community.id, [entry.person_id for entry in entries])
        streaks = {person_id: logic.streak(closed, ids) for person_id, ids in entered.items()}
        await self.results.save(tx, challenge.id, standings, {entry.id: entry.person_id for entry in entries},
                                streaks)
        await self.repo.set_state(tx, challenge.id, "closed", self.app.clock.now())
        self.targets.forget(tx)
        t = self.app.translator(community.language)
        await self.app.outbox.announce(tx, community, "challenges",
                                       views.results(challenge, standings, {e.id: e for e in entries}, streaks, t,
                                                     prepared.tiles if prepared is not None else {}),
                                       key=f"challenges:{challenge.id}:voting")

    @command("leaderboard", Option("season", int, min_value=2000, max_value=2999), Option("category"))
    async def leaderboard(self, ctx: Context, season: int | None, category: str | None) -> None:
        zone = ZoneInfo(ctx.community.zone)
        year = season or self.app.clock.now().astimezone(zone).year
        start, end = datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)
        wanted = category.strip().lower() if category else None
        standings = await self.results.season(ctx.community.id, start, end, wanted)
        label = f"{year} · {wanted}" if wanted else str(year)
        if not standings:
            if wanted:
                raise UserError("challenges.leaderboard.empty_category", season=year, category=wanted)
            await ctx.reply(ctx.t("challenges.leaderboard.empty", season=year))
            return
        lines: list[Text] = []
        place = 0
        for index, row in enumerate(standings[: self.settings.leaderboard_size]):
            if index == 0 or row.points != standings[index - 1].points:
                place = index + 1  # equal points share a place
            lines.append(ctx.t("challenges.leaderboard.line", place=place, name=row.name, points=row.points,
                               wins=row.wins, entries=row.entries, medal=views.medal(place)))
        title = ctx.t.s("challenges.leaderboard.header", season=label)
        await ctx.reply(Message(card=Card(title, description=ctx.t.join(lines), kind="results")))
