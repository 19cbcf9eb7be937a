"""The real python-telegram-bot 22 against FakeTelegram, with the explicit lifecycle in the test's loop.

Most tests start an Application the way the bot does (initialize, updater.start_polling, start) and
stop it the same way; a few check the fake's own rules over plain HTTP, without PTB.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import socket
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    ChatMemberAdministrator,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    ReactionTypeEmoji,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    MessageReactionHandler,
    Updater,
    filters,
)

from bot.testing.fakes.telegram_html import HtmlParseError, parse_html
from bot.testing.fakes.telegram_methods import image_size
from bot.testing.fakes.telegram_server import FakeTelegram, RecordedRequest

pytestmark = pytest.mark.timeout(20)

# Real Update payloads (see tests/fixtures/README.md).
FIXTURE_DIRS = [Path(__file__).parent / "fixtures" / "telegram"]
FIXTURES = next((d for d in FIXTURE_DIRS if d.is_dir()), None)

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]
Handlers = Sequence[BaseHandler[Any, Any, Any]]
App = Application[Any, Any, Any, Any, Any, Any]
JSON = dict[str, Any]


class Seen:
    """Records which handler got which update, so tests can await a handler instead of sleeping."""

    def __init__(self) -> None:
        self.updates: list[tuple[str, Update]] = []
        self._changed = asyncio.Event()

    def handler(self, name: str, then: Callback | None = None) -> Callback:
        async def callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            self.updates.append((name, update))
            self._changed.set()
            if then is not None:
                await then(update, context)

        return callback

    def names(self) -> list[str]:
        return [name for name, _ in self.updates]

    async def wait(self, name: str, count: int = 1, timeout: float = 5) -> Update:
        """The count-th update the named handler got, waiting for it if need be."""
        async def nth() -> Update:
            while True:
                matching = [update for seen_name, update in self.updates if seen_name == name]
                if len(matching) >= count:
                    return matching[count - 1]
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(nth(), timeout)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


def build_app(fake: FakeTelegram, rate_limiter: AIORateLimiter | None = None) -> App:
    builder = ApplicationBuilder().token(fake.token).base_url(fake.base_url).base_file_url(fake.base_file_url)
    if rate_limiter is not None:
        return builder.rate_limiter(rate_limiter).build()
    return builder.build()


def updater(app: App) -> Updater:
    assert app.updater is not None  # ApplicationBuilder always makes one unless told not to
    return app.updater


async def stop_app(app: App) -> None:
    """The stop half of the explicit lifecycle, mirror image of the start."""
    await updater(app).stop()
    await app.stop()
    await app.shutdown()


@contextlib.asynccontextmanager
async def running_bot(fake: FakeTelegram, handlers: Handlers = (), *,
                      allowed_updates: Sequence[str] | None = None,
                      rate_limiter: AIORateLimiter | None = None) -> AsyncIterator[App]:
    """A polling Application (10 s long polls, PTB's default) whose handler errors fail the test."""
    app = build_app(fake, rate_limiter)
    errors: list[object] = []

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        errors.append(context.error)

    for handler in handlers:
        app.add_handler(handler)
    app.add_error_handler(on_error)
    await app.initialize()
    await updater(app).start_polling(timeout=10, allowed_updates=allowed_updates)
    await app.start()
    try:
        yield app
    finally:
        await stop_app(app)
    assert not errors, errors


def reply_with(text: str, **kwargs: Any) -> Callback:
    async def callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(text, **kwargs)

    return callback


# -- start-up, commands, HTML ------------------------------------------------------------------


async def test_startup_calls_getme_and_deletewebhook_then_long_polls(fake: FakeTelegram) -> None:
    async with running_bot(fake) as app:
        poll = await fake.wait_for_call("getUpdates")
        assert [r.method for r in fake.requests[:3]] == ["getMe", "deleteWebhook", "getUpdates"]
        assert poll.params["timeout"] == 10 and poll.status is None  # still waiting: a long poll
        assert app.bot.username == fake.bot_user["username"]
        assert app.bot.id == 123456  # the token's prefix, as on Telegram


async def test_command_handler_answers_and_the_fake_stores_the_reply(fake: FakeTelegram) -> None:
    group, alice = fake.add_group("Microfilm makers"), fake.add_user("Alice", "alice")
    seen = Seen()

    async def greet(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.effective_user is not None
        await update.message.reply_text(f"Hello {update.effective_user.first_name}", do_quote=False)

    async with running_bot(fake, [CommandHandler("hello", seen.handler("hello", greet))]):
        sent = fake.send_text(group, alice, "/hello@microfilm_test_bot")
        call = await fake.wait_for_call("sendMessage")
        update = await seen.wait("hello")

    assert update.message is not None and update.message.entities[0].length == len(sent["message"]["text"])
    assert call.ok and call.params == {"chat_id": group["id"], "text": "Hello Alice"}
    reply = fake.bot_messages(group)[-1]
    assert reply["text"] == "Hello Alice" and reply["from"]["is_bot"]
    assert reply["message_id"] == sent["message"]["message_id"] + 1  # one counter per chat


async def test_html_with_escaped_user_text_is_accepted_and_invalid_html_rejected(fake: FakeTelegram) -> None:
    group, alice = fake.add_group("Makers"), fake.add_user("Alice")

    async def echo_bold(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and context.args is not None
        user_text = " ".join(context.args)
        await update.message.reply_text(f"<b>{html.escape(user_text)}</b>", parse_mode=ParseMode.HTML)

    async with running_bot(fake, [CommandHandler("echo", echo_bold)]) as app:
        fake.send_text(group, alice, "/echo <b>&")
        call = await fake.wait_for_call("sendMessage")
        assert call.params["text"] == "<b>&lt;b&gt;&amp;</b>" and call.ok
        reply = fake.bot_messages(group)[-1]
        assert reply["text"] == "<b>&"
        assert reply["entities"] == [{"type": "bold", "offset": 0, "length": 4}]

        for bad in ("<b>unclosed", "<b>a < b</b>", "<p>paragraph</p>", "<b><i>crossed</b></i>"):
            with pytest.raises(BadRequest, match="(?i)can't parse entities"):
                await app.bot.send_message(group["id"], bad, parse_mode=ParseMode.HTML)
        assert [r.status for r in fake.calls("sendMessage")[1:]] == [400] * 4


async def test_message_length_is_counted_in_utf16_after_entity_parsing(fake: FakeTelegram) -> None:
    group = fake.add_group("Makers")
    async with running_bot(fake) as app:
        await app.bot.send_message(group["id"], "<b>" + "a" * 4096 + "</b>", parse_mode=ParseMode.HTML)
        with pytest.raises(BadRequest, match="(?i)message is too long"):
            await app.bot.send_message(group["id"], "a" * 4097)
        # 2,048 emoji are 4,096 UTF-16 code units; one more is too long although len() is 2,049.
        await app.bot.send_message(group["id"], "🎬" * 2048)
        with pytest.raises(BadRequest, match="(?i)message is too long"):
            await app.bot.send_message(group["id"], "🎬" * 2049)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("é<br>", 'Unsupported start tag "br" at byte offset 2'),  # offsets are UTF-8 bytes
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
def test_html_errors_read_like_telegrams(text: str, error: str) -> None:
    with pytest.raises(HtmlParseError) as caught:
        parse_html(text)
    assert str(caught.value) == error


def test_html_entities_and_bare_ampersand() -> None:
    assert parse_html("Tom &amp; Jerry &lt;3 &#127909;") == ("Tom & Jerry <3 🎥", [])
    # Telegram keeps an "&" that starts no entity as text; strict mode flags it as unescaped input.
    assert parse_html("R&D") == ("R&D", [])
    with pytest.raises(HtmlParseError, match="Unescaped"):
        parse_html("R&D", strict_ampersand=True)
    assert parse_html('<pre><code class="language-python">x</code></pre><a href="https://a.b/?q=1&amp;r=2">l</a>')[
        1
    ] == [{"type": "pre", "language": "python", "offset": 0, "length": 1},
          {"type": "text_link", "url": "https://a.b/?q=1&r=2", "offset": 1, "length": 1}]


# -- buttons and reactions ---------------------------------------------------------------------


async def test_button_press_reaches_callback_query_handler_and_is_answered(fake: FakeTelegram) -> None:
    group, alice = fake.add_group("Makers"), fake.add_user("Alice", "alice")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("👍 Vote", callback_data="vote:1")]])
    seen = Seen()

    async def on_vote(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer("Counted")
        await update.callback_query.edit_message_text("Thanks for voting")

    handlers: Handlers = [CommandHandler("poll", reply_with("Vote now", reply_markup=keyboard)),
                CallbackQueryHandler(seen.handler("vote", on_vote), pattern=r"^vote:")]
    async with running_bot(fake, handlers):
        fake.send_text(group, alice, "/poll")
        await fake.wait_for_call("sendMessage")
        poll_message = fake.bot_messages(group)[-1]
        assert poll_message["reply_markup"] == keyboard.to_dict()  # the full Message comes back
        pressed = fake.press_button(group, alice, poll_message["message_id"], "vote:1")
        answer = await fake.wait_for_call("answerCallbackQuery")
        await fake.wait_for_call("editMessageText")
        update = await seen.wait("vote")

    query_id = pressed["callback_query"]["id"]
    assert update.callback_query is not None and update.callback_query.data == "vote:1"
    assert update.callback_query.message is not None and update.callback_query.message.chat.id == group["id"]
    assert answer.params == {"callback_query_id": query_id, "text": "Counted"}
    assert fake.callback_answer(query_id) == {"answered": True, "text": "Counted"}
    edited = fake.bot_messages(group)[-1]
    assert edited["text"] == "Thanks for voting" and "reply_markup" not in edited  # edits drop the keyboard


@pytest.mark.parametrize(
    ("allowed_updates", "bot_is_admin", "delivered"),
    [
        ([Update.MESSAGE, Update.MESSAGE_REACTION], True, True),
        (None, True, False),  # PTB's default: Telegram's default set, which has no reactions
        ([Update.MESSAGE, Update.MESSAGE_REACTION], False, False),  # groups report reactions to admins only
    ],
)
async def test_reactions_arrive_only_when_asked_for(fake: FakeTelegram, allowed_updates: list[str] | None,
                                                    bot_is_admin: bool, delivered: bool) -> None:
    group, alice = fake.add_group("Makers"), fake.add_user("Alice")
    fake.set_admins(group, [fake.bot_user] if bot_is_admin else [])
    seen = Seen()
    handlers: Handlers = [MessageReactionHandler(seen.handler("reaction")),
                MessageHandler(filters.TEXT, seen.handler("text"))]
    async with running_bot(fake, handlers, allowed_updates=allowed_updates):
        await fake.wait_for_call("getUpdates")  # allowed_updates is on the server from here on
        # Commands, so that the non-admin bot gets them too despite privacy mode.
        posted = fake.send_text(group, alice, "/submit my new short film")["message"]
        await seen.wait("text")
        fake.react(group, alice, posted["message_id"], "🔥")
        fake.send_text(group, alice, "/ping after the reaction")  # updates are handled in order
        await seen.wait("text", count=2)

    assert seen.names() == (["text", "reaction", "text"] if delivered else ["text", "text"])
    if delivered:
        reaction = seen.updates[1][1].message_reaction
        assert reaction is not None and reaction.new_reaction == (ReactionTypeEmoji("🔥"),)
    else:
        assert fake.dropped_updates[-1].update["message_reaction"]["message_id"] == posted["message_id"]


async def test_reaction_helpers_build_updates_shaped_like_real_ones(fake: FakeTelegram) -> None:
    group, alice = fake.add_group("Makers"), fake.add_user("Alice")
    fake.set_admins(group, [fake.bot_user])
    fake.updates.set_allowed([Update.MESSAGE_REACTION, Update.MESSAGE_REACTION_COUNT])
    first = fake.react(group, alice, 7, "👍")["message_reaction"]
    second = fake.react(group, alice, 7, None)["message_reaction"]  # `old` comes from the fake's memory
    counts = fake.react_count(group, 7, {"👍": 2, "🔥": 1})["message_reaction_count"]
    assert (first["old_reaction"], first["new_reaction"]) == ([], [{"type": "emoji", "emoji": "👍"}])
    assert (second["old_reaction"], second["new_reaction"]) == ([{"type": "emoji", "emoji": "👍"}], [])
    assert counts["reactions"][0] == {"type": {"type": "emoji", "emoji": "👍"}, "total_count": 2}
    if FIXTURES is not None:  # the same keys as in captured payloads
        real = json.loads((FIXTURES / "update_message_reaction.json").read_text(encoding="utf-8"))
        real_count = json.loads((FIXTURES / "update_message_reaction_count.json").read_text(encoding="utf-8"))
        assert set(first) == set(real["message_reaction"])
        assert set(counts) == set(real_count["message_reaction_count"])
    assert len(fake.pending_updates) == 3


# -- rate limits, commands, admins, files ------------------------------------------------------


# PTB warns about its own access to RetryAfter.retry_after (int now, timedelta in a future major).
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_429_is_retried_by_aioratelimiter_and_the_message_arrives(fake: FakeTelegram) -> None:
    group = fake.add_group("Makers")
    fake.rate_limit_next("sendMessage", retry_after=1)
    async with running_bot(fake, rate_limiter=AIORateLimiter(max_retries=2)) as app:
        started = time.monotonic()
        message = await app.bot.send_message(group["id"], "after the flood wait")
        waited = time.monotonic() - started

    first, second = fake.calls("sendMessage")
    assert first.status == 429 and first.response == {
        "ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1}}
    assert second.ok and message.text == "after the flood wait"
    assert waited >= 1.0  # the limiter slept for retry_after


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_429_without_rate_limiter_raises_retry_after(fake: FakeTelegram) -> None:
    group = fake.add_group("Makers")
    fake.rate_limit_next("sendMessage", retry_after=3)
    async with running_bot(fake) as app:
        with pytest.raises(RetryAfter, match="Retry in 3"):
            await app.bot.send_message(group["id"], "no limiter, no retry")
    assert fake.bot_messages(group) == []


async def test_commands_are_stored_per_language_and_scope(fake: FakeTelegram) -> None:
    async with running_bot(fake) as app:
        await app.bot.set_my_commands([BotCommand("submit", "Submit a film"), BotCommand("vote", "Vote")],
                                      language_code="en")
        await app.bot.set_my_commands([BotCommand("submit", "提交影片"), BotCommand("vote", "投票")],
                                      language_code="zh")
        await app.bot.set_my_commands([BotCommand("top", "Top films")], scope=BotCommandScopeAllGroupChats())
        zh = await app.bot.get_my_commands(language_code="zh")
        default = await app.bot.get_my_commands()

    assert [c["description"] for c in fake.commands("en")] == ["Submit a film", "Vote"]
    assert [(c.command, c.description) for c in zh] == [("submit", "提交影片"), ("vote", "投票")]
    assert default == ()  # the group scope is separate from the default one
    group_commands = fake.commands(scope={"type": "all_group_chats"})
    assert group_commands == [{"command": "top", "description": "Top films"}]


async def test_chat_administrators_parse_into_ptb_objects(fake: FakeTelegram) -> None:
    group, alice, bob = fake.add_group("Makers"), fake.add_user("Alice"), fake.add_user("Bob")
    fake.set_admins(group, [alice, fake.bot_user])
    async with running_bot(fake) as app:
        admins = await app.bot.get_chat_administrators(group["id"])
        bob_member = await app.bot.get_chat_member(group["id"], bob["id"])
        chat = await app.bot.get_chat(group["id"])
        fake.send_text(group, bob, "/join")
        bob_after = await app.bot.get_chat_member(group["id"], bob["id"])

    assert [type(a) for a in admins] == [ChatMemberOwner, ChatMemberAdministrator, ChatMemberAdministrator]
    assert [a.user.id for a in admins[1:]] == [alice["id"], fake.bot_user["id"]]
    for admin in admins[1:]:
        rights = {name: getattr(admin, name) for name in dir(admin) if name.startswith("can_")}
        assert rights and all(isinstance(value, bool) for value in rights.values()), rights
    assert isinstance(bob_member, ChatMemberLeft) and isinstance(bob_after, ChatMemberMember)
    assert chat.title == "Makers" and chat.type == "supergroup"


async def test_documents_go_both_ways(fake: FakeTelegram) -> None:
    group, alice = fake.add_group("Makers"), fake.add_user("Alice")
    fake.set_admins(group, [fake.bot_user])  # an admin bot sees every group message, not just commands
    downloaded: list[bytes] = []

    async def fetch_and_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.document is not None
        downloaded.append(bytes(await (await update.message.document.get_file()).download_as_bytearray()))
        await update.message.reply_document(InputFile(b"id,title\n1,Dawn\n", filename="films.csv"),
                                            caption="<i>All films</i>", parse_mode=ParseMode.HTML)

    async with running_bot(fake, [MessageHandler(filters.Document.ALL, fetch_and_answer)]):
        fake.send_document(group, alice, "script.txt", b"FADE IN:\n", caption="draft 2")
        upload = await fake.wait_for_call("sendDocument")

    assert downloaded == [b"FADE IN:\n"]
    assert upload.ok and upload.files["document"].filename == "films.csv"
    assert upload.files["document"].content == b"id,title\n1,Dawn\n"
    sent = fake.bot_messages(group)[-1]
    assert sent["document"]["file_name"] == "films.csv" and sent["caption"] == "All films"
    assert sent["caption_entities"] == [{"type": "italic", "offset": 0, "length": 9}]


async def test_edits_deletes_and_reactions_follow_telegrams_rules(fake: FakeTelegram) -> None:
    group, alice = fake.add_group("Makers"), fake.add_user("Alice")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Open", callback_data="open")]])
    user_message = fake.send_text(group, alice, "/submit Dawn")["message"]
    async with running_bot(fake) as app:
        sent = await app.bot.send_message(group["id"], "Entry received", reply_markup=keyboard)
        edited = await app.bot.edit_message_reply_markup(group["id"], sent.message_id, reply_markup=None)
        assert isinstance(edited, Message) and edited.reply_markup is None
        with pytest.raises(BadRequest, match="(?i)message is not modified"):
            await app.bot.edit_message_reply_markup(group["id"], sent.message_id, reply_markup=None)
        with pytest.raises(BadRequest, match="(?i)message can't be edited"):
            await app.bot.edit_message_text("hijacked", group["id"], user_message["message_id"])

        assert await app.bot.set_message_reaction(group["id"], user_message["message_id"], "👍")
        # 🎬 is no allowed reaction; PTB sends it as a custom emoji with "🎬" as its id.
        with pytest.raises(BadRequest, match="(?i)reaction_invalid"):
            await app.bot.set_message_reaction(group["id"], user_message["message_id"], "🎬")
        assert fake.calls("setMessageReaction")[-1].params["reaction"] == [
            {"type": "custom_emoji", "custom_emoji_id": "🎬"}]

        with pytest.raises(BadRequest, match="(?i)message can't be deleted"):  # not an admin
            await app.bot.delete_message(group["id"], user_message["message_id"])
        fake.set_admins(group, [fake.bot_user])
        assert await app.bot.delete_message(group["id"], user_message["message_id"])
        assert await app.bot.delete_message(group["id"], sent.message_id)
        with pytest.raises(BadRequest, match="(?i)message to delete not found"):
            await app.bot.delete_message(group["id"], sent.message_id)
    assert fake.messages(group) == []
    assert fake.state.reaction_counts(group["id"], user_message["message_id"]) == {"👍": 1}


async def test_private_message_to_a_user_who_never_started_the_bot_is_forbidden(fake: FakeTelegram) -> None:
    bob = fake.add_user("Bob")
    fake.block_private(bob)
    async with running_bot(fake, [CommandHandler("start", reply_with("Welcome"))]) as app:
        with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
            await app.bot.send_message(bob["id"], "Reminder: screening tonight")
        fake.send_text(fake.private_chat(bob), bob, "/start")  # writing to the bot starts it
        assert (await fake.wait_for_call("sendMessage", lambda r: r.ok)).params["text"] == "Welcome"


# -- real payloads -----------------------------------------------------------------------------


FIXTURE_CASES = [
    ("update_command_supergroup", "command"),
    ("update_message_reaction", "reaction"),
    ("update_message_reaction_anonymous", "reaction"),
    ("update_message_reaction_count", "reaction_count"),
    ("update_message_private_text", "private_text"),
]


@pytest.mark.skipif(FIXTURES is None, reason="fixture payloads not found")
@pytest.mark.parametrize(("name", "handler"), FIXTURE_CASES)
async def test_real_update_payloads_reach_the_right_handler(fake: FakeTelegram, name: str,
                                                            handler: str) -> None:
    assert FIXTURES is not None
    payload = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    seen = Seen()
    handlers: Handlers = [
        CommandHandler("report", seen.handler("command")),
        MessageReactionHandler(seen.handler("reaction"),
                               message_reaction_types=MessageReactionHandler.MESSAGE_REACTION_UPDATED),
        MessageReactionHandler(seen.handler("reaction_count"),
                               message_reaction_types=MessageReactionHandler.MESSAGE_REACTION_COUNT_UPDATED),
        MessageHandler(filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE,
                       seen.handler("private_text")),
    ]
    async with running_bot(fake, handlers, allowed_updates=Update.ALL_TYPES):
        await fake.wait_for_call("getUpdates")
        injected = fake.inject_update(payload)
        update = await seen.wait(handler)

    assert seen.names() == [handler]
    # PTB parsed every field: serialising the Update again gives the payload back, plus only the
    # false defaults PTB adds for service-message flags.
    assert _extra_fields(injected, update.to_dict()) <= {"False"}
    assert injected["update_id"] != payload["update_id"]  # the fake numbers updates itself


@pytest.mark.skipif(FIXTURES is None, reason="fixture payloads not found")
async def test_an_update_ptb_cannot_parse_blocks_every_update_behind_it(fake: FakeTelegram) -> None:
    """The documentation's callback_query example lacks chat_instance and from.is_bot. PTB parses a
    getUpdates batch as a whole, fails, logs, and polls again at once with the same offset: the
    update is never confirmed, so neither it nor anything after it is ever handled. Even
    updater.stop() raises, from its last offset-confirming getUpdates."""
    assert FIXTURES is not None
    outdated = json.loads((FIXTURES / "update_callback_query.json").read_text(encoding="utf-8"))
    group, alice = fake.add_group("Makers"), fake.add_user("Alice")
    seen = Seen()
    app = build_app(fake)
    app.add_handler(CommandHandler("hello", seen.handler("hello")))
    await app.initialize()
    await updater(app).start_polling(timeout=10)
    await app.start()
    await fake.wait_for_call("getUpdates")
    fake.inject_update(outdated)
    fake.send_text(group, alice, "/hello")

    def both_delivered(request: RecordedRequest) -> bool:
        return request.ok and len((request.response or {})["result"]) == 2

    for _ in range(5):  # PTB re-polls in a tight loop without waiting
        await fake.wait_for_call("getUpdates", both_delivered)
    with pytest.raises(TypeError, match="is_bot"):
        await updater(app).stop()
    await app.stop()
    await app.shutdown()
    assert seen.names() == [] and len(fake.pending_updates) == 2


def _extra_fields(expected: Any, actual: Any) -> set[str]:
    """Assert `actual` holds everything in `expected`; return the repr of every value it adds."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict)
        # to_dict() leaves out empty lists (an emptied old_reaction/new_reaction, for one).
        expected = {key: value for key, value in expected.items() if value != [] or key in actual}
        for key in expected:
            assert key in actual, key
        extras = {repr(value) for key, value in actual.items() if key not in expected}
        return extras.union(*(_extra_fields(value, actual[key]) for key, value in expected.items()))
    if isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected)
        return set().union(*(_extra_fields(e, a) for e, a in zip(expected, actual, strict=True)))
    assert actual == expected
    return set()


# -- the fake's own rules over plain HTTP ------------------------------------------------------


async def _api(fake: FakeTelegram, method: str, token: str | None = None, **form: str) -> tuple[int, Any]:
    url = f"{fake.base_url}{token or fake.token}/{method}"
    async with aiohttp.ClientSession() as session, session.post(url, data=form) as response:
        return response.status, await response.json()


async def test_long_poll_timeout_offset_and_release_on_inject(fake: FakeTelegram) -> None:
    group, alice = fake.add_group("Makers"), fake.add_user("Alice")
    started = time.monotonic()
    assert await _api(fake, "getUpdates", timeout="0.3") == (200, {"ok": True, "result": []})
    assert 0.3 <= time.monotonic() - started < 1.5  # timeout honoured (the fake takes fractions)

    poll = asyncio.create_task(_api(fake, "getUpdates", timeout="10"))
    await fake.wait_for_call("getUpdates", lambda r: r.params["timeout"] == 10)
    started = time.monotonic()
    first = fake.send_text(group, alice, "/hello")
    status, body = await poll
    assert time.monotonic() - started < 0.5
    assert [u["update_id"] for u in body["result"]] == [first["update_id"]]

    second = fake.send_text(group, alice, "/again")
    _, body = await _api(fake, "getUpdates", offset=str(first["update_id"]))  # not yet confirmed
    assert [u["update_id"] for u in body["result"]] == [first["update_id"], second["update_id"]]
    _, body = await _api(fake, "getUpdates", offset=str(second["update_id"] + 1))
    assert body["result"] == [] and fake.pending_updates == []


async def test_allowed_updates_persist_between_calls(fake: FakeTelegram) -> None:
    group, alice = fake.add_group("Makers"), fake.add_user("Alice")
    fake.set_admins(group, [fake.bot_user])
    await _api(fake, "getUpdates", allowed_updates='["message_reaction"]')
    await _api(fake, "getUpdates")  # no allowed_updates: the server keeps the last list
    assert fake.allowed_updates == ["message_reaction"]
    fake.send_text(group, alice, "not wanted any more")
    reaction = fake.react(group, alice, 1, "👍")
    assert fake.pending_updates == [reaction] and "allowed_updates" in fake.dropped_updates[-1].reason


async def test_requests_decode_wrong_token_and_unknown_methods(fake: FakeTelegram) -> None:
    group = fake.add_group("Makers")
    markup = '{"inline_keyboard": [[{"text": "1", "callback_data": "1"}]]}'
    status, body = await _api(fake, "sendMessage", chat_id=str(group["id"]), text="123", reply_markup=markup)
    assert status == 200 and body["result"]["text"] == "123"  # text stays a string
    assert fake.calls("sendMessage")[0].params == {"chat_id": group["id"], "text": "123",
                                                   "reply_markup": json.loads(markup)}
    assert await _api(fake, "getMe", token="123456:wrong") == (
        401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    url = f"{fake.base_url}{fake.token}/sendMessage"
    async with aiohttp.ClientSession() as session, session.post(
            url, json={"chat_id": group["id"], "text": "JSON bodies work too"}) as response:
        assert (await response.json())["result"]["text"] == "JSON bodies work too"
    async with aiohttp.ClientSession() as session, session.post(
            url, data=b"{not json", headers={"Content-Type": "application/json"}) as response:
        assert response.status == 400 and fake.calls("sendMessage")[-1].status == 400
    not_found = {"ok": False, "error_code": 404, "description": "Not Found"}
    assert await _api(fake, "sendHologram") == (404, not_found)
    assert fake.calls("sendHologram")[0].status == 404


async def test_wrong_token_makes_ptb_raise_invalid_token(fake: FakeTelegram) -> None:
    app = ApplicationBuilder().token("123456:not-the-token").base_url(fake.base_url).build()
    with pytest.raises(InvalidToken):
        await app.initialize()


def test_privacy_mode_hides_plain_group_messages_from_a_non_admin_bot() -> None:
    fake = FakeTelegram()  # no server needed: this is the model's delivery rule
    group, alice = fake.add_group("Makers"), fake.add_user("Alice")
    fake.send_text(group, alice, "just chatting")
    fake.send_text(group, alice, "/top")
    fake.send_text(group, alice, "hey @microfilm_test_bot")
    fake.send_text(group, alice, "/top@other_bot")
    fake.set_admins(group, [fake.bot_user])
    fake.send_text(group, alice, "chatting while the bot is admin")
    assert [u["message"]["text"] for u in fake.pending_updates] == [
        "/top", "hey @microfilm_test_bot", "chatting while the bot is admin"]
    assert "privacy mode" in fake.dropped_updates[0].reason


# -- webhooks and stopping ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_webhook_mode_receives_posted_updates_with_the_secret(fake: FakeTelegram) -> None:
    group, alice = fake.add_group("Makers"), fake.add_user("Alice")
    seen = Seen()
    app = build_app(fake)
    app.add_handler(CommandHandler("hello", seen.handler("hello")))
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    await app.initialize()
    await updater(app).start_webhook(listen="127.0.0.1", port=port, url_path="telegram", webhook_url=url,
                                    secret_token="s3cret", allowed_updates=[Update.MESSAGE])
    await app.start()
    try:
        assert fake.webhook["url"] == url and fake.webhook["secret_token"] == "s3cret"
        with pytest.raises(Conflict, match="(?i)webhook is active"):
            await app.bot.get_updates()
        update = fake.send_text(group, alice, "/hello")
        assert await fake.post_webhook(url, update, secret_token="wrong") == 403
        assert await fake.post_webhook(url, update, secret_token="s3cret") == 200
        received = await seen.wait("hello")
    finally:
        await stop_app(app)
    assert received.update_id == update["update_id"]


async def test_stopping_is_prompt_during_a_long_poll() -> None:
    async with contextlib.AsyncExitStack() as stack:
        fake = await stack.enter_async_context(FakeTelegram())
        app = build_app(fake)
        await app.initialize()
        await updater(app).start_polling(timeout=10)
        await app.start()
        waiting = await fake.wait_for_call("getUpdates", lambda r: r.params.get("timeout") == 10)
        await asyncio.sleep(0.05)  # let the poll settle into its wait
        started = time.monotonic()
        await stop_app(app)
        await stack.aclose()
        elapsed = time.monotonic() - started

    assert elapsed < 0.5, f"stop took {elapsed:.2f}s"
    # PTB abandons the waiting poll and confirms the offset with a last getUpdates(timeout=0);
    # that newer request is what ends the old one (409), as on Telegram.
    assert waiting.status == 409
    assert fake.calls("getUpdates")[-1].params.get("timeout") == 0


# -- dates, slow answers, the instant of acceptance --------------------------------------------


async def eventually(predicate: Callable[[], bool], timeout: float = 5) -> None:
    """Until predicate() holds, checking every 10 ms (for state with no event to await)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


def png(width: int, height: int) -> bytes:
    """The start of a PNG file: signature and IHDR, which is all the fake (and PTB) looks at."""
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + len(ihdr).to_bytes(4, "big") + b"IHDR" + ihdr + b"\0" * 4


async def test_updates_take_dates_from_a_virtual_clock(fake: FakeTelegram) -> None:
    group, alice = fake.add_group("Makers"), fake.add_user("Alice")
    fake.set_admins(group, [fake.bot_user])
    seen = Seen()
    handlers: Handlers = [CommandHandler("vote", seen.handler("command")),
                          CallbackQueryHandler(seen.handler("press")),
                          MessageReactionHandler(seen.handler("reaction"))]
    deadline = 1_767_225_600  # 2026-01-01 00:00 UTC
    async with running_bot(fake, handlers, allowed_updates=Update.ALL_TYPES) as app:
        await fake.wait_for_call("getUpdates")
        ballot = await app.bot.send_message(group["id"], "Vote now")
        fake.send_text(group, alice, "/vote 3", date=deadline - 60)
        fake.press_button(group, alice, ballot.message_id, "vote:3", date=deadline - 30)
        fake.react(group, alice, ballot.message_id, "👍", date=deadline + 1)
        command, press, reaction = [await seen.wait(name) for name in ("command", "press", "reaction")]

    def at(seconds: int) -> datetime:
        return datetime.fromtimestamp(seconds, UTC)

    assert command.message is not None and command.message.date == at(deadline - 60)
    assert press.callback_query is not None and press.callback_query.message is not None
    assert press.callback_query.message.date == at(deadline - 30)
    assert reaction.message_reaction is not None and reaction.message_reaction.date == at(deadline + 1)
    assert fake.bot_messages(group)[0]["date"] == int(ballot.date.timestamp()) != deadline - 30


async def test_delayed_answer_times_out_after_the_message_exists(fake: FakeTelegram) -> None:
    group = fake.add_group("Makers")
    fake.delay_next("sendMessage", 0.6)
    async with running_bot(fake) as app:
        started = time.monotonic()
        with pytest.raises(TimedOut):  # PTB's default read timeout is 5 s; it never retries by itself
            await app.bot.send_message(group["id"], "Screening moved to 9pm", read_timeout=0.1)
        assert time.monotonic() - started < 0.5
        assert [m["text"] for m in fake.bot_messages(group)] == ["Screening moved to 9pm"]  # delivered
        late = await fake.wait_for_call("sendMessage")  # answered once the delay is over
        assert late.ok and late.response is not None and late.response["result"]["message_id"] == 1
        started = time.monotonic()
        await app.bot.send_message(group["id"], "Only one delay was queued", read_timeout=0.5)
        assert time.monotonic() - started < 0.5


async def test_after_accept_sees_each_sent_message_before_its_answer(fake: FakeTelegram) -> None:
    group = fake.add_group("Makers")
    seen: list[tuple[JSON, bool, bool]] = []

    async def hook(message: JSON) -> None:
        stored = message in fake.bot_messages(group)
        unanswered = [r for r in fake.requests if r.method.startswith("send")][-1].status is None
        seen.append((message, stored, unanswered))

    fake.after_accept = hook
    async with running_bot(fake) as app:
        text = await app.bot.send_message(group["id"], "Poster and schedule below")
        document = await app.bot.send_document(group["id"], InputFile(b"9pm Dawn\n", filename="schedule.txt"))
        photo = await app.bot.send_photo(group["id"], InputFile(png(320, 180), filename="poster.png"),
                                         caption="<b>Dawn</b>", parse_mode=ParseMode.HTML)
        with pytest.raises(BadRequest, match="(?i)image_process_failed"):
            await app.bot.send_photo(group["id"], InputFile(b"not an image", filename="poster.png"))
        await app.bot.get_chat(group["id"])  # no message: no hook
    assert [m["message_id"] for m, _, _ in seen] == [text.message_id, document.message_id, photo.message_id]
    assert all(stored and unanswered for _, stored, unanswered in seen)
    (size,) = photo.photo
    assert (size.width, size.height, photo.caption) == (320, 180, "Dawn") and fake.errors == []


def test_image_size_reads_png_gif_and_jpeg_headers() -> None:
    jpeg = (b"\xff\xd8" + b"\xff\xe0\x00\x04ab"  # SOI, an APP0 segment to skip
            + b"\xff\xc0\x00\x11\x08" + (480).to_bytes(2, "big") + (640).to_bytes(2, "big") + b"\x03")
    assert image_size(png(320, 180)) == (320, 180)
    assert image_size(b"GIF89a" + (16).to_bytes(2, "little") + (9).to_bytes(2, "little")) == (16, 9)
    assert image_size(jpeg) == (640, 480) and image_size(b"plain text") is None


# -- outages -------------------------------------------------------------------------------------


async def test_outage_with_a_status_refuses_everything_until_restored(fake: FakeTelegram) -> None:
    group, alice = fake.add_group("Makers"), fake.add_user("Alice")
    async with running_bot(fake, [CommandHandler("hello", reply_with("Back again"))]) as app:
        poll = await fake.wait_for_call("getUpdates", lambda r: r.params.get("timeout") == 10)
        fake.outage(502)
        await eventually(lambda: poll.status is not None)  # the waiting long poll is answered at once
        assert poll.response == {"ok": False, "error_code": 502, "description": "Bad Gateway"}
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await app.bot.send_message(group["id"], "anyone there?")
        assert fake.outage_calls == 2 and fake.bot_messages(group) == []
        fake.restore()
        fake.send_text(group, alice, "/hello")
        answer = await fake.wait_for_call("sendMessage", lambda r: r.ok)  # after PTB's 1 s back-off
    assert answer.params["text"] == "Back again"


async def test_outage_without_a_status_cuts_connections(fake: FakeTelegram) -> None:
    group = fake.add_group("Makers")
    async with running_bot(fake) as app:
        poll = await fake.wait_for_call("getUpdates", lambda r: r.params.get("timeout") == 10)
        fake.outage(None)
        await eventually(lambda: poll.aborted)
        with pytest.raises(NetworkError):  # httpx: the server disconnected without a response
            await app.bot.send_message(group["id"], "anyone there?")
        (refused,) = fake.calls("sendMessage")  # httpx does not retry it
        assert refused.aborted and refused.status is None and fake.outage_calls == 2
        fake.restore()
        await app.bot.send_message(group["id"], "back")
    assert [m["text"] for m in fake.bot_messages(group)] == ["back"]


# -- updates the library cannot parse ------------------------------------------------------------


async def test_unparseable_update_is_served_verbatim_and_breaks_de_json(fake: FakeTelegram) -> None:
    raw = fake.unparseable_update()
    assert "date" not in raw["message"]
    app = build_app(fake)
    await app.initialize()
    try:
        with pytest.raises(KeyError, match="date"):
            Update.de_json({"update_id": 1, **raw}, app.bot)
        # Other required fields are tolerated: PTB fills in None, so these are no such test case.
        no_date = {"chat": fake.add_group("Makers"), "message_id": 1, "old_reaction": [], "new_reaction": []}
        assert Update.de_json({"update_id": 2, "message_reaction": no_date}, app.bot).message_reaction
        injected = fake.inject_update(raw)
        assert injected == {"update_id": injected["update_id"], **raw}
        with pytest.raises(KeyError, match="date"):
            await app.bot.get_updates()
        assert fake.calls("getUpdates")[-1].response == {"ok": True, "result": [injected]}
        _, body = await _api(fake, "getUpdates")
        assert body["result"] == [injected]  # still pending: nothing confirmed it
    finally:
        await app.shutdown()


async def test_unparseable_update_posted_to_a_webhook_is_refused_by_ptb(fake: FakeTelegram) -> None:
    app = build_app(fake)
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    await app.initialize()
    await updater(app).start_webhook(listen="127.0.0.1", port=port, url_path="telegram", webhook_url=url)
    await app.start()
    try:
        assert await fake.post_webhook(url, fake.unparseable_update()) == 400  # "Update could not be processed"
        assert await fake.post_webhook(url, {"message": fake.send_text(
            fake.add_group("Makers"), fake.add_user("Alice"), "/hello")["message"]}) == 200
    finally:
        await stop_app(app)


# -- real flood limits (FakeTelegram(real_limits=True)) ------------------------------------------------


async def test_real_limits_answer_telegrams_429_per_chat_group_and_overall() -> None:
    async with FakeTelegram(real_limits=True, chat_limit=(1, 30.0), group_limit=(2, 30.0),
                            overall_limit=(4, 1.0)) as fake:
        group, alice, ben = fake.add_group("Makers"), fake.add_user("Alice"), fake.add_user("Ben")
        to_alice = [await _api(fake, "sendMessage", chat_id=str(alice["id"]), text=str(n)) for n in range(2)]
        to_group = [await _api(fake, "sendMessage", chat_id=str(group["id"]), text=str(n)) for n in range(3)]
        overall = await _api(fake, "sendMessage", chat_id=str(ben["id"]), text="fourth message this second")
        edit = await _api(fake, "editMessageText", chat_id=str(group["id"]), message_id="1", text="edited")

    assert [s for s, _ in to_alice] == [200, 429] and [s for s, _ in to_group] == [200, 200, 429]
    assert to_alice[1][1] == {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 30",
                              "parameters": {"retry_after": 30}}
    assert to_group[2][1]["parameters"] == {"retry_after": 30}
    assert overall[0] == 200 and edit[0] == 429  # the 5th in a second; an edit counts like a message
    assert edit[1]["parameters"] == {"retry_after": 30}  # the longest wait of the full windows
    assert fake.limit_hits == {"chat": 1, "group": 2}
    assert [m["text"] for m in fake.bot_messages(group)] == ["0", "1"]


async def test_real_overall_limit_spans_chats_and_retry_after_is_whole_seconds() -> None:
    async with FakeTelegram(real_limits=True, overall_limit=(2, 0.2)) as fake:
        chats = [fake.add_user(f"User {n}") for n in range(3)]
        answers = [await _api(fake, "sendMessage", chat_id=str(c["id"]), text="hello") for c in chats]
        refused = await _api(fake, "sendMessage", chat_id="404", text="unknown chats are no message")
    assert [s for s, _ in answers] == [200, 200, 429] and refused[0] == 400
    assert answers[2][1]["parameters"] == {"retry_after": 1}  # 0.2 s, rounded up to Telegram's whole second
    assert fake.limit_hits == {"overall": 1}


async def test_real_limits_are_off_by_default(fake: FakeTelegram) -> None:
    alice = fake.add_user("Alice")
    answers = [await _api(fake, "sendMessage", chat_id=str(alice["id"]), text=str(n)) for n in range(5)]
    assert [s for s, _ in answers] == [200] * 5 and fake.limit_hits == {}


async def _burst(fake: FakeTelegram, chat: JSON, count: int,
                 rate_limiter: AIORateLimiter | None) -> tuple[list[Any], float]:
    """``count`` sendMessage calls at once through PTB: (results or exceptions, seconds taken)."""
    async with running_bot(fake, rate_limiter=rate_limiter) as app:
        started = time.monotonic()
        results = await asyncio.gather(*(app.bot.send_message(chat["id"], f"burst {n}") for n in range(count)),
                                       return_exceptions=True)
        return results, time.monotonic() - started


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_ptb_without_a_limiter_gets_retry_after_for_a_group_burst() -> None:
    async with FakeTelegram(real_limits=True, group_limit=(4, 0.5)) as fake:
        group = fake.add_group("Makers")
        results, _ = await _burst(fake, group, 6, None)
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 2 and all(isinstance(r, RetryAfter) for r in refused)
    assert len(fake.bot_messages(group)) == 4 and fake.limit_hits == {"group": 2}


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_aioratelimiter_at_the_same_limits_overshoots_once_and_its_retry_delivers_all() -> None:
    # AIORateLimiter is a leaky bucket: 4 at once, then one every 0.125 s; the 5th lands within the
    # fake's window of 4 per 0.5 s, gets retry_after 1, and the limiter holds everything for 1.1 s
    # (retry_after + 0.1). Retried messages can arrive out of order.
    async with FakeTelegram(real_limits=True, group_limit=(4, 0.5)) as fake:
        group = fake.add_group("Makers")
        limiter = AIORateLimiter(overall_max_rate=30, group_max_rate=4, group_time_period=0.5, max_retries=2)
        results, taken = await _burst(fake, group, 6, limiter)
    assert not any(isinstance(r, Exception) for r in results)
    assert sorted(m["text"] for m in fake.bot_messages(group)) == [f"burst {n}" for n in range(6)]
    # One 429 (two if the 6th left before the 5th's answer was read), then the limiter's retry delivers.
    assert set(fake.limit_hits) == {"group"} and 1 <= fake.limit_hits["group"] <= 2 and 1.1 <= taken < 3.0


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_aioratelimiter_at_half_the_rate_never_gets_a_429() -> None:
    # Half the rate over the same period: a burst of 2, then 4 a second, at most 4 in any 0.5 s.
    async with FakeTelegram(real_limits=True, group_limit=(4, 0.5)) as fake:
        group = fake.add_group("Makers")
        limiter = AIORateLimiter(overall_max_rate=30, group_max_rate=2, group_time_period=0.5, max_retries=2)
        results, taken = await _burst(fake, group, 6, limiter)
    assert [m["text"] for m in fake.bot_messages(group)] == [f"burst {n}" for n in range(6)]
    assert not any(isinstance(r, Exception) for r in results)
    assert fake.limit_hits == {} and 0.9 <= taken < 3.0


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_aioratelimiter_does_not_pace_a_private_chat() -> None:
    async with FakeTelegram(real_limits=True) as fake:  # Telegram's defaults: 1 a second per private chat
        alice = fake.add_user("Alice")
        results, taken = await _burst(fake, alice, 2, AIORateLimiter(max_retries=1))
    assert not any(isinstance(r, Exception) for r in results) and len(fake.bot_messages(alice)) == 2
    assert fake.limit_hits == {"chat": 1} and taken >= 1.1  # the second one waited out retry_after 1


def test_sliding_window_allows_n_in_any_trailing_period() -> None:
    from bot.testing.fakes.rate_windows import SlidingWindow

    now = [100.0]
    window = SlidingWindow(2, 5.0, clock=lambda: now[0])
    window.take()
    now[0] = 104.0
    window.take()
    assert window.wait() == pytest.approx(1.0)  # until the first ages out
    now[0] = 105.0
    assert window.wait() == 0.0
    window.take()
    assert window.wait() == pytest.approx(4.0)  # the one at 104 is still in the last 5 s
