"""Incoming Telegram updates -> the core's neutral calls: commands, button presses, reaction events."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from telegram import Chat, Message, MessageReactionUpdated, ReactionTypeEmoji, Update, User
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

from bot.commands import command_target
from bot.models import (
    Account,
    ButtonPress,
    ChatRef,
    IncomingFile,
    Invocation,
    MessageRef,
    ReactionEvent,
    ReplyEvent,
)
from bot.platforms.telegram_topics import topic_of
from bot.welcome import welcome

if TYPE_CHECKING:
    from bot.app import App
    from bot.platforms.telegram_platform import TelegramPlatform

log = logging.getLogger(__name__)
PLATFORM = "telegram"
GROUP_ANONYMOUS_BOT = 1087968824  # the sender Telegram shows for an admin posting as the group


def display_name(user: User) -> str:
    return user.full_name or user.username or str(user.id)


def chat_ref(chat: Chat, topic: int | None = None) -> ChatRef:
    private = chat.type == Chat.PRIVATE
    title = (chat.full_name if private else chat.title) or ""
    return ChatRef(PLATFORM, str(chat.id), private, title, None if topic is None else str(topic))


def space_of(chat: Chat) -> str | None:
    return None if chat.type == Chat.PRIVATE else str(chat.id)


class AdminCache:
    """Who administers which chat (getChatAdministrators), kept for a short while per chat."""

    def __init__(self, platform: TelegramPlatform) -> None:
        self.platform = platform
        self._admins: dict[int, tuple[float, set[int]]] = {}

    def forget(self, chat_id: int) -> None:
        self._admins.pop(chat_id, None)

    async def is_admin(self, chat: Chat, user_id: int) -> bool:
        settings = self.platform.settings
        if str(user_id) in settings.admins:
            return True
        if chat.type == Chat.PRIVATE:
            return False  # no chat admins in a private chat: only configured admins
        cached = self._admins.get(chat.id)
        if cached is None or cached[0] < time.monotonic():
            try:
                members = await self.platform.bot.get_chat_administrators(chat.id)
            except TelegramError as exc:
                log.warning("cannot read the administrators of chat %s: %s", chat.id, exc)
                return False
            cached = (time.monotonic() + settings.admin_cache_seconds, {m.user.id for m in members})
            self._admins[chat.id] = cached
        return user_id in cached[1]


class UpdateRouter:
    def __init__(self, app: App, platform: TelegramPlatform) -> None:
        self.app = app
        self.platform = platform
        self.admins = AdminCache(platform)

    async def handle(self, update: Update) -> None:
        if update.message is not None:
            await self.message(update.message)
        elif update.callback_query is not None:
            await self.callback_query(update)
        elif update.message_reaction is not None:
            await self.reaction(update.message_reaction)
        elif update.message_reaction_count is not None:
            # Anonymous totals (channels, anonymous admins): no person to credit a vote to.
            log.debug("ignoring anonymous reaction counts on message %s",
                      update.message_reaction_count.message_id)
        elif update.my_chat_member is not None:
            await self.membership(update)

    # -- commands --------------------------------------------------------------------------------------------

    async def message(self, message: Message) -> None:
        self.platform.topics.learn(message)
        text = message.text or message.caption or ""
        user = message.from_user
        if user is None or user.is_bot and user.id != GROUP_ANONYMOUS_BOT:
            return
        private = message.chat.type == Chat.PRIVATE
        if not text.startswith("/"):
            if not private and user.id != GROUP_ANONYMOUS_BOT:
                await self.reply(message, user)
            if private and message.text:  # a private chat is a conversation with the bot: point the way
                await self._invoke(message, user, text)
            return
        target = command_target(text)
        if target is not None and target.lower() != (self.platform.bot.username or "").lower():
            return  # addressed to another bot in the same group
        payload = _start_payload(text) if private else None
        if payload is not None and await self.platform.resume(user.id, payload):
            return  # they came by a deep link: what was held for them is their answer
        await self._invoke(message, user, text)

    async def _invoke(self, message: Message, user: User, text: str) -> None:
        chat = message.chat
        is_admin = await self.admins.is_admin(chat, user.id) or (
            message.sender_chat is not None and message.sender_chat.id == chat.id)  # an anonymous admin
        topic = topic_of(message)
        responder = self.platform.responder(chat, user, display_name(user), topic, message.message_id)
        await self.app.dispatcher.command(Invocation(
            account=Account(PLATFORM, str(user.id)), display_name=display_name(user), chat=chat_ref(chat, topic),
            responder=responder, text=text, is_admin=is_admin, space=space_of(chat),
            attachment=await self._attachment(message), handle=user.username))

    async def _attachment(self, message: Message) -> IncomingFile | None:
        document = message.document
        if document is None:
            return None
        try:
            file = await document.get_file()
            data = bytes(await file.download_as_bytearray())
        except TelegramError as exc:  # too big for the Bot API (20 MB) or gone: the command asks for it again
            log.warning("cannot download %s from chat %s: %s", document.file_name, message.chat.id, exc)
            return None
        return IncomingFile(document.file_name or "file", data)

    async def reply(self, message: Message, user: User) -> None:
        """A group message answering another (a film's card, or a reply to it) joins that discussion. A
        topic's plain message points at the topic's first message (not a reply); one with no
        reply_to_message (its parent deleted, or none) is chatter. Nothing here answers anybody."""
        parent = message.reply_to_message
        if parent is None or parent.forum_topic_created is not None:
            return
        chat = str(message.chat.id)
        await self.app.dispatcher.reply(ReplyEvent(
            MessageRef(PLATFORM, chat, str(message.message_id)), MessageRef(PLATFORM, chat, str(parent.message_id)),
            Account(PLATFORM, str(user.id)), display_name(user), at=message.date, space=space_of(message.chat),
            parent_buttons=await self._buttons_of(parent)))

    async def _buttons_of(self, message: Message) -> tuple[str, ...]:
        """The custom ids behind a bot message's inline keyboard (shortened ones looked up)."""
        author, markup = message.from_user, message.reply_markup
        if author is None or author.id != self.platform.bot.id or markup is None:
            return ()
        data = [str(button.callback_data) for row in markup.inline_keyboard for button in row
                if isinstance(button.callback_data, str)]
        return tuple([await self.platform.inbox.expand(item) for item in data])

    # -- buttons ---------------------------------------------------------------------------------------------

    async def callback_query(self, update: Update) -> None:
        query = update.callback_query
        assert query is not None
        message = query.message
        if message is None or query.data is None:
            await query.answer()  # a button under an inline-mode message: the bot never sends those
            return
        chat, user = message.chat, query.from_user
        custom_id = await self.platform.inbox.expand(query.data)
        thread = topic_of(message) if isinstance(message, Message) else None
        # The press is answered by the handler's private answer (a toast: "your vote is counted"), or
        # without text once it is done, so the button's spinner always stops.
        responder = self.platform.responder(chat, user, display_name(user), thread, query_id=query.id)
        try:
            await self.app.dispatcher.button(ButtonPress(
                Account(PLATFORM, str(user.id)), display_name(user), chat_ref(chat, thread),
                MessageRef(PLATFORM, str(chat.id), str(message.message_id)), custom_id, responder,
                is_admin=await self.admins.is_admin(chat, user.id), space=space_of(chat)))
        finally:
            await responder.toast(None, "UTC")

    # -- reactions -------------------------------------------------------------------------------------------

    async def reaction(self, event: MessageReactionUpdated) -> None:
        user = event.user
        if user is None:
            # Anonymous admins react as the chat (actor_chat): no person to credit the vote to.
            log.debug("ignoring an anonymous reaction on message %s", event.message_id)
            return
        old, new = _emojis(event.old_reaction), _emojis(event.new_reaction)
        ref = MessageRef(PLATFORM, str(event.chat.id), str(event.message_id))
        account, name = Account(PLATFORM, str(user.id)), display_name(user)
        changes = [(emoji, False) for emoji in old if emoji not in new]
        changes += [(emoji, True) for emoji in new if emoji not in old]
        for emoji, added in changes:
            # The update's own date: replayed after downtime, a vote still counts by when it was made.
            await self.app.dispatcher.reaction(ReactionEvent(ref, account, name, emoji, added, at=event.date,
                                                             space=space_of(event.chat)))

    # -- membership ------------------------------------------------------------------------------------------

    async def membership(self, update: Update) -> None:
        changed = update.my_chat_member
        assert changed is not None
        chat = changed.chat
        self.admins.forget(chat.id)  # promoted or demoted: read the admin list afresh
        if chat.type == Chat.PRIVATE:
            return
        joined = changed.new_chat_member.status in (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR)
        was_in = changed.old_chat_member.status in (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR,
                                                    ChatMemberStatus.OWNER)
        if joined:
            # Added to a group: it becomes a community (or joins its configured one) and hears announcements.
            await self.app.directory.community_for_space(PLATFORM, str(chat.id), chat.title or "")
        if joined and not was_in:  # added, not promoted: say hello once
            await welcome(self.app, PLATFORM, str(chat.id), chat.title or "", chat.title or str(chat.id))


def _emojis(reactions: tuple[object, ...]) -> list[str]:
    # Custom and paid reactions carry no emoji a cog could match on; they are left out.
    return [reaction.emoji for reaction in reactions if isinstance(reaction, ReactionTypeEmoji)]


def _start_payload(text: str) -> str | None:
    """The deep-link payload of `/start <payload>` (t.me/<bot>?start=<payload> arrives so), else None."""
    parts = text.split()
    if len(parts) == 2 and parts[0].split("@", 1)[0] == "/start":
        return parts[1]
    return None
