"""Answers where people expect them: Discord's ephemeral replies for what concerns one person, Telegram's
replies to the asking message, in its forum topic, silent for mistakes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.testing.fakes.discord_server import FakeDiscord
from bot.testing.fakes.telegram_server import FakeTelegram
from tests.discord_support import answer, make_guild, running_app
from tests.telegram_harness import TelegramBot, shown, telegram_config, to_chat

pytestmark = pytest.mark.timeout(20)
EPHEMERAL = 64


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


async def test_discord_keeps_mistakes_receipts_and_profiles_to_the_asker(discord_fake: FakeDiscord,
                                                                       tmp_path: Path) -> None:
    guild = make_guild(discord_fake)
    async with running_app(discord_fake, tmp_path / "bot.sqlite3"):
        mistake = await answer(discord_fake, guild, "ana", "film", {"id": 99})
        assert mistake["content"].startswith("There is no film #99") and mistake["flags"] == EPHEMERAL
        usage = await answer(discord_fake, guild, "ana", "films", {"page": "two"})
        assert "/films [genre=]" in usage["content"] and usage["flags"] == EPHEMERAL
        shared = await answer(discord_fake, guild, "ana", "share", {"link": "https://vimeo.com/1", "title": "A"})
        assert shared["flags"] == EPHEMERAL and "https://discord.com/channels/" in shared["content"]
        profile = await answer(discord_fake, guild, "ana", "profile")
        assert "ana" in profile["content"] and profile["flags"] == EPHEMERAL
        card = await answer(discord_fake, guild, "ben", "film", {"id": 1})  # a card is for everyone
        assert card["embeds"][0]["title"] == "A" and not card.get("flags")


async def test_telegram_answers_in_reply_in_the_topic_and_mistakes_quietly(telegram: FakeTelegram,
                                                                         tmp_path: Path) -> None:
    group, alice = telegram.add_group("Makers", forum=True), telegram.add_user("Alice", "alice")
    async with TelegramBot(tmp_path / "bot.sqlite3", telegram_config(telegram)):
        asked = telegram.send_text(group, alice, "/films", topic=7)
        listing = await telegram.wait_for_call("sendMessage", to_chat(group, "No films"))
        asked_id = asked["message"]["message_id"]
        assert listing.params["message_thread_id"] == 7
        assert listing.params["reply_parameters"]["message_id"] == asked_id
        assert listing.response["result"]["reply_to_message"]["message_id"] == asked_id  # type: ignore[index]
        assert not listing.params.get("disable_notification")

        telegram.send_text(group, alice, "/film 99", topic=7)
        mistake = await telegram.wait_for_call("sendMessage", to_chat(group, "no film #99"))
        assert mistake.params["disable_notification"] is True and mistake.params["message_thread_id"] == 7
        assert "/films lists them" in shown(mistake)

        private = telegram.private_chat(alice)
        telegram.send_text(private, alice, "/films")
        alone = await telegram.wait_for_call("sendMessage", to_chat(private, "No films"))
        assert "reply_parameters" not in alone.params  # a private chat is one conversation
