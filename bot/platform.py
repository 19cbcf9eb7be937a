"""What the core asks of a chat platform. Implementations live in bot/platforms/ only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from bot.models import Message, MessageRef

if TYPE_CHECKING:
    from bot.app import App


class DeliveryError(RuntimeError):
    """A send failed. `permanent` means retrying cannot help (the chat is gone, the user blocked us)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Platform(Protocol):
    name: str

    async def start(self, app: App) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, chat_id: str, message: Message, *, zone: str, kind: str | None = None) -> MessageRef:
        """Post to a chat. For an announcement `kind` is set and `chat_id` may be a whole space
        (a Discord guild): the platform then picks the channel for that kind."""
        ...

    async def send_private(self, user_id: str, message: Message, *, zone: str) -> MessageRef | None:
        """Message a user privately; None when the platform cannot reach them there."""
        ...

    async def edit(self, ref: MessageRef, message: Message, *, zone: str) -> None: ...

    async def recount(self, ref: MessageRef, emoji: str) -> list[str] | None:
        """The user ids currently reacting with `emoji`, or None if the platform cannot read reactions."""
        ...
