"""Where an announcement goes in a guild, and which permission a refused post lacked."""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.config import DiscordSettings
from bot.models import Message
from bot.platform import DeliveryError

log = logging.getLogger(__name__)


def pick_channel(guild: discord.Guild, kind: str | None, settings: DiscordSettings) -> discord.TextChannel:
    """The channel config names for this kind, else the system channel, else the first text channel
    the bot may write in."""
    me = guild.me
    named = str(getattr(settings, f"{kind}_channel", "") or "") if kind else ""
    candidates: list[discord.TextChannel] = []
    if named:
        wanted = named.removeprefix("#").lower()
        matching = [c for c in guild.text_channels if c.name.lower() == wanted or str(c.id) == wanted]
        if not matching:
            log.warning("discord: [discord] %s_channel = %r names no text channel in %s (%s)",
                        kind, named, guild.name, guild.id)
        candidates.extend(matching)
    if guild.system_channel is not None:
        candidates.append(guild.system_channel)
    candidates.extend(guild.text_channels)
    for channel in candidates:
        if channel.permissions_for(me).send_messages and channel.permissions_for(me).view_channel:
            return channel
    log.warning("discord: no text channel in %s (%s) where the bot may post (missing Send Messages)",
                guild.name, guild.id)
    raise DeliveryError(f"no channel in guild {guild.id} where the bot may post", permanent=True)


def missing_permission(channel: Any, message: Message) -> str:
    """The first permission the bot lacks for this post, as Discord's settings name it."""
    guild = getattr(channel, "guild", None)
    if guild is None:
        return "Send Messages (the user does not accept direct messages)"
    permissions = channel.permissions_for(guild.me)
    needed = [("view_channel", "View Channel"), ("send_messages", "Send Messages")]
    if isinstance(channel, discord.Thread):
        needed.append(("send_messages_in_threads", "Send Messages in Threads"))
    if message.card is not None:
        needed.append(("embed_links", "Embed Links"))
    if message.attachment is not None:
        needed.append(("attach_files", "Attach Files"))
    for attr, label in needed:
        if not getattr(permissions, attr):
            return label
    return "Send Messages"
