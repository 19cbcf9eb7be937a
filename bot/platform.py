"""What the core asks of a chat platform. Implementations live in bot/platforms/ only.

Platforms subclass `Platform` explicitly, so the capability methods a platform lacks keep their defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from bot.models import ChatName, ChatRef, Message, MessageRef, UserRef
from bot.pacing import Pacer

if TYPE_CHECKING:
    from bot.app import App


@dataclass(frozen=True)
class Refusal:
    """The platform refused a post because the bot lacks a right in that chat: where (`place`, the chat's
    name as admins know it, and `place_id`) and which right (`permission`, a key of the
    "notices.permission.*" texts), so the admins can be told once what to grant."""

    place: str
    place_id: str
    permission: str


class DeliveryError(RuntimeError):
    """A send failed. `permanent` means retrying cannot help (the chat is gone, the user blocked us);
    `uncertain` means the request may have reached the platform and been carried out (a timeout after
    it was sent), so a blind retry could post a second copy; `refusal` says which right was missing."""

    def __init__(self, message: str, *, permanent: bool = False, uncertain: bool = False,
                 refusal: Refusal | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent or refusal is not None
        self.uncertain = uncertain
        self.refusal = refusal


class UnreadableMessage(RuntimeError):
    """The platform cannot read a message's reactions any more (deleted, or hidden from the bot)."""


class PlatformUnavailable(RuntimeError):
    """A platform cannot be reached at start-up (its servers refuse or time out); the message names
    where it was tried, never with the token. The process exits 1, so a supervisor tries again later."""


class PlatformFailure(RuntimeError):
    """A platform lost its connection for good; the app reports it and the process exits non-zero."""


class Platform(Protocol):
    name: str
    # True when sending again with the same nonce returns the message already posted (Discord), so a
    # send whose outcome is unknown may be retried at once without posting twice.
    idempotent_sends: bool = False
    # True when whoever types sits at the machine the bot runs on (the console): only they may name its files.
    local_files: bool = False
    # True when a quiet answer is seen by the speaker alone (Discord's ephemeral replies): a receipt there
    # links to the public post it is about, since nobody else sees the receipt.
    private_answers: bool = False
    # True when cards show a picture the bot names (Discord's embed thumbnail); Telegram draws its own
    # link previews, the console prints text.
    shows_pictures: bool = False
    # The published sending limits the outbox paces deliveries by, fed with every message the platform
    # sends (None: no limits, send as fast as it takes them).
    pacer: Pacer | None = None

    async def start(self, app: App) -> None: ...

    async def stop(self) -> None: ...

    async def pause(self) -> None:
        """Stop taking events in (the first step of a stop); sending still works until stop()."""
        return None

    async def send(self, chat_id: str, message: Message, *, zone: str, kind: str | None = None,
                   nonce: str | None = None) -> MessageRef:
        """Post to a chat. For an announcement `kind` is set and `chat_id` may be a whole space
        (a Discord guild): the platform then picks the channel for that kind. `nonce` is stable for
        one outbox row, so a platform that deduplicates by it posts the row once."""
        ...

    async def send_private(self, user_id: str, message: Message, *, zone: str,
                           nonce: str | None = None) -> MessageRef | None:
        """Message a user privately; None when the platform cannot reach them there."""
        ...

    async def edit(self, ref: MessageRef, message: Message, *, zone: str) -> None: ...

    async def recount(self, ref: MessageRef, emoji: str) -> list[str] | None:
        """The user ids currently reacting with `emoji`; None if the platform cannot read reactions at
        all. Raises UnreadableMessage when this message cannot be read (deleted, no permission)."""
        ...

    async def describe(self, ref: MessageRef) -> list[str] | None:
        """The button ids on a message the bot posted but never recorded, so a reaction on it can still
        be understood; None when the message is not the bot's or cannot be read."""
        return None

    def parse_user(self, text: str) -> UserRef:
        """Someone named in a command (`@alice`, an id, a pasted mention), as this platform writes them."""
        return plain_user_ref(text)

    def message_link(self, ref: MessageRef) -> str | None:
        """A link that opens this message in the platform's app; None when it has none."""
        return None

    def discussion_link(self, card: MessageRef) -> str | None:
        """Where people discuss a card the bot posted: the thread under it where the platform opens one,
        else the card itself (replies to it are the discussion); None when there is no link."""
        return self.message_link(card)

    def disconnected_since(self) -> datetime | None:
        """When the connection to the platform was lost, while it is (health reports say so); else None."""
        return None

    async def missing_rights(self, chat_id: str) -> list[str]:
        """The rights the bot lacks to announce in this chat (keys of "notices.permission.<platform>.*"):
        asked when an admin chooses the chat with /setup; [] when none are missing or the platform cannot tell."""
        return []

    def announce_target(self, chat: ChatRef) -> str:
        """The target send() takes to post in this chat, in the topic it was said in where the platform
        has topics (Telegram's forum groups): what /setup stores when an admin says "here"."""
        return chat.chat_id

    async def chat_label(self, target: str, kind: str | None = None) -> ChatName:
        """How /setup names a target its readers know: a channel mention, a group's title (and topic),
        a #name. `kind` says which announcement, for a target the platform picks a channel in."""
        return ChatName(target, target)

    def watermark(self, chat_id: str) -> str | None:
        """The newest message id known in a chat, taken before a send whose outcome may stay unknown."""
        return None


def plain_user_ref(text: str) -> UserRef:
    """`@alice` -> the name alice; digits may be an account id or a name."""
    name = text.strip().removeprefix("@")
    return UserRef(user_id=name if name.isdigit() else None, name=name or None)
