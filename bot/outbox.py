"""The outbox: messages written in the same transaction as the change they announce, then delivered.

A row per (key, platform, target) makes every announcement idempotent: scheduling the same key twice
sends once. Each platform has its own delivery loop, so a failure or a stall on one never holds up the
others, and in real time delivery runs beside the writers (a commit only wakes the loop).

A send can crash or time out after the platform accepted it. The row is marked before each send; a
platform that deduplicates by nonce (Discord) simply sends again, and a resend returns the original
message. On a platform that cannot (Telegram) such a row is retried once, after a longer wait, and the
span of message ids where the unrecorded copy must be is kept, so votes on either copy count.

In real time each platform's published limits pace delivery (bot.pacing): a chat at its limit is set
aside while other chats' rows go, and private rows (receipts, answers to one person) go before the
chats' backlog.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.codec import dump_message, load_message
from bot.directory import Directory
from bot.errors import ErrorHook, Failure
from bot.models import Account, Community, Message, MessageRef
from bot.pacing import Pacing
from bot.platform import DeliveryError, Platform
from bot.sent import SentMessages
from bot.storage import Database, Row, Tx
from bot.timeutil import from_db, to_db

log = logging.getLogger(__name__)
BACKOFF = (5, 30, 120, 600, 3600)  # seconds between attempts
MAX_ATTEMPTS = 8
PAGE = 50  # due rows read at a time, by index
SHARED_POLL = 3.0  # seconds between looks for rows another process queued, on a database several share
NEW_ROWS = "microfilm_outbox"  # the notification other processes hear when rows are queued

# The platforms whose delivery pass this context is inside of (copied into tasks it starts).
_IN_PASS: ContextVar[frozenset[str]] = ContextVar("outbox_pass", default=frozenset())


class Outbox:
    def __init__(self, db: Database, clock: Clock, directory: Directory, sent: SentMessages,
                 platforms: Mapping[str, Platform], *, inline: bool, resend_unknown_after: float = 120.0,
                 elsewhere: Iterable[str] = ()) -> None:
        self.db = db
        self.clock = clock
        self.directory = directory
        self.sent = sent
        self.platforms = platforms
        # Where messages are queued: the platforms running here and those other processes on the same
        # database run (each process delivers what its own platforms can).
        self.queued_for = frozenset(platforms) | frozenset(elsewhere)
        # Longest wait with nothing due. Another process may queue rows and die before it tells this one,
        # so on a shared database the loop looks again every few seconds.
        self._idle = SHARED_POLL if db.shared else 60.0
        # Inline (virtual time: console scripts, tests): a commit delivers before the writer goes on, so a
        # transcript is in a fixed order. Otherwise a commit only wakes the platform's delivery loop.
        self.inline = inline
        self.resend_unknown_after = timedelta(seconds=resend_unknown_after)  # before sending again what may be posted
        self.on_error: ErrorHook | None = None  # the app's one error path (logs; tells admins of a row given up)
        self._locks: dict[str, asyncio.Lock] = {}  # one delivery pass per platform at a time
        self._wakeups: dict[str, asyncio.Event] = {}
        self._loops: list[asyncio.Task[None]] = []
        self._closing = False  # stopping: deliver what is due, then end
        self._stopping = False  # stopping now: finish the send in hand only
        # The send in flight on each platform (its target) until its outcome is recorded.
        self._sending: dict[str, tuple[str, asyncio.Event]] = {}
        self.pacing = Pacing(lambda name: platforms[name].pacer if name in platforms else None)

    @property
    def can_deliver(self) -> bool:
        """Whether any platform runs to deliver to (not so for export or an in-process benchmark)."""
        return bool(self.platforms)

    # -- queueing (inside the caller's transaction) -----------------------------------------------------------

    async def announce(self, tx: Tx, community: Community, kind: str, message: Message, *, key: str,
                       tag: str | None = None) -> int:
        """Queue `message` for every chat of the community that takes `kind`. Returns how many."""
        count = 0
        for platform, chat_id in await self.directory.announcement_chats(community.id, kind):
            count += await self._insert(tx, key, community.id, platform, chat_id, False, kind,
                                        community.zone, tag, message)
        self._after(tx)
        return count

    async def to_chat(self, tx: Tx, community: Community, platform: str, chat_id: str, message: Message, *,
                      key: str, tag: str | None = None, kind: str | None = None) -> None:
        await self._insert(tx, key, community.id, platform, chat_id, False, kind, community.zone, tag, message)
        self._after(tx)

    async def to_person(self, tx: Tx, person_id: int, message: Message, *, key: str, zone: str,
                        community_id: int | None = None) -> bool:
        """Queue a private message on the person's most recently used account of a running platform."""
        for account in await self.directory.accounts_of(person_id):
            if account.platform in self.queued_for:
                await self._insert(tx, key, community_id, account.platform, account.user_id, True, None,
                                   zone, None, message)
                self._after(tx)
                return True
        return False

    async def drop_private(self, tx: Tx, accounts: Iterable[Account]) -> None:
        """Private messages still waiting for these accounts are not sent (their person is forgotten)."""
        await tx.executemany("DELETE FROM outbox WHERE platform = ? AND target = ? AND private = 1 "
                             "AND status = 'pending'", [(a.platform, a.user_id) for a in accounts])

    async def _insert(self, tx: Tx, key: str, community_id: int | None, platform: str, target: str,
                      private: bool, kind: str | None, zone: str, tag: str | None, message: Message) -> int:
        if platform not in self.queued_for:
            return 0
        now = to_db(self.clock.now())
        cursor = await tx.execute(
            "INSERT OR IGNORE INTO outbox (key, community_id, platform, target, private, kind, zone, tag, payload, "
            "next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (key, community_id, platform, target, int(private), kind, zone, tag, dump_message(message), now, now))
        return cursor.rowcount

    def _after(self, tx: Tx) -> None:
        tx.after_commit(self.flush if self.inline else self.wake)
        tx.after_commit(self._tell_others)

    async def _tell_others(self) -> None:
        """Processes sharing the database deliver too (on their platforms, or for one that died): wake them."""
        await self.db.notify(NEW_ROWS, "")

    async def listen(self) -> None:
        """Wake this process's loops when another process queues rows (a database several share)."""
        await self.db.listen(NEW_ROWS, lambda _payload: self.wake())

    async def pending_with_tag(self, tag: str, platform: str) -> bool:
        """Whether a message tagged `tag` is still waiting for delivery on `platform`."""
        return await self.db.fetchval("SELECT EXISTS (SELECT 1 FROM outbox WHERE tag = ? AND platform = ? AND "
                                      "status = 'pending')", (tag, platform)) == 1

    # -- delivering -------------------------------------------------------------------------------------------

    def wake(self) -> None:
        """New rows are committed: let every delivery loop look (returns at once)."""
        for event in self._wakeups.values():
            event.set()

    async def flush(self, platforms: Iterable[str] | None = None) -> int:
        """Deliver every pending row that is due, in due order on each platform (all, or those named).
        Returns how many were sent.

        Platforms are served side by side: one that hangs or fails never holds up delivery on the others."""
        names = [name for name in self.platforms if platforms is None or name in platforms]
        counts = await asyncio.gather(*(self._flush_platform(name) for name in names))
        return sum(counts)

    async def _flush_platform(self, name: str) -> int:
        if name in _IN_PASS.get():
            return 0  # a delivery's own commit queued more (a notice): the running pass picks it up
        async with self._locks.setdefault(name, asyncio.Lock()):
            token = _IN_PASS.set(_IN_PASS.get() | {name})
            try:
                sent = 0
                while not self._stopping and (rows := await self._due(name)):
                    for row in rows:
                        if self._stopping:
                            break
                        if self.pacing.admit(name, row["target"], bool(row["private"])):
                            sent += await self._deliver(row)
                return sent
            finally:
                _IN_PASS.reset(token)

    async def _due(self, name: str) -> list[Row]:
        """The next page of due rows, private ones first, leaving out chats at their limit.

        By the (platform, private, next_attempt_at, id) index: a failed row moves its next attempt into
        the future, so a backlog of any size costs one short index range per page."""
        held = self.pacing.held(name)
        skip = f" AND target NOT IN ({','.join('?' * len(held))})" if held else ""
        live, claimed = self.db.live_claim("claimed_by")
        part = ("SELECT * FROM (SELECT * FROM outbox WHERE status = 'pending' AND platform = ? AND private = ? "
                f"AND next_attempt_at <= ?{skip} AND (sending_at IS NULL OR NOT {live}) "
                "ORDER BY next_attempt_at, id LIMIT ?) AS due")
        now = to_db(self.clock.now())
        return await self.db.fetchall(f"{part} UNION ALL {part}",
                                      (name, 1, now, *held, *claimed, PAGE, name, 0, now, *held, *claimed, PAGE))

    async def _deliver(self, row: Row) -> int:
        platform = self.platforms.get(row["platform"])
        if platform is None:
            return 0
        message = load_message(row["payload"])
        nonce = row_nonce(row)
        # Marked first: should the process die inside the send, the next start knows the outcome is unknown.
        done = asyncio.Event()
        self._sending[row["platform"]] = (row["target"], done)
        try:
            return await self._send_and_record(row, platform, nonce, message)
        finally:
            del self._sending[row["platform"]]
            done.set()

    async def _claim(self, row: Row, platform: Platform) -> bool:
        """Mark the row as being sent by this process; False if another live process holds it (or sent it).

        The mark is the claim: a process that dies mid-send leaves it, and another process (or this one's
        next start) takes the row over as a send of unknown outcome."""
        live, params = self.db.live_claim("claimed_by")
        # After a send of unknown outcome the watermark of that first send is kept: it bounds the copy.
        done = await self.db.write(
            "UPDATE outbox SET sending_at = ?, claimed_by = ?, watermark = CASE WHEN uncertain > 0 THEN watermark "
            f"ELSE ? END WHERE id = ? AND status = 'pending' AND (sending_at IS NULL OR NOT {live})",
            (to_db(self.clock.now()), self.db.claimer, platform.watermark(row["target"]), row["id"], *params))
        return done.rowcount == 1

    async def _send_and_record(self, row: Row, platform: Platform, nonce: str, message: Message) -> int:
        if not await self._claim(row, platform):
            return 0
        if row["sending_at"] is not None and not platform.idempotent_sends:
            # Taken over from a process that died inside the send: as after a crash (see recover).
            await self._failed(row, platform, DeliveryError("interrupted mid-send", uncertain=True))
            return 0
        try:
            ref: MessageRef | None
            if row["private"]:
                ref = await platform.send_private(row["target"], message, zone=row["zone"], nonce=nonce)
            else:
                ref = await platform.send(row["target"], message, zone=row["zone"], kind=row["kind"], nonce=nonce)
        except Exception as exc:  # any platform failure is retried; the other rows go on
            await self._failed(row, platform, exc)
            return 0
        async with self.db.transaction() as tx:
            await tx.execute("UPDATE outbox SET status = 'sent', attempts = attempts + 1, message_id = ?, "
                             "sending_at = NULL WHERE id = ?", (ref.message_id if ref else None, row["id"]))
            if ref is not None and row["tag"]:
                await self.sent.record(tx, ref, row["tag"], row["community_id"])
                if row["uncertain"]:
                    await self.sent.record_copies(tx, ref, row["watermark"], row["tag"], row["community_id"])
        return 1

    async def _failed(self, row: Row, platform: Platform, exc: Exception) -> None:
        attempts = int(row["attempts"]) + 1
        uncertain = isinstance(exc, DeliveryError) and exc.uncertain and not platform.idempotent_sends
        permanent = isinstance(exc, DeliveryError) and exc.permanent
        if uncertain:
            # Maybe posted already: once more after a longer wait, and then no more (see the module doc).
            give_up = bool(row["uncertain"])
            delay = self.resend_unknown_after
        else:
            give_up = permanent or attempts >= MAX_ATTEMPTS
            delay = timedelta(seconds=BACKOFF[min(attempts - 1, len(BACKOFF) - 1)])
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE outbox SET attempts = ?, last_error = ?, status = ?, next_attempt_at = ?, sending_at = NULL, "
                "uncertain = uncertain + ? WHERE id = ?",
                (attempts, str(exc)[:500], "failed" if give_up else "pending", to_db(self.clock.now() + delay),
                 int(uncertain), row["id"]))
        if self.on_error is not None:
            await self.on_error(exc, Failure(
                "delivery", row["kind"] or ("private message" if row["private"] else "message"),
                platform=row["platform"], chat=row["target"], community_id=row["community_id"], attempts=attempts,
                for_good=give_up, subject=f"{row['platform']} {'user' if row['private'] else 'chat'} {row['target']}",
                expected=isinstance(exc, DeliveryError)))
        self._wakeups.get(row["platform"], asyncio.Event()).set()  # the loop recomputes its wait

    async def sending_to(self, platform: str, targets: set[str], timeout: float = 10.0) -> bool:
        """If a send to one of `targets` is in flight on `platform`, wait until its outcome is recorded
        (a reaction may come in before our record of the message it is on). True if one was waited for."""
        current = self._sending.get(platform)
        if current is None or current[0] not in targets:
            return False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(current[1].wait(), timeout)
        return True

    async def recover(self) -> int:
        """At start-up: rows whose send began but never finished crashed mid-send. Returns how many."""
        live, params = self.db.live_claim("claimed_by")
        rows = await self.db.fetchall("SELECT * FROM outbox WHERE status = 'pending' AND sending_at IS NOT NULL "
                                      f"AND NOT {live}", params)
        for row in rows:
            platform = self.platforms.get(row["platform"])
            if platform is None:
                continue  # that platform's next run decides
            log.warning("delivery to %s %s was interrupted; its outcome is unknown", row["platform"], row["target"])
            if platform.idempotent_sends:  # sent again with its nonce, it comes back as the message posted
                await self.db.write("UPDATE outbox SET sending_at = NULL WHERE id = ?", (row["id"],))
            else:
                await self._failed(row, platform, DeliveryError("interrupted mid-send", uncertain=True))
        return len(rows)

    # -- real time: one loop per platform ---------------------------------------------------------------------

    def start_loops(self) -> None:
        self._closing = self._stopping = False
        for name in self.platforms:
            self._loops.append(asyncio.create_task(self.run(name), name=f"outbox-{name}"))

    async def stop_loops(self, grace: float = 5.0, last_send: float = 2.0) -> None:
        """On stop: deliver what is due for up to `grace` seconds, then let each loop finish only the send
        in hand (so no row is left of unknown outcome), then stop them."""
        self._closing = True
        self.wake()
        if self._loops:
            _, late = await asyncio.wait(self._loops, timeout=grace)
            if late:
                self._stopping = True
                _, late = await asyncio.wait(late, timeout=last_send)
            for task in late:
                task.cancel()
            await asyncio.gather(*self._loops, return_exceptions=True)
        self._loops.clear()

    async def run(self, name: str) -> None:
        """Deliver on one platform whenever rows are committed or a retry falls due."""
        wakeup = self._wakeups.setdefault(name, asyncio.Event())
        while not self._stopping:
            wakeup.clear()
            await self._flush_platform(name)
            if self._closing and self.pacing.resume_in(name) is None:
                return  # what was due is delivered (a chat held by its pace is waited for, within the grace)
            wait = await self._next_due(name)
            with contextlib.suppress(TimeoutError):
                timeout = min(self._idle if wait is None else wait, self._idle)
                await asyncio.wait_for(wakeup.wait(), timeout=max(timeout, 0.05))

    async def _next_due(self, name: str) -> float | None:
        """Seconds until the platform's earliest pending row may go: due, and its chat not held."""
        held = self.pacing.held(name)
        skip = f" AND target NOT IN ({','.join('?' * len(held))})" if held else ""
        due = await self.db.fetchval(
            f"SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending' AND platform = ?{skip}",
            (name, *held))
        waits = [max(0.0, (from_db(due) - self.clock.now()).total_seconds())] if due is not None else []
        if (resume := self.pacing.resume_in(name)) is not None:
            waits.append(resume)
        return min(waits, default=None)

    async def overdue(self, before: datetime) -> int:
        """Rows that were due before `before` and are still waiting (a backlog, for health reports)."""
        return int(await self.db.fetchval(
            "SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND next_attempt_at < ?", (to_db(before),)))

    async def pending(self, platform: str | None = None) -> int:
        """Rows waiting to be delivered (all platforms, or one)."""
        sql = "SELECT COUNT(*) FROM outbox WHERE status = 'pending'"
        params: tuple[str, ...] = ()
        if platform is not None:
            sql, params = sql + " AND platform = ?", (platform,)
        return int(await self.db.fetchval(sql, params))


    async def backlog(self, community_id: int) -> dict[str, tuple[int, float]]:
        """Per platform: the community's messages waiting and how long they take at the platform's pace."""
        rows = await self.db.fetchall(
            "SELECT platform, private, COUNT(*) FROM outbox WHERE status = 'pending' AND community_id = ? "
            "GROUP BY platform, target, private", (community_id,))
        out: dict[str, tuple[int, float]] = {}
        for name in dict.fromkeys(row[0] for row in rows):
            chats = [(bool(row[1]), int(row[2])) for row in rows if row[0] == name]
            seconds = self.pacing.drain_seconds(name, chats)
            out[name] = (sum(count for _, count in chats), seconds)
        return out


def row_nonce(row: Row) -> str:
    """Stable for one outbox row (its key, platform and target): a resend carries the same nonce."""
    raw = f"{row['key']}|{row['platform']}|{row['target']}|{row['private']}".encode()
    return hashlib.sha256(raw).hexdigest()[:20]
