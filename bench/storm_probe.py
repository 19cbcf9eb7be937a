"""A cog the storm benchmark loads into the bot process: it writes down when each vote event committed.

It only observes (the vote writer tells its observers after each commit); the events take the users'
path from the gateway through the adapter, the dispatcher and the writer. One line per event:
`<time.monotonic()> <source> <person id> <action>`, to the file named by MICROFILM_STORM_TRACE.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from bot.cog import Cog
from bot.i18n import Translator
from bot.models import Text
from bot.storage import Tx

if TYPE_CHECKING:
    from bot.app import App


class StormProbe(Cog):
    name = "stormprobe"

    async def forget_person(self, tx: Tx, person_id: int, t: Translator) -> list[Text]:
        return []  # it keeps nothing about people
    out: TextIO

    async def cog_load(self) -> None:
        self.out = open(os.environ["MICROFILM_STORM_TRACE"], "a", encoding="utf-8")  # noqa: SIM115
        challenges: Any = self.app.cog("challenges")
        challenges.writer.observers.append(self.committed)

    def committed(self, events: Sequence[Any], results: Sequence[object]) -> None:
        now = f"{time.monotonic():.6f}"
        self.out.write("".join(f"{now} {e.source} {e.person_id} {e.action}\n" for e in events))
        self.out.flush()

    async def cog_unload(self) -> None:
        self.out.close()


async def setup(app: App) -> None:
    await app.add_cog(StormProbe(app))
