"""`microfilm-bot run | console | demo | export | check-config`, each taking --config and --db."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import os
import signal
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bot.app import App, CogLoadError, check_cog_sections
from bot.clock import Clock, VirtualClock
from bot.config import Config, ConfigError, load_config
from bot.errors import Refused
from bot.models import Community
from bot.platform import Platform
from bot.platforms.console import PLATFORM as CONSOLE
from bot.platforms.console import SPACE as CONSOLE_SPACE
from bot.platforms.console import ConsolePlatform
from bot.platforms.console_runner import ConsoleSession
from bot.platforms.console_script import ScriptError, parse_script, script_start
from bot.services import CALENDARS
from bot.storage import DatabaseError
from bot.storage.migrations import MigrationError

CONFIG_ENV = "MICROFILM_CONFIG"
DEMO_DIR = Path(__file__).parent / "demo"
# Adapters are found by module name so the core never imports a platform library itself.
ADAPTERS = {"discord": "bot.platforms.discord_platform", "telegram": "bot.platforms.telegram_platform"}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    try:
        config = _config(args)
        logging.getLogger().setLevel(config.bot.log_level.upper())
        logging.getLogger("apscheduler").setLevel(logging.WARNING)  # it logs every wake-up at INFO
        return int(asyncio.run(args.func(args, config)) or 0)
    except (ConfigError, DatabaseError, CogLoadError, MigrationError, Refused) as exc:
        print(f"microfilm-bot: {exc}", file=sys.stderr)
        return 2
    except ScriptError as exc:
        print(f"microfilm-bot: script {exc}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="microfilm-bot", description="A community bot for microfilm makers.")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, func: object, help_text: str) -> argparse.ArgumentParser:
        command = sub.add_parser(name, help=help_text)
        command.add_argument("--config", help=f"TOML config file (default: ${CONFIG_ENV}, else built-in defaults)")
        command.add_argument("--db", help="a SQLite file or a postgresql:// URL (default: [bot] database)")
        command.set_defaults(func=func)
        return command

    add("run", _run, "start every platform that has a token; the console when none has")
    console = add("console", _console, "the interactive console, or run a script with --script")
    console.add_argument("--script", help="run this script (- for standard input) and print the transcript")
    add("demo", _demo, "run the bundled demo script on a fresh temporary database")
    export = add("export", _export, "write the communities' data")
    export.add_argument("--format", choices=("json", "csv", "ics"), default="json")
    export.add_argument("--out", help="output file (json, ics) or folder (csv); default: standard output")
    export.add_argument("--public", action="store_true", help="leave out private details (anonymous reviewers)")
    export.add_argument("--category", help="ics: only festivals of this category")
    export.add_argument("--max-fee", type=float, help="ics: only deadlines with at most this fee")
    add("check-config", _check_config, "validate the config file and say what it sets")
    imp = add("import-ics", _import_ics, "import festival deadlines from an iCalendar file")
    imp.add_argument("path", help="the .ics file")
    imp.add_argument("--community", help="community key (default: the first community)")
    return parser


def _config(args: argparse.Namespace) -> Config:
    path = args.config or os.environ.get(CONFIG_ENV)
    config = load_config(path)
    if path is None and args.command == "run":
        print("microfilm-bot: no config file given; using safe defaults "
              "(see config.example.toml, --config PATH)", file=sys.stderr)
    return config


def _platforms(config: Config) -> list[Platform]:
    platforms: list[Platform] = []
    for name, token in (("discord", config.discord_token), ("telegram", config.telegram_token)):
        if token:
            module = importlib.import_module(ADAPTERS[name])
            platforms.append(module.create(config))
    return platforms


async def _run(args: argparse.Namespace, config: Config) -> int:
    platforms = _platforms(config)
    if not platforms:
        print("microfilm-bot: no platform token set (MICROFILM_DISCORD_TOKEN, MICROFILM_TELEGRAM_TOKEN); "
              "starting the console", file=sys.stderr)
        return await _console(args, config)
    app = App(config, db_path=args.db, platforms=platforms)
    await app.start()
    print(f"microfilm-bot: running on {', '.join(app.platforms)}; Ctrl-C stops", file=sys.stderr)
    stop = asyncio.Event()
    received: list[int] = []

    def on_signal(signum: int) -> None:
        received.append(signum)
        stop.set()

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        # A supervisor's stop (SIGTERM) and Ctrl-C (SIGINT) run the same clean shutdown.
        loop.add_signal_handler(signum, on_signal, signum)
    try:
        waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(app.failed.wait())]
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for waiting in waits:
            waiting.cancel()
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        await app.stop()
    taken = app.dispatcher.reactions.taken
    if app.failure is not None:
        print(f"microfilm-bot: stopped because {app.failure}", file=sys.stderr)
        return 1
    print(f"microfilm-bot: stopped cleanly ({taken} reaction events taken in, all handled)", file=sys.stderr)
    return 130 if signal.SIGINT in received else 0  # 128 + SIGINT, as a shell reports Ctrl-C


async def _console(args: argparse.Namespace, config: Config) -> int:
    script = getattr(args, "script", None)
    if script is None:
        platform = ConsolePlatform(_print)
        async with App(config, db_path=args.db, platforms=[platform]) as app:
            session = ConsoleSession(app, platform, _notice)
            await session.interactive(config.console.user)
        return 0
    text = sys.stdin.read() if script == "-" else Path(script).read_text(encoding="utf-8")
    return await run_script(text, config, args.db)


async def run_script(text: str, config: Config, db_path: str | None, *, clock: Clock | None = None) -> int:
    actions = parse_script(text)  # a malformed line stops before anything runs
    platform = ConsolePlatform(_print)
    clock = clock or VirtualClock(script_start(actions))
    async with App(config, db_path=db_path, clock=clock, platforms=[platform]) as app:
        await ConsoleSession(app, platform, _notice).run_script(actions)
    return 0


async def _demo(args: argparse.Namespace, config: Config) -> int:
    text = "\n".join(path.read_text(encoding="utf-8") for path in sorted(DEMO_DIR.glob("*.txt")))
    with tempfile.TemporaryDirectory(prefix="microfilm-demo-") as folder:
        return await run_script(text, config, str(Path(folder) / "demo.sqlite3"))


async def _export(args: argparse.Namespace, config: Config) -> int:
    from bot.export import export

    app = App(config, db_path=args.db)
    await app.open_storage()
    try:
        await app.load_cogs(list(config.bot.cogs))
        await export(app, args.format, args.out, public=args.public, category=args.category,
                     max_fee=args.max_fee)
    finally:
        await app.stop()
    return 0


async def _check_config(args: argparse.Namespace, config: Config) -> int:
    check_cog_sections(config)
    print(f"config OK: {config.source}; cogs: {', '.join(config.bot.cogs)}; "
          f"communities: {len(config.communities)}; database: {args.db or config.bot.database}")
    return 0


async def _import_ics(args: argparse.Namespace, config: Config) -> int:
    app = App(config, db_path=args.db)
    await app.open_storage()
    try:
        await app.load_cogs(list(config.bot.cogs))
        try:
            calendars = app.service(CALENDARS)
        except LookupError:
            raise ConfigError("import-ics needs the festivals cog in [bot] cogs") from None
        print(await calendars.import_ics_file(Path(args.path), await _local_community(app, args.community)))
    finally:
        await app.stop()
    return 0


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


def _print(line: str) -> None:
    print(line, flush=True)


def _notice(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
