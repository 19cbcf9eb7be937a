from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.feedback.cog import FeedbackCog

if TYPE_CHECKING:
    from bot.app import App

COG = FeedbackCog


async def setup(app: App) -> None:
    await app.add_cog(FeedbackCog(app))
