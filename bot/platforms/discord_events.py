"""What arrives from Discord, turned into the core's neutral calls: slash commands, autocomplete,
button presses (one persistent handler for every custom id) and raw reaction events."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.commands import Command, Option
from bot.errors import Failure
from bot.models import Account, ButtonPress, IncomingFile, Invocation, MessageRef, ReactionEvent
from bot.platform import DeliveryError
from bot.platforms.discord_avatars import Avatars
from bot.platforms.discord_commands import CHOICES_LIMIT, choice_for
from bot.platforms.discord_forms import build_modal, form_id, parse_form_id, submitted_values, wants_form
from bot.platforms.discord_render import MENU_ID
from bot.platforms.discord_respond import (
    DEFER_AFTER,
    PLATFORM,
    InteractionResponder,
    chat_of,
    display_name,
    is_admin,
    space_of,
)
from bot.platforms.discord_send import pick_channel
from bot.welcome import welcome

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
SHARE = "share"  # the command the message menu's "Share as film" opens
_URL = re.compile(r"https?://[^\s<>]+")


def first_link(message: discord.Message) -> tuple[str, str] | None:
    """The first web link in a message and the title of Discord's preview of it ("" when none)."""
    found = _URL.search(message.content or "")
    link = found.group(0).rstrip(").,!?>") if found else None
    for embed in message.embeds:
        if embed.url and (link is None or embed.url.rstrip("/") == link.rstrip("/")):
            return link or embed.url, embed.title or ""
    return (link, "") if link else None


class Incoming:
    def __init__(self, app: App, client: discord.Client, admin_roles: tuple[str, ...]) -> None:
        self.app = app
        self.client = client
        self.admin_roles = admin_roles
        self.names: dict[int, str] = {}  # display names seen, for reaction removals (which carry none)
        self.avatars = Avatars(client)  # pictures seen, for the author line of a maker's cards
        self.defer_after = DEFER_AFTER  # seconds a handler may take before the interaction is deferred

    def _done_text(self, interaction: discord.Interaction) -> str:
        return self.app.translator(self.app.config.bot.language).s("discord.done")

    async def command(self, interaction: discord.Interaction, cmd: Command, options: dict[str, Any]) -> None:
        values = {key: _as_text(value) for key, value in options.items() if value is not None}
        if await self._ask_form(interaction, cmd, values):
            return
        await self._run(interaction, cmd, values)

    async def _run(self, interaction: discord.Interaction, cmd: Command, values: dict[str, Any]) -> None:
        responder = await self._responder(interaction, quiet=cmd.quiet)
        try:
            attachment = await self._take_attachment(cmd, values)
            self._saw(interaction.user)
            inv = Invocation(account=Account(PLATFORM, str(interaction.user.id)),
                             display_name=display_name(interaction.user), chat=chat_of(interaction),
                             responder=responder, command=cmd.name, options=values,
                             is_admin=is_admin(interaction, self.admin_roles), space=space_of(interaction),
                             attachment=attachment, handle=interaction.user.name,
                             locale=interaction.locale.value)
            await self.app.dispatcher.command(inv)
        finally:
            await responder.finish(self._done_text(interaction))

    async def _ask_form(self, interaction: discord.Interaction, cmd: Command, values: dict[str, Any]) -> bool:
        """Answer with the command's form when all its form options were left out; False to run it as is."""
        if not wants_form(cmd, values) or (cmd.admin and not is_admin(interaction, self.admin_roles)):
            return False
        custom_id = form_id(cmd, values)
        if custom_id is None:
            return False
        carried = {key: value for key, value in values.items() if key not in cmd.form}
        t = self.app.translator(self.app.config.bot.language)
        await interaction.response.send_modal(build_modal(cmd, custom_id, carried, t))
        return True

    async def form(self, interaction: discord.Interaction) -> None:
        """A submitted form: the command runs with the options it carried and the fields filled in."""
        data: Any = interaction.data or {}
        parsed = parse_form_id(str(data.get("custom_id", "")))
        cmd = self.app.registry.commands.get(parsed[0]) if parsed else None
        if parsed is None or cmd is None:
            await self._stale(interaction)
            return
        filled = submitted_values(list(data.get("components", [])))
        values: dict[str, Any] = {**parsed[1], **{key: filled[key] for key in cmd.form if key in filled}}
        await self._run(interaction, cmd, values)

    async def joined(self, guild: discord.Guild) -> None:
        """Invited to a server: one welcome to its admins, naming the channel announcements will use."""
        try:
            posts_in = f"#{pick_channel(guild, 'showcase', self.app.config.discord).name}"
        except DeliveryError:
            posts_in = guild.name  # no channel to post in yet: the welcome waits in the outbox with the rest
        try:
            await welcome(self.app, PLATFORM, str(guild.id), guild.name, posts_in)
        except Exception as exc:
            await self.app.on_error(exc, Failure("listener", "welcome", platform=PLATFORM))

    async def share_message(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """The message menu's "Share as film": the share form, filled in with the message's first link and
        the title Discord's own preview of it found."""
        cmd = self.app.registry.commands.get(SHARE)
        t = self.app.translator(self.app.config.bot.language)
        found = first_link(message)
        if cmd is None or found is None:
            await interaction.response.send_message(t.s("discord.no_link"), ephemeral=True)
            return
        link, title = found
        custom_id = form_id(cmd, {}) or ""
        await interaction.response.send_modal(build_modal(cmd, custom_id, {}, t, {"link": link, "title": title}))

    async def _stale(self, interaction: discord.Interaction) -> None:
        t = self.app.translator(self.app.config.bot.language)
        await interaction.response.send_message(t.s("discord.stale_form"), ephemeral=True)

    async def _responder(self, interaction: discord.Interaction, *, quiet: bool = False) -> InteractionResponder:
        responder = InteractionResponder(interaction, defer_after=self.defer_after, quiet=quiet,
                                         author_icon=self.avatars.of_author)
        if self.defer_after <= 0:
            await responder.defer()
        return responder

    async def _take_attachment(self, cmd: Command, values: dict[str, Any]) -> IncomingFile | None:
        """Attachment options travel as Invocation.attachment (the core fills the option from it)."""
        found: IncomingFile | None = None
        for option in cmd.options:
            given = values.pop(option.name, None) if option.kind is IncomingFile else None
            if isinstance(given, discord.Attachment):
                found = IncomingFile(given.filename, await given.read())
        return found

    async def complete(self, interaction: discord.Interaction, option: Option,
                       current: str) -> list[app_commands.Choice[Any]]:
        if option.autocomplete is None:
            return []
        try:
            found = await self.app.dispatcher.complete(option.autocomplete, PLATFORM, space_of(interaction),
                                                       current)
        except Exception as exc:
            await self.app.on_error(exc, Failure("completion", option.autocomplete, platform=PLATFORM))
            return []
        choices = [choice_for(option, label, value) for label, value in found[:CHOICES_LIMIT]]
        return [choice for choice in choices if choice is not None]

    async def button(self, interaction: discord.Interaction) -> None:
        data: Any = interaction.data or {}
        custom_id = str(data.get("custom_id", ""))
        if custom_id == MENU_ID:  # a choice from a message's menu is a press of the button it stands for
            custom_id = str((data.get("values") or [""])[0])
        if not custom_id or interaction.message is None:
            return
        responder = await self._responder(interaction)
        try:
            self._saw(interaction.user)
            press = ButtonPress(account=Account(PLATFORM, str(interaction.user.id)),
                                display_name=display_name(interaction.user), chat=chat_of(interaction),
                                message=MessageRef(PLATFORM, str(interaction.channel_id),
                                                   str(interaction.message.id)),
                                custom_id=custom_id, responder=responder,
                                is_admin=is_admin(interaction, self.admin_roles), space=space_of(interaction),
                                locale=interaction.locale.value)
            await self.app.dispatcher.button(press)
        finally:
            await responder.finish(self._done_text(interaction))

    async def reaction(self, payload: discord.RawReactionActionEvent, added: bool) -> None:
        """Nothing here may await before the dispatcher takes the event's place in line: discord.py runs
        each event as its own task, and a later event of the same person must not overtake this one."""
        me = self.client.user
        if me is not None and payload.user_id == me.id:
            return  # the bot's own reactions are not votes
        author = payload.message_author_id
        event = ReactionEvent(MessageRef(PLATFORM, str(payload.channel_id), str(payload.message_id)),
                              Account(PLATFORM, str(payload.user_id)), self._name(payload),
                              str(payload.emoji), added, at=self.app.clock.now(),
                              space=str(payload.guild_id) if payload.guild_id else None,
                              on_bot_message=None if author is None or me is None else author == me.id)
        try:
            await self.app.dispatcher.reaction(event)
        except Exception as exc:  # the recount before the close still finds the reaction on the card
            log.error("discord: a reaction event (%s) could not be taken in: %s: %s; the recount before the "
                      "close will find it", "add" if added else "remove", type(exc).__name__, exc)

    def _name(self, payload: discord.RawReactionActionEvent) -> str | None:
        """The reacting member's name from the event or memory; None keeps the stored one (no fetch)."""
        if payload.member is not None:
            self._saw(payload.member)
            return self.names[payload.user_id]
        if payload.user_id in self.names:
            return self.names[payload.user_id]
        user = self.client.get_user(payload.user_id)
        return display_name(user) if user is not None else None

    def _saw(self, user: discord.abc.User) -> None:
        self.names[user.id] = display_name(user)
        self.avatars.saw(user)


def _as_text(value: Any) -> Any:
    """A picked member or channel as the core reads one typed: a mention (`<@id>`) or a channel id."""
    if isinstance(value, discord.abc.User):
        return f"<@{value.id}>"
    if isinstance(value, discord.abc.GuildChannel | discord.Thread | app_commands.AppCommandChannel
                  | app_commands.AppCommandThread):
        return str(value.id)
    return value
