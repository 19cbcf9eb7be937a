"""Long polling that neither stops nor spins: our own getUpdates loop in place of PTB's Updater.

python-telegram-bot's Updater has two ways to go deaf. An update it cannot parse makes it ask for the
same offset again forever, so nothing after that update is ever handled; and an exception from its
update queue other than a TelegramError (our inbox write, when the database is locked or the disk is
full) ends its polling task without a word. This loop reads the raw updates, so it can:
- parse each update alone: one the library cannot read is written down (raw, for the operator),
  logged at ERROR with its kind, and skipped;
- confirm an offset only after every update before it is in the inbox: when the inbox cannot be
  written, it waits with a growing pause and fetches the same updates again (Telegram keeps them), and
  if the database stays unwritable the platform is reported down;
- notice an outage (getUpdates failing), record the gap once polling works again, and say how many
  updates Telegram had kept meanwhile.
At start-up `drain()` applies the backlog before anything else runs, so a vote made before a deadline
is counted even when the bot was down across it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.error import Conflict, Forbidden, InvalidToken, RetryAfter, TelegramError

from bot.models import Text
from bot.storage import STORAGE_ERRORS as DATABASE_ERRORS

if TYPE_CHECKING:
    from bot.app import App
    from bot.platforms.telegram_platform import TelegramPlatform

log = logging.getLogger(__name__)
PAGE = 100  # Telegram's largest getUpdates page
PAUSES = (1.0, 2.0, 5.0, 10.0, 30.0)  # seconds between attempts after a failure
STORAGE_GIVE_UP = timedelta(minutes=5)  # the inbox unwritable this long: report the platform down
STORAGE_ERRORS = (*DATABASE_ERRORS, OSError)
Take = Callable[[Update, dict[str, Any]], Awaitable[None]]


def update_kind(raw: dict[str, Any]) -> str:
    """What an update carries (message, message_reaction, ...), for logs that show no content."""
    return next((key for key in raw if key != "update_id"), "empty")


class Poller:
    def __init__(self, platform: TelegramPlatform, app: App, take: Take) -> None:
        self.platform = platform
        self.app = app
        self.take = take  # writes an update down, then handles or queues it; raises if it cannot write
        self.offset: int | None = None
        self.stopping = False
        self._outage: datetime | None = None  # when getUpdates started failing
        self._catching_up: tuple[datetime, datetime, int] | None = None  # (gap start, end, updates since)
        self._storage_since: datetime | None = None

    @property
    def outage(self) -> datetime | None:
        """Since when getUpdates has been failing, while it is."""
        return self._outage

    async def drain(self) -> int:
        """Fetch and apply everything Telegram kept for us (no waiting); returns how many updates."""
        count = 0
        while True:
            raw = await self._fetch(timeout=0)
            await self._take_all(raw)
            count += len(raw)
            if len(raw) < PAGE:
                return count

    async def run(self) -> None:
        failures = 0
        while not self.stopping:
            try:
                raw = await self._fetch(timeout=int(self.platform.settings.poll_timeout))
                self._reachable(len(raw))
                await self._take_all(raw)
                failures = 0
                await self._caught_up(len(raw))
            except (InvalidToken, Forbidden) as exc:
                await self.app.platform_failed("telegram", f"Telegram refused the bot token ({exc})")
                return
            except RetryAfter as exc:
                await asyncio.sleep(_seconds(exc.retry_after))
            except TelegramError as exc:
                failures = await self._network_failure(exc, failures)
            except STORAGE_ERRORS as exc:
                if not await self._storage_failure(exc):
                    return
                failures += 1
                await asyncio.sleep(PAUSES[min(failures - 1, len(PAUSES) - 1)])

    async def _fetch(self, timeout: int) -> list[dict[str, Any]]:
        data: dict[str, Any] = {"timeout": timeout, "limit": PAGE, "allowed_updates": self.platform.allowed_updates}
        if self.offset is not None:
            data["offset"] = self.offset
        # The raw list (PTB's private _post), not Bot.get_updates: that one parses the whole page at once
        # and raises for all of it when one update cannot be read.
        result = await self.platform.bot._post("getUpdates", data, read_timeout=timeout + 10)
        return list(result or [])

    async def _take_all(self, raw_updates: list[dict[str, Any]]) -> None:
        """Write each update down and hand it on, in order; the offset moves past each one taken."""
        for raw in raw_updates:
            update_id = int(raw["update_id"])
            try:
                update = Update.de_json(raw, self.platform.bot)
            except Exception as exc:
                log.error("Telegram: skipping update %s (%s) that python-telegram-bot cannot read: %s: %s",
                          update_id, update_kind(raw), type(exc).__name__, exc)
                await self.platform.inbox.unreadable(update_id, raw, f"{type(exc).__name__}: {exc}")
            else:
                await self.take(update, raw)
            self.offset = update_id + 1
        if self._storage_since is not None:
            log.warning("Telegram: the inbox can be written again; polling goes on")
            self._storage_since = None

    async def _network_failure(self, exc: TelegramError, failures: int) -> int:
        now = self.app.clock.now()
        if self._outage is None:
            self._outage = now
            log.warning("Telegram: getUpdates failed (%s: %s); trying again", type(exc).__name__, exc)
        if isinstance(exc, Conflict):
            log.error("Telegram: another process polls with this token or a webhook is set (%s)", exc)
        await asyncio.sleep(PAUSES[min(failures, len(PAUSES) - 1)])
        return failures + 1

    def _reachable(self, fetched: int) -> None:
        if self._outage is not None:
            self._catching_up = (self._outage, self.app.clock.now(), 0)
            self._outage = None

    async def _caught_up(self, fetched: int) -> None:
        """After an outage, count what Telegram kept until a page comes back short; then record the gap."""
        if self._catching_up is None:
            return
        started, ended, count = self._catching_up
        count += fetched
        if fetched >= PAGE:
            self._catching_up = (started, ended, count)
            return
        self._catching_up = None
        t = self.app.translator(self.app.config.bot.language)
        replayed: Text = t.plural("notices.telegram_replayed", count, updates=count)
        await self.app.gaps.over("telegram", started, ended, lost=False, replayed=replayed)

    async def _storage_failure(self, exc: Exception) -> bool:
        """The inbox cannot be written: the updates stay unconfirmed at Telegram. False to stop for good."""
        now = self.app.clock.now()
        if self._storage_since is None:
            self._storage_since = now
            log.error("Telegram: cannot write updates to the inbox (%s: %s); they stay with Telegram and are "
                      "fetched again", type(exc).__name__, exc)
        elif now - self._storage_since >= STORAGE_GIVE_UP:
            await self.app.platform_failed("telegram", f"the database could not be written for "
                                                       f"{int(STORAGE_GIVE_UP.total_seconds() // 60)} minutes ({exc})")
            return False
        return True


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
