"""Telegram through python-telegram-bot, run inside the App's event loop with the explicit lifecycle.

start(): initialize, replay the inbox's unfinished updates, publish the menu, start polling (or the webhook),
start the Application. stop(): the same in reverse. Every update goes through the SQLite inbox (see
telegram_inbox) and then one TypeHandler hands it to UpdateRouter, which speaks to the core.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from telegram import Bot, Chat, InlineKeyboardMarkup, Update, User
from telegram import Message as TgMessage
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.config import Config, ConfigError, TelegramSettings
from bot.models import Link, Message, MessageRef
from bot.platform import DeliveryError
from bot.platforms import telegram_menu, telegram_render
from bot.platforms.telegram_events import PLATFORM, UpdateRouter
from bot.platforms.telegram_inbox import Inbox, InboxQueue
from bot.storage import apply_migrations

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "telegram_migrations"
# message_reaction and message_reaction_count are left out by Telegram unless asked for by name.
ALLOWED_UPDATES = ["message", "callback_query", "message_reaction", "message_reaction_count",
                   "my_chat_member"]
MAX_REPLAYS = 3  # an update that crashed the process this often is given up (logged, marked done)
PtbApp = Application[Any, Any, Any, Any, Any, Any]


def create(config: Config) -> TelegramPlatform:
    if not config.telegram_token:
        raise ConfigError("MICROFILM_TELEGRAM_TOKEN is not set")
    return TelegramPlatform(config.telegram_token, config.telegram)


class TelegramPlatform:
    name = PLATFORM

    def __init__(self, token: str, settings: TelegramSettings) -> None:
        self.settings = settings
        self.queue = InboxQueue()
        builder = (ApplicationBuilder().token(token).base_url(settings.base_url)
                   .base_file_url(settings.base_file_url).update_queue(self.queue)
                   .rate_limiter(AIORateLimiter(overall_max_rate=settings.overall_max_rate,
                                                group_max_rate=settings.group_max_rate,
                                                max_retries=settings.max_retries)))
        self.application: PtbApp = builder.build()
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self._app: App | None = None
        self._running = False

    @property
    def bot(self) -> Bot:
        return self.application.bot

    @property
    def app(self) -> App:
        assert self._app is not None, "the Telegram platform is not started"
        return self._app

    # -- lifecycle -------------------------------------------------------------------------------------------

    async def start(self, app: App) -> None:
        self._app = app
        await apply_migrations(app.db, "telegram", MIGRATIONS)
        self.inbox = Inbox(app.db, app.clock)
        self.queue.inbox = self.inbox
        self.router = UpdateRouter(app, self)
        webhook = self.settings.webhook
        secret = _webhook_secret(self.settings) if webhook.enabled else None
        await self.application.initialize()
        try:
            await self.inbox.prune(app.clock.now())
            await self._replay()
            await telegram_menu.publish(app, self.bot)
            updater = self.application.updater
            assert updater is not None
            if webhook.enabled:
                await updater.start_webhook(listen=webhook.listen, port=webhook.port,
                                            url_path=webhook.path.lstrip("/"), webhook_url=webhook.url,
                                            secret_token=secret, allowed_updates=ALLOWED_UPDATES)
            else:
                await updater.start_polling(timeout=int(self.settings.poll_timeout),
                                            allowed_updates=ALLOWED_UPDATES)
            await self.application.start()
        except BaseException:
            await self.stop()
            raise
        self._running = True
        log.info("Telegram: running as @%s (%s)", self.bot.username,
                 "webhook" if webhook.enabled else "polling")

    async def stop(self) -> None:
        """Stop fetching, let queued updates finish, close the HTTP clients; safe when half started."""
        updater = self.application.updater
        if updater is not None and updater.running:
            try:
                await updater.stop()
            except Exception:
                log.exception("Telegram: stopping the updater failed")
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
        self._running = False

    async def _replay(self) -> None:
        """Handle what an earlier run wrote down but did not finish, oldest first, before anything new."""
        for row in await self.inbox.pending():
            if row.attempts >= MAX_REPLAYS:
                log.error("Telegram: giving up update %s after %d attempts", row.update_id, row.attempts)
                await self.inbox.done(row.update_id, "given up after repeated crashes")
                continue
            await self.inbox.attempt(row.update_id)
            update = Update.de_json(row.payload, self.bot)
            log.info("Telegram: replaying update %s from the inbox", row.update_id)
            await self._handle(update)

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._handle(update)

    async def _handle(self, update: Update) -> None:
        error: str | None = None
        try:
            await self.router.handle(update)
        except Exception as exc:  # one bad update must not stop the others
            log.exception("Telegram: handling update %s failed", update.update_id)
            error = repr(exc)[:500]
        await self.inbox.done(update.update_id, error)

    # -- sending ---------------------------------------------------------------------------------------------

    async def send(self, chat_id: str, message: Message, *, zone: str, kind: str | None = None,
                   thread_id: int | None = None) -> MessageRef:
        markup = await self._keyboard(message)
        try:
            sent = await self._send_chunks(int(chat_id), message, zone, markup, thread_id)
        except (Forbidden, BadRequest) as exc:
            log.warning("Telegram: cannot send to chat %s: %s", chat_id, exc)
            raise DeliveryError(f"Telegram refused a message to chat {chat_id}: {exc}",
                                permanent=True) from exc
        except RetryAfter as exc:
            raise DeliveryError(f"Telegram rate limit for chat {chat_id}: {exc}") from exc
        except TelegramError as exc:
            raise DeliveryError(f"Telegram send to chat {chat_id} failed: {exc}") from exc
        return MessageRef(PLATFORM, str(sent.chat_id), str(sent.message_id))

    async def _send_chunks(self, chat_id: int, message: Message, zone: str,
                           markup: InlineKeyboardMarkup | None, thread_id: int | None) -> TgMessage:
        """Text chunks in order, the keyboard on the last; a file last, with the text as caption if short."""
        attachment = message.attachment
        chunks = telegram_render.render_chunks(message, zone)
        caption: str | None = None
        if attachment is not None and len(chunks) == 1 and telegram_render.utf16_len(
                _shown(message, zone)) <= telegram_render.CAPTION_LIMIT:
            caption, chunks = chunks[0], []
        if not chunks and attachment is None:
            chunks = ["…"]  # buttons need some text to hang under
        last: TgMessage | None = None
        for index, chunk in enumerate(chunks):
            final = index == len(chunks) - 1 and attachment is None
            last = await self.bot.send_message(chat_id, chunk, parse_mode=ParseMode.HTML,
                                               reply_markup=markup if final else None,
                                               message_thread_id=thread_id)
        if attachment is not None:
            last = await self.bot.send_document(chat_id, attachment.data, filename=attachment.filename,
                                                caption=caption, parse_mode=ParseMode.HTML,
                                                reply_markup=markup, message_thread_id=thread_id)
        assert last is not None
        return last

    async def send_private(self, user_id: str, message: Message, *, zone: str) -> MessageRef | None:
        try:
            return await self.send(user_id, message, zone=zone)
        except DeliveryError as exc:
            if isinstance(exc.__cause__, Forbidden | BadRequest):
                return None  # never started the bot, or blocked it: nothing reaches them privately
            raise

    async def edit(self, ref: MessageRef, message: Message, *, zone: str) -> None:
        chunks = telegram_render.render_chunks(message, zone) or ["…"]
        markup = await self._keyboard(message)
        try:
            # An edit replaces one message: what does not fit its limit is cut at a line boundary.
            await self.bot.edit_message_text(chunks[0], int(ref.chat_id), int(ref.message_id),
                                             parse_mode=ParseMode.HTML, reply_markup=markup)
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return
            log.warning("Telegram: cannot edit message %s in chat %s: %s", ref.message_id, ref.chat_id, exc)
            raise DeliveryError(f"Telegram refused an edit: {exc}", permanent=True) from exc
        except TelegramError as exc:
            raise DeliveryError(f"Telegram edit failed: {exc}") from exc

    async def recount(self, ref: MessageRef, emoji: str) -> list[str] | None:
        return None  # the Bot API cannot list who reacted; missed reactions come back from the inbox backlog

    async def _keyboard(self, message: Message) -> InlineKeyboardMarkup | None:
        data: dict[str, str] = {}
        for button in message.buttons:
            custom_id = button.custom_id
            fits = telegram_render.fits_callback_data(custom_id)
            data[custom_id] = custom_id if fits else await self.inbox.shorten(custom_id)
        return telegram_render.keyboard(message.buttons, data.__getitem__)

    # -- answering the person who spoke ----------------------------------------------------------------------

    def responder(self, chat: Chat, user: User, name: str, thread_id: int | None) -> TelegramResponder:
        return TelegramResponder(self, chat.id, chat.type == Chat.PRIVATE, user.id, name, thread_id)

    async def start_note(self, chat_id: int, name: str, zone: str) -> None:
        """Tell a group that someone must start a private chat with the bot first, with a deep link."""
        community = await self.app.directory.community_for_space(PLATFORM, str(chat_id))
        t = self.app.translator(community.language)
        link = Link(t.s("telegram.start_link"), f"https://t.me/{self.bot.username}?start=hello")
        await self.send(str(chat_id), Message(t("telegram.start_first", name=name, link=link)), zone=zone)


@dataclass
class TelegramResponder:
    platform: TelegramPlatform
    chat_id: int
    private: bool
    user_id: int
    name: str
    thread_id: int | None

    async def reply(self, message: Message, *, zone: str) -> MessageRef | None:
        return await self.platform.send(str(self.chat_id), message, zone=zone, thread_id=self.thread_id)

    async def reply_private(self, message: Message, *, zone: str) -> MessageRef | None:
        ref = await self.platform.send_private(str(self.user_id), message, zone=zone)
        if ref is None and not self.private:
            await self.platform.start_note(self.chat_id, self.name, zone)
        return ref


def _shown(message: Message, zone: str) -> str:
    return "\n".join(line.plain for line in telegram_render.message_lines(message, zone))


def _webhook_secret(settings: TelegramSettings) -> str:
    name = settings.webhook.secret_token_env
    secret = os.environ.get(name, "")
    if not settings.webhook.url:
        raise ConfigError("telegram.webhook.url is required when telegram.webhook.enabled = true")
    if not secret:
        raise ConfigError(f"telegram.webhook.enabled = true needs a secret token in the environment variable "
                          f"{name} (1-256 characters: A-Z, a-z, 0-9, _ and -)")
    return secret
