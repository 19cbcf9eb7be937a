"""Timed work. Every job is a row in `due_jobs` with a due instant and a done marker; APScheduler only
wakes us at the next due row. A job's effect and its done marker commit in one transaction, so a restart
never repeats or skips it; rows overdue at start-up run once, late.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger

from bot.clock import Clock, VirtualClock
from bot.errors import ErrorHook, Failure
from bot.storage import Database, Tx
from bot.timeutil import from_db, to_db

log = logging.getLogger(__name__)
RAN, FAILED, PASSED = "ran", "failed", "passed"  # what became of one due row (see Scheduler._run_one)
NEW_ROWS = "microfilm_due_jobs"  # the notification other processes hear when due rows change
HELD_RETRY = 1.0  # seconds before looking again at a due row another process was running
SHARED_POLL = 5.0  # the longest a process sharing its database sleeps between looks for due rows
RETRY_DELAYS = (30, 120, 600, 3600)
ALERT_AFTER = 4  # failed attempts of one job before the admins are told (it is still retried)


@dataclass(frozen=True)
class Job:
    """A due row as a handler sees it."""

    id: int
    kind: str
    key: str | None
    due_at: datetime
    payload: dict[str, Any]
    community_id: int | None
    attempts: int
    prepared: Any = None  # what the kind's preparer gathered before the transaction (see Scheduler.prepare)


JobHandler = Callable[[Job, Tx], Awaitable[None]]
JobPreparer = Callable[[Job], Awaitable[Any]]


class Scheduler:
    def __init__(self, db: Database, clock: Clock, *, on_error: ErrorHook | None = None) -> None:
        self.db = db
        self.clock = clock
        self.on_error = on_error
        self._handlers: dict[str, JobHandler] = {}
        self._preparers: dict[str, JobPreparer] = {}
        self._lock = asyncio.Lock()
        self._aps: AsyncIOScheduler | None = None
        self._rearming = False
        self._rearm_tasks: set[asyncio.Task[None]] = set()
        self._armed_at: datetime | None = None  # when APScheduler will wake us next
        self._held_elsewhere = False  # the last pass met a due row another process was running

    @property
    def realtime(self) -> bool:
        return not isinstance(self.clock, VirtualClock)

    def register(self, kind: str, handler: JobHandler) -> None:
        if kind in self._handlers:
            raise ValueError(f"two handlers for job kind {kind!r}")
        self._handlers[kind] = handler

    def prepare(self, kind: str, preparer: JobPreparer) -> None:
        """Work a job of `kind` needs done before its transaction opens (requests to a platform, say), so
        the transaction only writes: the preparer's result reaches the handler as `job.prepared`."""
        self._preparers[kind] = preparer

    def unregister(self, kind: str) -> None:
        self._handlers.pop(kind, None)
        self._preparers.pop(kind, None)

    async def schedule(self, tx: Tx, kind: str, due_at: datetime, payload: dict[str, Any] | None = None, *,
                       key: str | None = None, community_id: int | None = None) -> bool:
        """Add a due row. With a key already used (pending or done) nothing changes: returns False."""
        cursor = await tx.execute(
            "INSERT OR IGNORE INTO due_jobs (kind, key, due_at, payload, community_id) VALUES (?, ?, ?, ?, ?)",
            (kind, key, to_db(due_at), json.dumps(payload or {}), community_id))
        if self._armed_at is None or due_at < self._armed_at:  # a later row wakes no one sooner
            tx.after_commit(self.request_rearm)
        tx.after_commit(self._tell_others)
        return cursor.rowcount == 1

    async def schedule_many(self, tx: Tx, kind: str,
                            rows: Sequence[tuple[datetime, Mapping[str, object], str, int | None]]) -> None:
        """Many due rows of one kind at once: (due_at, payload, key, community_id); used keys change nothing."""
        if not rows:
            return
        await tx.executemany(
            "INSERT OR IGNORE INTO due_jobs (kind, key, due_at, payload, community_id) VALUES (?, ?, ?, ?, ?)",
            [(kind, key, to_db(due), json.dumps(payload), community) for due, payload, key, community in rows])
        soonest = min(due_at for due_at, _, _, _ in rows)
        if self._armed_at is None or soonest < self._armed_at:
            tx.after_commit(self.request_rearm)
        tx.after_commit(self._tell_others)

    async def reschedule(self, tx: Tx, key: str, due_at: datetime) -> bool:
        """Move a pending row; a row already done stays done."""
        cursor = await tx.execute("UPDATE due_jobs SET due_at = ? WHERE key = ? AND done_at IS NULL",
                                  (to_db(due_at), key))
        tx.after_commit(self.request_rearm)
        tx.after_commit(self._tell_others)
        return cursor.rowcount == 1

    async def cancel(self, tx: Tx, key_prefix: str) -> int:
        """Cancel pending rows whose key starts with `key_prefix`."""
        cursor = await tx.execute(
            "UPDATE due_jobs SET done_at = ?, cancelled = 1 WHERE done_at IS NULL AND key LIKE ? ESCAPE '\\'",
            (to_db(self.clock.now()), _like_prefix(key_prefix)))
        return cursor.rowcount

    async def pending(self, key_prefix: str = "") -> list[Job]:
        rows = await self.db.fetchall(
            "SELECT * FROM due_jobs WHERE done_at IS NULL AND COALESCE(key, '') LIKE ? ESCAPE '\\' "
            "ORDER BY due_at, id", (_like_prefix(key_prefix),))
        return [_job(row) for row in rows]

    async def run_due(self) -> int:
        """Run every row due by now, in due order; each in its own transaction. Returns how many ran."""
        ran = 0
        async with self._lock:
            passed: set[int] = set()  # failed here, or claimed by another process: not again in this pass
            self._held_elsewhere = False
            while (row := await self._next_row(self.clock.now(), passed)) is not None:
                outcome = await self._run_one(_job(row))
                if outcome == RAN:
                    ran += 1
                else:
                    passed.add(int(row["id"]))
                    self._held_elsewhere |= outcome == PASSED
        return ran

    async def _next_row(self, until: datetime, skip: set[int]) -> Any:
        kinds = list(self._handlers)
        if not kinds:
            return None
        marks = ",".join("?" * len(kinds))
        skipped = ",".join(str(i) for i in skip) or "0"
        return await self.db.fetchone(
            f"SELECT * FROM due_jobs WHERE done_at IS NULL AND due_at <= ? AND kind IN ({marks}) "
            f"AND id NOT IN ({skipped}) ORDER BY due_at, id LIMIT 1", (to_db(until), *kinds))

    async def _run_one(self, job: Job) -> str:
        """RAN, FAILED, or PASSED (done meanwhile, or being run by another process right now).

        The row is claimed inside the transaction that runs it (a row lock other processes skip), so the
        effect, what it announces and the done marker commit together, once, across every process; a
        process that dies mid-way rolls back and lets the row go."""
        handler = self._handlers[job.kind]
        try:
            preparer = self._preparers.get(job.kind)
            if preparer is not None:
                job = replace(job, prepared=await preparer(job))
            async with self.db.transaction() as tx:
                claimed = await tx.fetchone(
                    "SELECT 1 FROM due_jobs WHERE id = ? AND done_at IS NULL FOR UPDATE SKIP LOCKED", (job.id,))
                if claimed is None:
                    return PASSED
                await handler(job, tx)
                await tx.execute("UPDATE due_jobs SET done_at = ? WHERE id = ?", (to_db(self.clock.now()), job.id))
            return RAN
        except Exception as exc:
            if self.on_error is not None:  # it is retried; the admins hear of it once it keeps failing
                await self.on_error(exc, Failure("job", job.kind, community_id=job.community_id,
                                                 attempts=job.attempts + 1, for_good=job.attempts + 1 == ALERT_AFTER,
                                                 subject=job.key or job.kind))
            else:
                log.exception("job %s %s failed; it will be retried", job.kind, job.key)
            delay = RETRY_DELAYS[min(job.attempts, len(RETRY_DELAYS) - 1)]
            async with self.db.transaction() as tx:
                await tx.execute("UPDATE due_jobs SET attempts = attempts + 1, last_error = ?, due_at = ? "
                                 "WHERE id = ?", (str(exc)[:500], to_db(self.clock.now() + timedelta(seconds=delay)),
                                                  job.id))
            return FAILED

    async def next_due(self) -> datetime | None:
        kinds = list(self._handlers)
        if not kinds:
            return None
        marks = ",".join("?" * len(kinds))
        value = await self.db.fetchval(
            f"SELECT MIN(due_at) FROM due_jobs WHERE done_at IS NULL AND kind IN ({marks})", kinds)
        return from_db(value) if value else None

    async def advance_to(self, target: datetime) -> None:
        """Virtual time only: move the clock to `target`, running due rows in time order on the way."""
        clock = self.clock
        assert isinstance(clock, VirtualClock), "advance_to needs a virtual clock"
        while (due := await self.next_due()) is not None and due <= target:
            clock.set(max(due, clock.now()))
            if await self.run_due() == 0 and (await self.next_due() or target) <= clock.now():
                break  # only failing rows are left; they wait for their retry time
        clock.set(target)
        await self.run_due()

    # -- real time: APScheduler wakes us at the next due row ---------------------------------------------------

    async def start(self) -> None:
        if self.realtime:
            self._aps = AsyncIOScheduler(timezone=UTC)
            self._aps.start()
            await self.db.listen(NEW_ROWS, lambda _payload: self.request_rearm())
        await self.run_due()  # overdue rows run once, late
        await self.rearm()

    async def stop(self) -> None:
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None

    async def _tell_others(self) -> None:
        """Other processes on the same database run due rows too: have them look for the next one."""
        await self.db.notify(NEW_ROWS, "")

    def request_rearm(self) -> None:
        """Rows changed: look for the next due one soon. Many commits in a burst (a vote storm scheduling
        receipts) cost one look, not one each."""
        if self._aps is None or self._rearming:
            return
        self._rearming = True
        task = asyncio.get_running_loop().create_task(self._rearm_soon())
        self._rearm_tasks.add(task)
        task.add_done_callback(self._rearm_tasks.discard)

    async def _rearm_soon(self) -> None:
        await asyncio.sleep(0)  # let the rest of the burst commit first
        self._rearming = False
        try:
            await self.rearm()
        except Exception:
            log.exception("could not look for the next due job")

    async def rearm(self) -> None:
        if self._aps is None:
            return
        due = await self.next_due()
        now = self.clock.now()
        if due is not None and self._held_elsewhere:
            # Another process is running a due row: look again shortly, in case it dies mid-way.
            due = max(due, now + timedelta(seconds=HELD_RETRY))
        if self.db.shared:
            # Another process may add rows and die before telling this one: look again now and then.
            latest = now + timedelta(seconds=SHARED_POLL)
            due = latest if due is None else min(due, latest)
        self._armed_at = due
        if due is None:
            if self._aps.get_job("due-rows"):
                self._aps.remove_job("due-rows")
            return
        # misfire_grace_time=None: a late wake-up still runs (APScheduler's 1 s default would skip it).
        self._aps.add_job(self._wake, DateTrigger(run_date=max(due, self.clock.now())), id="due-rows",
                          replace_existing=True, misfire_grace_time=None, coalesce=True)

    async def _wake(self) -> None:
        await self.run_due()
        await self.rearm()


def next_weekly(after: datetime, day: str, hour: int, minute: int, zone: str) -> datetime:
    """The next `day` at hour:minute local time in `zone`, after `after`, as a UTC instant.

    APScheduler's CronTrigger handles the daylight-saving gaps and folds.
    """
    trigger = CronTrigger(day_of_week=day, hour=hour, minute=minute, timezone=ZoneInfo(zone))
    fire = trigger.get_next_fire_time(None, after.astimezone(ZoneInfo(zone)) + timedelta(microseconds=1))
    assert fire is not None
    return fire.astimezone(UTC)


def _like_prefix(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _job(row: Any) -> Job:
    return Job(id=row["id"], kind=row["kind"], key=row["key"], due_at=from_db(row["due_at"]),
               payload=json.loads(row["payload"]), community_id=row["community_id"], attempts=row["attempts"])
