"""What a handler gets: who spoke, where, in which community, and ways to answer."""

from __future__ import annotations

import asyncio
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
POST_WAIT = 1.5  # seconds to wait for an announcement's delivery before answering without its link


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

    async def link_to(self, tag: str, wait: float = POST_WAIT) -> str | None:
        """A link to the message tagged `tag` on the speaker's platform (a card just announced), waiting a
        moment for its delivery; None if it is not posted by then, or where answers are seen by others
        too (they see the post itself; and there a wait would hold up the chat's other updates)."""
        platform = self.app.platforms.get(self.account.platform)
        if platform is None or not platform.private_answers:
            return None
        loop = asyncio.get_running_loop()
        until = loop.time() + wait
        while True:
            refs = [ref for ref in await self.app.sent.refs_with_tag(tag) if ref.platform == platform.name]
            if refs:
                return platform.message_link(refs[-1])
            if loop.time() >= until or not await self.app.outbox.pending_with_tag(tag, platform.name):
                return None
            await asyncio.sleep(0.05)

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

    async def reply_quiet(self, content: Content) -> MessageRef | None:
        """An answer for the speaker alone where the platform can (see Responder.reply_quiet)."""
        return await self.responder.reply_quiet(_message(content), zone=self.zone)

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
