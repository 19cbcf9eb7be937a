"""Entries leave a challenge in two ways: their maker is forgotten, or their film is deleted while the
challenge runs. Either way the votes for them go; a film's voters are told once, privately. A closed
challenge keeps its results: a forgotten maker's entries there stay, under the anonymous former member,
so the places others earned read as they were announced."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.i18n import Translator
from bot.models import Message, Text
from bot.storage import Tx
from cogs.challenges.receipts.repository import ReceiptRepository
from cogs.challenges.targets import VoteTargets
from cogs.challenges.withdrawals.repository import WithdrawalRepository
from cogs.films.api import Film

if TYPE_CHECKING:
    from bot.app import App


class Withdrawals:
    def __init__(self, app: App, targets: VoteTargets, receipts: ReceiptRepository) -> None:
        self.app = app
        self.targets = targets
        self.receipts = receipts
        self.repo = WithdrawalRepository(app.db)

    async def forget_person(self, tx: Tx, person_id: int, t: Translator) -> list[Text]:
        found = await self.repo.forget_person(tx, person_id)
        await self.receipts.forget_person(tx, person_id)
        self.targets.forget(tx)
        counts = (("votes_running", found.votes_running), ("votes_closed", found.votes_closed),
                  ("entries_withdrawn", found.entries_withdrawn), ("entries_kept", found.entries_kept),
                  ("themes", found.themes), ("jury", found.jury))
        return [t(f"challenges.forget.{key}", count=count) for key, count in counts if count]

    async def kept_films(self, tx: Tx, film_ids: Sequence[int]) -> set[int]:
        return await self.repo.in_closed_results(tx, film_ids)

    async def consequences(self, film: Film, t: Translator) -> list[Text]:
        return [t("challenges.withdraw.entry", id=item.challenge_id, theme=item.theme)
                for item in await self.repo.running_entries(film.id)]

    async def withdraw(self, tx: Tx, film: Film) -> None:
        """Before the film's row goes (taking its entries and their votes with it): its voters are told."""
        entries = await self.repo.running_entries(film.id)
        if not entries:
            return
        community = await self.app.directory.community(film.community_id)
        t = self.app.translator(community.language)
        for item in entries:
            await self.repo.count_withdrawal(tx, item.challenge_id)
            message = Message(t("challenges.withdraw.voter", title=film.title, id=item.challenge_id,
                                theme=item.theme))
            for voter in await self.repo.voters(tx, item.entry_id):
                person = await self.app.directory.person(voter)
                zone = person.zone if person and person.zone else community.zone
                await self.app.outbox.to_person(tx, voter, message, key=f"challenges:withdrawn:{item.entry_id}",
                                                zone=zone, community_id=community.id)
        self.targets.forget(tx)
