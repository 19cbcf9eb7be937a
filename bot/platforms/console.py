"""The console platform: an interactive shell and a script runner, printing a transcript.

Every bot message prints as `[N] #chat: text` (`@name` for a private chat); buttons follow as
`  [Label] [Label]`; an edit prints `[N edited] ...`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.models import ChatName, Message, MessageRef
from bot.platform import Platform
from bot.platforms.plain import button_line, render_message

if TYPE_CHECKING:
    from bot.app import App

PLATFORM = "console"
SPACE = "console"  # the console is one community


@dataclass
class Posted:
    number: int
    chat: str          # "#general" or "@alice"
    message: Message
    text: str
    reactions: dict[str, set[str]] = field(default_factory=dict)

    @property
    def private(self) -> bool:
        return self.chat.startswith("@")


class ConsolePlatform(Platform):
    name = PLATFORM
    idempotent_sends = True  # nothing is lost between a print and its record
    local_files = True  # the person at the keyboard is at the bot's own machine

    def __init__(self, write: Callable[[str], None] = print, *, announce_chat: str = "general") -> None:
        self.write = write
        self.announce_chat = announce_chat
        self.posted: dict[int, Posted] = {}
        self._count = 0
        self.app: App | None = None

    async def start(self, app: App) -> None:
        self.app = app
        self.announce_chat = app.config.console.chat
        await app.directory.community_for_space(PLATFORM, SPACE, "console")

    async def stop(self) -> None:
        self.app = None

    async def send(self, chat_id: str, message: Message, *, zone: str, kind: str | None = None,
                   nonce: str | None = None) -> MessageRef:
        # A chat chosen with /setup is stored as the chat was named when asked ("#films").
        chat = self.announce_chat if chat_id == SPACE else chat_id.removeprefix("#")
        return self.post(f"#{chat}", message, zone)

    async def send_private(self, user_id: str, message: Message, *, zone: str,
                           nonce: str | None = None) -> MessageRef | None:
        return self.post(f"@{user_id}", message, zone)

    async def chat_label(self, target: str, kind: str | None = None) -> ChatName:
        return ChatName(target, "#" + (self.announce_chat if target == SPACE else target.removeprefix("#")))

    async def edit(self, ref: MessageRef, message: Message, *, zone: str) -> None:
        posted = self.posted[int(ref.message_id)]
        posted.message = message
        posted.text = "\n".join(render_message(message, zone))
        self._print(f"[{posted.number} edited] {posted.chat}", message, zone)

    async def recount(self, ref: MessageRef, emoji: str) -> list[str] | None:
        posted = self.posted.get(int(ref.message_id))
        # A message this console never showed (sent before a restart) has no record to read: None, not "nobody".
        return sorted(posted.reactions.get(emoji, set())) if posted else None

    def post(self, chat: str, message: Message, zone: str) -> MessageRef:
        self._count += 1
        lines = render_message(message, zone)
        self.posted[self._count] = Posted(self._count, chat, message, "\n".join(lines))
        self._print(f"[{self._count}] {chat}", message, zone)
        return MessageRef(PLATFORM, chat, str(self._count))

    def _print(self, prefix: str, message: Message, zone: str) -> None:
        lines = render_message(message, zone)
        self.write(f"{prefix}: {lines[0]}")
        for line in lines[1:]:
            self.write(f"  {line}")
        buttons = button_line(message)
        if buttons:
            self.write(buttons)

    def find(self, target: int | str, user: str | None = None) -> Posted | None:
        """A bot message by number, or the newest message whose text contains `target` in a group or, for
        `user`, in their private chat."""
        return next(self.matches(target, user), None)

    def matches(self, target: int | str, user: str | None = None) -> Iterator[Posted]:
        """The messages `find` may mean, newest first."""
        if isinstance(target, int):
            if target in self.posted:
                yield self.posted[target]
            return
        for posted in sorted(self.posted.values(), key=lambda item: -item.number):
            if (not posted.private or posted.chat == f"@{user}") and target in posted.text:
                yield posted


@dataclass
class ConsoleResponder:
    platform: ConsolePlatform
    chat: str           # "#general" or "@alice"
    user: str

    async def reply(self, message: Message, *, zone: str) -> MessageRef | None:
        return self.platform.post(self.chat, message, zone)

    async def reply_private(self, message: Message, *, zone: str) -> MessageRef | None:
        return self.platform.post(f"@{self.user}", message, zone)

    async def reply_quiet(self, message: Message, *, zone: str) -> MessageRef | None:
        return self.platform.post(self.chat, message, zone)  # the console has no "only you" in a chat

    async def update(self, ref: MessageRef, message: Message, *, zone: str) -> None:
        await self.platform.edit(ref, message, zone=zone)
