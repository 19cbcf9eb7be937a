"""Turns what arrives from a platform (commands, button presses, reactions) into cog calls."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.commands import Command, UsageError, bind, convert_options, split_command
from bot.context import Context
from bot.errors import Failure, UserError
from bot.i18n import Translator, reader_language
from bot.logs import fields
from bot.models import (
    Account,
    ButtonPress,
    ChatRef,
    Community,
    IncomingFile,
    Invocation,
    Message,
    MessageRef,
    Person,
    ReactionEvent,
    ReplyEvent,
    Responder,
)
from bot.reactions import ReactionPipeline
from bot.storage import counting_commits

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
NO_COMMUNITY = 0  # the community id completers get where none is known (no row has it)
ButtonHandler = Callable[[Context, str], Awaitable[None]]
Completer = Callable[[int, str], Awaitable[list[tuple[str, str]]]]
ReplyListener = Callable[[ReplyEvent], Awaitable[None]]


class Dispatcher:
    def __init__(self, app: App) -> None:
        self.app = app
        self.reactions = ReactionPipeline(app)
        self.buttons: dict[str, tuple[str, ButtonHandler]] = {}
        self.completers: dict[str, tuple[str, Completer]] = {}
        self.replies: list[tuple[str, ReplyListener]] = []

    # -- who and where -----------------------------------------------------------------------------------------

    async def resolve(self, account: Account, display_name: str | None, chat: ChatRef, space: str | None,
                      handle: str | None = None) -> tuple[Community, Person]:
        directory = self.app.directory
        if space is not None:
            community = await directory.community_for_space(chat.platform, space, chat.title)
            return community, await directory.person_for(account, display_name, community.id, handle=handle)
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
        started = time.perf_counter()
        community, person = await self.resolve(inv.account, inv.display_name, inv.chat, inv.space, inv.handle)
        t = self.app.translator(reader_language(community.language, inv.locale))
        zone = person.zone or community.zone
        guarded = GuardedResponder(inv.responder)
        responder: GuardedResponder = guarded
        command: Command | None = None
        outcome = "ok"
        with counting_commits() as commits:
            try:
                command, args = self._parse(inv)
                if command.quiet:
                    responder = QuietResponder(inv.responder)
                if command.admin and not inv.is_admin:
                    raise UserError("errors.admin_only")
                ctx = Context(self.app, community, person, inv.account, inv.chat, inv.is_admin, t, responder,
                              inv.attachment, at=self.app.clock.now())
                assert command.handler is not None
                await self._check(command.cog, ctx, command.name)
                await command.handler(ctx, **args)
                await self._renamed_note(inv, command, guarded, t, zone)
            except ReplyFailed as exc:
                outcome = "unanswered"
                log.warning("the answer to %s could not be sent: %r", command.name if command else "a command",
                            exc.__cause__)
            except UserError as exc:
                outcome = "refused"
                text = t(exc.key, **exc.values)
                command = exc.command if isinstance(exc, _WithCommand) else command
                if isinstance(exc, UsageError) and command is not None:
                    text = text + "\n" + t("errors.usage", usage=command.usage())
                await _answer(guarded, Message(text), zone, private=command is not None and command.private)
            except Exception as exc:
                outcome = "error"
                await self.app.on_error(exc, Failure("command", command.name if command else inv.command or "?",
                                                     platform=inv.chat.platform, community_id=community.id))
                # What was committed stays: the apology must not say that nothing was saved.
                apology = "errors.internal_saved" if commits[0] else "errors.internal"
                await _answer(guarded, Message(t(apology)), zone)
        handled("command", command.name if command else "?", inv.chat.platform, community.key, outcome, started)

    async def _renamed_note(self, inv: Invocation, command: Command, responder: GuardedResponder, t: Translator,
                            zone: str) -> None:
        """Typed by its old name: it ran, and the speaker learns the new one (old names go in a release)."""
        parsed = split_command(inv.text or "") if inv.text else None
        if parsed is not None and command.typed_as_was(parsed[0]):
            await responder.reply_quiet(Message(t("core.renamed", old=f"/{command.was}", new=f"/{command.name}")),
                                        zone=zone)

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
        t = self.app.translator(reader_language(community.language, press.locale))
        responder = GuardedResponder(press.responder)
        ctx = Context(self.app, community, person, press.account, press.chat, press.is_admin, t, responder,
                      at=press.at or self.app.clock.now(), pressed=press.message)
        found = self.buttons.get(action)
        started, outcome = time.perf_counter(), "ok"
        with counting_commits() as commits:
            try:
                if found is None:
                    raise UserError("errors.stale_button")
                await self._check(found[0], ctx, action)
                await found[1](ctx, arg)
            except ReplyFailed as exc:
                outcome = "unanswered"
                log.warning("the answer to button %s could not be sent: %r", action, exc.__cause__)
            except UserError as exc:
                outcome = "refused"
                await _answer(responder, Message(t(exc.key, **exc.values)), ctx.zone, private=True)
            except Exception as exc:
                outcome = "error"
                await self.app.on_error(exc, Failure("button", action, platform=press.chat.platform,
                                                     community_id=community.id))
                apology = "errors.internal_saved" if commits[0] else "errors.internal"
                await _answer(responder, Message(t(apology)), ctx.zone, private=True)
        handled("button", action if found else "?", press.chat.platform, community.key, outcome, started)

    async def _check(self, cog_name: str | None, ctx: Context, name: str) -> None:
        cog = self.app.cogs.get(cog_name or "")
        if cog is not None:
            await cog.cog_check(ctx, name)

    # -- reactions ---------------------------------------------------------------------------------------------

    async def reaction(self, event: ReactionEvent) -> bool:
        """Hand a reaction to the listeners; returns once their writes committed (see ReactionPipeline).
        Await it at once on arrival: the event's place in line is taken on entry."""
        return await self.reactions.handle(event)

    # -- replies -----------------------------------------------------------------------------------------------

    async def reply(self, event: ReplyEvent) -> None:
        """Hand a reply to its listeners; each looks its parent up and ignores what is not its own, so
        ordinary chatter costs a lookup and nothing else. Await it at once on arrival: a listener takes
        the reply's place (for replies to it) before its first await."""
        for cog_name, listener in self.replies:
            try:
                await listener(event)
            except Exception as exc:
                await self.app.on_error(exc, Failure("listener", f"{cog_name} (reply)",
                                                     platform=event.message.platform))

    async def complete(self, name: str, platform: str, space: str | None, prefix: str) -> list[tuple[str, str]]:
        found = self.completers.get(name)
        if found is None:
            return []
        # In a private chat no community is known: community-wide completions (films) find nothing there,
        # while those of the world (time zones) still help.
        community_id = NO_COMMUNITY
        if space is not None:
            community_id = (await self.app.directory.community_for_space(platform, space)).id
        return await found[1](community_id, prefix)


class ReplyFailed(Exception):
    """Sending an answer failed; its cause is the platform's error. What the handler saved stays saved."""


class GuardedResponder:
    """A responder whose failures are told apart from the handler's own, so a lost answer never turns
    into an apology that claims nothing was saved."""

    def __init__(self, inner: Responder) -> None:
        self.inner = inner

    async def reply(self, message: Message, *, zone: str) -> MessageRef | None:
        try:
            return await self.inner.reply(message, zone=zone)
        except Exception as exc:
            raise ReplyFailed() from exc

    async def reply_private(self, message: Message, *, zone: str) -> MessageRef | None:
        try:
            return await self.inner.reply_private(message, zone=zone)
        except Exception as exc:
            raise ReplyFailed() from exc

    async def reply_quiet(self, message: Message, *, zone: str) -> MessageRef | None:
        quiet = getattr(self.inner, "reply_quiet", None)  # a responder without it answers plainly
        try:
            if quiet is None:
                return await self.inner.reply(message, zone=zone)
            ref: MessageRef | None = await quiet(message, zone=zone)
            return ref
        except Exception as exc:
            raise ReplyFailed() from exc

    async def update(self, ref: MessageRef, message: Message, *, zone: str) -> None:
        try:
            await self.inner.update(ref, message, zone=zone)
        except Exception as exc:
            raise ReplyFailed() from exc

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)  # platform extras (Discord's finish, forms)


class QuietResponder(GuardedResponder):
    """The responder of a quiet command: its replies are for the speaker alone where the platform can."""

    async def reply(self, message: Message, *, zone: str) -> MessageRef | None:
        return await self.reply_quiet(message, zone=zone)


async def _answer(responder: GuardedResponder, message: Message, zone: str, *, private: bool = False) -> None:
    """An error's answer, for the speaker alone (a refusal is nobody else's business); if even that cannot
    be sent there is nobody left to tell, so it is logged."""
    try:
        if private:
            await responder.reply_private(message, zone=zone)
        else:
            await responder.reply_quiet(message, zone=zone)
    except ReplyFailed as exc:
        log.warning("an error message could not be sent either: %r", exc.__cause__)


def handled(kind: str, name: str, platform: str, community: str, outcome: str, started: float) -> None:
    """The operator's line for each command or button handled: what, where, how it ended and how long it
    took, never what was typed. An internal error gives the same line at ERROR (App.on_error logged its
    traceback just before)."""
    ms = round((time.perf_counter() - started) * 1000)
    log.log(logging.ERROR if outcome == "error" else logging.INFO, "handled %s",
            fields(kind=kind, platform=platform, community=community, command=name, outcome=outcome, ms=ms))


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

