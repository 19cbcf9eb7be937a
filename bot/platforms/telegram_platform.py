"""Telegram through python-telegram-bot, run inside the App's event loop with the explicit lifecycle.

start(): initialize, replay the inbox's unfinished updates, publish the menu, apply what Telegram kept
for us while we were away (before the app runs overdue phases), then poll (telegram_poller) or serve the
webhook (telegram_webhook), and start the Application. stop(): the same in reverse. Every update is
written to the SQLite inbox (telegram_inbox) before it is confirmed to Telegram, then one TypeHandler
hands it to UpdateRouter, which speaks to the core.

Sends: Telegram cannot deduplicate a message sent twice. A send that timed out after the request left may
have been posted; it is reported as of unknown outcome, and the outbox waits before sending it again
once. The newest message id known in each chat (the watermark) bounds where such an unrecorded copy is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from telegram import Bot, Chat, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters, Update, User
from telegram import Message as TgMessage
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.config import Config, ConfigError, TelegramSettings
from bot.errors import Failure
from bot.models import ChatName, ChatRef, Message, MessageRef, UserRef
from bot.pacing import Pace, Pacer, Rate
from bot.platform import DeliveryError, Platform, PlatformUnavailable, Refusal, plain_user_ref
from bot.platforms import telegram_menu, telegram_render, telegram_topics
from bot.platforms.telegram_events import PLATFORM, UpdateRouter
from bot.platforms.telegram_held import HeldAnswers
from bot.platforms.telegram_inbox import Inbox
from bot.platforms.telegram_poller import Poller
from bot.platforms.telegram_rights import missing_right
from bot.platforms.telegram_topics import TopicNames, split_target
from bot.platforms.telegram_webhook import WebhookServer
from bot.storage import apply_migrations

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "telegram_migrations"
# message_reaction and message_reaction_count are left out by Telegram unless asked for by name.
ALLOWED_UPDATES = ["message", "callback_query", "message_reaction", "message_reaction_count",
                   "my_chat_member"]
MAX_REPLAYS = 3  # an update that crashed the process this often is given up (logged, marked done)
WEBHOOK_DRAIN_SECONDS = 30.0  # at most this long at start-up for Telegram to hand over what it kept
PtbApp = Application[Any, Any, Any, Any, Any, Any]


def create(config: Config) -> TelegramPlatform:
    if not config.telegram_token:
        raise ConfigError("MICROFILM_TELEGRAM_TOKEN is not set")
    return TelegramPlatform(config.telegram_token, config.telegram)


class TelegramPlatform(Platform):
    name = PLATFORM

    def __init__(self, token: str, settings: TelegramSettings) -> None:
        self.settings = settings
        # No Updater: our poller and webhook write each update down before Telegram is told it arrived.
        builder = (ApplicationBuilder().token(token).base_url(settings.base_url)
                   .base_file_url(settings.base_file_url).updater(None)
                   .rate_limiter(AIORateLimiter(overall_max_rate=settings.overall_max_rate,
                                                group_max_rate=settings.group_max_rate,
                                                max_retries=settings.max_retries)))
        self.application: PtbApp = builder.build()
        self.pacer = Pacer(telegram_pace(settings), chat_of=telegram_topics.chat_of)
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self._app: App | None = None
        self._running = False
        self._draining = False  # at start-up updates are handled as they are taken, in order
        self._drain_lock = asyncio.Lock()
        self._poller: Poller | None = None
        self._poll_task: asyncio.Task[None] | None = None
        self._webhook: WebhookServer | None = None
        self._newest: dict[str, int] = {}  # chat id -> newest message id seen there (the watermark)
        self.topics = TopicNames()

    @property
    def allowed_updates(self) -> list[str]:
        return ALLOWED_UPDATES

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
        self.held = HeldAnswers(app.db, app.clock)
        self.router = UpdateRouter(app, self)
        self._newest = await app.sent.newest_ids(PLATFORM)
        webhook = self.settings.webhook
        secret = _webhook_secret(self.settings) if webhook.enabled else None
        try:
            await self.application.initialize()
        except InvalidToken as exc:
            await self.application.shutdown()
            raise ConfigError("Telegram refused the token in MICROFILM_TELEGRAM_TOKEN; copy it again from "
                              "@BotFather (/token)") from exc
        except (NetworkError, TimedOut) as exc:
            await self.application.shutdown()
            raise PlatformUnavailable(f"cannot reach Telegram at {self.settings.base_url} ({exc}); is the "
                                      "network up, and is [telegram] base_url right?") from exc
        try:
            await self.inbox.prune(app.clock.now())
            await self.held.prune(app.clock.now())
            await self._replay()
            await telegram_menu.publish(app, self.bot)
            self._draining = True
            if webhook.enabled:
                assert secret is not None
                await self._start_webhook(secret)
            else:
                await self._start_polling()
            self._draining = False
            await self.application.start()
        except BaseException:
            await self.stop()
            raise
        self._running = True
        log.info("Telegram: running as @%s (%s)", self.bot.username,
                 "webhook" if webhook.enabled else "polling")

    def disconnected_since(self) -> datetime | None:
        return self._poller.outage if self._poller is not None else None

    async def _start_polling(self) -> None:
        await self.bot.delete_webhook()
        self._poller = Poller(self, self.app, self.take)
        drained = await self._poller.drain()
        if drained:
            log.info("Telegram: applied %d updates kept while the bot was away", drained)
        self._poll_task = asyncio.create_task(self._poller.run(), name="telegram-polling")

    async def _start_webhook(self, secret: str) -> None:
        webhook = self.settings.webhook
        self._webhook = WebhookServer(self, webhook, secret, self.take)
        await self._webhook.start()
        await self.bot.set_webhook(url=webhook.url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
        loop = asyncio.get_running_loop()
        until = loop.time() + WEBHOOK_DRAIN_SECONDS
        while loop.time() < until and (await self.bot.get_webhook_info()).pending_update_count:
            await asyncio.sleep(0.2)  # Telegram is still handing over what it kept

    async def take(self, update: Update, raw: dict[str, Any]) -> None:
        """Write an update down (raising if the inbox cannot be written), then handle or queue it."""
        if not await self.inbox.record(update.update_id, raw):
            return  # seen before: handled (or being handled) already
        self._saw(update)
        if self._draining:
            async with self._drain_lock:  # the backlog is applied one update after another
                await self._handle(update)
        else:
            await self.application.update_queue.put(update)

    async def pause(self) -> None:
        """Stop taking updates (what was taken stays in the inbox); sending goes on until stop()."""
        if self._poller is not None:
            self._poller.stopping = True
        if self._poll_task is not None:
            self._poll_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._poll_task
            self._poll_task = None
            await self._confirm()
        if self._webhook is not None:
            await self._webhook.stop()
            self._webhook = None

    async def stop(self) -> None:
        """Let queued updates finish, close the HTTP clients; safe when half started."""
        await self.pause()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
        self._running = False

    async def _confirm(self) -> None:
        """Tell Telegram every update taken so far arrived (one last short getUpdates)."""
        if self._poller is None or self._poller.offset is None:
            return
        try:
            await self.bot.get_updates(offset=self._poller.offset, timeout=0, allowed_updates=ALLOWED_UPDATES)
        except Exception as exc:  # they are in the inbox: fetched again, they are dropped as seen
            log.info("Telegram: could not confirm the last updates on stop: %s", exc)

    async def _replay(self) -> None:
        """Handle what an earlier run wrote down but did not finish, oldest first, before anything new."""
        for row in await self.inbox.pending():
            if row.attempts >= MAX_REPLAYS:
                log.error("Telegram: giving up update %s after %d attempts", row.update_id, row.attempts)
                await self.inbox.done(row.update_id, "given up after repeated crashes")
                continue
            if not await self.inbox.attempt(row.update_id):
                continue  # another worker starting at the same time took it
            update = Update.de_json(row.payload, self.bot)
            log.info("Telegram: replaying update %s from the inbox", row.update_id)
            await self._handle(update)

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._handle(update)

    def _saw(self, update: Update) -> None:
        message = update.effective_message
        chat = update.effective_chat
        if message is not None and chat is not None:
            self._note_newest(str(chat.id), message.message_id)
        elif update.message_reaction is not None:
            self._note_newest(str(update.message_reaction.chat.id), update.message_reaction.message_id)

    def _note_newest(self, chat_id: str, message_id: int) -> None:
        if message_id > self._newest.get(chat_id, 0):
            self._newest[chat_id] = message_id

    def parse_user(self, text: str) -> UserRef:
        """`@username` is a Telegram username; digits a user id; a `tg://user?id=` link names the account."""
        value = text.strip()
        if value.startswith("tg://user?id=") and value.removeprefix("tg://user?id=").isdigit():
            return UserRef(user_id=value.removeprefix("tg://user?id="))
        return plain_user_ref(value)

    def message_link(self, ref: MessageRef) -> str | None:
        """Supergroups (ids -100…) have t.me/c links, opened by their members; basic groups have none."""
        if ref.chat_id.startswith("-100"):
            return f"https://t.me/c/{ref.chat_id.removeprefix('-100')}/{ref.message_id}"
        return None

    def watermark(self, chat_id: str) -> str | None:
        newest = self._newest.get(str(split_target(chat_id)[0]))
        return None if newest is None else str(newest)

    def announce_target(self, chat: ChatRef) -> str:
        return telegram_topics.target(chat.chat_id, chat.topic)

    async def chat_label(self, target: str, kind: str | None = None) -> ChatName:
        """The group's title, and the topic's name where a message in it was seen (else its number)."""
        chat, thread = split_target(target)
        title = await self._chat_title(str(chat))
        if thread is None:
            return ChatName(target, title)
        return ChatName(target, f"{title} › {self.topics.name(chat, thread) or f'#{thread}'}")

    async def _handle(self, update: Update) -> None:
        error: str | None = None
        try:
            await self.router.handle(update)
        except Exception as exc:  # one bad update must not stop the others
            await self.app.on_error(exc, Failure("update", str(update.update_id), platform=PLATFORM))
            error = repr(exc)[:500]
        await self.inbox.done(update.update_id, error)

    # -- sending ---------------------------------------------------------------------------------------------

    async def send(self, chat_id: str, message: Message, *, zone: str, kind: str | None = None,
                   nonce: str | None = None, where: Where | None = None) -> MessageRef:
        markup = await self._keyboard(message)
        chat, topic = split_target(chat_id)  # an announcement for a forum topic goes into that topic
        try:
            sent = await self._send_chunks(chat, message, zone, markup, where or Where(topic))
        except (Forbidden, BadRequest) as exc:
            log.warning("Telegram: cannot send to chat %s: %s", chat_id, exc)
            right = missing_right(str(exc))
            raise DeliveryError(f"Telegram refused a message to chat {chat_id}: {exc}", permanent=True,
                                refusal=Refusal(await self._chat_title(str(chat)), chat_id, right) if right else None,
                                ) from exc
        except RetryAfter as exc:
            raise DeliveryError(f"Telegram rate limit for chat {chat_id}: {exc}") from exc
        except TelegramError as exc:
            raise DeliveryError(f"Telegram send to chat {chat_id} failed: {exc}",
                                uncertain=outcome_unknown(exc)) from exc
        self._note_newest(str(sent.chat_id), sent.message_id)
        return MessageRef(PLATFORM, str(sent.chat_id), str(sent.message_id))

    async def _chat_title(self, chat_id: str) -> str:
        """The chat's title as its members see it, or its id if Telegram will not say (the bot was removed)."""
        try:
            chat = await self.bot.get_chat(int(chat_id))
        except TelegramError:
            return chat_id
        return chat.title or chat_id

    async def _send_chunks(self, chat_id: int, message: Message, zone: str,
                           markup: InlineKeyboardMarkup | None, where: Where) -> TgMessage:
        """Text chunks in order, the keyboard on the last part; the files last (a card's picture, then the
        attachment), the text as the first one's caption if short. The first part answers the message
        `where` names (a reply), every part stays in its topic."""
        files = [item for item in (message.card.image if message.card else None, message.attachment) if item]
        chunks = telegram_render.render_chunks(message, zone)
        caption: str | None = None
        if files and len(chunks) == 1 and telegram_render.utf16_len(
                _shown(message, zone)) <= telegram_render.CAPTION_LIMIT:
            caption, chunks = chunks[0], []
        if not chunks and not files:
            chunks = ["…"]  # buttons need some text to hang under
        last: TgMessage | None = None
        for index, chunk in enumerate(chunks):
            final = index == len(chunks) - 1 and not files
            await self._pace(chat_id)
            last = await self.bot.send_message(chat_id, chunk, parse_mode=ParseMode.HTML,
                                               reply_markup=markup if final else None,
                                               **where.kwargs(first=last is None))
        for index, attachment in enumerate(files):
            await self._pace(chat_id)
            send_file = self.bot.send_photo if attachment.mime_type.startswith("image/") else self.bot.send_document
            last = await send_file(chat_id, attachment.data, filename=attachment.filename,
                                   caption=caption if index == 0 else None, parse_mode=ParseMode.HTML,
                                   reply_markup=markup if index == len(files) - 1 else None,
                                   **where.kwargs(first=last is None))
        assert last is not None
        return last

    async def _pace(self, chat_id: int | str) -> None:
        """Wait for this chat's turn by Telegram's published limits (a user's id is their private chat's)."""
        if self.pacer is not None:
            await self.pacer.acquire(str(chat_id), int(chat_id) > 0)

    async def send_private(self, user_id: str, message: Message, *, zone: str,
                           nonce: str | None = None) -> MessageRef | None:
        try:
            return await self.send(user_id, message, zone=zone)
        except DeliveryError as exc:
            if isinstance(exc.__cause__, Forbidden | BadRequest):
                return None  # never started the bot, or blocked it: nothing reaches them privately
            raise

    async def edit(self, ref: MessageRef, message: Message, *, zone: str) -> None:
        chunks = telegram_render.render_chunks(message, zone) or ["…"]
        markup = await self._keyboard(message)
        await self._pace(ref.chat_id)
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
        buttons = message.all_buttons + ((message.card.discuss,) if message.card and message.card.discuss else ())
        for button in buttons:
            custom_id = button.custom_id
            fits = telegram_render.fits_callback_data(custom_id)
            data[custom_id] = custom_id if fits else await self.inbox.shorten(custom_id)
        return telegram_render.keyboard(buttons, data.__getitem__)

    # -- answering the person who spoke ----------------------------------------------------------------------

    def responder(self, chat: Chat, user: User, name: str, thread_id: int | None = None,
                  reply_to: int | None = None, query_id: str | None = None) -> TelegramResponder:
        return TelegramResponder(self, chat.id, chat.type == Chat.PRIVATE, user.id, name,
                                 Where(thread_id, None if chat.type == Chat.PRIVATE else reply_to), query_id)

    async def start_note(self, responder: TelegramResponder, message: Message, zone: str) -> None:
        """Someone must open a private chat with the bot before it can answer them there: keep the answer,
        and give them (in the group, quietly, not saying what it is) a button that opens that chat and
        brings it: t.me/<bot>?start=<payload>."""
        payload = await self.held.hold(str(responder.user_id), message, zone)
        community = await self.app.directory.community_for_space(PLATFORM, str(responder.chat_id))
        t = self.app.translator(community.language)
        button = InlineKeyboardButton(t.s("telegram.start_button"),
                                      url=f"https://t.me/{self.bot.username}?start={payload}")
        note = telegram_render.render_chunks(Message(t("telegram.start_first", name=responder.name)), zone)[0]
        await self._pace(responder.chat_id)
        await self.bot.send_message(responder.chat_id, note, parse_mode=ParseMode.HTML,
                                    reply_markup=InlineKeyboardMarkup([[button]]),
                                    **replace(responder.where, silent=True).kwargs(first=True))

    async def resume(self, user_id: int, payload: str) -> bool:
        """`/start <payload>` from a deep link: send what was held for them; False if nothing was."""
        held = await self.held.take(str(user_id), payload)
        for item in held:
            await self.send(str(user_id), item.message, zone=item.zone)
        return bool(held)


@dataclass(frozen=True)
class Where:
    """Where in a chat an answer goes: the forum topic it was asked in, in reply to the asking message
    (a group only; a private chat is one conversation), silently for a note to one person."""

    thread_id: int | None = None
    reply_to: int | None = None
    silent: bool = False

    def kwargs(self, *, first: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"message_thread_id": self.thread_id}
        if first and self.reply_to is not None:
            # The asking message may be deleted by then: the answer still goes, just not as a reply.
            out["reply_parameters"] = ReplyParameters(self.reply_to, allow_sending_without_reply=True)
        if self.silent:
            out["disable_notification"] = True
        return out


@dataclass
class TelegramResponder:
    platform: TelegramPlatform
    chat_id: int
    private: bool
    user_id: int
    name: str
    where: Where
    query_id: str | None = None  # the button press being answered, until its toast is shown

    async def reply(self, message: Message, *, zone: str) -> MessageRef | None:
        return await self.platform.send(str(self.chat_id), message, zone=zone, where=self.where)

    async def toast(self, message: Message | None, zone: str) -> bool:
        """Answer the button press: with `message` as its toast when it is short text, else just stop
        the button's spinner. True when `message` was shown."""
        if self.query_id is None:
            return False
        query_id, self.query_id = self.query_id, None
        text = _shown(message, zone) if message is not None and telegram_render.fits_toast(message) else None
        try:
            await self.platform.bot.answer_callback_query(query_id, text=text)
        except TelegramError as exc:  # too late (15 s): the spinner stopped by itself
            log.info("could not answer callback query %s: %s", query_id, exc)
            return False
        return text is not None

    async def reply_quiet(self, message: Message, *, zone: str) -> MessageRef | None:
        """Telegram has no message only one person sees in a group: a reply to theirs, without a ping."""
        return await self.platform.send(str(self.chat_id), message, zone=zone,
                                        where=replace(self.where, silent=True))

    async def reply_private(self, message: Message, *, zone: str) -> MessageRef | None:
        """To a button press: the toast above the chat (what a vote did); otherwise a private message."""
        if await self.toast(message, zone):
            return None
        ref = await self.platform.send_private(str(self.user_id), message, zone=zone)
        if ref is None and not self.private:
            await self.platform.start_note(self, message, zone)
        return ref

    async def update(self, ref: MessageRef, message: Message, *, zone: str) -> None:
        await self.platform.edit(ref, message, zone=zone)


def outcome_unknown(exc: TelegramError) -> bool:
    """Whether a failed request may still have been carried out: it left, and no answer came back. A
    connection never made, or an error Telegram answered with, means it was not."""
    cause = exc.__cause__
    if isinstance(exc, TimedOut):
        return not isinstance(cause, httpx.ConnectTimeout | httpx.PoolTimeout)
    if isinstance(exc, NetworkError) and isinstance(cause, httpx.HTTPError):
        return not isinstance(cause, httpx.ConnectError)
    return False


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


def telegram_pace(settings: TelegramSettings) -> Pace:
    """Telegram's published numbers: about one message a second in a chat, 20 a minute in a group, 30 a
    second overall."""
    per_chat = (Rate(1, 1.0 / settings.chat_max_rate),) if settings.chat_max_rate > 0 else ()
    per_group = (Rate(max(1, round(settings.group_max_rate)), 60.0),) if settings.group_max_rate > 0 else ()
    overall = Rate(max(1, round(settings.overall_max_rate)), 1.0) if settings.overall_max_rate > 0 else None
    return Pace(chat=per_chat + per_group, private=per_chat, overall=overall)
