from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.challenges.cog import ChallengesCog

if TYPE_CHECKING:
    from bot.app import App

COG = ChallengesCog


async def setup(app: App) -> None:
    await app.add_cog(ChallengesCog(app))
