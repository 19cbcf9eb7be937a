"""In-memory model behind the Discord fake: one application, its bot user, guilds, channels, messages.

Everything is stored in Discord's own JSON shapes (string snowflakes, ISO timestamps) so REST answers
and gateway dispatches can be built without translation. Nothing here does I/O.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from bot.testing.fakes.snowflake import SnowflakeFactory, snowflake_time_ms

JSON = dict[str, Any]


class Perm:
    """Permission bits (https://discord.com/developers/docs/topics/permissions)."""

    ADMINISTRATOR = 1 << 3
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    CONNECT = 1 << 20
    SPEAK = 1 << 21
    CHANGE_NICKNAME = 1 << 26
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    SEND_MESSAGES_IN_THREADS = 1 << 38
    ALL = (1 << 53) - 1  # same width as discord.py's Permissions.all()

    # What a fresh guild's @everyone role gets, roughly.
    EVERYONE_DEFAULT = (
        ADD_REACTIONS | VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY
        | USE_EXTERNAL_EMOJIS | CONNECT | SPEAK | CHANGE_NICKNAME | USE_APPLICATION_COMMANDS
        | CREATE_PUBLIC_THREADS | SEND_MESSAGES_IN_THREADS
    )
    BOT_DEFAULT = EVERYONE_DEFAULT | MANAGE_MESSAGES | MANAGE_THREADS


class MessageFlag:
    EPHEMERAL = 1 << 6
    LOADING = 1 << 7  # a deferred interaction response ("is thinking...")


class ChannelType:
    GUILD_TEXT = 0
    DM = 1
    GUILD_VOICE = 2
    GUILD_CATEGORY = 4
    PUBLIC_THREAD = 11
    PRIVATE_THREAD = 12
    THREAD_TYPES = (10, 11, 12)


def iso_now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat()


def iso_from_snowflake(snowflake: str) -> str:
    ms = snowflake_time_ms(snowflake)
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.UTC).isoformat()


# --- emoji ------------------------------------------------------------------------------------------

_CUSTOM_EMOJI = re.compile(r"^<?a?:?(?P<name>[\w~]+):(?P<id>\d+)>?$")


def emoji_key(emoji: str | JSON) -> str:
    """Normalise an emoji to the form used in REST paths: the character itself, or ``name:id``."""
    if isinstance(emoji, dict):
        return f"{emoji['name']}:{emoji['id']}" if emoji.get("id") else str(emoji["name"])
    match = _CUSTOM_EMOJI.match(emoji)
    return f"{match['name']}:{match['id']}" if match else emoji


def emoji_payload(key: str) -> JSON:
    match = _CUSTOM_EMOJI.match(key)
    if match:
        return {"id": match["id"], "name": match["name"], "animated": False}
    return {"id": None, "name": key}


# --- entities ---------------------------------------------------------------------------------------


def make_user(user_id: str, username: str, *, bot: bool = False, avatar: str | None = None) -> JSON:
    """`avatar`: the hash of the user's own picture; None, as for most accounts, means Discord's default."""
    user: JSON = {
        "id": user_id,
        "username": username,
        "discriminator": "0",
        "global_name": None if bot else username,
        "avatar": avatar,
        "public_flags": 0,
        "avatar_decoration_data": None,
        "collectibles": None,
        "primary_guild": None,
    }
    if bot:
        user["bot"] = True
    return user


@dataclass
class Channel:
    id: str
    name: str
    type: int = ChannelType.GUILD_TEXT
    guild_id: str | None = None
    position: int = 0
    parent_id: str | None = None
    topic: str | None = None
    owner_id: str | None = None
    recipients: list[JSON] = field(default_factory=list)
    permission_overwrites: list[JSON] = field(default_factory=list)

    @property
    def is_thread(self) -> bool:
        return self.type in ChannelType.THREAD_TYPES

    def to_payload(self) -> JSON:
        if self.type == ChannelType.DM:
            return {"id": self.id, "type": self.type, "recipients": self.recipients,
                    "last_message_id": None, "flags": 0}
        payload: JSON = {
            "id": self.id, "type": self.type, "guild_id": self.guild_id, "name": self.name,
            "position": self.position, "permission_overwrites": self.permission_overwrites,
            "parent_id": self.parent_id, "nsfw": False, "flags": 0, "last_message_id": None,
            "rate_limit_per_user": 0,
        }
        if self.type == ChannelType.GUILD_TEXT:
            payload["topic"] = self.topic
        elif self.type == ChannelType.GUILD_VOICE:
            payload.update(bitrate=64000, user_limit=0, rtc_region=None)
        elif self.is_thread:
            payload.update(self._thread_fields())
        return payload

    def _thread_fields(self) -> JSON:
        created = iso_from_snowflake(self.id)
        return {
            "owner_id": self.owner_id, "message_count": 0, "member_count": 1, "total_message_sent": 0,
            "thread_metadata": {"archived": False, "auto_archive_duration": 1440, "locked": False,
                                "archive_timestamp": created, "create_timestamp": created},
        }


@dataclass
class Member:
    user_id: str
    roles: list[str] = field(default_factory=list)
    joined_at: str = field(default_factory=iso_now)
    nick: str | None = None
    # An explicit permission value wins over role maths (what the interaction's member.permissions shows).
    permissions: int | None = None


@dataclass
class Guild:
    id: str
    name: str
    owner_id: str
    channels: dict[str, Channel] = field(default_factory=dict)
    roles: dict[str, JSON] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)
    system_channel_id: str | None = None
    joined_at: str = field(default_factory=iso_now)
    bot_role_id: str = ""

    def channel(self, name: str) -> Channel:
        """The channel (or thread) with this name; KeyError if none."""
        for channel in self.channels.values():
            if channel.name == name:
                return channel
        raise KeyError(name)

    def role(self, name: str) -> JSON:
        for role in self.roles.values():
            if role["name"] == name:
                return role
        raise KeyError(name)

    @property
    def system_channel(self) -> Channel:
        assert self.system_channel_id is not None
        return self.channels[self.system_channel_id]

    @property
    def everyone_role(self) -> JSON:
        return self.roles[self.id]  # Discord gives @everyone the guild's own id


def make_role(role_id: str, name: str, position: int, permissions: int, *, bot_id: str | None = None) -> JSON:
    role: JSON = {
        "id": role_id, "name": name, "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False, "icon": None, "unicode_emoji": None, "position": position,
        "permissions": str(permissions), "managed": bot_id is not None, "mentionable": False, "flags": 0,
    }
    if bot_id is not None:
        role["tags"] = {"bot_id": bot_id}
    return role


# --- the model --------------------------------------------------------------------------------------


class DiscordModel:
    """State of the fake Discord: users, guilds, channels, messages, reactions."""

    def __init__(self, *, bot_name: str, bot_permissions: int) -> None:
        self.ids = SnowflakeFactory()
        self.application_id = self.ids.next()
        self.bot_user = make_user(self.ids.next(), bot_name, bot=True)
        self.owner_user = make_user(self.ids.next(), "app-owner")
        self.default_bot_permissions = bot_permissions
        self.users: dict[str, JSON] = {u["id"]: u for u in (self.bot_user, self.owner_user)}
        self.guilds: dict[str, Guild] = {}
        self.channels: dict[str, Channel] = {}
        self.messages: dict[str, JSON] = {}
        # message id -> emoji key -> user id -> burst?; dict order is insertion order, paging sorts by id.
        self.reactions: dict[str, dict[str, dict[str, bool]]] = {}
        self.dm_channels: dict[str, Channel] = {}

    @property
    def bot_id(self) -> str:
        return str(self.bot_user["id"])

    # users, guilds, members ------------------------------------------------------------------------

    def add_user(self, username: str, *, bot: bool = False, avatar: str | None = None) -> JSON:
        user = make_user(self.ids.next(), username, bot=bot, avatar=avatar)
        self.users[user["id"]] = user
        return user

    def add_guild(self, name: str, channels: list[str | JSON], roles: list[str | JSON]) -> Guild:
        guild = Guild(id=self.ids.next(), name=name, owner_id=self.owner_user["id"])
        guild.roles[guild.id] = make_role(guild.id, "@everyone", 0, Perm.EVERYONE_DEFAULT)
        for position, spec in enumerate(roles, start=1):
            self.add_role(guild, spec, position)
        guild.bot_role_id = self.ids.next()
        guild.roles[guild.bot_role_id] = make_role(
            guild.bot_role_id, self.bot_user["username"], len(guild.roles), self.default_bot_permissions,
            bot_id=self.bot_id)
        for spec in channels or ["general"]:
            self.add_channel(guild, spec)
        guild.system_channel_id = next(c.id for c in guild.channels.values() if c.type == 0)
        guild.members[self.owner_user["id"]] = Member(self.owner_user["id"])
        guild.members[self.bot_id] = Member(self.bot_id, roles=[guild.bot_role_id])
        self.guilds[guild.id] = guild
        return guild

    def add_role(self, guild: Guild, spec: str | JSON, position: int | None = None) -> JSON:
        spec = {"name": spec} if isinstance(spec, str) else spec
        role = make_role(self.ids.next(), spec["name"], position or len(guild.roles),
                         int(spec.get("permissions", 0)))
        guild.roles[role["id"]] = role
        return role

    def add_channel(self, guild: Guild, spec: str | JSON, *, parent_id: str | None = None,
                    channel_id: str | None = None) -> Channel:
        spec = {"name": spec} if isinstance(spec, str) else spec
        channel = Channel(id=channel_id or self.ids.next(), name=spec["name"], type=int(spec.get("type", 0)),
                          guild_id=guild.id, position=len(guild.channels), parent_id=parent_id,
                          topic=spec.get("topic"), owner_id=spec.get("owner_id"))
        guild.channels[channel.id] = channel
        self.channels[channel.id] = channel
        return channel

    def add_member(self, guild: Guild, username: str, *, permissions: int | None = None,
                   roles: list[str] | None = None, bot: bool = False, avatar: str | None = None) -> JSON:
        user = self.add_user(username, bot=bot, avatar=avatar)
        role_ids = [self._role_id(guild, r) for r in roles or []]
        guild.members[user["id"]] = Member(user["id"], roles=role_ids, permissions=permissions)
        return user

    def _role_id(self, guild: Guild, name_or_id: str) -> str:
        return name_or_id if name_or_id in guild.roles else guild.role(name_or_id)["id"]

    def dm_channel(self, user_id: str) -> Channel:
        """The DM channel between the bot and a user, made on first use (like POST /users/@me/channels)."""
        if user_id not in self.dm_channels:
            channel = Channel(id=self.ids.next(), name="", type=ChannelType.DM,
                              recipients=[self.users[user_id]])
            self.dm_channels[user_id] = channel
            self.channels[channel.id] = channel
        return self.dm_channels[user_id]

    def guild_of(self, channel: Channel) -> Guild | None:
        return self.guilds.get(channel.guild_id) if channel.guild_id else None

    # payloads --------------------------------------------------------------------------------------

    def member_payload(self, guild: Guild, user_id: str, *, with_user: bool = True,
                       with_permissions: bool = False) -> JSON:
        member = guild.members[user_id]
        payload: JSON = {
            "roles": list(member.roles), "nick": member.nick, "avatar": None, "banner": None,
            "joined_at": member.joined_at, "premium_since": None, "deaf": False, "mute": False,
            "flags": 0, "pending": False, "communication_disabled_until": None,
        }
        if with_user:
            payload["user"] = self.users[user_id]
        if with_permissions:
            payload["permissions"] = str(self.guild_permissions(guild, user_id))
        return payload

    def guild_payload(self, guild: Guild) -> JSON:
        """The GUILD_CREATE ``d``: a full guild with channels, roles and every member."""
        channels = [c.to_payload() for c in guild.channels.values() if not c.is_thread]
        for channel in channels:
            channel.pop("guild_id", None)  # GUILD_CREATE omits it on nested channels
        return {
            "id": guild.id, "name": guild.name, "icon": None, "splash": None, "discovery_splash": None,
            "banner": None, "description": None, "owner_id": guild.owner_id, "afk_channel_id": None,
            "afk_timeout": 300, "verification_level": 0, "default_message_notifications": 1,
            "explicit_content_filter": 0, "mfa_level": 0, "nsfw_level": 0, "premium_tier": 0,
            "premium_subscription_count": 0, "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US", "system_channel_id": guild.system_channel_id,
            "system_channel_flags": 0, "rules_channel_id": None, "public_updates_channel_id": None,
            "safety_alerts_channel_id": None, "application_id": None, "vanity_url_code": None,
            "max_members": 500000, "max_video_channel_users": 25, "features": [], "emojis": [],
            "stickers": [], "roles": list(guild.roles.values()), "incidents_data": None,
            "joined_at": guild.joined_at, "large": False, "unavailable": False,
            "member_count": len(guild.members),
            "members": [self.member_payload(guild, uid) for uid in guild.members],
            "channels": channels,
            "threads": [c.to_payload() for c in guild.channels.values() if c.is_thread],
            "voice_states": [], "presences": [], "stage_instances": [], "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    # permissions -----------------------------------------------------------------------------------

    def guild_permissions(self, guild: Guild, user_id: str) -> int:
        if user_id == guild.owner_id:
            return Perm.ALL
        member = guild.members.get(user_id)
        if member is None:
            return 0
        if member.permissions is not None:
            return member.permissions
        perms = int(guild.everyone_role["permissions"])
        for role_id in member.roles:
            perms |= int(guild.roles[role_id]["permissions"])
        return Perm.ALL if perms & Perm.ADMINISTRATOR else perms

    def channel_permissions(self, channel: Channel, user_id: str) -> int:
        """Guild permissions with the channel's overwrites applied (threads use their parent's)."""
        guild = self.guild_of(channel)
        if guild is None:
            return Perm.ALL  # DMs have no permission system
        base = self.guild_permissions(guild, user_id)
        if base & Perm.ADMINISTRATOR or base == Perm.ALL:
            return base
        target = self.channels[channel.parent_id] if channel.is_thread and channel.parent_id else channel
        member_roles = set(guild.members[user_id].roles) if user_id in guild.members else set()
        allow = deny = 0
        for ow in target.permission_overwrites:
            if ow["id"] == guild.id:
                base = (base & ~int(ow["deny"])) | int(ow["allow"])
            elif ow["type"] == 0 and ow["id"] in member_roles:
                allow, deny = allow | int(ow["allow"]), deny | int(ow["deny"])
        base = (base & ~deny) | allow
        for ow in target.permission_overwrites:
            if ow["type"] == 1 and ow["id"] == user_id:
                base = (base & ~int(ow["deny"])) | int(ow["allow"])
        return base

    def can_send(self, channel: Channel, user_id: str) -> bool:
        perms = self.channel_permissions(channel, user_id)
        needed = Perm.SEND_MESSAGES_IN_THREADS if channel.is_thread else Perm.SEND_MESSAGES
        return bool(perms & Perm.VIEW_CHANNEL and perms & needed)

    def deny(self, channel: Channel, user_id: str, bits: int) -> None:
        """Add a member overwrite, as a moderator revoking the bot's rights in one channel would."""
        for ow in channel.permission_overwrites:
            if ow["type"] == 1 and ow["id"] == user_id:
                ow["deny"] = str(int(ow["deny"]) | bits)
                return
        channel.permission_overwrites.append({"id": user_id, "type": 1, "allow": "0", "deny": str(bits)})

    # messages --------------------------------------------------------------------------------------

    def create_message(self, channel: Channel, author: JSON, body: JSON) -> JSON:
        """Store a message built from a REST-style body (content, embeds, components, ...)."""
        message_id = self.ids.next()
        content = str(body.get("content") or "")
        mentions, mention_roles, everyone = self._mentions(channel, content, body.get("allowed_mentions"))
        message: JSON = {
            "id": message_id, "channel_id": channel.id, "type": int(body.get("type", 0)),
            "author": author, "content": content, "timestamp": iso_from_snowflake(message_id),
            "edited_timestamp": None, "tts": bool(body.get("tts", False)), "mention_everyone": everyone,
            "mentions": mentions, "mention_roles": mention_roles, "attachments": body.get("attachments", []),
            "embeds": body.get("embeds") or [], "pinned": False, "flags": int(body.get("flags") or 0),
            "components": body.get("components") or [],
        }
        for key in ("nonce", "webhook_id", "application_id", "interaction_metadata", "message_reference"):
            if body.get(key) is not None:
                message[key] = body[key]
        reference = body.get("message_reference") or {}
        if reference.get("message_id") in self.messages:
            # Discord nests the replied-to message one level deep only.
            referenced = self.messages[reference["message_id"]]
            message["referenced_message"] = {k: v for k, v in referenced.items() if k != "referenced_message"}
        self.messages[message_id] = message
        return message

    def make_attachments(self, uploads: list[JSON], described: list[JSON] | None) -> list[JSON]:
        """Attachment objects for uploaded files, named from ``payload_json.attachments`` when given."""
        meta_by_index = {str(a.get("id")): a for a in described or []}
        attachments = []
        for index, upload in enumerate(uploads):
            meta = meta_by_index.get(str(index), {})
            attachment_id = self.ids.next()
            url = f"https://cdn.discordapp.com/attachments/0/{attachment_id}/{upload['filename']}"
            attachments.append({
                "id": attachment_id, "filename": meta.get("filename", upload["filename"]),
                "size": upload["size"], "url": url, "proxy_url": url,
                "content_type": upload["content_type"], "description": meta.get("description"),
            })
        return attachments

    def edit_message(self, message: JSON, body: JSON) -> JSON:
        for key in ("content", "embeds", "components", "flags", "attachments"):
            if key in body and body[key] is not None:
                message[key] = body[key]
        message["edited_timestamp"] = iso_now()
        return message

    def message_event(self, message: JSON) -> JSON:
        """MESSAGE_CREATE/UPDATE ``d``: the message plus ``guild_id`` and the author's ``member``."""
        event = self.message_payload(message["id"])
        guild = self.guild_of(self.channels[message["channel_id"]])
        if guild is not None:
            event["guild_id"] = guild.id
            author_id = message["author"]["id"]
            if author_id in guild.members and "webhook_id" not in message:
                event["member"] = self.member_payload(guild, author_id, with_user=False)
        return event

    def message_payload(self, message_id: str) -> JSON:
        """A stored message with its current reactions, as REST returns it (from the bot's view)."""
        return {**self.messages[message_id], "reactions": self.reaction_summary(message_id)}

    def _mentions(self, channel: Channel, content: str,
                  allowed: JSON | None) -> tuple[list[JSON], list[str], bool]:
        """Who a message pings. Without allowed_mentions Discord pings everything it can parse."""
        parse = set(allowed.get("parse", [])) if allowed else {"users", "roles", "everyone"}
        allowed_users = set(allowed.get("users", [])) if allowed else set()
        allowed_roles = set(allowed.get("roles", [])) if allowed else set()
        user_ids = [u for u in re.findall(r"<@!?(\d+)>", content)
                    if u in self.users and ("users" in parse or u in allowed_users)]
        role_ids = [r for r in re.findall(r"<@&(\d+)>", content) if "roles" in parse or r in allowed_roles]
        everyone = "everyone" in parse and ("@everyone" in content or "@here" in content)
        guild = self.guild_of(channel)
        mentions = []
        for uid in dict.fromkeys(user_ids):
            entry = dict(self.users[uid])
            if guild is not None and uid in guild.members:
                entry["member"] = self.member_payload(guild, uid, with_user=False)
            mentions.append(entry)
        return mentions, role_ids, everyone

    # reactions -------------------------------------------------------------------------------------

    def add_reaction(self, message_id: str, key: str, user_id: str, *, burst: bool = False) -> bool:
        """Record a reaction; False if it was already there (Discord then sends no event)."""
        users = self.reactions.setdefault(message_id, {}).setdefault(key, {})
        if user_id in users:
            return False
        users[user_id] = burst
        return True

    def remove_reaction(self, message_id: str, key: str, user_id: str) -> bool:
        users = self.reactions.get(message_id, {}).get(key, {})
        if user_id not in users:
            return False
        del users[user_id]
        if not users:
            del self.reactions[message_id][key]
        return True

    def reaction_event(self, channel: Channel, message_id: str, user_id: str, key: str, *, add: bool,
                       burst: bool = False) -> JSON:
        """MESSAGE_REACTION_ADD/REMOVE ``d`` with the fields current Discord sends (type, burst, ...)."""
        event: JSON = {"user_id": user_id, "channel_id": channel.id, "message_id": message_id,
                       "emoji": emoji_payload(key), "burst": burst, "type": 1 if burst else 0}
        guild = self.guild_of(channel)
        if guild is not None:
            event["guild_id"] = guild.id
        if add:
            event["burst_colors"] = []
            message = self.messages.get(message_id)
            if message is not None:
                event["message_author_id"] = message["author"]["id"]
            if guild is not None and user_id in guild.members:
                event["member"] = self.member_payload(guild, user_id)
        return event

    def reaction_summary(self, message_id: str) -> list[JSON]:
        summary = []
        for key, users in self.reactions.get(message_id, {}).items():
            burst = sum(1 for b in users.values() if b)
            summary.append({
                "emoji": emoji_payload(key), "count": len(users),
                "count_details": {"burst": burst, "normal": len(users) - burst},
                "burst_colors": [], "me": users.get(self.bot_id) is False,
                "me_burst": users.get(self.bot_id) is True,
            })
        return summary

    def reaction_users(self, message_id: str, key: str, *, after: str | None, limit: int,
                       burst: bool = False) -> list[JSON]:
        """One page of reacting users: ordered by id, ``after`` exclusive, like Discord."""
        users = self.reactions.get(message_id, {}).get(key, {})
        ids = sorted((uid for uid, b in users.items() if b == burst), key=int)
        if after:
            ids = [uid for uid in ids if int(uid) > int(after)]
        return [self.users[uid] for uid in ids[:limit]]
