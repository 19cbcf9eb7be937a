"""Reactions from a platform to the listeners, in arrival order per person and message.

A platform hands each reaction over the moment it arrives (discord.py runs every gateway event as its own
task, so a later event of one person must not overtake an earlier one while its lookups wait). The
pipeline takes the event's place in line before its first await; listeners then queue their writes in
that order. Lookups for a storm come from memory: the message's tag, the community and the person (new
people are created in batches, see Directory.person_for).

A reaction on a bot message that was never recorded (the process died between the platform accepting
the send and our record of it) is resolved from the message itself: its buttons name what it shows.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import TYPE_CHECKING

from bot.errors import Failure
from bot.models import Community, MessageRef, Person, ReactionEvent

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
DESCRIBED_LIMIT = 100_000  # unrecorded messages remembered as asked about
# A listener may return an awaitable: its write is queued, and awaiting it waits for the commit. The
# pipeline lets the next event of the same person and message go on once the write is queued.
ReactionListener = Callable[[ReactionEvent, str, Person, Community], Awaitable[Awaitable[object] | None]]


class Place:
    """One event's place in line; a future is made only if a later event has to wait for it."""

    __slots__ = ("done", "waiter")

    def __init__(self) -> None:
        self.done = False
        self.waiter: asyncio.Future[None] | None = None

    async def passed(self) -> None:
        if not self.done:
            self.waiter = self.waiter or asyncio.get_running_loop().create_future()
            await self.waiter


class InOrder:
    """Hands events of one key on in the order they entered, however long each one waits in between."""

    def __init__(self) -> None:
        self._last: dict[Hashable, Place] = {}

    def enter(self, key: Hashable) -> tuple[Place | None, Place]:
        """Take a place in line (no await): (the place before, if still taken; this place)."""
        before = self._last.get(key)
        mine = self._last[key] = Place()
        return before, mine

    def leave(self, key: Hashable, mine: Place) -> None:
        mine.done = True
        if mine.waiter is not None and not mine.waiter.done():
            mine.waiter.set_result(None)
        if self._last.get(key) is mine:
            del self._last[key]

    def __len__(self) -> int:
        return len(self._last)


class ReactionPipeline:
    def __init__(self, app: App) -> None:
        self.app = app
        self.listeners: list[tuple[str, ReactionListener]] = []
        self.button_tags: dict[str, str] = {}  # button action -> tag prefix of the message that carries it
        self._order = InOrder()
        self._described: set[MessageRef] = set()  # unrecorded messages already asked about
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.taken = 0  # events taken in since start, for the shutdown log line

    async def handle(self, event: ReactionEvent) -> bool:
        """Hand a reaction on a tagged bot message to the listeners. Returns once their writes committed.

        Call it (and await it) before the platform awaits anything else for this event: its place in
        line is taken synchronously, on entry."""
        key = (event.account, event.message)
        before, mine = self._order.enter(key)
        self._begin()
        try:
            try:
                pending = await self._hand_over(event, before)
            finally:
                self._order.leave(key, mine)  # queued: the next event of this key may go on
            for queued in pending or ():
                await queued
        finally:
            self._end()
        return pending is not None

    async def _hand_over(self, event: ReactionEvent, before: Place | None) -> list[Awaitable[object]] | None:
        """Look up, wait for the event before, queue with the listeners; None when the message is not
        a tagged bot message."""
        found = await self._tag(event)
        if found is None:
            return None
        tag, community_id = found
        community = await self.app.directory.community(community_id)
        person = await self.app.directory.person_for(event.account, event.display_name)
        if before is not None:
            await before.passed()  # the earlier event of this person on this message queues first
        pending: list[Awaitable[object]] = []
        for cog_name, listener in self.listeners:
            try:
                queued = await listener(event, tag, person, community)
            except Exception as exc:
                await self.app.on_error(exc, Failure("listener", f"{cog_name} (reaction on {tag})",
                                                     platform=event.message.platform, community_id=community.id))
                continue
            if queued is not None:
                pending.append(queued)
        return pending

    async def _tag(self, event: ReactionEvent) -> tuple[str, int] | None:
        found = await self.app.sent.tag_of(event.message)
        if found is None and event.on_bot_message is not False:
            # A send to this chat may be between the platform's answer and our record of it: wait for it.
            where = {event.message.chat_id, *([event.space] if event.space else [])}
            if await self.app.outbox.sending_to(event.message.platform, where):
                found = await self.app.sent.tag_of(event.message)
        if found is None and event.on_bot_message is not False:
            found = await self._recover_tag(event)
        if found is None or found[1] is None:
            return None
        return found[0], found[1]

    async def _recover_tag(self, event: ReactionEvent) -> tuple[str, int | None] | None:
        """A bot message we never recorded: read its buttons once, and record it if they name a tag."""
        ref = event.message
        platform = self.app.platforms.get(ref.platform)
        if platform is None or ref in self._described or event.space is None:
            return None
        if len(self._described) >= DESCRIBED_LIMIT:
            self._described.clear()
        self._described.add(ref)
        try:
            custom_ids = await platform.describe(ref)
        except Exception:
            log.exception("could not read message %s to find what it shows", ref)
            return None
        tag = next((t for t in map(self._tag_of_button, custom_ids or []) if t is not None), None)
        if tag is None:
            return None
        community = await self.app.directory.community_for_space(ref.platform, event.space)
        async with self.app.db.transaction() as tx:
            await self.app.sent.record(tx, ref, tag, community.id)
        log.warning("recorded %s as %s from its buttons: its send was never recorded", ref, tag)
        return tag, community.id

    def _tag_of_button(self, custom_id: str) -> str | None:
        action, _, arg = custom_id.partition(":")
        prefix = self.button_tags.get(action)
        return f"{prefix}:{arg}" if prefix is not None and arg else None

    @property
    def in_flight(self) -> int:
        """Events taken in and not yet handled to the end (their writes committed)."""
        return self._in_flight

    # -- draining on stop -------------------------------------------------------------------------------------

    def _begin(self) -> None:
        self._in_flight += 1
        self.taken += 1
        self._idle.clear()

    def _end(self) -> None:
        self._in_flight -= 1
        if self._in_flight == 0:
            self._idle.set()

    async def drain(self, timeout: float) -> int:
        """Wait until every event taken in has been handled (platforms stopped first). Returns how many
        were still in flight when the wait gave up."""
        try:
            # Events a stopping platform already parsed may still be tasks that have not started: let them
            # take their place before waiting for the line to empty.
            for _ in range(3):
                await asyncio.sleep(0)
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            log.error("%d reaction events were still in flight after %.0f s", self._in_flight, timeout)
        return self._in_flight
