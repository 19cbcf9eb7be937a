"""What every part of the feedback cog shares: declaration, repositories, and the checks each command makes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bot.cog import Cog
from bot.context import Context
from bot.errors import UserError
from bot.models import Message
from bot.storage import Tx
from cogs.feedback.repository import Critique, FeedbackRepository
from cogs.feedback.settings import FeedbackSettings

if TYPE_CHECKING:
    from cogs.films.api import FilmsApi

HERE = Path(__file__).parent
# What a barred member may not do: take part in the exchange (they may still read, thank and report).
EXCHANGE = frozenset({"feedback request", "feedback next", "feedback skip", "feedback.skip", "feedback give"})


class FeedbackBase(Cog):
    name = "feedback"
    requires = ("films",)
    settings_type = FeedbackSettings
    migrations = HERE / "migrations"
    locales = HERE / "locales"
    settings: FeedbackSettings
    community_rules = ("request_cost", "first_request_free", "critique_reward", "thanks_bonus", "min_words",
                       "min_timecodes")
    repo: FeedbackRepository
    films: FilmsApi

    async def cog_check(self, ctx: Context, name: str) -> None:
        """Before every /feedback command and button: admins are remembered (reports reach them), and
        barred members are kept out of the exchange itself (asking, reviewing, skipping)."""
        if ctx.is_admin:
            async with self.app.db.transaction() as tx:
                await self.repo.note_moderator(tx, ctx.community.id, ctx.person.id, self.app.clock.now())
        if name in EXCHANGE and await self.repo.is_barred(ctx.community.id, ctx.person.id):
            raise UserError("feedback.errors.barred")

    async def critique_or_fail(self, ctx: Context, critique_id: int, tx: Tx | None = None) -> Critique:
        critique = await self.repo.critique(critique_id, ctx.community.id, tx)
        if critique is None:
            raise UserError("feedback.errors.no_critique", id=critique_id)
        return critique

    async def tell(self, tx: Tx, ctx: Context, person_id: int, message: Message, key: str) -> None:
        """A private note to a member, in their own zone, written with the change it reports."""
        person = await self.app.directory.person(person_id)
        zone = person.zone if person and person.zone else ctx.community.zone
        await self.app.outbox.to_person(tx, person_id, message, key=key, zone=zone, community_id=ctx.community.id)
