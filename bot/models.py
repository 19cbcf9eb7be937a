"""Neutral types shared by the core, the cogs and the platforms. No platform library is imported here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Literal, Protocol

# "admin" carries notices for the community's admins: a platform gap, a card that could not be recounted.
ANNOUNCEMENT_KINDS: tuple[str, ...] = ("showcase", "challenges", "festivals", "feedback", "admin")


@dataclass(frozen=True)
class Account:
    """One identity on one platform: ("discord", "1234"), ("telegram", "42"), ("console", "alice")."""

    platform: str
    user_id: str


@dataclass(frozen=True)
class UserRef:
    """Someone named in a command, as the platform reads it: an account id (a pasted mention), a name or
    handle to look up, or both when the text could be either."""

    user_id: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Person:
    id: int
    display_name: str
    zone: str | None = None


@dataclass(frozen=True)
class Community:
    id: int
    key: str
    name: str
    zone: str
    language: str


@dataclass(frozen=True)
class ChatRef:
    """Where a message was said or goes. `chat_id` is the platform's own id, as a string."""

    platform: str
    chat_id: str
    is_private: bool = False
    title: str = ""
    topic: str | None = None  # the forum topic (Telegram's message_thread_id) it was said in, if any


@dataclass(frozen=True)
class MessageRef:
    platform: str
    chat_id: str
    message_id: str


@dataclass(frozen=True)
class Moment:
    """An instant shown to a reader: Discord renders `<t:unix:style>`, others a local time."""

    when: datetime
    # "FR": the full date and, where the platform keeps one live (Discord), a countdown beside it
    style: Literal["F", "R", "D", "f", "t", "FR"] = "F"
    lang: str = "en"  # the reader's language, set by the translator that renders the message


@dataclass(frozen=True)
class Countdown:
    """How long until an instant: Discord keeps it live (`<t:unix:R>`, in each reader's own language);
    other platforms show `phrase`, worded in the reader's language when the message was made."""

    when: datetime
    phrase: str


@dataclass(frozen=True)
class Strong:
    """Emphasised text (bold where the platform has it)."""

    text: str


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class ChatName:
    """A chat named in text (where announcements go): Discord shows a channel mention (`<#id>`), the
    others `name`, the chat's title as its platform knows it (escaped like any text)."""

    chat_id: str
    name: str


Segment = str | Moment | Countdown | Strong | Link | ChatName


@dataclass(frozen=True)
class Text:
    """Rich text as segments. Plain strings are user-safe data: every platform escapes them."""

    segments: tuple[Segment, ...] = ()

    @classmethod
    def of(cls, *parts: Segment | Text) -> Text:
        out: list[Segment] = []
        for part in parts:
            out.extend(part.segments if isinstance(part, Text) else (part,))
        return cls(tuple(out))

    def __add__(self, other: Text | Segment) -> Text:
        return Text.of(self, other)

    def plain(self) -> str:
        """A platform-free rendering (ISO times), used for logs, search and tests."""
        return "".join(_plain(segment) for segment in self.segments)

    def __bool__(self) -> bool:
        return any(self.segments)


def _plain(segment: Segment) -> str:
    if isinstance(segment, str):
        return segment
    if isinstance(segment, Moment):
        return segment.when.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(segment, Countdown):
        return segment.phrase
    if isinstance(segment, Strong):
        return segment.text
    if isinstance(segment, ChatName):
        return segment.name
    return f"{segment.label} ({segment.url})"


@dataclass(frozen=True)
class CardField:
    name: str
    value: Text
    inline: bool = True


@dataclass(frozen=True)
class Card:
    title: str
    url: str | None = None
    description: Text = field(default_factory=Text)
    fields: tuple[CardField, ...] = ()
    thumbnail: str | None = None
    footer: str | None = None
    kind: str | None = None        # "film", "challenge", "results", "festival": a platform may colour it
    author: str | None = None      # whose it is (a film's maker), shown at its top where the platform can
    # The author's accounts, so a platform can show their own picture beside the name (Discord's avatar)
    author_accounts: tuple[Account, ...] = ()
    timestamp: datetime | None = None  # when it happened, shown in each reader's own time where possible
    image: Attachment | None = None  # a picture the bot drew (a podium), shown large in the card where possible
    # How to join the card's discussion, for platforms with no thread under a card (Telegram's button)
    discuss: Button | None = None


class ButtonStyle(Enum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
    DANGER = "danger"


@dataclass(frozen=True)
class Button:
    """A button whose `action` names a registered handler; `arg` travels with it (stable across restarts)."""

    label: str
    action: str
    arg: str = ""
    style: ButtonStyle = ButtonStyle.SECONDARY

    @property
    def custom_id(self) -> str:
        return f"{self.action}:{self.arg}"


@dataclass(frozen=True)
class Menu:
    """Choices a platform may show as one menu (a Discord select menu); others show them as buttons.
    Choosing one is pressing that button."""

    placeholder: str
    items: tuple[Button, ...]


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True)
class Message:
    """Neutral outgoing content; each platform renders it natively."""

    text: Text = field(default_factory=Text)
    card: Card | None = None
    buttons: tuple[Button, ...] = ()
    attachment: Attachment | None = None
    menu: Menu | None = None

    @property
    def all_buttons(self) -> tuple[Button, ...]:
        """The menu's choices and the buttons, for a platform that shows them all as buttons."""
        return (self.menu.items if self.menu else ()) + self.buttons


@dataclass(frozen=True, slots=True)
class ReactionEvent:
    """A reaction added or removed. `at` is when it happened by the platform's account (Telegram's update
    date; Discord's arrival), `space` the container as for Invocation, `display_name` None when the
    platform did not say (the stored name then stays), `on_bot_message` whether the platform knows the
    message is the bot's (None: it does not say)."""

    message: MessageRef
    account: Account
    display_name: str | None
    emoji: str
    added: bool
    at: datetime
    space: str | None = None
    on_bot_message: bool | None = None


@dataclass(frozen=True, slots=True)
class ReplyEvent:
    """A message that answers another: a reply to it (Telegram's reply_to_message, Discord's message
    reference), or a message in the thread opened under it (Discord). Only who, where and when travel,
    never the text. `message` is the reply, `parent` what it answers (a bot card, or another reply),
    `at` when it was written by the platform's account."""

    message: MessageRef
    parent: MessageRef
    account: Account
    display_name: str | None
    at: datetime
    space: str | None = None
    # The custom ids of the parent's buttons when the bot wrote it: they name what it shows, so a reply
    # to a card whose send was never recorded (the process died in between) still finds its film.
    parent_buttons: tuple[str, ...] = ()


@dataclass(frozen=True)
class IncomingFile:
    filename: str
    data: bytes


class Responder(Protocol):
    """How a handler answers the person who spoke; each platform supplies one per invocation."""

    async def reply(self, message: Message, *, zone: str) -> MessageRef | None: ...

    async def reply_private(self, message: Message, *, zone: str) -> MessageRef | None: ...

    async def reply_quiet(self, message: Message, *, zone: str) -> MessageRef | None:
        """An answer for the speaker alone where the platform can show it so in place (Discord's ephemeral
        reply); elsewhere a plain reply (Telegram sends it as a silent reply to their message)."""
        ...

    async def update(self, ref: MessageRef, message: Message, *, zone: str) -> None:
        """Replace the message a pressed button sits on (`ref`), seen by whoever saw it (one person for a
        private or ephemeral one)."""
        ...


@dataclass(frozen=True)
class Invocation:
    """A command as it arrived: raw text (text platforms) or already-parsed options (Discord).

    `space` is the container that decides the community: a Discord guild id, a Telegram group id,
    "console"; None in a private chat (the person's latest community is used).
    """

    account: Account
    display_name: str
    chat: ChatRef
    responder: Responder
    text: str | None = None
    command: str | None = None
    options: dict[str, object] | None = None
    is_admin: bool = False
    space: str | None = None
    attachment: IncomingFile | None = None
    handle: str | None = None  # the speaker's username on the platform, if it has one
    locale: str | None = None  # the language the speaker's client is set to (Discord's zh-TW), if known


@dataclass(frozen=True)
class ButtonPress:
    account: Account
    display_name: str
    chat: ChatRef
    message: MessageRef
    custom_id: str
    responder: Responder
    is_admin: bool = False
    space: str | None = None
    at: datetime | None = None  # when it was pressed, if the platform says; else when it is handled
    locale: str | None = None  # the language the presser's client is set to (Discord's zh-TW), if known
