"""What a handler gets: who spoke, where, in which community, and ways to answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, NoReturn

from bot.errors import UserError
from bot.i18n import Translator
from bot.models import Account, ChatRef, Community, IncomingFile, Message, MessageRef, Person, Responder, Text
from bot.platform import plain_user_ref

if TYPE_CHECKING:
    from bot.app import App

Content = Text | Message


@dataclass
class Context:
    app: App
    community: Community
    person: Person
    account: Account
    chat: ChatRef
    is_admin: bool
    t: Translator
    responder: Responder
    attachment: IncomingFile | None = None
    at: datetime | None = None  # when the person acted, when the platform says (a replayed button press)
    pressed: MessageRef | None = None  # the message whose button was pressed (None for a command)

    async def find_person(self, text: str) -> Person | None:
        """Someone named in a command, the way the speaker's platform writes people (`@alice`, a mention)."""
        platform = self.app.platforms.get(self.account.platform)
        ref = platform.parse_user(text) if platform is not None else plain_user_ref(text)
        return await self.app.directory.find_person(self.account.platform, ref)

    @property
    def can_read_local_files(self) -> bool:
        """Whether the speaker may name files on the bot's own machine (they sit at it: the console)."""
        platform = self.app.platforms.get(self.account.platform)
        return platform is not None and platform.local_files

    @property
    def zone(self) -> str:
        """The reader's zone where known, else the community's."""
        return self.person.zone or self.community.zone

    async def reply(self, content: Content, *, tag: str | None = None) -> MessageRef | None:
        ref = await self.responder.reply(_message(content), zone=self.zone)
        await self._remember(ref, tag)
        return ref

    async def reply_private(self, content: Content, *, tag: str | None = None) -> MessageRef | None:
        ref = await self.responder.reply_private(_message(content), zone=self.zone)
        await self._remember(ref, tag)
        return ref

    async def update(self, content: Content) -> MessageRef | None:
        """Show `content` in place of the message whose button was pressed (a page turned); a command,
        having no such message, gets it as a reply."""
        if self.pressed is None:
            return await self.reply(content)
        await self.responder.update(self.pressed, _message(content), zone=self.zone)
        return self.pressed

    async def _remember(self, ref: MessageRef | None, tag: str | None) -> None:
        if ref is not None and tag:
            async with self.app.db.transaction() as tx:
                await self.app.sent.record(tx, ref, tag, self.community.id)

    def fail(self, key: str, **values: object) -> NoReturn:
        raise UserError(key, **values)

    def require_admin(self) -> None:
        if not self.is_admin:
            raise UserError("errors.admin_only")


def _message(content: Content) -> Message:
    return content if isinstance(content, Message) else Message(text=content)
