"""The vote writer: one task that commits vote events in small batches, in arrival order.

A caller's `submit` returns only once its event is committed (or raises if its batch failed), so an
event is acknowledged only when it is durable. Batches form naturally: whatever queued up while the
previous batch was committing goes into the next one, up to `max_batch`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from bot.storage import Database, Tx, is_transient, with_retries

log = logging.getLogger(__name__)
R = TypeVar("R")


@dataclass(slots=True)
class VoteEvent:
    """One change to one voter's vote on one entry from one source.

    Not frozen: a storm creates thousands a second, and frozen dataclasses pay for every field set.
    """

    entry_id: int
    challenge_id: int
    person_id: int
    maker_id: int
    source: str                 # "react:<platform>:<chat>:<message>" or "button"
    action: str                 # "add", "remove" or "toggle" (the Vote button)
    at: datetime                # the platform's event time
    opens: datetime             # the voting window the event must fall in
    closes: datetime
    live: bool                  # the challenge is in its voting phase
    community_id: int
    zone: str
    language: str

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.entry_id, self.person_id, self.source)


Apply = Callable[[Tx, Sequence[VoteEvent]], Awaitable[list[R]]]


class VoteWriter(Generic[R]):
    def __init__(self, db: Database, apply: Apply[R], *, max_batch: int = 256, linger: float = 0.002) -> None:
        self.db = db
        self.apply = apply
        self.max_batch = max_batch
        # While events keep coming, wait this long for more before committing: in a storm each commit
        # then carries hundreds of events instead of a few, at the cost of milliseconds.
        self.linger = linger
        # A plain deque and one event: asyncio.Queue's bookkeeping costs more than the rest of a vote.
        self._pending: deque[tuple[VoteEvent, asyncio.Future[R]]] = deque()
        self._arrived = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None
        # Told of each batch right after it commits (events, results): health figures and benchmarks.
        self.observers: list[Callable[[Sequence[VoteEvent], Sequence[R]], None]] = []

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="challenges-vote-writer")

    async def stop(self) -> None:
        """Commit what is queued, then stop."""
        if self._task is None:
            return
        while self._pending or not self._idle.is_set():
            await self._idle.wait()
            await asyncio.sleep(0)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    def enqueue(self, event: VoteEvent) -> asyncio.Future[R]:
        """Queue an event now (no await, so events queue in the order they are handed over); the future
        gives its result once its batch committed."""
        if self._task is None:
            raise RuntimeError("the vote writer is not running")
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._pending.append((event, future))
        self._idle.clear()
        self._arrived.set()
        return future

    async def submit(self, event: VoteEvent) -> R:
        return await self.enqueue(event)

    async def _run(self) -> None:
        while True:
            if not self._pending:
                self._idle.set()
                self._arrived.clear()
                await self._arrived.wait()
            # One turn of the loop lets voters woken by the last commit queue their next event; if more came
            # meanwhile, a storm is on: linger a little so the batch fills.
            waiting = len(self._pending)
            await asyncio.sleep(0)
            if waiting < len(self._pending) < self.max_batch:
                await asyncio.sleep(self.linger)
            count = min(len(self._pending), self.max_batch)
            batch = [self._pending.popleft() for _ in range(count)]
            await self._commit(batch)

    async def _commit(self, batch: list[tuple[VoteEvent, asyncio.Future[R]]]) -> None:
        events = [event for event, _ in batch]

        async def attempt() -> None:
            results: list[R] = []
            async with self.db.quick_transaction() as tx:  # a bounded batch: statements stay on the loop
                # Registered first, so acknowledgements go out right after the commit, before deliveries.
                tx.after_commit(functools.partial(self._committed, batch, events, results))
                results.extend(await self.apply(tx, events))

        try:
            await with_retries(attempt, f"a batch of {len(batch)} vote events")
        except Exception as exc:
            self._failed(batch, exc)

    def _failed(self, batch: list[tuple[VoteEvent, asyncio.Future[R]]], exc: Exception) -> None:
        log.error("a batch of %d vote events failed for good: %s", len(batch), exc,
                  exc_info=not is_transient(exc))
        for _, future in batch:
            if not future.done():
                future.set_exception(exc)

    def _committed(self, batch: list[tuple[VoteEvent, asyncio.Future[R]]], events: list[VoteEvent],
                   results: list[R]) -> None:
        _resolve(batch, results)
        for observer in self.observers:
            observer(events, results)


def _resolve(batch: list[tuple[VoteEvent, asyncio.Future[R]]], results: list[R]) -> None:
    for (_, future), result in zip(batch, results, strict=True):
        if not future.done():
            future.set_result(result)
