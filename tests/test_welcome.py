"""Joining a Discord server or a Telegram group, the bot says hello once to its admins: what it does, where
it will post, and /help; a promotion or a second join adds nothing."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from bot.testing.fakes.discord_server import FakeDiscord
from bot.testing.fakes.telegram_server import FakeTelegram
from tests.discord_support import discord_config, eventually, running_app
from tests.telegram_harness import TelegramBot, shown, telegram_config, to_chat

pytestmark = pytest.mark.timeout(20)


def membership(fake: FakeTelegram, group: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    bot = fake.bot_user
    return {"my_chat_member": {"chat": group, "from": fake.add_user("Owner"), "date": int(time.time()),
                               "old_chat_member": {"status": old, "user": bot},
                               "new_chat_member": {"status": new, "user": bot}}}


async def test_telegram_welcomes_a_group_once(tmp_path: Path) -> None:
    async with FakeTelegram() as fake:
        group = fake.add_group("Makers")
        async with TelegramBot(tmp_path / "bot.sqlite3", telegram_config(fake)):
            fake.inject_update(membership(fake, group, "left", "member"))
            hello = shown(await fake.wait_for_call("sendMessage", to_chat(group, "Hello")))
            assert "post announcements in Makers" in hello and "/help" in hello
            fake.inject_update(membership(fake, group, "left", "member"))  # removed and added back
            fake.send_text(group, fake.add_user("Alice"), "/help")
            await fake.wait_for_call("sendMessage", to_chat(group, "commands"))
        assert sum("Hello!" in shown(r) for r in fake.calls("sendMessage") if r.ok) == 1


async def test_discord_welcomes_a_server_it_joins(discord_fake: FakeDiscord, tmp_path: Path) -> None:
    fake = discord_fake
    config = discord_config(fake, showcase_channel="films")
    async with running_app(fake, tmp_path / "bot.sqlite3", config):
        guild = await fake.join_guild("newcomers", channels=["lobby", "films"])  # invited while running
        lobby = guild.channel("lobby")  # the system channel takes admin notices
        await eventually(lambda: any("Hello!" in (m["content"] or "") for m in fake.messages_in(lobby)))
        (hello,) = [m["content"] for m in fake.messages_in(lobby) if "Hello!" in (m["content"] or "")]
        assert "I will post announcements in #films until told otherwise" in hello.replace("\\#", "#")
