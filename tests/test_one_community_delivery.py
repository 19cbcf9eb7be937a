"""An announcement that fails on one platform, seen through both stand-ins at once: a refusal (403) is given
up there, a server failure or stall is retried there, and the other platform gets it once, without waiting."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from bot.testing.fakes.discord_server import FakeDiscord
from bot.testing.fakes.telegram_server import FakeTelegram
from tests.discord_support import discord_text
from tests.two_platforms import (
    BothBot,
    both_config,
    discord_chat,
    discord_posts,
    eventually,
    telegram_chat,
    telegram_posts,
    telegram_say,
    telegram_text,
)

pytestmark = pytest.mark.timeout(30)


def announced_on_discord(fake: FakeDiscord, channel_id: str, words: str) -> int:
    return sum(words in discord_text(message) for message in discord_posts(fake, channel_id))


def announced_on_telegram(fake: FakeTelegram, group: dict[str, object], words: str) -> int:
    return sum(words in telegram_text(request) for request in telegram_posts(fake, group))


async def test_a_refusal_on_discord_is_given_up_there_and_telegram_gets_it_once(tmp_path: Path) -> None:
    async with FakeDiscord() as discord, FakeTelegram() as telegram:
        guild = discord.add_guild("makers", channels=["general"])
        group, tom = telegram.add_group("Makers"), telegram.add_user("Tom", "tom")
        general = guild.channel("general")
        config = both_config(discord, telegram, [{"key": "makers", "chats": [discord_chat(guild, "general"),
                                                                            telegram_chat(group)]}])
        async with BothBot(tmp_path / "bot.sqlite3", config, telegram=telegram) as bot:
            discord.deny_send(general)  # the bot lost Send Messages there: Discord answers 403
            await telegram_say(telegram, group, tom, '/share https://vimeo.com/10 "Night Bus"', "is shared")
            assert announced_on_telegram(telegram, group, "New film by Tom") == 1
            refused = discord.requests_to("POST", rf"/channels/{general.id}/messages$")
            assert [request.status for request in refused] == [403]
            row = await bot.app.db.fetchone("SELECT status, attempts FROM outbox WHERE platform = 'discord'")
            assert row is not None and (row["status"], row["attempts"]) == ("failed", 1)
            # Hours later nothing is tried again on Discord, and Telegram never gets it twice.
            bot.clock.advance(timedelta(hours=2))
            await bot.app.outbox.flush()
            assert len(discord.requests_to("POST", rf"/channels/{general.id}/messages$")) == 1
            assert announced_on_telegram(telegram, group, "New film by Tom") == 1
            # The admins hear of it where they can be reached: on Telegram, once.
            assert announced_on_telegram(telegram, group, "I cannot post in #general (makers) on Discord") == 1


async def test_a_stalled_then_failed_telegram_send_is_retried_there_without_holding_up_discord(
        tmp_path: Path) -> None:
    async with FakeDiscord() as discord, FakeTelegram() as telegram:
        guild = discord.add_guild("makers", channels=["general"], members=["dana"])
        dana = next(user for user in discord.model.users.values() if user["username"] == "dana")
        group = telegram.add_group("Makers")
        general = guild.channel("general")
        # Telegram is listed first, so its row is the older one.
        config = both_config(discord, telegram, [{"key": "makers", "chats": [telegram_chat(group),
                                                                            discord_chat(guild, "general")]}])
        async with BothBot(tmp_path / "bot.sqlite3", config, telegram=telegram) as bot:
            release = asyncio.Event()
            telegram.fail_next("sendMessage", 504, "Gateway Timeout", hold=release)
            interaction = await discord.slash(guild, "general", dana, "share",
                                              {"link": "https://vimeo.com/1", "title": "Lamp Post"})
            # Discord gets the announcement while the Telegram request still hangs.
            await eventually(lambda: announced_on_discord(discord, general.id, "New film by dana") == 1)
            stalled = telegram.calls("sendMessage")
            assert len(stalled) == 1 and stalled[0].status is None
            release.set()
            assert "is shared" in (await interaction.wait_callback())["data"]["content"]
            row = await bot.app.db.fetchone("SELECT status, attempts, last_error FROM outbox "
                                            "WHERE platform = 'telegram'")
            assert row is not None and (row["status"], row["attempts"]) == ("pending", 1)
            assert "Gateway Timeout" in row["last_error"]
            # The retry falls due: Telegram gets it once; Discord is not sent it again.
            bot.clock.advance(timedelta(seconds=6))
            assert await bot.app.outbox.flush() == 1
            await bot.app.outbox.flush()
            assert announced_on_telegram(telegram, group, "New film by dana") == 1
            assert announced_on_discord(discord, general.id, "New film by dana") == 1
            assert await bot.app.db.fetchval("SELECT COUNT(*) FROM outbox WHERE status != 'sent'") == 0
        assert discord.errors == []


async def test_rows_for_a_platform_not_running_wait_for_it_without_stalling_start(tmp_path: Path) -> None:
    from bot.models import Message, Text
    from bot.testing.harness import Harness, make_config
    from tests.test_outbox import FlakyPlatform

    config = make_config({"communities": [{"key": "one", "chats": [
        {"platform": "console", "id": "console"}, {"platform": "telegram", "id": "-1001"}]}]})
    bot = Harness(tmp_path / "b.sqlite3", config)
    flaky = FlakyPlatform()
    bot.app.platforms["telegram"] = flaky  # type: ignore[assignment]
    async with bot:
        community = (await bot.app.directory.communities())[0]
        async with bot.app.db.transaction() as tx:
            await bot.app.outbox.announce(tx, community, "showcase", Message(Text.of("hello")), key="k1")
    bot.clock.advance(timedelta(minutes=1))
    await asyncio.wait_for(bot.restart(), 5)  # now without Telegram: its pending row must not spin the flush
    assert await bot.app.outbox.pending("telegram") == 1  # it waits for a run that has Telegram
    await bot.app.stop()
    assert flaky.sent == [] and bot.lines == ["[1] #general: hello"]
