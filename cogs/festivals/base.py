"""What every part of the festivals cog shares: its services and looking a festival up."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.commands import parse_id
from bot.errors import UserError
from cogs.festivals.planner import Planner
from cogs.festivals.repository import Festival, FestivalRepository
from cogs.festivals.settings import FestivalSettings
from cogs.festivals.tracker.repository import TrackerRepository

if TYPE_CHECKING:
    from bot.app import App


class FestivalsBase:
    """Declares the services the command mixins use; FestivalsCog sets them up in cog_load."""

    app: App
    settings: FestivalSettings
    repo: FestivalRepository
    tracker: TrackerRepository
    planner: Planner

    async def festival_or_fail(self, community_id: int, ref: str) -> Festival:
        """A festival by id, exact name, or a part of its name that only one festival has."""
        ref = ref.strip().removeprefix("#")
        festival_id = parse_id(ref)
        if festival_id is not None:
            found = await self.repo.get(festival_id)
            if found is not None and found.community_id == community_id:
                return found
        exact = await self.repo.by_name(community_id, ref)
        if exact is not None:
            return exact
        like = await self.repo.named_like(community_id, ref, limit=6)
        if len(like) == 1:
            return like[0]
        if like:
            raise UserError(
                "festivals.errors.ambiguous",
                name=ref,
                options=", ".join(f"#{f.id} {f.name}" for f in like[:5]),
            )
        raise UserError("festivals.errors.not_found", name=ref)
