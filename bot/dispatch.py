"""Turns what arrives from a platform (commands, button presses, reactions) into cog calls."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.commands import Command, UsageError, bind, convert_options, split_command
from bot.context import Context
from bot.errors import UserError
from bot.models import (
    Account,
    ButtonPress,
    ChatRef,
    Community,
    IncomingFile,
    Invocation,
    Message,
    Person,
    ReactionEvent,
)

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
ReactionListener = Callable[[ReactionEvent, str, Person, Community], Awaitable[None]]
ButtonHandler = Callable[[Context, str], Awaitable[None]]
Completer = Callable[[int, str], Awaitable[list[tuple[str, str]]]]


class Dispatcher:
    def __init__(self, app: App) -> None:
        self.app = app
        self.reaction_listeners: list[tuple[str, ReactionListener]] = []
        self.buttons: dict[str, tuple[str, ButtonHandler]] = {}
        self.completers: dict[str, tuple[str, Completer]] = {}

    # -- who and where -----------------------------------------------------------------------------------------

    async def resolve(self, account: Account, display_name: str, chat: ChatRef, space: str | None
                      ) -> tuple[Community, Person]:
        directory = self.app.directory
        if space is not None:
            community = await directory.community_for_space(chat.platform, space, chat.title)
            return community, await directory.person_for(account, display_name, community.id)
        person = await directory.person_for(account, display_name)
        latest = await directory.latest_community_of(person.id)
        if latest is not None:
            return await directory.community(latest), person
        communities = await directory.communities()
        if communities:
            return communities[0], person
        return await directory.community_for_space(chat.platform, "direct", "", announce=False), person

    # -- commands ----------------------------------------------------------------------------------------------

    async def command(self, inv: Invocation) -> None:
        community, person = await self.resolve(inv.account, inv.display_name, inv.chat, inv.space)
        t = self.app.translator(community.language)
        zone = person.zone or community.zone
        command: Command | None = None
        try:
            command, args = self._parse(inv)
            if command.admin and not inv.is_admin:
                raise UserError("errors.admin_only")
            ctx = Context(self.app, community, person, inv.account, inv.chat, inv.is_admin, t, inv.responder,
                          inv.attachment)
            assert command.handler is not None
            await command.handler(ctx, **args)
        except UsageError as exc:
            text = t(exc.key, **exc.values)
            command = exc.command if isinstance(exc, _WithCommand) else command
            if command is not None:
                text = text + "\n" + t("errors.usage", usage=command.usage())
            await inv.responder.reply(Message(text), zone=zone)
        except UserError as exc:
            await inv.responder.reply(Message(t(exc.key, **exc.values)), zone=zone)
        except Exception:
            log.exception("command failed: %s", inv.text or inv.command)
            await inv.responder.reply(Message(t("errors.internal")), zone=zone)

    def _parse(self, inv: Invocation) -> tuple[Command, dict[str, Any]]:
        registry = self.app.registry
        if inv.command is not None:
            if inv.command not in registry.commands:
                raise UsageError("errors.unknown_command", command=inv.command,
                                 suggestion=registry.suggest(inv.command))
            command = registry.commands[inv.command]
            try:
                return command, _with_file(command, convert_options(command, dict(inv.options or {})), inv)
            except UsageError as exc:
                raise _WithCommand(command, exc) from None
        parsed = split_command(inv.text or "")
        if parsed is None:
            raise UsageError("errors.not_a_command")
        name, tokens = parsed
        command, rest = registry.resolve([name, *tokens])
        try:
            return command, _with_file(command, bind(command, rest), inv)
        except UsageError as exc:
            raise _WithCommand(command, exc) from None

    # -- buttons -----------------------------------------------------------------------------------------------

    async def button(self, press: ButtonPress) -> None:
        action, _, arg = press.custom_id.partition(":")
        community, person = await self.resolve(press.account, press.display_name, press.chat, press.space)
        t = self.app.translator(community.language)
        ctx = Context(self.app, community, person, press.account, press.chat, press.is_admin, t, press.responder)
        found = self.buttons.get(action)
        try:
            if found is None:
                raise UserError("errors.stale_button")
            await found[1](ctx, arg)
        except UserError as exc:
            await ctx.reply_private(t(exc.key, **exc.values))
        except Exception:
            log.exception("button %s failed", press.custom_id)
            await ctx.reply_private(t("errors.internal"))

    # -- reactions ---------------------------------------------------------------------------------------------

    async def reaction(self, event: ReactionEvent) -> bool:
        """Hand a reaction on a tagged bot message to the listeners. Returns once their writes committed."""
        found = await self.app.sent.tag_of(event.message)
        if found is None:
            return False
        tag, community_id = found
        if community_id is None:
            return False
        community = await self.app.directory.community(community_id)
        person = await self.app.directory.person_for(event.account, event.display_name)
        for _cog, listener in self.reaction_listeners:
            try:
                await listener(event, tag, person, community)
            except Exception:
                log.exception("reaction listener failed for %s", tag)
        return True

    async def complete(self, name: str, platform: str, space: str | None, prefix: str) -> list[tuple[str, str]]:
        found = self.completers.get(name)
        if found is None:
            return []
        community_id = None
        if space is not None:
            community_id = (await self.app.directory.community_for_space(platform, space)).id
        if community_id is None:
            return []
        return await found[1](community_id, prefix)


def _with_file(command: Command, args: dict[str, Any], inv: Invocation) -> dict[str, Any]:
    """Options of kind IncomingFile take the file sent with the command (Telegram document, Discord attachment)."""
    for option in command.options:
        if option.kind is IncomingFile and args.get(option.name) is None:
            args[option.name] = inv.attachment
            if option.required and inv.attachment is None:
                raise UsageError("errors.missing_file", option=option.name)
    return args


class _WithCommand(UsageError):
    """A usage error that knows its command, so the reply can show the usage line."""

    def __init__(self, command: Command, error: UsageError) -> None:
        super().__init__(error.key, **error.values)
        self.command = command

