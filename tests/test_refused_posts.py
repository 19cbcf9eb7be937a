"""A chat that refuses the bot's announcements for a missing right: the admins are told once, on the other
platform, which chat and which right, however many announcements fail there; and nothing is retried."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.testing.fakes.discord_server import FakeDiscord
from bot.testing.fakes.telegram_server import FakeTelegram
from tests.discord_support import discord_text
from tests.two_platforms import (
    BothBot,
    both_config,
    discord_answer,
    discord_chat,
    discord_posts,
    eventually,
    telegram_chat,
    telegram_posts,
    telegram_say,
    telegram_text,
)

pytestmark = pytest.mark.timeout(30)


def telegram_says(fake: FakeTelegram, group: dict[str, object], words: str) -> list[str]:
    return [text for request in telegram_posts(fake, group) if words in (text := telegram_text(request))]


def told_on_discord(fake: FakeDiscord, channel_id: str, words: str) -> list[str]:
    return [text for message in discord_posts(fake, channel_id) if words in (text := discord_text(message))]


async def test_a_discord_channel_refusing_posts_is_reported_once_with_the_permission(tmp_path: Path) -> None:
    async with FakeDiscord() as discord, FakeTelegram() as telegram:
        guild = discord.add_guild("makers", channels=["general"])
        group, tom = telegram.add_group("Makers"), telegram.add_user("Tom", "tom")
        general = guild.channel("general")
        config = both_config(discord, telegram, [{"key": "makers", "chats": [discord_chat(guild, "general"),
                                                                            telegram_chat(group)]}])
        async with BothBot(tmp_path / "bot.sqlite3", config, telegram=telegram) as bot:
            discord.deny_send(general)  # Discord answers 403, code 50013 Missing Permissions
            await telegram_say(telegram, group, tom, '/share https://vimeo.com/10 "Night Bus"', "is shared")
            await telegram_say(telegram, group, tom, '/share https://vimeo.com/11 "Day Tram"', "is shared")
            await bot.app.outbox.flush()
            refused = discord.requests_to("POST", rf"/channels/{general.id}/messages$")
            assert [request.status for request in refused] == [403, 403]
            assert [request.response["code"] for request in refused] == [50013, 50013]
            told = telegram_says(telegram, group, "I cannot post in")
            assert told == ["⚠️ I cannot post in #general (makers) on Discord: I need the permission Send Messages "
                            "there. Announcements for that chat are not posted until an admin grants it "
                            "(this is said once)."]
            assert not any("failed and needs a look" in text for text in telegram_says(telegram, group, ""))


async def test_a_telegram_group_that_muted_the_bot_is_reported_once_on_discord_in_chinese(tmp_path: Path) -> None:
    async with FakeDiscord() as discord, FakeTelegram() as telegram:
        guild = discord.add_guild("makers", channels=["general"])
        group, dana = telegram.add_group("电影人"), discord.add_member(guild, "dana")
        general = guild.channel("general")
        config = both_config(discord, telegram, [{"key": "makers", "language": "zh-Hans", "chats": [
            discord_chat(guild, "general"), telegram_chat(group)]}])
        async with BothBot(tmp_path / "bot.sqlite3", config, telegram=telegram) as bot:
            telegram.mute_bot(group)  # Telegram answers 400 "not enough rights to send text messages"
            for number, title in ((10, "夜班车"), (11, "白日电车")):
                await discord_answer(discord, guild, dana, "share", {"link": f"https://vimeo.com/{number}",
                                                                     "title": title})
            await bot.app.outbox.flush()
            refused = [request for request in telegram.calls("sendMessage")
                       if request.params.get("chat_id") == group["id"]]
            assert len(refused) == 2 and not any(request.ok for request in refused)
            await eventually(lambda: bool(told_on_discord(discord, general.id, "无法")))
            told = told_on_discord(discord, general.id, "无法")
            assert told == ["⚠️ 我无法在 Telegram 的 电影人 发帖：我需要那里的「发送消息」权限。在管理员授予之前，"
                            "发往该聊天的公告都不会发出（此提醒只发一次）。"]
            bot.clock.advance(timedelta(hours=2))  # given up, not retried: a refusal stays one until fixed
            await bot.app.outbox.flush()
            assert len([request for request in telegram.calls("sendMessage")
                        if request.params.get("chat_id") == group["id"]]) == 2


async def test_a_group_that_removed_the_bot_is_named_by_its_id(tmp_path: Path) -> None:
    async with FakeDiscord() as discord, FakeTelegram() as telegram:
        guild = discord.add_guild("makers", channels=["general"])
        group, dana = telegram.add_group("Makers"), discord.add_member(guild, "dana")
        general = guild.channel("general")
        config = both_config(discord, telegram, [{"key": "makers", "chats": [discord_chat(guild, "general"),
                                                                            telegram_chat(group)]}])
        async with BothBot(tmp_path / "bot.sqlite3", config, telegram=telegram) as bot:
            telegram.remove_bot(group)  # Telegram answers 403 "bot was kicked", and getChat does too
            await discord_answer(discord, guild, dana, "share", {"link": "https://vimeo.com/10", "title": "Night Bus"})
            await bot.app.outbox.flush()
            await eventually(lambda: bool(told_on_discord(discord, general.id, "I cannot post")))
            told = told_on_discord(discord, general.id, "I cannot post")
            # (Discord's markdown shows "\\-100…" as "-100…")
            assert told == [f"⚠️ I cannot post in \\{group['id']} on Telegram: I need the permission membership (add "
                            "the bot back to the group) there. Announcements for that chat are not posted until an "
                            "admin grants it (this is said once)."]

