"""`microfilm-bot run | console | demo | export | check-config | check-data | import-ics | import-json |
backup | restore | health`, each taking --config and --db."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import os
import signal
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from bot import __version__, cli_checks, cli_data
from bot.app import App, CogLoadError
from bot.clock import Clock, VirtualClock
from bot.config import DISCORD_TOKEN_ENV, TELEGRAM_TOKEN_ENV, Config, ConfigError, load_config
from bot.errors import Refused
from bot.health import HealthMonitor
from bot.logs import RedactingFilter, setup_logging
from bot.platform import Platform, PlatformUnavailable
from bot.platforms.console import ConsolePlatform
from bot.platforms.console_runner import ConsoleSession
from bot.platforms.console_script import ScriptError, parse_script, script_start
from bot.storage import DatabaseError
from bot.storage.migrations import MigrationError

CONFIG_ENV = "MICROFILM_CONFIG"
DB_ENV = "MICROFILM_DB"
DEMO_DIR = Path(__file__).parent / "demo"
# Adapters are found by module name so the core never imports a platform library itself.
ADAPTERS = {"discord": "bot.platforms.discord_platform", "telegram": "bot.platforms.telegram_platform"}
Command = Callable[[argparse.Namespace, Config], object]


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    args.db = args.db or os.environ.get(DB_ENV) or None
    # Until the config is read, the tokens in the environment are masked all the same.
    setup_logging("WARNING", [os.environ.get(DISCORD_TOKEN_ENV, ""), os.environ.get(TELEGRAM_TOKEN_ENV, "")])
    logging.captureWarnings(True)  # library warnings go through the same masked handler
    if args.command == "check-config":
        return cli_checks.check_config(_config_path(args), args.db)
    if args.command == "health":
        return cli_checks.health(_config_path(args), args.db)
    secrets = RedactingFilter(())
    try:
        config = _config(args)
        secrets = RedactingFilter(config.secrets())
        setup_logging(config.bot.log_level, config.secrets())
        return int(asyncio.run(args.func(args, config)) or 0)
    except (ConfigError, DatabaseError, CogLoadError, MigrationError, Refused) as exc:
        print(f"microfilm-bot: {secrets.redact(str(exc))}", file=sys.stderr)
        return 2
    except PlatformUnavailable as exc:  # worth a restart by a supervisor: the platform may come back
        print(f"microfilm-bot: {secrets.redact(str(exc))}", file=sys.stderr)
        return 1
    except ScriptError as exc:
        print(f"microfilm-bot: script {exc}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="microfilm-bot", description="A community bot for microfilm makers.")
    parser.add_argument("--version", action="version", version=f"microfilm-bot {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, func: Command | None, help_text: str) -> argparse.ArgumentParser:
        command = sub.add_parser(name, help=help_text)
        command.add_argument("--config", help=f"TOML config file (default: ${CONFIG_ENV}, else built-in defaults)")
        command.add_argument("--db", help=f"a SQLite file or a postgresql:// URL (default: ${DB_ENV}, "
                                          "else [bot] database)")
        command.set_defaults(func=func)
        return command

    add("run", _run, "start every platform that has a token; the console when none has")
    console = add("console", _console, "the interactive console, or run a script with --script")
    console.add_argument("--script", help="run this script (- for standard input) and print the transcript")
    add("demo", _demo, "run the bundled demo script on a fresh temporary database")
    export = add("export", cli_data.export_command, "write the communities' data")
    export.add_argument("--format", choices=("json", "csv", "ics"), default="json")
    export.add_argument("--out", help="output file (json, ics) or folder (csv); default: standard output")
    export.add_argument("--public", action="store_true",
                        help="leave out private details (accounts, voters, anonymous reviewers)")
    export.add_argument("--category", help="ics: only festivals of this category")
    export.add_argument("--max-fee", type=float, help="ics: only deadlines with at most this fee")
    add("check-config", None, "check the config file (every problem at once) and say what it sets")
    add("check-data", cli_data.check_data, "report problems in the stored data (films shared twice); changes nothing")
    imp = add("import-ics", cli_data.import_ics, "import festival deadlines from an iCalendar file")
    imp.add_argument("path", help="the .ics file")
    imp.add_argument("--community", help="community key (default: the first community)")
    restore_json = add("import-json", cli_data.import_json, "restore communities from a JSON export "
                                                             "into an empty database")
    restore_json.add_argument("path", help="the file written by export --format json")
    restore_json.add_argument("--community", help="only the community with this key")
    backup = add("backup", cli_data.backup, "copy the database, also while the bot runs")
    backup.add_argument("path", help="the copy to write (a folder: a dated file inside it)")
    restore = add("restore", cli_data.restore, "put a backup in place of the database (the bot stopped)")
    restore.add_argument("path", help="the backup to restore")
    add("health", None, "say whether the running bot is ready or degraded (exit status 0 when ready)")
    return parser


def _config_path(args: argparse.Namespace) -> str | None:
    return args.config or os.environ.get(CONFIG_ENV)


def _config(args: argparse.Namespace) -> Config:
    path = _config_path(args)
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
    health = HealthMonitor(app)
    await health.start()
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
        await health.stop()
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


def _print(line: str) -> None:
    print(line, flush=True)


def _notice(line: str) -> None:
    print(line, file=sys.stderr, flush=True)

