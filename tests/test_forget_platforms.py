"""Forget me on the real adapters: /forgetme in a Telegram private chat with its button, and on Discord
in a direct message with confirm, an admin's /forget with its summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.testing.fakes.discord_server import FakeDiscord
from bot.testing.fakes.telegram_server import FakeTelegram
from tests.discord_support import answer, discord_config, make_guild, running_app, user
from tests.telegram_harness import TelegramBot, shown, telegram_config, to_chat

pytestmark = pytest.mark.timeout(30)


async def test_forgetme_on_telegram_previews_privately_and_the_button_forgets(tmp_path: Path) -> None:
    async with FakeTelegram() as fake:
        alice = fake.add_user("Alice", "alice")
        group, private = fake.add_group("Makers"), fake.private_chat(alice)
        async with TelegramBot(tmp_path / "bot.sqlite3", telegram_config(fake)) as tg:
            fake.send_text(group, alice, '/share https://vimeo.com/1 "Night Bus"')
            await fake.wait_for_call("sendMessage", to_chat(group, "is shared"))
            fake.send_text(group, alice, "/forgetme")
            assert "private chat" in shown(await fake.wait_for_call("sendMessage", to_chat(group, "/forgetme")))
            fake.send_text(private, alice, "/forgetme")
            preview = await fake.wait_for_call("sendMessage", to_chat(private, "This is what would happen"))
            assert "films you shared (1): deleted" in shown(preview)
            markup = preview.params["reply_markup"]
            buttons = (json.loads(markup) if isinstance(markup, str) else markup)["inline_keyboard"]
            forget = next(b for row in buttons for b in row if b["text"] == "Forget me")
            fake.press_button(private, alice, preview.response["result"]["message_id"],  # type: ignore[index]
                              forget["callback_data"])
            done = await fake.wait_for_call("sendMessage", to_chat(private, "You are forgotten"))
            assert "accounts (1)" in shown(done)
            assert await tg.app.db.fetchval("SELECT COUNT(*) FROM films") == 0
            assert await tg.app.db.fetchval("SELECT COUNT(*) FROM accounts") == 0


async def test_an_admin_forgets_a_member_on_telegram(tmp_path: Path) -> None:
    async with FakeTelegram() as fake:
        ann, bob = fake.add_user("Ann", "ann"), fake.add_user("Bob", "bob")
        group = fake.add_group("Makers")
        fake.set_admins(group, [fake.bot_user, ann])
        async with TelegramBot(tmp_path / "bot.sqlite3", telegram_config(fake)):
            fake.send_text(group, bob, '/share https://vimeo.com/2 "Rain"')
            await fake.wait_for_call("sendMessage", to_chat(group, "is shared"))
            fake.send_text(group, bob, "/forget @ann")
            assert "Only community admins" in shown(await fake.wait_for_call("sendMessage", to_chat(group, "admins")))
            fake.send_text(group, ann, "/forget @bob confirm=yes")
            summary = shown(await fake.wait_for_call("sendMessage", to_chat(group, "is forgotten")))
            assert "Bob is forgotten" in summary and "films you shared (1): deleted" in summary


async def in_dm(fake: FakeDiscord, who: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    interaction = await fake.slash(None, None, who, "forgetme", options)
    callback = await interaction.wait_callback()
    data: dict[str, Any] = callback["data"]
    return data


async def test_forget_on_discord_in_a_direct_message_and_by_an_admin(discord_fake: FakeDiscord,
                                                                     tmp_path: Path) -> None:
    fake = discord_fake
    guild = make_guild(fake)
    config = discord_config(fake, showcase_channel="showcase", admin_roles=["curators"])
    async with running_app(fake, tmp_path / "bot.sqlite3", config) as app:
        await answer(fake, guild, "ana", "share", {"link": "https://vimeo.com/1", "title": "Night Bus"})
        await answer(fake, guild, "ben", "share", {"link": "https://vimeo.com/2", "title": "Rain"})
        preview = await in_dm(fake, user(fake, guild, "ana"), {})
        assert "films you shared (1): deleted" in preview["content"] and preview["components"]
        done = await in_dm(fake, user(fake, guild, "ana"), {"confirm": True})
        assert "You are forgotten" in done["content"]
        refused = await answer(fake, guild, "ben", "forget", {"user": "cleo"})
        assert "Only community admins" in refused["content"]
        summary = await answer(fake, guild, "cleo", "forget", {"user": "ben", "confirm": True})
        assert "ben is forgotten" in summary["content"] and "films you shared (1)" in summary["content"]
        assert await app.db.fetchval("SELECT COUNT(*) FROM films") == 0
