"""Two communities from config, on both real adapters: one community's films, challenges, admins and
announcements never see or change the other's; a person linked across them keeps each community's data
in that community."""

from __future__ import annotations

import re
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
CODE = re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}")


async def test_two_communities_never_see_or_change_each_other(tmp_path: Path) -> None:
    async with FakeDiscord() as discord, FakeTelegram() as telegram:
        north, south = telegram.add_group("North makers"), telegram.add_group("South makers")
        ann, sid, pat_t = (telegram.add_user(name, name.lower()) for name in ("Ann", "Sid", "Pat"))
        telegram.set_admins(north, [ann])
        telegram.set_admins(south, [sid])
        guild = discord.add_guild("south", channels=["general"], members=["pat"])
        pat_d = next(user for user in discord.model.users.values() if user["username"] == "pat")
        general = guild.channel("general")
        config = both_config(discord, telegram, [
            {"key": "north", "chats": [telegram_chat(north)]},
            {"key": "south", "chats": [telegram_chat(south), discord_chat(guild, "general")]}])
        async with BothBot(tmp_path / "bot.sqlite3", config, telegram=telegram) as bot:
            # Pat shares a film in each community: North on Telegram (#1), South on Discord (#2).
            assert "Film #1" in await telegram_say(telegram, north, pat_t, '/share https://vimeo.com/1 "North Film"',
                                                   "is shared")
            shared = await discord_answer(discord, guild, pat_d, "share",
                                          {"link": "https://vimeo.com/2", "title": "South Film"})
            assert "Film #2" in shared["content"]
            # South's admin opens challenge #1 there.
            assert "Challenge #1" in await telegram_say(telegram, south, sid, "/challenge_admin new Rain", "is set")

            # Another community's film and challenge are not found; its admin changes nothing here.
            assert "no film #2 in this community" in await telegram_say(telegram, north, ann, "/film 2", "film")
            assert "no challenge #1 in this community" in await telegram_say(
                telegram, north, ann, "/challenge_admin cancel 1", "challenge")
            assert "Only community admins" in await telegram_say(telegram, south, ann, "/challenge_admin cancel 1",
                                                                  "admins")
            assert await bot.app.db.fetchval("SELECT state FROM challenges WHERE id = 1") == "open"
            assert "South Film" in await telegram_say(telegram, south, sid, "/film 2", "South Film")

            # Pat links the two accounts (both hold films: confirm) ...
            asked = await discord_answer(discord, guild, pat_d, "link")
            code = CODE.search(asked["content"])
            assert code is not None
            private = telegram.private_chat(pat_t)
            assert "Linked" in await telegram_say(telegram, private, pat_t, f"/link {code.group(0)} confirm=yes",
                                                  "Linked")
            # ... and is one person, whose films stay in the community they were shared in.
            in_north = await telegram_say(telegram, north, pat_t, "/profile", "films")
            assert "North Film" in in_north and "South Film" not in in_north and "films: 1" in in_north
            in_south = await discord_answer(discord, guild, pat_d, "profile")
            assert "South Film" in in_south["content"] and "North Film" not in in_south["content"]
            assert "no film #1 in this community" in (await discord_answer(discord, guild, pat_d, "film",
                                                                           {"id": 1}))["content"]

            # Announcements of one community never reached the other's chats.
            await eventually(lambda: any("South Film" in discord_text(m) for m in discord_posts(discord, general.id)))
            north_saw = "\n".join(telegram_text(r) for r in telegram_posts(telegram, north))
            south_saw = "\n".join(telegram_text(r) for r in telegram_posts(telegram, south))
            discord_saw = "\n".join(discord_text(m) for m in discord_posts(discord, general.id))
            assert "New film by Pat" in north_saw and "South Film" not in north_saw and "Rain" not in north_saw
            assert "South Film" in south_saw and "Challenge #1: Rain" in south_saw and "North Film" not in south_saw
            assert "Challenge #1: Rain" in discord_saw and "North Film" not in discord_saw
        assert discord.errors == []
