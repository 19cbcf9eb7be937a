"""Weekly challenges: themes, entries, reaction voting and results, with exactly-once phases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.cog import Cog
from bot.errors import UserError
from bot.storage import Tx
from cogs.challenges.admin import Admin
from cogs.challenges.receipts import Receipts
from cogs.challenges.repository import ChallengeRepository
from cogs.challenges.settings import ChallengeSettings
from cogs.challenges.submit import Submit
from cogs.challenges.themes import Themes
from cogs.challenges.votes import VoteWriter
from cogs.challenges.voting import Voting

HERE = Path(__file__).parent


class ChallengesCog(Voting, Admin, Themes, Submit, Cog):
    name = "challenges"
    requires = ("films",)
    settings_type = ChallengeSettings
    migrations = HERE / "migrations"
    locales = HERE / "locales"
    settings: ChallengeSettings

    async def cog_load(self) -> None:
        self.repo = ChallengeRepository(self.app.db)
        self._targets = {}
        self.receipts = Receipts(self.app, self.entry_titles, hidden_tallies=self.settings.hidden_tallies)
        self.vote_emojis = frozenset(self.settings.vote_emojis)  # asked for every reaction in a storm
        self.writer = VoteWriter(self.app.db, self.apply_votes)
        self.writer.start()

    async def cog_unload(self) -> None:
        if hasattr(self, "writer"):
            await self.writer.stop()

    async def person_has_data(self, person_id: int) -> bool:
        return await self.repo.has_person(person_id)

    async def merge_people(self, tx: Tx, source_id: int, target_id: int) -> None:
        if not await self.repo.move_person(tx, source_id, target_id):
            raise UserError("challenges.errors.merge_clash")
        await self.receipts.repo.move_person(tx, source_id, target_id)

    async def export(self, community_id: int, *, public: bool) -> dict[str, Any]:
        return await self.repo.export(community_id)
