"""A test cog whose merge hook pauses: loaded last, it runs after every other cog moved its rows, so a test
can kill the process in the middle of a merge. It writes `signal_file` first, to say the pause began."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cog import Cog
from bot.i18n import Translator
from bot.models import Text
from bot.storage import Tx

if TYPE_CHECKING:
    from bot.app import App


@dataclass(frozen=True)
class SlowMergeSettings:
    signal_file: str = ""
    seconds: float = 0.0


class SlowMerge(Cog):
    name = "slowmerge"

    async def forget_person(self, tx: Tx, person_id: int, t: Translator) -> list[Text]:
        return []  # it keeps nothing about people
    settings_type = SlowMergeSettings
    settings: SlowMergeSettings

    async def merge_people(self, tx: Tx, source_id: int, target_id: int) -> None:
        if self.settings.signal_file:
            Path(self.settings.signal_file).write_text(f"merging {source_id} into {target_id}\n")
        await asyncio.sleep(self.settings.seconds)


COG = SlowMerge


async def setup(app: App) -> None:
    await app.add_cog(SlowMerge(app))
