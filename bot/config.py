"""Configuration: TOML -> frozen dataclasses. Every key is optional; errors name the key and the expected form.

Secrets never live in the file: platform tokens come from the environment.
"""

from __future__ import annotations

import os
import tomllib
import types
import typing
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from bot.i18n import LANGUAGES
from bot.models import ANNOUNCEMENT_KINDS
from bot.timeutil import known_zone

T = TypeVar("T")
DISCORD_TOKEN_ENV = "MICROFILM_DISCORD_TOKEN"
TELEGRAM_TOKEN_ENV = "MICROFILM_TELEGRAM_TOKEN"
DEFAULT_COGS: tuple[str, ...] = ("films", "challenges", "feedback", "festivals", "community")


class ConfigError(ValueError):
    """A problem with the configuration, phrased for the person who edits the file."""


@dataclass(frozen=True)
class BotSettings:
    language: str = "en"
    zone: str = "UTC"
    database: str = "data/microfilm.sqlite3"
    cogs: tuple[str, ...] = DEFAULT_COGS
    log_level: str = "INFO"
    # Seconds before a message whose send may have been posted already (Telegram cannot tell) is sent once more.
    resend_unknown_after: float = 120.0
    # Several processes on one PostgreSQL database: platforms the other processes run (["telegram"] in a
    # process that runs only Discord), so messages for them are queued here too.
    platforms_elsewhere: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConsoleSettings:
    user: str = "you"
    admins: tuple[str, ...] = ("you",)
    chat: str = "general"


@dataclass(frozen=True)
class DiscordSettings:
    api_base: str = "https://discord.com/api/v10"
    gateway_url: str = "wss://gateway.discord.gg/"
    guilds: tuple[str, ...] = ()
    admin_roles: tuple[str, ...] = ()
    threads: bool = True
    guild_ready_timeout: float = 2.0
    # Several processes on one PostgreSQL database: Discord's shards, split between them. 0 = no sharding;
    # N with no ids = this process runs all N shards; N with ids = only those.
    shard_count: int = 0
    shard_ids: tuple[int, ...] = ()
    # Channel (name or id) for each kind of announcement in a guild; "" = the system channel.
    showcase_channel: str = ""
    challenges_channel: str = ""
    festivals_channel: str = ""
    feedback_channel: str = ""
    admin_channel: str = ""  # notices for admins (lost connections, undeliverable messages)
    # Discord's limits, which the outbox paces announcements by: messages per channel per period, and
    # requests per second for the whole bot (the outbox takes four fifths, leaving room for the rest).
    channel_messages: int = 5
    channel_seconds: float = 5.0
    global_max_rate: float = 50.0


@dataclass(frozen=True)
class TelegramWebhook:
    enabled: bool = False
    listen: str = "127.0.0.1"
    port: int = 8443
    path: str = "/telegram"
    url: str = ""
    secret_token_env: str = "MICROFILM_TELEGRAM_WEBHOOK_SECRET"


@dataclass(frozen=True)
class TelegramSettings:
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    admins: tuple[str, ...] = ()
    poll_timeout: float = 10.0
    admin_cache_seconds: float = 60.0
    overall_max_rate: float = 30.0     # requests per second for the whole bot (0: no limit)
    group_max_rate: float = 20.0       # requests per minute per group (0: no limit)
    chat_max_rate: float = 1.0         # messages per second in any one chat, the outbox's pace (0: no limit)
    max_retries: int = 3               # retries after a 429, each waiting its retry_after
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
    discord_token: str | None = None
    telegram_token: str | None = None

    def section(self, name: str, kind: type[T]) -> T:
        return parse_section(kind, self.sections.get(name, {}), name)


CORE_SECTIONS = {"bot": BotSettings, "console": ConsoleSettings, "discord": DiscordSettings,
                 "telegram": TelegramSettings}


def load_config(path: str | Path | None, environ: dict[str, str] | None = None) -> Config:
    """Read a TOML file (or use defaults when path is None) and the tokens from the environment."""
    env = dict(os.environ if environ is None else environ)
    raw: dict[str, Any] = {}
    source = "(defaults)"
    if path is not None:
        raw = _read_toml(Path(path))
        source = str(path)
    return build_config(raw, source, env)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise ConfigError(f"config file {path} does not exist (copy config.example.toml to start)") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc


def build_config(raw: dict[str, Any], source: str, env: dict[str, str]) -> Config:
    core: dict[str, Any] = {name: parse_section(kind, raw.get(name, {}), name) for name, kind in CORE_SECTIONS.items()}
    communities = _parse_communities(raw.get("communities", []))
    sections = {key: value for key, value in raw.items() if key not in CORE_SECTIONS and key != "communities"}
    for key, value in sections.items():
        if not isinstance(value, dict):
            raise ConfigError(f"[{key}] must be a table (a section in [brackets])")
    bot: BotSettings = core["bot"]
    _check_bot(bot)
    _check_shards(core["discord"])
    return Config(bot=bot, console=core["console"], discord=core["discord"], telegram=core["telegram"],
                  communities=communities, sections=sections, source=source,
                  discord_token=env.get(DISCORD_TOKEN_ENV) or None,
                  telegram_token=env.get(TELEGRAM_TOKEN_ENV) or None)


def _check_bot(bot: BotSettings) -> None:
    check_language(bot.language, "bot.language")
    check_zone(bot.zone, "bot.zone")
    check_database(bot.database, "bot.database")
    unknown = sorted(set(bot.platforms_elsewhere) - {"discord", "telegram"})
    if unknown:
        raise ConfigError(f"bot.platforms_elsewhere has {unknown}; use discord and/or telegram")


def _check_shards(discord: DiscordSettings) -> None:
    count, ids = discord.shard_count, discord.shard_ids
    if count < 0:
        raise ConfigError(f"discord.shard_count = {count} must be 0 (no sharding) or the number of shards")
    if ids and not count:
        raise ConfigError("discord.shard_ids needs discord.shard_count: the total number of shards across processes")
    wrong = [shard for shard in ids if not 0 <= shard < count]
    if wrong or len(set(ids)) != len(ids):
        raise ConfigError(f"discord.shard_ids = {list(ids)}: each id once, from 0 to {count - 1} "
                          f"(shard_count = {count})")


def check_database(value: str, key: str) -> None:
    """A file path, or a PostgreSQL URL without its password (that comes from the environment)."""
    if value.startswith(("postgresql://", "postgres://")) and urlsplit(value).password is not None:
        raise ConfigError(f"{key} holds a password: leave it out of the file (postgresql://user@host/db) and "
                          "set MICROFILM_DATABASE_PASSWORD in the environment instead")


def check_language(value: str, key: str) -> None:
    if value not in LANGUAGES:
        raise ConfigError(f"{key} = {value!r} is not a supported language; use one of {', '.join(LANGUAGES)}")


def check_zone(value: str, key: str) -> None:
    if known_zone(value) is None:
        raise ConfigError(f"{key} = {value!r} is not an IANA time zone (like Europe/Berlin or UTC)")


def _parse_communities(raw: Any) -> tuple[CommunitySettings, ...]:
    if not isinstance(raw, list):
        raise ConfigError("communities must be an array of tables: write each as [[communities]]")
    out = []
    keys: set[str] = set()
    for index, item in enumerate(raw):
        where = f"communities[{index}]"
        community = parse_section(CommunitySettings, item, where)
        check_zone(community.zone, f"{where}.zone")
        check_language(community.language, f"{where}.language")
        for position, chat in enumerate(community.chats):
            _check_chat(chat, f"{where}.chats[{position}]")
        if community.key in keys:
            raise ConfigError(f"{where}.key = {community.key!r} is used twice; each community needs its own key")
        keys.add(community.key)
        out.append(community)
    return tuple(out)


def _check_chat(chat: CommunityChat, where: str) -> None:
    if chat.platform not in ("discord", "telegram", "console"):
        raise ConfigError(f"{where}.platform = {chat.platform!r}: use discord, telegram or console")
    unknown = set(chat.announce) - set(ANNOUNCEMENT_KINDS)
    if unknown:
        raise ConfigError(f"{where}.announce has {sorted(unknown)}; use any of {', '.join(ANNOUNCEMENT_KINDS)}")


def parse_section(kind: type[T], raw: Any, where: str) -> T:
    """Build dataclass `kind` from a TOML table, naming the offending key on any mistake."""
    if not isinstance(raw, dict):
        raise ConfigError(f"[{where}] must be a table of settings")
    assert is_dataclass(kind)
    known = {item.name: item for item in fields(kind)}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise ConfigError(f"unknown key {where}.{unknown[0]}; known keys of [{where}]: {', '.join(known)}")
    hints = typing.get_type_hints(kind)
    values: dict[str, Any] = {}
    for name, item in known.items():
        if name in raw:
            values[name] = _coerce(hints[name], raw[name], f"{where}.{name}")
        elif item.default is MISSING and item.default_factory is MISSING:
            raise ConfigError(f"{where}.{name} is required")
    return kind(**values)


def _coerce(hint: Any, value: Any, key: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _coerce(options[0], value, key)
    if origin is tuple:
        item_type = typing.get_args(hint)[0]
        if not isinstance(value, list):
            raise ConfigError(f"{key} must be a list, like [\"a\", \"b\"] (got {value!r})")
        return tuple(_coerce(item_type, item, f"{key}[{i}]") for i, item in enumerate(value))
    if is_dataclass(hint):
        return parse_section(hint, value, key)  # type: ignore[arg-type]
    return _scalar(hint, value, key)


def _scalar(hint: Any, value: Any, key: str) -> Any:
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{key} must be true or false (got {value!r})")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{key} must be a whole number (got {value!r})")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{key} must be a number (got {value!r})")
        return float(value)
    if hint is str:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)  # ids are often typed as bare numbers
        if not isinstance(value, str):
            raise ConfigError(f"{key} must be text in quotes (got {value!r})")
        return value
    raise ConfigError(f"{key}: unsupported setting type {hint!r}")
