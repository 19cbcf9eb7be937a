"""Configuration: TOML -> frozen dataclasses. Every key is optional; errors name the key and the expected form.

Secrets never live in the file: platform tokens come from the environment.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from bot.i18n import LANGUAGES
from bot.models import ANNOUNCEMENT_KINDS
from bot.settings import ConfigError, Problems, digits, parse_section, setting
from bot.timeutil import DurationTooLong, known_zone, parse_duration

T = TypeVar("T")
DISCORD_TOKEN_ENV = "MICROFILM_DISCORD_TOKEN"
TELEGRAM_TOKEN_ENV = "MICROFILM_TELEGRAM_TOKEN"
DEFAULT_COGS: tuple[str, ...] = ("films", "challenges", "feedback", "festivals", "community")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
__all__ = ["Config", "ConfigError", "Problems", "load_config", "build_config", "parse_section"]


def _log_level(value: Any) -> str | None:
    return None if str(value).upper() in LOG_LEVELS else f"is not a log level; use one of {', '.join(LOG_LEVELS)}"


def _platform_name(value: Any) -> str | None:
    return None if value in ("discord", "telegram") else "is not a platform: use discord or telegram"


def _duration_or_off(value: Any) -> str | None:
    if str(value).strip() == "":
        return None
    try:
        found = parse_duration(str(value))
    except DurationTooLong:
        found = None
    return None if found is not None and found.total_seconds() >= 60 else \
        "is not a duration of a minute or more, like 1d or 12h (\"\" for none)"


@dataclass(frozen=True)
class BotSettings:
    language: str = "en"
    zone: str = "UTC"
    database: str = setting("data/microfilm.sqlite3", nonempty=True)
    cogs: tuple[str, ...] = DEFAULT_COGS
    log_level: str = setting("INFO", check=_log_level)
    # Seconds before a message whose send may have been posted already (Telegram cannot tell) is sent once more.
    resend_unknown_after: float = setting(120.0, low=1, high=86400)
    backup_every: str = setting("", check=_duration_or_off)  # a scheduled backup this often ("" for none)
    backup_keep: int = setting(7, low=1, high=1000)       # scheduled backups kept; older ones are deleted
    health_port: int = setting(0, low=0, high=65535)      # an HTTP health endpoint on this port (0: none)
    health_listen: str = setting("127.0.0.1", nonempty=True)
    # Several processes on one PostgreSQL database: platforms the other processes run (["telegram"] in a
    # process that runs only Discord), so messages for them are queued here too.
    platforms_elsewhere: tuple[str, ...] = setting((), each=_platform_name)


@dataclass(frozen=True)
class ConsoleSettings:
    user: str = setting("you", nonempty=True)
    admins: tuple[str, ...] = ("you",)
    chat: str = setting("general", nonempty=True)


@dataclass(frozen=True)
class DiscordSettings:
    api_base: str = setting("https://discord.com/api/v10", nonempty=True)
    gateway_url: str = setting("wss://gateway.discord.gg/", nonempty=True)
    guilds: tuple[str, ...] = setting((), each=digits)
    admin_roles: tuple[str, ...] = ()
    threads: bool = True
    guild_ready_timeout: float = setting(2.0, low=0, high=60)
    # Several processes on one PostgreSQL database: Discord's shards, split between them. 0 = no sharding;
    # N with no ids = this process runs all N shards; N with ids = only those.
    shard_count: int = setting(0, low=0, high=10000)
    shard_ids: tuple[int, ...] = ()
    # Channel (name or id) for each kind of announcement in a guild; "" = the system channel.
    showcase_channel: str = ""
    challenges_channel: str = ""
    festivals_channel: str = ""
    feedback_channel: str = ""
    admin_channel: str = ""  # notices for admins (lost connections, undeliverable messages)
    # Discord's limits, which the outbox paces announcements by: messages per channel per period, and
    # requests per second for the whole bot (the outbox takes four fifths, leaving room for the rest).
    channel_messages: int = setting(5, low=1, high=1000)
    channel_seconds: float = setting(5.0, low=0.1, high=3600)
    global_max_rate: float = setting(50.0, low=1, high=10_000)


@dataclass(frozen=True)
class TelegramWebhook:
    enabled: bool = False
    listen: str = setting("127.0.0.1", nonempty=True)
    port: int = setting(8443, low=1, high=65535)
    path: str = setting("/telegram", check=lambda value: None if str(value).startswith("/") else "must start with /")
    url: str = ""
    secret_token_env: str = "MICROFILM_TELEGRAM_WEBHOOK_SECRET"


@dataclass(frozen=True)
class TelegramSettings:
    base_url: str = setting("https://api.telegram.org/bot", nonempty=True)
    base_file_url: str = setting("https://api.telegram.org/file/bot", nonempty=True)
    admins: tuple[str, ...] = setting((), each=digits)
    poll_timeout: float = setting(10.0, low=0, high=50)   # Telegram holds a long poll for at most 50 s
    admin_cache_seconds: float = setting(60.0, low=0, high=86400)
    overall_max_rate: float = setting(30.0, low=0, high=1000)  # requests per second for the whole bot (0: no limit)
    group_max_rate: float = setting(20.0, low=0, high=1000)    # requests per minute per group (0: no limit)
    chat_max_rate: float = setting(1.0, low=0, high=1000)  # messages per second in one chat, the outbox's pace
    max_retries: int = setting(3, low=0, high=10)      # retries after a 429, each waiting its retry_after
    webhook: TelegramWebhook = field(default_factory=TelegramWebhook)


@dataclass(frozen=True)
class CommunityChat:
    platform: str
    id: str
    space: str = ""
    announce: tuple[str, ...] = ANNOUNCEMENT_KINDS


@dataclass(frozen=True)
class CommunitySettings:
    key: str
    name: str = ""
    zone: str = "UTC"
    language: str = "en"
    chats: tuple[CommunityChat, ...] = ()


@dataclass(frozen=True)
class Config:
    bot: BotSettings = field(default_factory=BotSettings)
    console: ConsoleSettings = field(default_factory=ConsoleSettings)
    discord: DiscordSettings = field(default_factory=DiscordSettings)
    telegram: TelegramSettings = field(default_factory=TelegramSettings)
    communities: tuple[CommunitySettings, ...] = ()
    # Sections owned by cogs ([films], [challenges], ...), validated by each cog's settings type.
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    source: str = "(defaults)"
    # Secrets from the environment: never shown in a repr (a traceback's locals, a debug line).
    discord_token: str | None = field(default=None, repr=False)
    telegram_token: str | None = field(default=None, repr=False)
    webhook_secret: str | None = field(default=None, repr=False)

    def section(self, name: str, kind: type[T]) -> T:
        return parse_section(kind, self.sections.get(name, {}), name)

    def secrets(self) -> tuple[str, ...]:
        """Every secret the bot holds, for the log filter that masks them."""
        return tuple(value for value in (self.discord_token, self.telegram_token, self.webhook_secret) if value)


CORE_SECTIONS = {"bot": BotSettings, "console": ConsoleSettings, "discord": DiscordSettings,
                 "telegram": TelegramSettings}


def load_config(path: str | Path | None, environ: dict[str, str] | None = None,
                problems: Problems | None = None) -> Config:
    """Read a TOML file (or use defaults when path is None) and the tokens from the environment. Every
    problem is raised at once (or, given `problems`, added there and the defaults kept)."""
    env = dict(os.environ if environ is None else environ)
    raw: dict[str, Any] = {}
    source = "(defaults)"
    if path is not None:
        raw = _read_toml(Path(path))
        source = str(path)
    return build_config(raw, source, env, problems)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise ConfigError(f"config file {path} does not exist (copy config.example.toml to start)") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc


def build_config(raw: dict[str, Any], source: str, env: dict[str, str], problems: Problems | None = None) -> Config:
    found = Problems() if problems is None else problems
    core: dict[str, Any] = {name: parse_section(kind, raw.get(name, {}), name, found)
                            for name, kind in CORE_SECTIONS.items()}
    communities = _parse_communities(raw.get("communities", []), found)
    sections = {key: value for key, value in raw.items() if key not in CORE_SECTIONS and key != "communities"}
    for key, value in list(sections.items()):
        if not isinstance(value, dict):
            found.append(f"[{key}] must be a table (a section in [brackets])")
            del sections[key]
    bot: BotSettings = core["bot"]
    found.extend(_bot_problems(bot))
    found.extend(_shard_problems(core["discord"]))
    if problems is None:
        found.raise_if_any()
    telegram: TelegramSettings = core["telegram"]
    return Config(bot=bot, console=core["console"], discord=core["discord"], telegram=telegram,
                  communities=communities, sections=sections, source=source,
                  discord_token=env.get(DISCORD_TOKEN_ENV) or None,
                  telegram_token=env.get(TELEGRAM_TOKEN_ENV) or None,
                  webhook_secret=env.get(telegram.webhook.secret_token_env) or None)


def _bot_problems(bot: BotSettings) -> list[str]:
    return [problem for problem in (language_problem(bot.language, "bot.language"),
                                    zone_problem(bot.zone, "bot.zone"),
                                    database_url_problem(bot.database, "bot.database")) if problem]


def _shard_problems(discord: DiscordSettings) -> list[str]:
    count, ids = discord.shard_count, discord.shard_ids
    if ids and not count:
        return ["discord.shard_ids needs discord.shard_count: the total number of shards across processes"]
    if any(not 0 <= shard < count for shard in ids) or len(set(ids)) != len(ids):
        return [f"discord.shard_ids = {list(ids)}: each id once, from 0 to {count - 1} (shard_count = {count})"]
    return []


def database_url_problem(value: str, key: str) -> str | None:
    """A file path, or a PostgreSQL URL without its password (that comes from the environment)."""
    if value.startswith(("postgresql://", "postgres://")) and urlsplit(value).password is not None:
        return (f"{key} holds a password: leave it out of the file (postgresql://user@host/db) and set "
                "MICROFILM_DATABASE_PASSWORD in the environment instead")
    return None


def language_problem(value: str, key: str) -> str | None:
    if value not in LANGUAGES:
        return f"{key} = {value!r} is not a supported language; use one of {', '.join(LANGUAGES)}"
    return None


def zone_problem(value: str, key: str) -> str | None:
    found = known_zone(value)
    if found is None:
        return f"{key} = {value[:80]!r} is not an IANA time zone (like Europe/Berlin or UTC)"
    if found != value:  # a city typed by name: the file names the zone itself
        return f"{key} = {value[:80]!r}: write the IANA time zone {found!r}"
    return None


def _parse_communities(raw: Any, problems: Problems) -> tuple[CommunitySettings, ...]:
    if not isinstance(raw, list):
        problems.append("communities must be an array of tables: write each as [[communities]]")
        return ()
    out = []
    keys: set[str] = set()
    for index, item in enumerate(raw):
        where = f"communities[{index}]"
        community = parse_section(CommunitySettings, item, where, problems)
        problems.extend(problem for problem in (zone_problem(community.zone, f"{where}.zone"),
                                                language_problem(community.language, f"{where}.language")) if problem)
        for position, chat in enumerate(community.chats):
            problems.extend(_chat_problems(chat, f"{where}.chats[{position}]"))
        if community.key in keys:
            problems.append(f"{where}.key = {community.key!r} is used twice; each community needs its own key")
        keys.add(community.key)
        out.append(community)
    return tuple(out)


def _chat_problems(chat: CommunityChat, where: str) -> list[str]:
    problems = []
    if chat.platform not in ("discord", "telegram", "console"):
        problems.append(f"{where}.platform = {chat.platform!r}: use discord, telegram or console")
    elif chat.platform != "console":
        for name in ("id", "space"):
            value = getattr(chat, name)
            if value and digits(value):
                problems.append(f"{where}.{name} = {value!r} is not a numeric {chat.platform} id")
    unknown = set(chat.announce) - set(ANNOUNCEMENT_KINDS)
    if unknown:
        problems.append(f"{where}.announce has {sorted(unknown)}; use any of {', '.join(ANNOUNCEMENT_KINDS)}")
    return problems
