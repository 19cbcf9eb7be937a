"""Weekly challenges: themes, entries, reaction voting and results, with exactly-once phases.

The cog wires small rooms, each with its collaborators passed in (see bot.cog.Room):
themes (/theme), entries (/submit), voting (reactions, the Vote button, receipts, the recount), phases
(the due rows: open, submissions close, reminders, weekly), results (the vote's close, /leaderboard),
the gallery (/entries, /watch, the pages of a large round), the jury (/challenge_admin jury, /score) and admin
(/challenge). What they share is made here: the repository, the vote targets cache and the receipts.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cog import Cog
from bot.errors import UserError
from bot.i18n import Translator
from bot.models import Text
from bot.storage import Tx
from cogs.challenges.admin import AdminRoom
from cogs.challenges.archive.repository import ChallengeArchive
from cogs.challenges.entries import EntriesRoom
from cogs.challenges.gallery import GalleryRoom
from cogs.challenges.jury import JuryRoom
from cogs.challenges.phases import PhasesRoom
from cogs.challenges.receipts import Receipts
from cogs.challenges.repository import ChallengeRepository
from cogs.challenges.results import ResultsRoom
from cogs.challenges.settings import ChallengeSettings
from cogs.challenges.show import ShowRoom
from cogs.challenges.targets import VoteTargets
from cogs.challenges.themes import ThemesRoom
from cogs.challenges.votes import VoteWriter
from cogs.challenges.voting import VotingRoom
from cogs.challenges.withdrawals import Withdrawals
from cogs.films.api import FILMS

if TYPE_CHECKING:
    from bot.app import App

HERE = Path(__file__).parent


class ChallengesCog(Cog):
    name = "challenges"
    requires = ("films",)
    settings_type = ChallengeSettings
    migrations = HERE / "migrations"
    locales = HERE / "locales"
    settings: ChallengeSettings
    community_rules = ("points", "vote_emoji", "also_vote_emojis", "submit_days", "vote_days", "max_runtime")

    def __init__(self, app: App) -> None:
        super().__init__(app)
        self.repo = ChallengeRepository(app.db)
        targets = self.targets = VoteTargets(self.repo)
        self.receipts = Receipts(app, self.repo.entry_titles, hidden_tallies=self.settings.hidden_tallies)
        self.voting = VotingRoom(app, self.settings, self.rules, self.repo, targets, self.receipts)
        self.results = ResultsRoom(app, self.settings, self.rules, self.repo, targets, self.voting)
        self.gallery = GalleryRoom(app, self.settings, self.repo)
        self.jury = JuryRoom(app, self.repo)
        self.phases = PhasesRoom(app, self.settings, self.rules, self.repo, targets, self.results, self.gallery,
                                 self.jury)
        self.withdrawals = Withdrawals(app, targets, self.receipts.repo)
        self.rooms = [ThemesRoom(app, self.repo), EntriesRoom(app, self.repo), self.voting, self.phases,
                      self.results, self.gallery, self.jury,
                      ShowRoom(app, self.settings, self.repo, self.results.results, self.gallery.gallery),
                      AdminRoom(app, self.rules, self.repo, targets, self.phases)]

    @property
    def writer(self) -> VoteWriter[str]:
        return self.voting.writer

    async def cog_load(self) -> None:
        await self.targets.listen()
        self.voting.writer.start()
        films = self.app.service(FILMS)
        films.add_keeper(self.name, self.withdrawals.kept_films)
        films.add_in_play(self.name, self.withdrawals.consequences, self.withdrawals.withdraw)

    async def cog_unload(self) -> None:
        await self.voting.writer.stop()
        if "films" in self.app.cogs:
            self.app.service(FILMS).remove_extras(self.name)

    async def check_rule(self, community_id: int, name: str, value: Any) -> Any:
        """The vote emoji wait for a vote to end: the reactions already given there would stop counting."""
        if name in ("vote_emoji", "also_vote_emojis"):
            voting = await self.repo.in_community(community_id, ["voting"], limit=1)
            if voting:
                raise UserError("challenges.rules.round_open", id=voting[0].id)
        return value

    async def person_has_data(self, person_id: int) -> bool:
        return await self.repo.has_person(person_id)

    async def merge_people(self, tx: Tx, source_id: int, target_id: int) -> None:
        if not await self.repo.move_person(tx, source_id, target_id):
            raise UserError("challenges.errors.merge_clash")
        await self.receipts.repo.move_person(tx, source_id, target_id)
        await self.jury.jury.move_person(tx, source_id, target_id)
        await self.gallery.gallery.move_person(tx, source_id, target_id)

    async def forget_person(self, tx: Tx, person_id: int, t: Translator) -> list[Text]:
        """Covers challenge_votes, _entries, _results (kept entries stay under the anonymous row), _themes,
        _jurors, _scores, _views, _receipts and _receipt_times."""
        return await self.withdrawals.forget_person(tx, person_id, t)

    async def export(self, community_id: int, *, public: bool) -> dict[str, Any]:
        return await self.repo.export(community_id, public=public)

    async def import_data(self, tx: Tx, community_id: int, data: dict[str, Any]) -> None:
        await ChallengeArchive().import_community(tx, community_id, data)
        for item in data.get("challenges", []):
            challenge = await self.repo.get(int(item["id"]), tx)
            if challenge is not None:
                await self.phases.plan_remaining(tx, challenge)
