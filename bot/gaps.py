"""Gaps in a platform's connection: recorded, recovered from where the cogs can, and told to the admins.

A platform reports a gap once it is connected again: from when to when, and whether events may have
been lost (Discord refused to resume the session) or what was replayed (Telegram kept its updates).
Listeners of the "gap" event (a cog's `@listener("gap")`) recover what they can (the challenges cog
recounts the entry cards of voting challenges) and say what they did.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.errors import Failure
from bot.models import Message, Moment, Text
from bot.timeutil import to_db

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
GapListener = Callable[[str, datetime], Awaitable[Text | None]]
WORTH_TELLING = timedelta(minutes=1)  # a shorter gap that lost nothing is only recorded and logged


class Gaps:
    def __init__(self, app: App) -> None:
        self.app = app
        self.listeners: list[tuple[str, GapListener]] = []

    async def over(self, platform: str, started: datetime, ended: datetime, *, lost: bool,
                   replayed: Text | None = None) -> int:
        """A gap ended. Recover, record and tell; returns the gap's id."""
        recovered: list[Text] = [replayed] if replayed else []
        if lost:
            for cog_name, listener in self.listeners:
                try:
                    found = await listener(platform, started)
                except Exception as exc:
                    await self.app.on_error(exc, Failure("listener", f"{cog_name} (gap)", platform=platform))
                    continue
                if found:
                    recovered.append(found)
        summary = Text.of(*_joined(recovered)) if recovered else None
        async with self.app.db.transaction() as tx:
            cursor = await tx.execute(
                "INSERT INTO platform_gaps (platform, started_at, ended_at, reason, recovered) VALUES (?, ?, ?, ?, ?)",
                (platform, to_db(started), to_db(ended), "events lost" if lost else "replayed",
                 summary.plain() if summary else ""))
        gap_id = int(cursor.lastrowid or 0)
        log.warning("%s: connection gap from %s to %s (%s)%s", platform, started.isoformat(), ended.isoformat(),
                    "events of that time were not replayed" if lost else "replayed",
                    f"; {summary.plain()}" if summary else "")
        if lost or ended - started >= WORTH_TELLING:  # a blip that lost nothing is only recorded
            t_key = "notices.gap_lost" if lost and not recovered else "notices.gap_replayed"
            await self._tell(gap_id, platform, started, ended, summary, t_key)
        return gap_id

    async def _tell(self, gap_id: int, platform: str, started: datetime, ended: datetime, summary: Text | None,
                    fallback: str) -> None:
        for community in await self.app.directory.communities():
            t = self.app.translator(community.language)
            recovered = summary or t(fallback)
            async with self.app.db.transaction() as tx:
                await self.app.notices.tell(tx, community, f"admin:gap:{gap_id}", Message(
                    t("notices.gap", platform=platform, started=Text.of(Moment(started)),
                      ended=Text.of(Moment(ended)), recovered=recovered)))

    async def recorded(self, platform: str | None = None) -> list[dict[str, str]]:
        """The gaps on record, newest first (for tests and the operator)."""
        sql = "SELECT platform, started_at, ended_at, reason, recovered FROM platform_gaps"
        params: tuple[str, ...] = ()
        if platform is not None:
            sql, params = sql + " WHERE platform = ?", (platform,)
        return [dict(row) for row in await self.app.db.fetchall(sql + " ORDER BY id DESC", params)]


def _joined(parts: list[Text]) -> list[Text | str]:
    out: list[Text | str] = []
    for index, part in enumerate(parts):
        if index:
            out.append(" ")
        out.append(part)
    return out

