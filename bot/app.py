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
from typing import Any

from bot.clock import Clock, SystemClock
from bot.cog import Cog
from bot.commands import Registry
from bot.config import Config, ConfigError
from bot.directory import Directory
from bot.dispatch import Dispatcher
from bot.i18n import Catalog, Translator
from bot.outbox import Outbox
from bot.platform import Platform
from bot.scheduler import Scheduler
from bot.sent import SentMessages
from bot.storage import Database, apply_migrations

log = logging.getLogger(__name__)
CORE_MIGRATIONS = Path(__file__).parent / "storage" / "migrations"


class CogLoadError(RuntimeError):
    """A cog could not be loaded; none of the batch stays loaded."""


class App:
    def __init__(self, config: Config, *, db_path: str | None = None, clock: Clock | None = None,
                 platforms: Sequence[Platform] = ()) -> None:
        self.config = config
        self.db_path = db_path or config.bot.database
        self.clock: Clock = clock or SystemClock()
        self.platforms: dict[str, Platform] = {platform.name: platform for platform in platforms}
        self.catalog = Catalog()
        self.registry = Registry()
        self.dispatcher = Dispatcher(self)
        self.cogs: dict[str, Cog] = {}
        self._tasks: list[asyncio.Task[Any]] = []
        self._started = False

    # -- lifecycle ---------------------------------------------------------------------------------------------

    async def open_storage(self) -> None:
        """Open the database and the services over it (also used by export without platforms)."""
        self.db = await Database.open(self.db_path)
        await apply_migrations(self.db, "core", CORE_MIGRATIONS)
        self.directory = Directory(self.db, self.config, self.clock)
        self.sent = SentMessages(self.db, self.clock)
        self.outbox = Outbox(self.db, self.clock, self.directory, self.sent, self.platforms)
        self.scheduler = Scheduler(self.db, self.clock)
        await self.directory.sync_config()

    async def start(self) -> None:
        await self.open_storage()
        try:
            check_cog_sections(self.config)
            await self.load_cogs(["bot.builtin", *self.config.bot.cogs])
            for platform in self.platforms.values():
                await platform.start(self)
            await self.scheduler.start()
            await self.outbox.flush()
            if self.scheduler.realtime:
                self._tasks.append(asyncio.create_task(self.outbox.run_retries(), name="outbox-retries"))
        except BaseException:
            await self._close()
            raise
        self._started = True

    async def stop(self) -> None:
        await self._close()
        self._started = False

    async def _close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        if hasattr(self, "scheduler"):
            await self.scheduler.stop()
        for platform in reversed(list(self.platforms.values())):
            try:
                await platform.stop()
            except Exception:
                log.exception("stopping %s failed", platform.name)
        for name in reversed(list(self.cogs)):
            await self._unload(name)
        if hasattr(self, "db"):
            await self.db.close()

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
        found = type(cog).collected()
        for attr, declared in found["commands"].items():
            self.registry.add(_bound(declared, getattr(cog, attr), cog.name))
        for attr, event in found["listeners"].items():
            if event != "reaction":
                raise CogLoadError(f"{cog.name}.{attr} listens to unknown event {event!r}")
            self.dispatcher.reaction_listeners.append((cog.name, getattr(cog, attr)))
        for attr, action in found["buttons"].items():
            if action in self.dispatcher.buttons:
                raise CogLoadError(f"button action {action!r} is handled twice")
            self.dispatcher.buttons[action] = (cog.name, getattr(cog, attr))
        for attr, name in found["completers"].items():
            self.dispatcher.completers[name] = (cog.name, getattr(cog, attr))
        for attr, kind in found["jobs"].items():
            self.scheduler.register(kind, getattr(cog, attr))

    async def _unload(self, name: str) -> None:
        cog = self.cogs.pop(name, None)
        if cog is None:
            return
        self.registry.remove_cog(name)
        dispatcher = self.dispatcher
        dispatcher.reaction_listeners = [item for item in dispatcher.reaction_listeners if item[0] != name]
        dispatcher.buttons = {key: item for key, item in dispatcher.buttons.items() if item[0] != name}
        dispatcher.completers = {key: item for key, item in dispatcher.completers.items() if item[0] != name}
        for kind in type(cog).collected()["jobs"].values():
            self.scheduler.unregister(kind)
        try:
            await cog.cog_unload()
        except Exception:
            log.exception("unloading cog %s failed", name)

    # -- services for cogs and platforms -----------------------------------------------------------------------

    def translator(self, language: str) -> Translator:
        return self.catalog.translator(language)

    def cog(self, name: str) -> Cog | None:
        return self.cogs.get(name)


def cog_module(name: str) -> Any:
    return importlib.import_module(name if "." in name else f"cogs.{name}")


def check_cog_sections(config: Config) -> None:
    """Every config section must belong to a listed cog and fit its settings type (else ConfigError)."""
    owners: dict[str, type[Cog]] = {}
    for name in config.bot.cogs:
        try:
            cog_type = getattr(cog_module(name), "COG", None)
        except ImportError as exc:
            raise ConfigError(f"bot.cogs lists {name!r}, but no such cog can be imported ({exc})") from exc
        if cog_type is not None:
            owners[cog_type.name] = cog_type
    for section in config.sections:
        if section not in owners:
            raise ConfigError(f"unknown section [{section}]; sections of the listed cogs: "
                              f"{', '.join(sorted(owners)) or 'none'}")
    for section, cog_type in owners.items():
        if cog_type.settings_type is not None:
            config.section(section, cog_type.settings_type)


def _bound(declared: Any, handler: Any, cog_name: str) -> Any:
    return replace(declared, handler=handler, cog=cog_name)
