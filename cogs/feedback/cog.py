"""The peer feedback exchange: give critiques to earn credits, spend credits to be critiqued.

Commands live in exchange.py (asking, reviewing, thanking) and moderation.py (reports, removals, bars);
this class joins them, hooks the summary into /film and /profile, and exports the critiques.
"""

from __future__ import annotations

from typing import Any

from bot.i18n import Translator
from bot.models import CardField, Text
from bot.storage import Tx
from cogs.feedback import messages
from cogs.feedback.archive.repository import FeedbackArchive
from cogs.feedback.exchange import ExchangeCommands
from cogs.feedback.moderation import ModerationCommands
from cogs.feedback.repository import FeedbackRepository
from cogs.films.api import FILMS, Film


class FeedbackCog(ExchangeCommands, ModerationCommands):

    async def cog_load(self) -> None:
        self.films = self.app.service(FILMS)
        self.repo = FeedbackRepository(self.app.db)
        self.films.add_card_extra(self.name, self.card_fields)
        self.films.add_profile_extra(self.name, self.profile_lines)
        self.films.add_in_play(self.name, self.consequences, self.withdraw)
        self.archive = FeedbackArchive()

    async def cog_unload(self) -> None:
        self.films.remove_extras(self.name)

    async def card_fields(self, film: Film, t: Translator) -> list[CardField]:
        """/film shows the averages per dimension and the critique count, and the queue state if queued."""
        request = await self.repo.open_request(film.id)
        queued = (await self.repo.active_count(request.id), request.wanted) if request else None
        return messages.summary_fields(t, await self.repo.summary(film.id), queued)

    async def profile_lines(self, community_id: int, person_id: int, t: Translator) -> list[Text]:
        given = await self.repo.given_count(community_id, person_id)
        balance = await self.repo.balance(community_id, person_id)
        return [t("feedback.profile", given=given, balance=balance)]

    async def person_has_data(self, person_id: int) -> bool:
        return await self.repo.has_person(person_id)

    async def merge_people(self, tx: Tx, source_id: int, target_id: int) -> None:
        await self.repo.merge_person(tx, source_id, target_id)

    async def consequences(self, film: Film, t: Translator) -> list[Text]:
        """Deleting a film waiting for critiques takes it out of the queue (asked before it is done)."""
        request = await self.repo.open_request(film.id)
        if request is None:
            return []
        return [t("feedback.withdraw.queue", got=await self.repo.active_count(request.id), wanted=request.wanted)]

    async def withdraw(self, tx: Tx, film: Film) -> None:
        """Nothing to do before the film goes: its request and critiques go with it."""

    async def forget_person(self, tx: Tx, person_id: int, t: Translator) -> list[Text]:
        found = await self.archive.forget_person(tx, person_id)
        lines = [t("feedback.forget.credits", credits=found.credits)]
        if found.kept:
            lines.append(t("feedback.forget.kept", count=found.kept))
        if found.deleted:
            lines.append(t("feedback.forget.deleted", count=found.deleted))
        if found.requests:
            lines.append(t("feedback.forget.requests", count=found.requests))
        return lines

    async def export(self, community_id: int, *, public: bool) -> dict[str, Any]:
        return await self.repo.export(community_id, public=public)

    async def import_data(self, tx: Tx, community_id: int, data: dict[str, Any]) -> None:
        await self.archive.import_community(tx, community_id, data)
