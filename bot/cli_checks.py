"""`microfilm-bot check-config` (every problem of the file at once) and `microfilm-bot health`."""

from __future__ import annotations

import sys

from bot.app import check_cog_sections
from bot.config import Config, ConfigError, load_config
from bot.health import read_report
from bot.settings import Problems
from bot.storage.database import database_problem


def check_config(path: str | None, db_path: str | None) -> int:
    """Exit 0 and say what the file sets, or list every problem (core, cog sections, database) and exit 2."""
    problems = Problems()
    try:
        config = load_config(path, problems=problems)
    except ConfigError as exc:  # the file cannot be read at all
        print(f"microfilm-bot: {exc}", file=sys.stderr)
        return 2
    check_cog_sections(config, problems)
    database = db_path or config.bot.database
    found = database_problem(database)
    if found:
        problems.append(found)
    if problems:
        print(f"microfilm-bot: {len(problems)} problem{'s' if len(problems) > 1 else ''} in {config.source}:",
              file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    print(_summary(config, database))
    return 0


def _summary(config: Config, database: str) -> str:
    platforms = [name for name, token in (("discord", config.discord_token), ("telegram", config.telegram_token))
                 if token] or ["console (no token set)"]
    backups = f"every {config.bot.backup_every}, keeping {config.bot.backup_keep}" if config.bot.backup_every \
        else "none scheduled"
    return (f"config OK: {config.source}; cogs: {', '.join(config.bot.cogs)}; "
            f"communities: {len(config.communities)}; database: {database}; platforms: {', '.join(platforms)}; "
            f"backups: {backups}")


def health(path: str | None, db_path: str | None) -> int:
    """Print the running bot's state; exit 0 when ready, 1 when degraded or down (a supervisor restarts)."""
    try:
        config = load_config(path)
    except ConfigError as exc:
        print(f"microfilm-bot: {exc}", file=sys.stderr)
        return 2
    found = read_report(db_path or config.bot.database)
    print(found.line())
    for name, state in found.platforms.items():
        print(f"  {name}: {state}")
    return 0 if found.state == "ready" else 1
