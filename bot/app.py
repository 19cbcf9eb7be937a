"""The App: the one composition root. It owns config, database, scheduler, registry, platforms and cogs,
and has an explicit lifecycle: `await app.start()` ... `await app.stop()` (or `async with App(...)`).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from bot.clock import Clock, SystemClock, VirtualClock
from bot.cog import Cog
from bot.commands import Registry
from bot.community_settings import CommunitySettings
from bot.config import Config
from bot.directory import Directory
from bot.dispatch import Dispatcher
from bot.errors import Failure
from bot.gaps import Gaps
from bot.i18n import Catalog, Translator
from bot.models import MessageRef
from bot.notices import AdminNotices
from bot.outbox import Outbox
from bot.platform import DeliveryError, Platform
from bot.rules import Rules
from bot.scheduler import Scheduler
from bot.sent import SentMessages
from bot.services import ServiceKey, Services
from bot.settings import Problems, parse_section
from bot.storage import Database, DatabaseError, apply_migrations
from bot.storage.backup import RunLock

log = logging.getLogger(__name__)
CORE_MIGRATIONS = Path(__file__).parent / "storage" / "migrations"
T = TypeVar("T")
DRAIN_SECONDS = 10.0  # how long a stop waits for reactions already taken in


class CogLoadError(RuntimeError):
    """A cog could not be loaded; none of the batch stays loaded."""


class App:
    def __init__(self, config: Config, *, db_path: str | None = None, clock: Clock | None = None,
                 platforms: Sequence[Platform] = ()) -> None:
        self.config = config
        self.db_path = db_path or config.bot.database
        self.clock: Clock = clock or SystemClock()
        self.platforms: dict[str, Platform] = {platform.name: platform for platform in platforms}
        if isinstance(self.clock, VirtualClock):
            for platform in self.platforms.values():
                platform.pacer = None  # virtual time (scripts, tests): messages go at once, in a fixed order
        self.catalog = Catalog()
        self.registry = Registry()
        self.dispatcher = Dispatcher(self)
        self.cogs: dict[str, Cog] = {}
        self.services = Services()  # the typed seams cogs publish for each other (see bot/services.py)
        self._stack = contextlib.AsyncExitStack()
        self._started = False
        # Set when a platform fails for good (`failure` says why); `microfilm-bot run` waits on it.
        self.failed = asyncio.Event()
        self.failure: str | None = None

    # -- lifecycle ---------------------------------------------------------------------------------------------

    async def open_storage(self) -> None:
        """Open the database and the services over it (also used by export without platforms). A failure
        closes what was opened: a database left open keeps its threads, and the process would never exit."""
        self._stack = contextlib.AsyncExitStack()
        self.db = await Database.open(self.db_path)
        self._stack.push_async_callback(self.db.close)
        try:
            await self._services()
        except BaseException:
            await self._close()
            raise

    async def _services(self) -> None:
        self._stack.push_async_callback(self._unload_all)
        await apply_migrations(self.db, "core", CORE_MIGRATIONS)
        self.community_settings = CommunitySettings(self.db)
        await self.community_settings.listen()
        self.rules = Rules(self.community_settings)
        self.directory = Directory(self.db, self.config, self.clock, self.community_settings)
        self.sent = SentMessages(self.db, self.clock)
        self.outbox = Outbox(self.db, self.clock, self.directory, self.sent, self.platforms,
                             inline=isinstance(self.clock, VirtualClock),
                             resend_unknown_after=self.config.bot.resend_unknown_after,
                             elsewhere=self.config.bot.platforms_elsewhere)
        self.notices = AdminNotices(self)
        self.gaps = Gaps(self)
        self.outbox.on_error = self.on_error
        self.scheduler = Scheduler(self.db, self.clock, on_error=self.on_error)
        await self.directory.sync_config()

    async def start(self) -> None:
        """Build every service in order; each set-up pushes its tear-down, so a failure (or `stop`)
        closes exactly what was opened, in reverse."""
        await self.open_storage()
        stack = self._stack
        try:
            if self.db.dialect == "sqlite":  # a restore replaces a SQLite file; PostgreSQL has no such step
                lock = RunLock(self.db_path)  # held while running, so a restore refuses to run beside the bot
                if not lock.acquire():
                    raise DatabaseError(f"a restore of {self.db_path} is under way; start the bot when it is done")
                stack.callback(lock.release)
            check_cog_sections(self.config)
            await self.load_cogs(["bot.builtin", *self.config.bot.cogs])
            await self.outbox.recover()
            for platform in self.platforms.values():
                await platform.start(self)  # Telegram applies its backlog here, before any overdue phase
                stack.push_async_callback(self._stop_platform, platform)
            await self.scheduler.start()
            stack.push_async_callback(self.scheduler.stop)
            if self.outbox.inline:
                await self.outbox.flush()
            else:
                await self.outbox.listen()
                self.outbox.start_loops()
                stack.push_async_callback(self.outbox.stop_loops)
            # A stop begins here, in reverse: the platforms stop taking events in, every event already
            # taken in is handled, what is due is delivered, and only then does the rest close.
            stack.push_async_callback(self.dispatcher.reactions.drain, DRAIN_SECONDS)
            stack.push_async_callback(self._pause_platforms)
        except BaseException:
            await self._close()
            raise
        self._started = True

    async def stop(self) -> None:
        await self._close()
        self._started = False

    async def _close(self) -> None:
        stack, self._stack = self._stack, contextlib.AsyncExitStack()
        await stack.aclose()

    async def _pause_platforms(self) -> None:
        for platform in self.platforms.values():
            try:
                await platform.pause()
            except Exception:
                log.exception("pausing %s failed", platform.name)

    async def _stop_platform(self, platform: Platform) -> None:
        try:
            await platform.stop()
        except Exception:
            log.exception("stopping %s failed", platform.name)

    async def _unload_all(self) -> None:
        for name in reversed(list(self.cogs)):
            await self._unload(name)

    # -- the one error path ------------------------------------------------------------------------------------

    async def on_error(self, exc: BaseException, failure: Failure) -> None:
        """Every failure of a command, button, listener, job, delivery or update comes here: it is logged
        once, with what an operator needs, and the admins are told of what failed for good. Telling the
        person who asked is the caller's part (it knows how to answer them)."""
        fields = [f"{key}={value}" for key, value in (("platform", failure.platform),
                                                       ("community", failure.community_id),
                                                       ("attempt", failure.attempts)) if value is not None]
        where = f" [{' '.join(fields)}]" if fields else ""
        level = logging.WARNING if failure.expected and not failure.for_good else logging.ERROR
        log.log(level, "%s %s failed%s%s: %s: %s", failure.kind, failure.name, where,
                ", for good" if failure.for_good else "", type(exc).__name__, exc,
                exc_info=None if failure.expected else exc)
        if failure.for_good and failure.community_id is not None and failure.subject:
            try:
                if isinstance(exc, DeliveryError) and exc.refusal is not None:
                    await self.notices.refused(failure, exc.refusal)
                else:
                    await self.notices.failed_for_good(failure, str(exc)[:300])
            except Exception:
                log.exception("could not tell the admins that %s %s failed", failure.kind, failure.subject)

    # -- a platform that cannot recover ------------------------------------------------------------------------

    async def platform_failed(self, name: str, reason: str) -> None:
        """A platform is down for good: report it (log, and the admins on the platforms still up), then
        end the app with an error, so the process exits non-zero and its supervisor restarts it."""
        log.error("%s is down and could not recover: %s; stopping so a supervisor can restart the bot", name,
                  reason)
        try:
            await self.notices.platform_down(name, reason)
        except Exception:
            log.exception("could not tell the admins that %s is down", name)
        self.failure = self.failure or f"{name}: {reason}"
        self.failed.set()

    async def __aenter__(self) -> App:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- cogs --------------------------------------------------------------------------------------------------

    async def load_cogs(self, names: Sequence[str]) -> None:
        """Load every named cog or none: a failure unloads the ones this call loaded and names the culprit."""
        loaded: list[str] = []
        for name in names:
            try:
                module = cog_module(name)
                setup = getattr(module, "setup", None)
                if setup is None:
                    raise CogLoadError(f"module {module.__name__} has no setup(app) function")
                before = set(self.cogs)
                await setup(self)
                loaded.extend(set(self.cogs) - before)
            except Exception as exc:
                for cog_name in reversed(loaded):
                    await self._unload(cog_name)
                raise CogLoadError(f"cog {name!r} failed to load: {exc}") from exc

    async def add_cog(self, cog: Cog) -> None:
        if cog.name in self.cogs:
            raise CogLoadError(f"a cog named {cog.name!r} is already loaded")
        if type(cog).forget_person is Cog.forget_person:
            raise CogLoadError(f"the {cog.name} cog has no forget_person hook; every cog must say how it forgets "
                               "a person who asks (return [] when it keeps nothing about people)")
        for needed in cog.requires:
            if needed not in self.cogs:
                raise CogLoadError(f"the {cog.name} cog needs the {needed} cog: list \"{needed}\" before "
                                   f"\"{cog.name}\" in [bot] cogs")
        for name, func in cog.sql_functions.items():
            await self.db.add_function(name, func)
        if cog.migrations is not None:
            await apply_migrations(self.db, cog.name, cog.migrations)
        if cog.locales is not None:
            self.catalog.load_dir(cog.locales)
        self.cogs[cog.name] = cog
        try:
            self._register(cog)
            await cog.cog_load()
        except BaseException:
            await self._unload(cog.name)
            raise

    def _register(self, cog: Cog) -> None:
        for part in cog.parts():
            found = type(part).collected()
            for attr, declared in found["commands"].items():
                self.registry.add(_bound(declared, getattr(part, attr), cog.name))
            for attr, event in found["listeners"].items():
                listeners = self._listeners(event)
                assert listeners is not None  # CogMeta refused unknown events at import
                listeners.append((cog.name, getattr(part, attr)))
            for attr, (action, tags) in found["buttons"].items():
                if action in self.dispatcher.buttons:
                    raise CogLoadError(f"button action {action!r} is handled twice")
                self.dispatcher.buttons[action] = (cog.name, getattr(part, attr))
                if tags is not None:
                    self.dispatcher.reactions.button_tags[action] = tags
            for attr, name in found["completers"].items():
                self.dispatcher.completers[name] = (cog.name, getattr(part, attr))
            for attr, kind in found["jobs"].items():
                self.scheduler.register(kind, getattr(part, attr))
            for attr, kind in found["preparers"].items():
                self.scheduler.prepare(kind, getattr(part, attr))

    async def _unload(self, name: str) -> None:
        cog = self.cogs.pop(name, None)
        if cog is None:
            return
        self.registry.remove_cog(name)
        self.services.remove_owner(name)
        dispatcher = self.dispatcher
        reactions = dispatcher.reactions
        reactions.listeners = [item for item in reactions.listeners if item[0] != name]
        self.gaps.listeners = [item for item in self.gaps.listeners if item[0] != name]
        dispatcher.replies = [item for item in dispatcher.replies if item[0] != name]
        for part in cog.parts():
            for action, tags in type(part).collected()["buttons"].values():
                if tags is not None:
                    reactions.button_tags.pop(action, None)
            for kind in type(part).collected()["jobs"].values():
                self.scheduler.unregister(kind)
        dispatcher.buttons = {key: item for key, item in dispatcher.buttons.items() if item[0] != name}
        dispatcher.completers = {key: item for key, item in dispatcher.completers.items() if item[0] != name}
        try:
            await cog.cog_unload()
        except Exception:
            log.exception("unloading cog %s failed", name)

    def _listeners(self, event: str) -> list[Any] | None:
        """The listener list of a neutral event: "reaction", "reply" or "gap"."""
        found: dict[str, list[Any]] = {"reaction": self.dispatcher.reactions.listeners,
                                       "reply": self.dispatcher.replies, "gap": self.gaps.listeners}
        return found.get(event)

    # -- services for cogs and platforms -----------------------------------------------------------------------

    def translator(self, language: str) -> Translator:
        return self.catalog.translator(language)

    def cog(self, name: str) -> Cog | None:
        return self.cogs.get(name)

    async def recount(self, ref: MessageRef, emoji: str) -> list[str] | None:
        """Who reacts with `emoji` on a message now, asked of its platform; None when that platform cannot
        read reactions or is not running. Raises UnreadableMessage for a message it can no longer read."""
        platform = self.platforms.get(ref.platform)
        return None if platform is None else await platform.recount(ref, emoji)

    def service(self, key: ServiceKey[T]) -> T:
        """The interface a loaded cog published under `key` (a cog's `requires` makes sure it is there)."""
        return self.services.get(key)


def cog_module(name: str) -> Any:
    return importlib.import_module(name if "." in name else f"cogs.{name}")


def check_cog_sections(config: Config, problems: Problems | None = None) -> None:
    """Every config section must belong to a listed cog and fit its settings type. All problems are
    raised together as one ConfigError (or, given `problems`, added there)."""
    found = Problems() if problems is None else problems
    owners: dict[str, type[Cog]] = {}
    for name in config.bot.cogs:
        try:
            cog_type = getattr(cog_module(name), "COG", None)
        except ImportError as exc:
            found.append(f"bot.cogs lists {name!r}, but no such cog can be imported ({exc})")
            continue
        if cog_type is not None:
            owners[cog_type.name] = cog_type
    for section in config.sections:
        if section not in owners:
            found.append(f"unknown section [{section}]; sections of the listed cogs: "
                         f"{', '.join(sorted(owners)) or 'none'}")
    for section, cog_type in owners.items():
        if cog_type.settings_type is not None:
            parse_section(cog_type.settings_type, config.sections.get(section, {}), section, found)
    if problems is None:
        found.raise_if_any()


def _bound(declared: Any, handler: Any, cog_name: str) -> Any:
    return replace(declared, handler=handler, cog=cog_name)
