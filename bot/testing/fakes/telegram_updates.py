"""The fake server's update queue: numbering, allowed_updates filtering and long polling."""

from __future__ import annotations

import asyncio
import copy
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .telegram_state import ApiError

JSON = dict[str, Any]

# What a bot gets when it never chose: the Bot API leaves these out unless asked for by name.
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

CONFLICT_OTHER_POLL = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)


def update_type(update: JSON) -> str:
    """The update's kind: its one field besides update_id ("message", "callback_query", ...)."""
    kinds = [key for key in update if key != "update_id"]
    if len(kinds) != 1:
        raise ValueError(f"an Update has exactly one field besides update_id, got {kinds}")
    return kinds[0]


class PollInterrupted(Exception):
    """A waiting long poll was ended by :meth:`UpdateQueue.interrupt`; args[0] is the reason given there
    (the server's Outage), from which the server makes the answer."""


@dataclass(frozen=True)
class DroppedUpdate:
    """An update Telegram would never have created for this bot, and why."""

    update: JSON
    reason: str


class UpdateQueue:
    """Pending updates, kept until the bot confirms them with getUpdates' offset."""

    def __init__(self, first_update_id: int = 500_000_001) -> None:
        self.pending: list[JSON] = []
        self.dropped: list[DroppedUpdate] = []
        # An empty list means "the default set", exactly as the Bot API reads allowed_updates=[].
        self.allowed_updates: list[str] = []
        self.closed = False
        self._ids = itertools.count(first_update_id)
        self._changed = asyncio.Event()
        self._poll_generation = 0
        self._interruptions = 0
        self._interrupted_by: Any = None

    # -- producing -----------------------------------------------------------------------------

    def is_allowed(self, kind: str) -> bool:
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in DEFAULT_EXCLUDED_UPDATES

    def number(self, update: JSON) -> JSON:
        """A copy with the server's next update_id first (Telegram numbers updates itself).

        The copy is deep: an update is a snapshot, and later edits of the stored message must not
        leak into an update still waiting to be fetched."""
        body = {k: copy.deepcopy(v) for k, v in update.items() if k != "update_id"}
        return {"update_id": next(self._ids), **body}

    def push(self, update: JSON, blocked_because: str | None = None) -> JSON:
        numbered = self.number(update)
        kind = update_type(numbered)
        # Telegram filters when it creates an update, not when it hands it out: changing
        # allowed_updates later neither brings back nor hides updates already made.
        reason = blocked_because
        if reason is None and not self.is_allowed(kind):
            reason = f'"{kind}" is not in allowed_updates {self.allowed_updates or "(default set)"}'
        if reason is not None:
            self.dropped.append(DroppedUpdate(numbered, reason))
        else:
            self.pending.append(numbered)
            self._wake()
        return numbered

    # -- consuming -----------------------------------------------------------------------------

    def set_allowed(self, allowed: Sequence[str]) -> None:
        self.allowed_updates = list(allowed)

    def confirm(self, offset: int) -> None:
        """getUpdates' offset: forget every update below it; a negative one keeps the last -offset."""
        if offset < 0:
            self.pending = self.pending[offset:]
        else:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]

    def drop_pending(self) -> None:
        self.pending.clear()

    async def long_poll(self, offset: int | None, limit: int, timeout: float) -> list[JSON]:
        """Answer getUpdates: at once if anything is pending, else when something arrives or time is up.

        A newer getUpdates ends this one with 409, as Telegram does. That is what frees the poll PTB
        abandons when it stops: its cancelled request would otherwise hold the server until timeout.
        """
        self._poll_generation += 1
        generation, interruptions = self._poll_generation, self._interruptions
        self._wake()
        if offset is not None:
            self.confirm(offset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self.pending or self.closed:
                return self.pending[:limit]
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            changed = self._changed
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                return []
            if interruptions != self._interruptions:
                raise PollInterrupted(self._interrupted_by)
            if generation != self._poll_generation:
                raise ApiError(409, CONFLICT_OTHER_POLL)

    def open(self) -> None:
        self.closed = False

    def close(self) -> None:
        """Release every waiting poll now (they answer with an empty list)."""
        self.closed = True
        self._wake()

    def interrupt(self, reason: Any = None) -> None:
        """End every waiting poll now with PollInterrupted(reason); polls arriving later wait as usual."""
        self._interruptions += 1
        self._interrupted_by = reason
        self._wake()

    def _wake(self) -> None:
        # Waiters hold the old event; setting it wakes them, the fresh one serves the next wait.
        self._changed.set()
        self._changed = asyncio.Event()
