"""Application commands and interactions for the Discord fake.

Builds INTERACTION_CREATE payloads the way Discord sends them (options typed from the synced command
definitions, nested under sub-commands, ``resolved`` filled in) and keeps each interaction's callbacks
and follow-ups so tests can assert on the bot's answers.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from bot.testing.fakes.discord_model import JSON, Channel, DiscordModel, Guild

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024  # what a guild without boosts gets


class InteractionType:
    PING = 1
    APPLICATION_COMMAND = 2
    MESSAGE_COMPONENT = 3
    AUTOCOMPLETE = 4
    MODAL_SUBMIT = 5


class CallbackType:
    PONG = 1
    CHANNEL_MESSAGE = 4
    DEFERRED_CHANNEL_MESSAGE = 5
    DEFERRED_UPDATE_MESSAGE = 6
    UPDATE_MESSAGE = 7
    AUTOCOMPLETE_RESULT = 8
    MODAL = 9


class OptionType:
    SUB_COMMAND = 1
    SUB_COMMAND_GROUP = 2
    STRING = 3
    INTEGER = 4
    BOOLEAN = 5
    USER = 6
    CHANNEL = 7
    ROLE = 8
    MENTIONABLE = 9
    NUMBER = 10
    ATTACHMENT = 11


_PYTHON_TYPES: dict[type, int] = {bool: OptionType.BOOLEAN, int: OptionType.INTEGER,
                                  float: OptionType.NUMBER, str: OptionType.STRING}
_COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")


@dataclass
class FakeInteraction:
    """An interaction the fake sent, and what the bot did with it.

    Indexing reads the sent payload (``interaction["token"]``).
    """

    payload: JSON
    created: float = field(default_factory=time.monotonic)
    callbacks: list[JSON] = field(default_factory=list)  # bodies POSTed to .../callback
    followups: list[JSON] = field(default_factory=list)  # messages made through the webhook
    original_message_id: str | None = None
    answered: asyncio.Event = field(default_factory=asyncio.Event)

    def __getitem__(self, key: str) -> Any:
        return self.payload[key]

    @property
    def id(self) -> str:
        return str(self.payload["id"])

    @property
    def token(self) -> str:
        return str(self.payload["token"])

    @property
    def type(self) -> int:
        return int(self.payload["type"])

    async def wait_callback(self, timeout: float = 5.0) -> JSON:
        """The first callback body (``{"type": ..., "data": ...}``), waiting for it if needed."""
        await asyncio.wait_for(self.answered.wait(), timeout)
        return self.callbacks[0]


class CommandStore:
    """Application commands as the bot synced them, global (key None) and per guild."""

    def __init__(self, model: DiscordModel) -> None:
        self.model = model
        self.scopes: dict[str | None, list[JSON]] = {}

    def overwrite(self, guild_id: str | None, commands: list[JSON]) -> list[JSON]:
        """Bulk overwrite; a command keeps its id when name and type stay, as on Discord."""
        old = {(c["name"], c["type"]): c["id"] for c in self.scopes.get(guild_id, [])}
        stored = []
        for command in commands:
            kind = int(command.get("type", 1))
            entry = {
                "id": old.get((command["name"], kind)) or self.model.ids.next(),
                "application_id": self.model.application_id, "version": self.model.ids.next(),
                "type": kind, "description": "", "options": [], "default_member_permissions": None,
                "dm_permission": True, "nsfw": False, "name_localizations": None,
                "description_localizations": None, **command,
            }
            entry["type"] = kind
            if entry["default_member_permissions"] is not None:  # sent as a number or a string, kept as a string
                entry["default_member_permissions"] = str(int(entry["default_member_permissions"]))
            if guild_id is not None:
                entry["guild_id"] = guild_id
            stored.append(entry)
        self.scopes[guild_id] = stored
        return stored

    def list(self, guild_id: str | None = None) -> list[JSON]:
        return list(self.scopes.get(guild_id, []))

    def find(self, guild_id: str | None, name: str, kind: int = 1) -> JSON | None:
        """Guild commands shadow global ones, which is also how Discord picks what a user invoked;
        `kind` 1 is a slash command, 2 a user menu entry, 3 a message menu entry."""
        for scope in ([guild_id] if guild_id else []) + [None]:
            for command in self.scopes.get(scope, []):
                if command["name"] == name and command["type"] == kind:
                    return command
        return None


def validate_commands(commands: Any) -> str | None:
    """The few checks Discord does that a bot's command tree can actually fail; None when fine."""
    if not isinstance(commands, list) or len(commands) > 100:
        return "expected a list of at most 100 commands"
    for command in commands:
        name = command.get("name", "")
        if int(command.get("type", 1)) == 1:
            if not _COMMAND_NAME.match(name) or name != name.lower():
                return f"invalid command name {name!r}"
            if not 1 <= len(command.get("description", "")) <= 100:
                return f"description of {name!r} must be 1-100 characters"
        if len(command.get("options", [])) > 25:
            return f"{name!r} has more than 25 options"
    return None


# --- building interaction payloads -------------------------------------------------------------------


def _plain_value(value: Any) -> Any:
    """Users, channels and roles may be given as objects; Discord sends their ids."""
    if isinstance(value, Channel | Guild):
        return value.id
    if isinstance(value, dict) and "id" in value:
        return value["id"]
    return value


def _definitions(commands: CommandStore, guild_id: str | None, name: str, path: list[str]) -> list[JSON]:
    """Option definitions of the (sub)command being invoked, to type the options like Discord does."""
    command = commands.find(guild_id, name)
    options = command.get("options", []) if command else []
    for part in path:
        options = next((o.get("options", []) for o in options if o["name"] == part), [])
    return options


def command_options(commands: CommandStore, guild_id: str | None, name: str,
                    options: list[JSON] | dict[str, Any] | None, subcommand: str | None,
                    focused: str | None = None) -> list[JSON]:
    """Options as Discord sends them: typed values, nested under the sub-command (group)."""
    if isinstance(options, dict):
        options = [{"name": key, "value": value} for key, value in options.items()]
    options = options or []
    path = subcommand.split() if subcommand else []
    if not path and any(o.get("type") in (OptionType.SUB_COMMAND, OptionType.SUB_COMMAND_GROUP)
                        for o in options):
        return options  # already in Discord's nested shape
    definitions = {d["name"]: d for d in _definitions(commands, guild_id, name, path)}
    typed = []
    for option in options:
        value = _plain_value(option["value"])
        kind = option.get("type") or definitions.get(option["name"], {}).get("type") \
            or _PYTHON_TYPES.get(type(value), OptionType.STRING)
        entry = {"type": kind, "name": option["name"], "value": value}
        if option["name"] == focused or option.get("focused"):
            entry["focused"] = True
        typed.append(entry)
    for depth, part in reversed(list(enumerate(path))):
        kind = OptionType.SUB_COMMAND_GROUP if depth == 0 and len(path) == 2 else OptionType.SUB_COMMAND
        typed = [{"type": kind, "name": part, "options": typed}]
    return typed


def _flatten(options: list[JSON]) -> list[JSON]:
    flat = []
    for option in options:
        flat.extend(_flatten(option.get("options", [])) if "options" in option else [option])
    return flat


def resolved_data(model: DiscordModel, guild: Guild | None, options: list[JSON],
                  uploads: dict[str, JSON] | None = None) -> JSON:
    """``data.resolved`` for user, channel, role, mentionable and attachment options (``uploads``: the
    attachment objects by id, as made by FakeDiscord.upload)."""
    resolved: dict[str, JSON] = {}
    for option in _flatten(options):
        value = str(option.get("value"))
        kind = option.get("type")
        if kind == OptionType.ATTACHMENT and uploads and value in uploads:
            resolved.setdefault("attachments", {})[value] = uploads[value]
            continue
        if kind in (OptionType.USER, OptionType.MENTIONABLE) and value in model.users:
            resolved.setdefault("users", {})[value] = model.users[value]
            if guild is not None and value in guild.members:
                member = model.member_payload(guild, value, with_user=False, with_permissions=True)
                resolved.setdefault("members", {})[value] = member
        elif kind == OptionType.CHANNEL and value in model.channels:
            channel = model.channels[value].to_payload()
            channel["permissions"] = str(model.channel_permissions(model.channels[value], model.bot_id))
            resolved.setdefault("channels", {})[value] = channel
        elif kind in (OptionType.ROLE, OptionType.MENTIONABLE) and guild and value in guild.roles:
            resolved.setdefault("roles", {})[value] = guild.roles[value]
    return resolved


def build_interaction(model: DiscordModel, *, itype: int, channel: Channel, user_id: str, data: JSON,
                      locale: str = "en-US", message: JSON | None = None) -> JSON:
    """A full interaction object, guild or DM, with every field discord.py 2.7 reads."""
    guild = model.guild_of(channel)
    partial_channel = channel.to_payload()
    partial_channel["permissions"] = str(model.channel_permissions(channel, user_id))
    payload: JSON = {
        "id": model.ids.next(), "application_id": model.application_id, "type": itype,
        "data": data, "channel_id": channel.id, "channel": partial_channel,
        "token": "fake-interaction-" + secrets.token_urlsafe(24), "version": 1, "locale": locale,
        "app_permissions": str(model.channel_permissions(channel, model.bot_id)),
        "entitlements": [], "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    }
    if guild is not None:
        payload.update(
            guild_id=guild.id, guild={"id": guild.id, "locale": "en-US", "features": []},
            guild_locale="en-US", context=0, authorizing_integration_owners={"0": guild.id},
            member=model.member_payload(guild, user_id, with_permissions=True))
    else:
        payload.update(context=1, authorizing_integration_owners={"0": "0"}, user=model.users[user_id])
    if message is not None:
        payload["message"] = message
    return payload
