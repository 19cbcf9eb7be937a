"""One community across Discord and Telegram, through both real adapters and both loopback stand-ins at once:
a film shared on Telegram is announced on both, a challenge runs with makers on each platform, its entries
are posted on both, a person links their two accounts and votes from both, and the results (on both) count
that person once."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.testing.fakes.discord_model import Perm
from bot.testing.fakes.discord_server import FakeDiscord
from bot.testing.fakes.telegram_server import FakeTelegram
from tests.discord_support import discord_text
from tests.two_platforms import (
    START,
    BothBot,
    both_config,
    discord_answer,
    discord_chat,
    discord_posts,
    eventually,
    telegram_button,
    telegram_chat,
    telegram_message_id,
    telegram_posts,
    telegram_say,
    telegram_text,
)

pytestmark = pytest.mark.timeout(30)
MANAGE_GUILD = 1 << 5
CODE = re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}")


async def active_votes(app: App, count: int) -> None:
    """Wait until the reaction and button events reached the vote store."""
    for _ in range(500):
        if await app.db.fetchval("SELECT COUNT(*) FROM challenge_votes WHERE active = 1") == count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{count} active votes never reached the store")


async def test_one_community_on_discord_and_telegram(tmp_path: Path) -> None:
    async with FakeDiscord() as discord, FakeTelegram() as telegram:
        guild = discord.add_guild("makers", channels=["general", "lobby"], members=["dana", "lin", "ivy", "kai"])
        mo = discord.add_member(guild, "mo", permissions=Perm.EVERYONE_DEFAULT | MANAGE_GUILD)
        dana, lin_d, ivy, kai_d = (next(discord.model.users[uid] for uid in guild.members
                                        if discord.model.users[uid]["username"] == name)
                                   for name in ("dana", "lin", "ivy", "kai"))
        group = telegram.add_group("Makers")
        ann, tom, lin_t, kai_t = (telegram.add_user(name, name.lower()) for name in ("Ann", "Tom", "Lin", "Kai"))
        telegram.set_admins(group, [telegram.bot_user, ann])  # reactions reach admin bots only
        general = guild.channel("general")
        config = both_config(discord, telegram, [{"key": "makers", "name": "Microfilm makers", "chats": [
            discord_chat(guild, "general"), telegram_chat(group)]}])
        async with BothBot(tmp_path / "bot.sqlite3", config, telegram=telegram) as bot:
            app = bot.app

            # A film shared on Telegram is announced on Discord (an embed) and on Telegram (HTML).
            shared = await telegram_say(telegram, group, tom, '/share https://vimeo.com/10 "Night Bus" runtime=3:00',
                                        "is shared")
            assert "Film #1 “Night Bus” is shared" in shared
            await eventually(lambda: any(m.get("embeds") for m in discord_posts(discord, general.id)))
            announced = next(m for m in discord_posts(discord, general.id) if m.get("embeds"))
            assert announced["embeds"][0]["title"] == "Night Bus"
            assert "New film by Tom" in discord_text(announced)
            on_telegram = [r for r in telegram_posts(telegram, group) if "New film by Tom" in telegram_text(r)]
            assert len(on_telegram) == 1 and on_telegram[0].params["parse_mode"] == "HTML"
            assert "Night Bus" in telegram_text(on_telegram[0])
            assert discord.requests_to("POST", rf"/channels/{guild.channel('lobby').id}/messages$") == []

            # A Discord admin opens a challenge; it is announced on Telegram too.
            created = await discord_answer(discord, guild, mo, "challenge_admin", {"theme": "Night walks"}, "new")
            assert "Challenge #1 “Night walks” is set" in created["content"]
            await eventually(lambda: any("Challenge #1: Night walks" in telegram_text(r)
                                         for r in telegram_posts(telegram, group)))
            # Makers on each platform submit.
            entered = await discord_answer(discord, guild, dana, "submit",
                                           {"film": "https://vimeo.com/1", "title": "Lamp Post", "runtime": "2:00"})
            assert "“Lamp Post” is in challenge #1" in entered["content"]
            assert "is in challenge #1" in await telegram_say(
                telegram, group, tom, '/submit https://vimeo.com/2 title="Moon Bus" runtime=2:00', "challenge #1")

            # Submissions close: every entry is posted on both platforms, with a Vote button.
            await app.scheduler.advance_to(START + timedelta(days=5))
            await eventually(lambda: len([m for m in discord_posts(discord, general.id)
                                          if "Entry #" in discord_text(m)]) == 2)
            cards = {m["embeds"][0]["title"]: m for m in discord_posts(discord, general.id)
                     if "Entry #" in discord_text(m)}
            await eventually(lambda: len([r for r in telegram_posts(telegram, group)
                                          if "vote with" in telegram_text(r)]) == 2)
            posts = {title: r for r in telegram_posts(telegram, group) if "vote with" in telegram_text(r)
                     for title in ("Lamp Post", "Moon Bus") if title in telegram_text(r)}
            assert set(cards) == set(posts) == {"Lamp Post", "Moon Bus"}

            # Lin links the Discord account to the Telegram one: the code comes privately on Discord.
            asked = await discord_answer(discord, guild, lin_d, "link")
            assert asked["flags"] & 64  # ephemeral: only Lin sees it
            code = CODE.search(asked["content"])
            assert code is not None
            lin_chat = telegram.private_chat(lin_t)
            assert "Linked" in await telegram_say(telegram, lin_chat, lin_t, f"/link {code.group(0)}", "Linked")
            assert await app.db.fetchval("SELECT COUNT(DISTINCT person_id) FROM accounts WHERE user_id IN (?, ?)",
                                         (lin_d["id"], str(lin_t["id"]))) == 1

            # Lin votes for Lamp Post from both platforms: ⭐ on Discord, 🔥 and the Vote button on Telegram.
            lamp_d, lamp_t = cards["Lamp Post"], posts["Lamp Post"]
            await discord.react(general, lamp_d["id"], lin_d, "⭐")
            telegram.react(group, lin_t, telegram_message_id(lamp_t), "🔥")
            telegram.press_button(group, lin_t, telegram_message_id(lamp_t), telegram_button(lamp_t))
            # Others: Ann (Telegram) and Ivy (Discord) vote for Lamp Post, Dana (Discord) for Moon Bus.
            telegram.react(group, ann, telegram_message_id(lamp_t), "🔥")
            await discord.react(general, lamp_d["id"], ivy, "⭐")
            await discord.react(general, cards["Moon Bus"]["id"], dana, "⭐")
            await active_votes(app, 6)

            # Kai votes from both platforms before linking, then merges the two (both hold votes: confirm).
            await discord.react(general, lamp_d["id"], kai_d, "⭐")
            telegram.react(group, kai_t, telegram_message_id(lamp_t), "🔥")
            await active_votes(app, 8)
            asked = await discord_answer(discord, guild, kai_d, "link")
            kai_code = CODE.search(asked["content"])
            assert kai_code is not None
            kai_chat = telegram.private_chat(kai_t)
            assert "Merge them?" in await telegram_say(telegram, kai_chat, kai_t, f"/link {kai_code.group(0)}",
                                                       "Merge")
            assert "Linked" in await telegram_say(telegram, kai_chat, kai_t,
                                                  f"/link {kai_code.group(0)} confirm=yes", "Linked")

            # Voting closes: the results, on both platforms, count Lin once.
            await app.scheduler.advance_to(START + timedelta(days=7, hours=1))
            await eventually(lambda: any("Results of challenge #1" in discord_text(m)
                                         for m in discord_posts(discord, general.id)))
            await eventually(lambda: any("Results of challenge #1" in telegram_text(r)
                                         for r in telegram_posts(telegram, group)))
            on_discord = [discord_text(m) for m in discord_posts(discord, general.id)
                          if "Results of challenge #1" in discord_text(m)]
            on_tg = [telegram_text(r) for r in telegram_posts(telegram, group)
                     if "Results of challenge #1" in telegram_text(r)]
            assert len(on_discord) == len(on_tg) == 1
            for results in (on_discord[0].replace("**", ""), on_tg[0]):
                assert "“Lamp Post” by dana — votes: 4, points: +3" in results  # Lin, Ann, Ivy, Kai
                assert "“Moon Bus” by Tom — votes: 1, points: +2" in results
                assert "Winner: dana" in results
        assert discord.errors == []
