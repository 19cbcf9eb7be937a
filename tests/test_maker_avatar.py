"""A film card on Discord shows its maker at the top with their Discord picture, through both real adapters
and both stand-ins: a member's own avatar, Discord's default for one without, the name alone for a maker
who has no Discord account, and the Discord picture of a maker who linked their two accounts and shared
from Telegram. Telegram shows the maker by name (a picture there would need a file URL with the token)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot.testing.fakes.discord_server import FakeDiscord, Guild
from bot.testing.fakes.telegram_server import FakeTelegram
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
DANA_AVATAR = "5f2b9c0e7d1a4b3c8e6f0a9d2c4b1e7f"
KAI_AVATAR = "a_0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f"  # "a_": an animated picture, served as a GIF
CDN = "https://cdn.discordapp.com"
CODE = re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}")


def announced_author(discord: FakeDiscord, guild: Guild, title: str) -> dict[str, Any]:
    """The author line of the film card announced in #general for `title`."""
    (card,) = [embed for message in discord_posts(discord, guild.channel("general").id)
               for embed in message.get("embeds", []) if embed["title"] == title]
    author: dict[str, Any] = card["author"]
    return author


def has_card(discord: FakeDiscord, guild: Guild, title: str) -> bool:
    return any(embed["title"] == title for message in discord_posts(discord, guild.channel("general").id)
               for embed in message.get("embeds", []))


async def test_film_cards_show_the_makers_discord_picture(tmp_path: Path) -> None:
    async with FakeDiscord() as discord, FakeTelegram() as telegram:
        guild = discord.add_guild("makers", channels=["general"])
        dana = discord.add_member(guild, "dana", avatar=DANA_AVATAR)
        lin = discord.add_member(guild, "lin")
        kai_d = discord.add_member(guild, "kai", avatar=KAI_AVATAR)
        group = telegram.add_group("Makers")
        tom, kai_t = telegram.add_user("Tom", "tom"), telegram.add_user("Kai", "kai")
        config = both_config(discord, telegram, [{"key": "makers", "name": "Microfilm makers", "chats": [
            discord_chat(guild, "general"), telegram_chat(group)]}], cogs=["films", "community"])
        async with BothBot(tmp_path / "bot.sqlite3", config, telegram=telegram):
            shared = await discord_answer(discord, guild, dana, "share",
                                          {"link": "https://vimeo.com/1", "title": "Lamp Post"})
            assert "is shared" in shared["content"]
            await discord_answer(discord, guild, lin, "share", {"link": "https://vimeo.com/2", "title": "Tide"})
            await telegram_say(telegram, group, tom, '/share https://vimeo.com/3 "Night Bus"', "is shared")
            await eventually(lambda: all(has_card(discord, guild, t) for t in ("Lamp Post", "Tide", "Night Bus")))

            assert announced_author(discord, guild, "Lamp Post") == {
                "name": "dana", "icon_url": f"{CDN}/avatars/{dana['id']}/{DANA_AVATAR}.png?size=1024"}
            lin_author = announced_author(discord, guild, "Tide")
            assert lin_author["name"] == "lin"
            assert re.fullmatch(r"https://cdn\.discordapp\.com/embed/avatars/[0-5]\.png", lin_author["icon_url"])
            assert announced_author(discord, guild, "Night Bus") == {"name": "Tom"}  # no Discord account
            shown = await discord_answer(discord, guild, lin, "film", {"id": 1})  # /film answers with the card
            assert shown["embeds"][0]["author"]["icon_url"].endswith(f"/{DANA_AVATAR}.png?size=1024")
            night_bus = [r for r in telegram_posts(telegram, group) if "New film by Tom" in telegram_text(r)]
            assert len(night_bus) == 1 and "Maker: Tom" in telegram_text(night_bus[0])

            # Kai links the two accounts, then shares from Telegram: Discord shows Kai's Discord picture.
            asked = await discord_answer(discord, guild, kai_d, "link")
            code = CODE.search(asked["content"])
            assert code is not None
            kai_chat = telegram.private_chat(kai_t)
            assert "Linked" in await telegram_say(telegram, kai_chat, kai_t, f"/link {code.group(0)}", "Linked")
            await telegram_say(telegram, group, kai_t, '/share https://vimeo.com/4 "Harbour"', "is shared")
            await eventually(lambda: has_card(discord, guild, "Harbour"))
            assert announced_author(discord, guild, "Harbour") == {  # named as last seen, on Telegram
                "name": "Kai", "icon_url": f"{CDN}/avatars/{kai_d['id']}/{KAI_AVATAR}.gif?size=1024"}
