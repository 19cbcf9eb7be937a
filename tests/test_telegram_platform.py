"""The Telegram adapter end to end: the real python-telegram-bot against FakeTelegram on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path

import pytest

from bot.models import Message, Strong, Text
from bot.platform import DeliveryError
from bot.platforms.telegram_render import utf16_len
from bot.testing.fakes.telegram_html import parse_html
from bot.testing.fakes.telegram_server import FakeTelegram, RecordedRequest
from tests.telegram_harness import TelegramBot, shown, telegram_config, to_chat

pytestmark = pytest.mark.timeout(20)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(strict_ampersand=True) as server:
        yield server


@pytest.fixture
async def tg(fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[TelegramBot]:
    async with TelegramBot(tmp_path / "bot.sqlite3", telegram_config(fake)) as bot:
        yield bot


async def say(fake: FakeTelegram, chat: dict, user: dict, text: str, contains: str | None = None) -> str:
    """Say `text` and return the bot's next answer in that chat (the first one containing `contains`)."""
    before = set(fake.calls("sendMessage"))
    fake.send_text(chat, user, text)
    matches = to_chat(chat, contains)
    return shown(await fake.wait_for_call("sendMessage", lambda r: r not in before and matches(r)))


async def test_share_stores_the_film_and_announces_it_as_escaped_html(fake: FakeTelegram,
                                                                      tg: TelegramBot) -> None:
    group, alice = fake.add_group("Makers"), fake.add_user("Alice", "alice", last_name="Lumière")
    title = "<b>Night</b> & Day @channel"
    fake.send_text(group, alice, f'/share https://vimeo.com/76979871 "{title}" runtime=4:30 logline="1 < 2"')
    announced = await fake.wait_for_call("sendMessage", to_chat(group, "New film"))
    confirmed = await fake.wait_for_call("sendMessage", to_chat(group, "is shared"))

    assert await tg.app.db.fetchval("SELECT title FROM films") == title
    html_text = announced.params["text"]
    assert "&lt;b&gt;Night&lt;/b&gt; &amp; Day @channel" in html_text
    assert '<a href="https://vimeo.com/76979871">' in html_text
    assert announced.params["parse_mode"] == "HTML"
    text = shown(announced)  # what members see: the title exactly as typed
    assert "New film by Alice Lumière" in text and title in text and "1 < 2" in text
    assert "Runtime: 4:30" in text
    assert f"“{title}” is shared" in shown(confirmed)
    entities = announced.response["result"]["entities"]  # type: ignore[index]
    assert {"type": "text_link", "url": "https://vimeo.com/76979871"}.items() <= next(
        e for e in entities if e["type"] == "text_link").items()


@pytest.mark.sqlite_only("/search reads Chinese through an FTS5 index of character pairs, not built on PostgreSQL yet")
async def test_film_commands_work_with_the_text_grammar(fake: FakeTelegram, tg: TelegramBot) -> None:
    group, alice, bob = fake.add_group("Makers"), fake.add_user("Alice"), fake.add_user("Bob")
    await say(fake, group, alice, '/share https://example.com/1 "Paper Boats" genre=fiction', "is shared")
    await say(fake, group, bob, "/share https://example.com/2 Rain on Tin", "is shared")
    await tg.app.outbox.flush()  # the announcement goes out beside the answer; let it pass first
    assert "microfilm-bot commands" in await say(fake, group, alice, "/help")
    assert "Usage: /share <link> <title>..." in await say(fake, group, alice, "/help share")
    listing = await say(fake, group, alice, "/films genre=fiction")
    assert "Paper Boats" in listing and "Rain on Tin" not in listing
    assert "Rain on Tin" in await say(fake, group, alice, '/search "tin"')
    assert "films: 1" in await say(fake, group, alice, "/profile")
    assert "updated (title)" in await say(fake, group, alice, '/editfilm 1 title="Paper Boats II"')
    refused = await say(fake, group, bob, "/deletefilm 1")
    assert "Alice" in refused and await tg.app.db.fetchval("SELECT COUNT(*) FROM films") == 2
    assert "is deleted" in await say(fake, group, alice, "/deletefilm 1")
    assert await tg.app.db.fetchval("SELECT title FROM films") == "Rain on Tin"


async def test_missing_argument_answers_with_the_usage_line(fake: FakeTelegram, tg: TelegramBot) -> None:
    group, alice = fake.add_group("Makers"), fake.add_user("Alice")
    text = await say(fake, group, alice, "/share")
    assert "The link is missing" in text and "Usage: /share <link> <title>..." in text


async def test_commands_for_another_bot_are_ignored(fake: FakeTelegram, tg: TelegramBot) -> None:
    group, alice = fake.add_group("Makers"), fake.add_user("Alice")
    fake.send_text(group, alice, "/share@other_bot https://example.com/x Theirs")
    assert "microfilm-bot commands" in await say(fake, group, alice, "/help@microfilm_test_bot")
    assert await tg.app.db.fetchval("SELECT COUNT(*) FROM films") == 0
    assert len(fake.calls("sendMessage")) == 1  # only the /help answer


async def test_a_button_press_is_answered_and_reaches_its_handler(fake: FakeTelegram,
                                                                  tg: TelegramBot) -> None:
    group, alice, bob = fake.add_group("Makers"), fake.add_user("Alice"), fake.add_user("Bob")
    fake.send_text(group, alice, "/probe_card")
    card = await fake.wait_for_call("sendMessage", to_chat(group, "Entry"))
    rows = card.params["reply_markup"]["inline_keyboard"]
    data = [button["callback_data"] for row in rows for button in row]
    assert data[0] == "probe:v1" and len(data[1].encode()) <= 64  # the long custom id travels as a token
    message_id = card.response["result"]["message_id"]  # type: ignore[index]

    for pressed in data:
        query = fake.press_button(group, bob, message_id, pressed)
        query_id = query["callback_query"]["id"]
        await fake.wait_for_call("answerCallbackQuery", partial(_answers, query_id))
        assert fake.callback_answer(query_id) == {"answered": True}
    await tg.probe.wait("presses", 2)
    assert tg.probe.presses == [("v1", "Bob", False), ("x" * 80, "Bob", False)]
    assert "pressed v1" in shown(await fake.wait_for_call("sendMessage", to_chat(group, "pressed")))


def _answers(query_id: str, request: RecordedRequest) -> bool:
    return bool(request.params["callback_query_id"] == query_id)


async def test_card_html_is_escaped_and_accepted(fake: FakeTelegram, tg: TelegramBot) -> None:
    group, alice = fake.add_group("Makers"), fake.add_user("Alice")
    fake.send_text(group, alice, "/probe_card")
    sent = await fake.wait_for_call("sendMessage", to_chat(group, "Entry"))
    title = '<a href="https://example.com/a?b=1&amp;c=2">Dawn &lt;b&gt; &amp; @channel</a>'
    assert title in sent.params["text"]
    assert shown(sent).splitlines() == ["Entry ready", "", "Dawn <b> & @channel", "A <i>logline</i>",
                                        "Maker: Alice", "Film #0"]


async def test_long_output_is_split_on_line_boundaries(fake: FakeTelegram, tg: TelegramBot) -> None:
    group, alice = fake.add_group("Makers"), fake.add_user("Alice")
    fake.send_text(group, alice, "/probe_long 300")
    parts = [await fake.wait_for_call("sendMessage", to_chat(group)) for _ in range(4)]
    texts = [shown(part) for part in parts]
    assert all(utf16_len(text) <= 4096 for text in texts)
    lines = "\n".join(texts).splitlines()
    assert lines[0] == "Long" and lines[1].startswith("line 0 <&> 🎬") and lines[-1].startswith("line 299 ")
    assert len(lines) == 301
    for part in parts:
        parse_html(part.params["text"], strict_ampersand=True)  # every chunk is well formed on its own


async def test_a_rate_limit_is_waited_out_and_the_message_arrives(fake: FakeTelegram,
                                                                  tg: TelegramBot) -> None:
    group, alice = fake.add_group("Makers"), fake.add_user("Alice")
    fake.rate_limit_next("sendMessage", retry_after=1)
    assert "microfilm-bot commands" in await say(fake, group, alice, "/help")
    assert [call.status for call in fake.calls("sendMessage")] == [429, 200]


async def test_admin_commands_need_a_chat_admin_or_a_configured_one(fake: FakeTelegram,
                                                                    tmp_path: Path) -> None:
    group, alice, bob, carol = (fake.add_group("Makers"), fake.add_user("Alice"), fake.add_user("Bob"),
                                fake.add_user("Carol"))
    fake.set_admins(group, [alice])
    config = telegram_config(fake, {"admins": [str(carol["id"])]})
    async with TelegramBot(tmp_path / "bot.sqlite3", config):
        assert "Only community admins" in await say(fake, group, bob, "/probe_admin")
        assert "admin ok" in await say(fake, group, alice, "/probe_admin")
        private_alice = fake.private_chat(alice)
        assert "Only community admins" in await say(fake, private_alice, alice, "/probe_admin")
        assert "admin ok" in await say(fake, fake.private_chat(carol), carol, "/probe_admin")


async def test_the_menu_is_set_in_english_and_chinese(fake: FakeTelegram, tg: TelegramBot) -> None:
    english = {c["command"]: c["description"] for c in fake.commands("")}
    chinese = {c["command"]: c["description"] for c in fake.commands("zh")}
    expected = {"help", "share", "films", "search", "profile", "editfilm", "deletefilm", "timezone"}
    assert expected <= set(english)
    assert "start" not in english and not any(name.startswith("probe") for name in english)
    assert set(chinese) == set(english)
    assert english["help"] == "List the commands, or show how to use one"
    assert chinese["help"] != english["help"] and any("\u4e00" <= ch <= "\u9fff" for ch in chinese["help"])


async def test_a_private_reply_to_someone_who_never_started_the_bot_leaves_a_deep_link(
        fake: FakeTelegram, tg: TelegramBot) -> None:
    group, bob, alice = fake.add_group("Makers"), fake.add_user("Bob"), fake.add_user("Alice")
    fake.block_private(bob)
    fake.send_text(group, bob, "/probe_dm")
    note = await fake.wait_for_call("sendMessage", to_chat(group))
    assert '<a href="https://t.me/microfilm_test_bot?start=hello">' in note.params["text"]
    assert shown(note).startswith("Bob, I can't message you privately")
    fake.send_text(group, alice, "/probe_dm")
    private = await fake.wait_for_call("sendMessage", to_chat(fake.private_chat(alice)))
    assert shown(private) == "a private note for Alice"


async def test_a_document_with_a_command_caption_reaches_the_command(fake: FakeTelegram,
                                                                     tg: TelegramBot) -> None:
    group, alice = fake.add_group("Makers"), fake.add_user("Alice")
    fake.send_document(group, alice, "notes.txt", b"fade in", caption="/probe_file")
    sent = await fake.wait_for_call("sendDocument")
    assert sent.ok and sent.params["caption"] == "got notes.txt: 7 bytes"
    document = sent.files["document"]
    assert document.filename == "echo-notes.txt" and document.content == b"FADE IN"


async def test_the_platform_api_edits_refuses_and_reports_unreachable_users(fake: FakeTelegram,
                                                                           tg: TelegramBot) -> None:
    group, bob = fake.add_group("Makers"), fake.add_user("Bob")
    ref = await tg.platform.send(str(group["id"]), Message(Text.of("Votes: 0")), zone="UTC")
    await tg.platform.edit(ref, Message(Text.of("Votes: ", Strong("1 & counting"))), zone="UTC")
    await tg.platform.edit(ref, Message(Text.of("Votes: ", Strong("1 & counting"))), zone="UTC")  # unchanged
    assert fake.bot_messages(group)[-1]["text"] == "Votes: 1 & counting"
    fake.block_private(bob)
    assert await tg.platform.send_private(str(bob["id"]), Message(Text.of("hi")), zone="UTC") is None
    with pytest.raises(DeliveryError) as refused:
        await tg.platform.send("-100999", Message(Text.of("nobody here")), zone="UTC")
    assert refused.value.permanent
    assert await tg.platform.recount(ref, "👍") is None  # the Bot API cannot list reactions
