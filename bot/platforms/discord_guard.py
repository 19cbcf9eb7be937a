"""Keeping the Discord connection alive and honest.

- discord.py parses each gateway event in its connection task; an event it cannot read (a field it
  expects is missing, as in older captures) raises there and ends the task: the client stays, deaf.
  Every parser is wrapped: fields that have a safe default get it, and an event that still cannot be
  read is logged at ERROR with its type and skipped.
- The connection task is watched: if it ends while the bot runs, it is started again with a growing
  pause; if it cannot come back (a refused token, intents not granted, or too many failures in a row),
  the platform is reported down and the app exits non-zero so a supervisor restarts it.
- A lost connection is a gap: a RESUME replays what happened meanwhile, but a refused one (a new
  session) does not. Gaps are recorded; after a gap that may have lost events the app recovers what it
  can (the cogs' gap listeners recount) and the admins are told.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
# Fields discord.py 2.7 reads as required that older payloads lack, with the value Discord implies.
DEFAULTS: dict[str, dict[str, Any]] = {
    "MESSAGE_REACTION_ADD": {"type": 0, "burst": False},
    "MESSAGE_REACTION_REMOVE": {"type": 0, "burst": False},
    "INTERACTION_CREATE": {"version": 1, "attachment_size_limit": 8 * 1024 * 1024},
}
RESTART_PAUSES = (1.0, 2.0, 5.0, 10.0, 30.0)  # seconds before each restart of a connection that ended
MAX_RESTARTS = 5  # in a row without staying up RESTART_RESET_AFTER seconds
RESTART_RESET_AFTER = 300.0
FATAL_CLOSE_CODES = {4004, 4010, 4011, 4012, 4013, 4014}  # token, shards, API version, intents


def guard_parsers(client: discord.Client) -> None:
    """Wrap discord.py's event parsers so one unreadable event is skipped, not fatal."""
    parsers: dict[str, Callable[[Any], None]] = client._connection.parsers
    for event, parse in list(parsers.items()):
        parsers[event] = _guarded(event, parse)


def _guarded(event: str, parse: Callable[[Any], None]) -> Callable[[Any], None]:
    defaults = DEFAULTS.get(event, {})

    def run(data: Any) -> None:
        if isinstance(data, dict):
            for key, value in defaults.items():
                data.setdefault(key, value)
        try:
            parse(data)
        except Exception as exc:
            log.error("discord: could not read a %s event (%s: %s); it was skipped", event, type(exc).__name__,
                      exc, exc_info=log.isEnabledFor(logging.DEBUG))

    return run


class ConnectionWatch:
    """Runs client.connect(), starting it again when it ends, and tracks gaps in the connection."""

    def __init__(self, app: App, client: discord.Client, on_gap: Callable[[datetime, datetime, bool],
                                                                          Coroutine[Any, Any, None]]) -> None:
        self.app = app
        self.client = client
        self.on_gap = on_gap
        self.stopping = False
        self.fatal: str | None = None  # why the connection cannot be made at all
        self.disconnected_at: datetime | None = None
        self.ready_count = 0

    async def run(self) -> None:
        restarts = 0
        loop = asyncio.get_running_loop()
        while not self.stopping:
            began = loop.time()
            reason = await self._connect_once()
            if self.stopping or self.client.is_closed() and reason is None:
                return
            if loop.time() - began > RESTART_RESET_AFTER:
                restarts = 0
            fatal = reason is not None and reason.startswith("fatal:")
            if fatal or restarts >= MAX_RESTARTS:
                self.fatal = (reason or "the gateway kept closing").removeprefix("fatal:")
                if self.ready_count:  # it ran before: the app goes down and a supervisor restarts it
                    await self.app.platform_failed("discord", self.fatal)
                return  # never connected: start-up reports it
            pause = RESTART_PAUSES[min(restarts, len(RESTART_PAUSES) - 1)]
            restarts += 1
            log.error("discord: the gateway connection ended (%s); connecting again in %.0f s", reason, pause)
            self.disconnected(self.app.clock.now())
            await asyncio.sleep(pause)

    async def _connect_once(self) -> str | None:
        """One run of the library's own reconnecting loop; what ended it, if anything."""
        try:
            await self.client.connect(reconnect=True)
        except discord.PrivilegedIntentsRequired as exc:
            return f"fatal:the bot's privileged intents are not enabled in the Developer Portal ({exc})"
        except discord.ConnectionClosed as exc:
            if exc.code in FATAL_CLOSE_CODES:
                return f"fatal:Discord closed the gateway with code {exc.code} ({exc.reason})"
            return f"closed with code {exc.code}"
        except Exception as exc:  # the library gave up on this connection; a fresh one may work
            return f"{type(exc).__name__}: {exc}"
        return None

    # -- gaps ------------------------------------------------------------------------------------------------

    def disconnected(self, now: datetime) -> None:
        if self.disconnected_at is None:
            self.disconnected_at = now

    async def resumed(self) -> None:
        """Discord replayed what was missed: the gap lost nothing."""
        await self._gap_over(lost=False)

    async def ready(self) -> None:
        """A READY: the first connection, or a new session after a refused RESUME (events were lost)."""
        self.ready_count += 1
        if self.ready_count > 1:
            self.disconnected(self.app.clock.now())
            await self._gap_over(lost=True)

    async def _gap_over(self, *, lost: bool) -> None:
        started, self.disconnected_at = self.disconnected_at, None
        if started is not None:
            await self.on_gap(started, self.app.clock.now(), lost)
