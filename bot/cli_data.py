"""The command line's data actions: export, check-data, import-ics, import-json, backup and restore."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bot.app import CORE_MIGRATIONS, App, cog_module
from bot.archive import import_document
from bot.config import Config, ConfigError
from bot.errors import Refused
from bot.export import export
from bot.models import Community
from bot.platforms.console import PLATFORM as CONSOLE
from bot.platforms.console import SPACE as CONSOLE_SPACE
from bot.services import CALENDARS
from bot.storage.backup import (
    BackupProblem,
    backup_file,
    backup_target,
    nothing_running,
    restore_file,
)
from bot.storage.base import POSTGRES_SCHEMES
from bot.storage.migrations import known_versions


async def export_command(args: argparse.Namespace, config: Config) -> int:
    async with _storage(config, args.db) as app:
        await export(app, args.format, args.out, public=args.public, category=args.category, max_fee=args.max_fee)
    return 0


async def check_data(args: argparse.Namespace, config: Config) -> int:
    """Exit 0 when the data is sound, 1 when something was found (each finding on its own line)."""
    async with _storage(config, args.db) as app:
        findings = [line for cog in app.cogs.values() for line in await cog.check_data()]
    where = args.db or config.bot.database
    for line in findings:
        print(line)
    print(f"check-data: {len(findings)} finding(s) in {where}" if findings
          else f"check-data: no problems found in {where}")
    return 1 if findings else 0


async def import_ics(args: argparse.Namespace, config: Config) -> int:
    async with _storage(config, args.db) as app:
        try:
            calendars = app.service(CALENDARS)
        except LookupError:
            raise ConfigError("import-ics needs the festivals cog in [bot] cogs") from None
        print(await calendars.import_ics_file(Path(args.path), await _local_community(app, args.community)))
    return 0


async def import_json(args: argparse.Namespace, config: Config) -> int:
    document = _read_json(Path(args.path))
    async with _storage(config, args.db) as app:
        print(await import_document(app, document, args.community))
    return 0


def _sqlite_file(target: str, action: str) -> Path:
    """The SQLite file `backup` and `restore` work on; PostgreSQL has its own tools."""
    if target.startswith(POSTGRES_SCHEMES):
        raise Refused(f"{action} copies a SQLite file; on PostgreSQL use the server's own tools "
                      "(pg_dump and pg_restore), or export --format json")
    return Path(target)


async def backup(args: argparse.Namespace, config: Config) -> int:
    source = _sqlite_file(args.db or config.bot.database, "backup")
    if not source.exists():
        raise Refused(f"there is no database at {source} to back up")
    try:
        target = backup_file(source, backup_target(Path(args.path)))
    except BackupProblem as exc:
        raise Refused(str(exc)) from None
    print(f"backed up {source} to {target}")
    return 0


async def restore(args: argparse.Namespace, config: Config) -> int:
    database = _sqlite_file(args.db or config.bot.database, "restore")
    try:
        with nothing_running(database):
            aside = restore_file(Path(args.path), database, known_versions(_migration_folders(config)))
    except BackupProblem as exc:
        hint = "; stop it first (a restore replaces the whole database)" if "running" in str(exc) else ""
        raise Refused(f"{args.path} was not restored: {exc}{hint}") from None
    kept = f"; the database it replaced is kept as {aside}" if aside else ""
    print(f"restored {args.path} into {database}{kept}")
    return 0


def _migration_folders(config: Config) -> dict[str, Path]:
    """Every schema this release knows: the core's, the Telegram adapter's and each listed cog's."""
    folders = {"core": CORE_MIGRATIONS,
               "telegram": Path(__file__).parent / "platforms" / "telegram_migrations"}
    for name in config.bot.cogs:
        cog_type = getattr(cog_module(name), "COG", None)
        if cog_type is not None and cog_type.migrations is not None:
            folders[cog_type.name] = cog_type.migrations
    return folders


class _storage:
    """The database, its migrations and the listed cogs, without any platform: `async with _storage(...)`."""

    def __init__(self, config: Config, db_path: str | None) -> None:
        self.app = App(config, db_path=db_path)

    async def __aenter__(self) -> App:
        await self.app.open_storage()
        try:
            await self.app.load_cogs(list(self.app.config.bot.cogs))
        except BaseException:
            await self.app.stop()
            raise
        return self.app

    async def __aexit__(self, *exc: object) -> None:
        await self.app.stop()


def _read_json(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise Refused(f"there is no file {path}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Refused(f"{path} is not a JSON export ({exc})") from None
    if not isinstance(document, dict):
        raise Refused(f"{path} is not a microfilm-bot export")
    return document


async def _local_community(app: App, key: str | None) -> Community:
    """The community a command-line action works on: the one named, else the first, else the console's."""
    communities = await app.directory.communities()
    if key is not None:
        for community in communities:
            if community.key == key:
                return community
        raise ConfigError(f"no community with key {key!r}; known: {', '.join(c.key for c in communities) or '-'}")
    if communities:
        return communities[0]
    return await app.directory.community_for_space(CONSOLE, CONSOLE_SPACE, "console")
