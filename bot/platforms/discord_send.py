"""Where an announcement goes in a guild, and which permission a refused post lacked."""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.config import DiscordSettings
from bot.models import Message
from bot.platform import DeliveryError, Refusal

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
    raise DeliveryError(f"no channel in guild {guild.id} where the bot may post",
                        refusal=Refusal(guild.name, str(guild.id), "send_messages"))


# The rights a post needs, as discord.py names them (the keys of "notices.permission.*" too) and as
# Discord's settings show them (for the log).
LABELS = {"view_channel": "View Channel", "send_messages": "Send Messages",
          "send_messages_in_threads": "Send Messages in Threads", "embed_links": "Embed Links",
          "attach_files": "Attach Files", "add_reactions": "Add Reactions",
          "create_public_threads": "Create Public Threads", "read_message_history": "Read Message History"}
# What announcing in a channel takes in all: cards with embeds, vote reactions, a film's discussion thread,
# and reading the channel back (a recount). /setup names the ones missing in the channel chosen.
ANNOUNCING = ("view_channel", "send_messages", "embed_links", "add_reactions", "create_public_threads",
              "read_message_history")


def missing_for_announcing(channel: Any) -> list[str]:
    """The rights of ANNOUNCING the bot lacks in `channel` (keys of LABELS)."""
    guild = getattr(channel, "guild", None)
    if guild is None:
        return []
    permissions = channel.permissions_for(guild.me)
    return [attr for attr in ANNOUNCING if not getattr(permissions, attr)]


def missing_permission(channel: Any, message: Message) -> str:
    """The first permission the bot lacks for this post (a key of LABELS)."""
    guild = getattr(channel, "guild", None)
    if guild is None:
        return "send_messages"
    permissions = channel.permissions_for(guild.me)
    needed = ["view_channel", "send_messages"]
    if isinstance(channel, discord.Thread):
        needed.append("send_messages_in_threads")
    if message.card is not None:
        needed.append("embed_links")
    if message.attachment is not None or message.card is not None and message.card.image is not None:
        needed.append("attach_files")
    return next((attr for attr in needed if not getattr(permissions, attr)), "send_messages")


def refusal(channel: Any, message: Message) -> Refusal:
    """What to tell the admins of a post refused in `channel`: its name (and server's) and the right."""
    named = getattr(channel, "name", None)
    place = f"#{named}" if named else str(channel.id)
    guild = getattr(channel, "guild", None)
    if guild is not None:
        place += f" ({guild.name})"
    return Refusal(place, str(channel.id), missing_permission(channel, message))
