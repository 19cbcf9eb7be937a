"""Scheduled backups (`[bot] backup_every`, `backup_keep`): a due row like every other timed job, so a
bot that was down when one was due makes it once at start-up. The copy is made before the job's
transaction opens (SQLite's online backup, beside the running bot); the transaction only plans the next
one and drops the copies beyond the newest `backup_keep`."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cog import Room, at, before
from bot.scheduler import Job
from bot.storage import Tx
from bot.storage.backup import backup_file, backups_folder, prune, stamp
from bot.timeutil import parse_duration, to_db

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
KIND = "core.backup"
PREFIX = "scheduled"


class BackupsRoom(Room):
    def __init__(self, app: App) -> None:
        self.app = app
        raw = app.config.bot.backup_every.strip()
        self.every: timedelta | None = parse_duration(raw) if raw else None

    async def plan(self) -> None:
        """At start-up: the next backup is planned once (a pending one stays), or cancelled when off."""
        pending = await self.app.scheduler.pending(KIND)
        if self.every is not None and self.app.db.dialect != "sqlite":
            log.warning("[bot] backup_every copies a SQLite file: on PostgreSQL back up with pg_dump instead")
            self.every = None
        async with self.app.db.transaction() as tx:
            if self.every is None:
                await self.app.scheduler.cancel(tx, KIND)
                return
            soonest = self.app.clock.now() + self.every
            if not pending:
                await self._schedule(tx, soonest)
            elif pending[0].due_at > soonest:  # the interval was shortened since it was planned
                await self.app.scheduler.cancel(tx, KIND)
                await self._schedule(tx, soonest)

    async def _schedule(self, tx: Tx, due: datetime) -> None:
        await self.app.scheduler.schedule(tx, KIND, due, key=f"{KIND}:{to_db(due)}")

    @before(KIND)
    async def copy(self, job: Job) -> Path:
        # named by when it is made, which is what it holds (a late one is made at start-up)
        target = backups_folder(self.app.db_path) / f"{PREFIX}-{stamp(self.app.clock.now())}.sqlite3"
        await asyncio.to_thread(backup_file, self.app.db_path, target)
        log.info("backed up the database to %s", target)
        return target

    @at(KIND)
    async def planned(self, job: Job, tx: Tx) -> None:
        for path in prune(backups_folder(self.app.db_path), PREFIX, self.app.config.bot.backup_keep):
            log.info("removed the old backup %s (keeping %d)", path, self.app.config.bot.backup_keep)
        if self.every is not None:
            following = job.due_at + self.every
            if following <= self.app.clock.now():  # the bot was down across several: one now, then on time
                following = self.app.clock.now() + self.every
            await self._schedule(tx, following)
