"""Runs console actions (from a script or typed live) against a started App."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.models import Account, Button, ButtonPress, ChatRef, Invocation, MessageRef, ReactionEvent
from bot.platforms.console import PLATFORM, SPACE, ConsolePlatform, ConsoleResponder, Posted
from bot.platforms.console_script import (
    CLOCK_LIMIT,
    Action,
    Advance,
    MoveTo,
    Press,
    React,
    Say,
    ScriptError,
    check_clock,
    parse_line,
)

if TYPE_CHECKING:
    from bot.app import App


class ConsoleSession:
    def __init__(self, app: App, platform: ConsolePlatform, notice: Callable[[str], None]) -> None:
        self.app = app
        self.platform = platform
        self.notice = notice  # hints for the person at the keyboard (stderr), never part of the transcript

    def _is_admin(self, user: str) -> bool:
        return user in self.app.config.console.admins

    async def run(self, action: Action, number: int) -> None:
        if isinstance(action, Say):
            await self._say(action)
        elif isinstance(action, React):
            await self._react(action, number)
        elif isinstance(action, Press):
            await self._press(action, number)
        else:
            await self._clock(action, number)
        await self.app.outbox.flush()

    async def _say(self, action: Say) -> None:
        if not action.text.startswith("/"):
            return  # ordinary chatter: the bot stays quiet, as it would in a group
        chat_name = action.chat or self.app.config.console.chat
        chat = ChatRef(PLATFORM, f"@{action.user}" if action.private else f"#{chat_name}", action.private,
                       "" if action.private else chat_name)
        responder = ConsoleResponder(self.platform, chat.chat_id, action.user)
        await self.app.dispatcher.command(Invocation(
            account=Account(PLATFORM, action.user), display_name=action.user, chat=chat, responder=responder,
            text=action.text, is_admin=self._is_admin(action.user), space=SPACE, handle=action.user))

    def _message(self, target: int | str, number: int) -> Posted:
        posted = self.platform.find(target)
        if posted is None:
            raise ScriptError(number, f"no bot message {target!r} to act on")
        return posted

    async def _react(self, action: React, number: int) -> None:
        posted = self._message(action.target, number)
        users = posted.reactions.setdefault(action.emoji, set())
        (users.add if action.added else users.discard)(action.user)
        ref = MessageRef(PLATFORM, posted.chat, str(posted.number))
        await self.app.directory.person_for(Account(PLATFORM, action.user), action.user)
        await self.app.dispatcher.reaction(ReactionEvent(
            ref, Account(PLATFORM, action.user), action.user, action.emoji, action.added, self.app.clock.now()))

    async def _press(self, action: Press, number: int) -> None:
        # The newest message meant that has the button: the presser's own private pages count too.
        candidates = list(self.platform.matches(action.target, action.user))
        posted = next((c for c in candidates if _button(c, action.label)), None) or self._message(action.target, number)
        found = _button(posted, action.label)
        if found is None:
            raise ScriptError(number, f"message {posted.number} has no button [{action.label}]")
        chat = ChatRef(PLATFORM, posted.chat, posted.private, posted.chat.lstrip("#@"))
        await self.app.dispatcher.button(ButtonPress(
            Account(PLATFORM, action.user), action.user, chat, MessageRef(PLATFORM, posted.chat, str(posted.number)),
            found.custom_id, ConsoleResponder(self.platform, posted.chat, action.user),
            is_admin=self._is_admin(action.user), space=SPACE))

    async def _clock(self, action: Advance | MoveTo, number: int) -> None:
        if not hasattr(self.app.clock, "set"):
            raise ScriptError(number, "clock lines work in scripts only (microfilm-bot console --script FILE)")
        now = self.app.clock.now()
        try:
            target = now + action.delta if isinstance(action, Advance) else action.instant
        except OverflowError:
            target = CLOCK_LIMIT
        check_clock(target, number)
        if target < now:
            raise ScriptError(number, f"the clock only moves forward; it is already {now.isoformat()}")
        await self.app.scheduler.advance_to(target)

    async def run_script(self, actions: list[tuple[int, Action]]) -> None:
        for number, action in actions:
            await self.run(action, number)

    async def interactive(self, user: str) -> None:
        """Read lines until end of input; bare text is said by `user` in the default chat."""
        if sys.stdin.isatty():
            self.notice("microfilm-bot console — type /help; 'name: /command' speaks as someone else; Ctrl-D quits")
        number = 0
        while True:
            line = await asyncio.to_thread(sys.stdin.readline)
            if not line:
                return
            number += 1
            try:
                action = parse_line(_default_speaker(line, user), number)
                if action is not None:
                    await self.run(action, number)
            except ScriptError as exc:
                self.notice(str(exc))


def _default_speaker(line: str, user: str) -> str:
    stripped = line.strip()
    return f"{user}: {stripped}" if stripped.startswith("/") else line


def _button(posted: Posted, label: str) -> Button | None:
    return next((b for b in posted.message.all_buttons if b.label.lower() == label.lower()), None)
