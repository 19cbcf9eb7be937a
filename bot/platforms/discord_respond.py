"""Answering one interaction (a slash command or a button press) for the core's Responder.

Discord wants an answer within 3 seconds. The first reply normally goes out as the interaction response
itself (one request, ephemeral when private); when the handler has not answered after DEFER_AFTER seconds
the interaction is deferred and later replies become follow-ups.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import discord

from bot.models import ChatRef, Message, MessageRef
from bot.platforms.discord_render import AuthorIcon, Outgoing, edit_kwargs, no_icon, render

log = logging.getLogger(__name__)
PLATFORM = "discord"
DEFER_AFTER = 2.0


class InteractionResponder:
    def __init__(self, interaction: discord.Interaction, *, defer_after: float = DEFER_AFTER,
                 quiet: bool = False, author_icon: AuthorIcon = no_icon) -> None:
        self.interaction = interaction
        self.author_icon = author_icon
        self.quiet = quiet  # a quiet command's "thinking" message is ephemeral too, as its answer will be
        self._lock = asyncio.Lock()
        self._thinking = False  # deferred with a public "thinking" message not yet filled
        # A timer handle, not a task: most handlers answer well before it fires.
        self._timer = asyncio.get_running_loop().call_later(defer_after, self._defer_soon)
        self._deferring: asyncio.Task[None] | None = None

    async def reply(self, message: Message, *, zone: str) -> MessageRef | None:
        return await self._answer(message, private=False)

    async def reply_private(self, message: Message, *, zone: str) -> MessageRef | None:
        return await self._answer(message, private=True)

    async def reply_quiet(self, message: Message, *, zone: str) -> MessageRef | None:
        return await self._answer(message, private=True)  # ephemeral: only the one who asked sees it

    async def update(self, ref: MessageRef, message: Message, *, zone: str) -> None:
        """The pressed message changes in place, ephemeral or not: the interaction's own edit (the
        response when not yet answered, else the original response a component interaction refers to)."""
        async with self._lock:
            self._timer.cancel()
            if not self.interaction.response.is_done():
                await self.interaction.response.edit_message(**edit_kwargs(message, self.author_icon))
            else:
                await self.interaction.edit_original_response(**edit_kwargs(message, self.author_icon))

    async def finish(self, done_text: str) -> None:
        """After the handler: make sure Discord got an answer, so the user never sees "did not respond"."""
        self._timer.cancel()
        async with self._lock:
            response = self.interaction.response
            if response.is_done() and not self._thinking:
                return
            try:
                if self._thinking:
                    await self.interaction.edit_original_response(content=done_text)
                elif self.interaction.type is discord.InteractionType.component:
                    await response.defer()
                else:
                    await response.send_message(done_text, ephemeral=True)
            except discord.HTTPException as exc:
                log.warning("could not close interaction %s: %s", self.interaction.id, exc)

    def _defer_soon(self) -> None:
        self._deferring = asyncio.get_running_loop().create_task(self.defer())

    async def defer(self) -> None:
        """Acknowledge now; answers become follow-ups (a public "thinking" message for slash commands)."""
        async with self._lock:
            response = self.interaction.response
            if response.is_done():
                return
            thinking = self.interaction.type is discord.InteractionType.application_command
            with contextlib.suppress(discord.HTTPException):
                await response.defer(thinking=thinking, ephemeral=self.quiet and thinking)
                self._thinking = thinking

    async def _answer(self, message: Message, *, private: bool) -> MessageRef | None:
        async with self._lock:
            ref: MessageRef | None = None
            for part in render(message, self.author_icon):
                ref = await self._send(part, private)
            return ref

    async def _send(self, part: Outgoing, private: bool) -> MessageRef:
        interaction = self.interaction
        channel_id = str(interaction.channel_id)
        if not interaction.response.is_done():
            self._timer.cancel()
            sent = await interaction.response.send_message(**part.kwargs(), ephemeral=private)
            return MessageRef(PLATFORM, channel_id, str(sent.message_id))
        if self._thinking:
            self._thinking = False
            if private and not self.quiet:
                # A follow-up would fill the public "thinking" message and lose the ephemeral flag.
                await interaction.delete_original_response()
        followup = await interaction.followup.send(**part.kwargs(), ephemeral=private, wait=True)
        return MessageRef(PLATFORM, str(followup.channel.id), str(followup.id))


def chat_of(interaction: discord.Interaction) -> ChatRef:
    guild = interaction.guild
    return ChatRef(PLATFORM, str(interaction.channel_id), guild is None and interaction.guild_id is None,
                   guild.name if guild is not None else "")


def space_of(interaction: discord.Interaction) -> str | None:
    return str(interaction.guild_id) if interaction.guild_id is not None else None


def is_admin(interaction: discord.Interaction, admin_roles: tuple[str, ...]) -> bool:
    """Manage Server (or Administrator) in this guild, or a role named (or given by id) in config."""
    if interaction.guild_id is None:
        return False
    permissions = interaction.permissions
    if permissions.manage_guild or permissions.administrator:
        return True
    roles = getattr(interaction.user, "roles", [])
    wanted = {name.lower() for name in admin_roles}
    return any(role.name.lower() in wanted or str(role.id) in wanted for role in roles)


def display_name(user: discord.abc.User) -> str:
    return user.display_name or user.name
