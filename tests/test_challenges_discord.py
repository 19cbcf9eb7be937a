"""A whole challenge round through the real Discord adapter and the loopback Discord stand-in."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.clock import VirtualClock
from bot.platforms.discord_platform import create
from bot.testing.fakes.discord_server import FakeDiscord
from tests.discord_support import answer, discord_config, discord_text, eventually, make_guild, user

pytestmark = pytest.mark.timeout(30)
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def stored_votes(app: App, count: int) -> None:
    """Wait until the gateway events reached the vote store."""
    for _ in range(300):
        if await app.db.fetchval("SELECT COUNT(*) FROM challenge_votes") == count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{count} votes never reached the store")


def posted(fake: FakeDiscord, channel_id: str) -> list[dict[str, Any]]:
    return [request.response for request in fake.requests_to("POST", rf"/channels/{channel_id}/messages$")
            if request.status == 200]


async def test_a_round_on_discord(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        guild = make_guild(fake)
        config = discord_config(fake, showcase_channel="showcase", challenges_channel="general",
                                sections={"bot": {"cogs": ["films", "challenges"]}})
        clock = VirtualClock(START)
        app = App(config, db_path=str(tmp_path / "bot.sqlite3"), clock=clock, platforms=[create(config)])
        await app.start()
        try:
            general = guild.channel("general")
            data = await answer(fake, guild, "mo", "challenge_admin", {"theme": "Night walks"}, subcommand="new")
            assert "Challenge #1 “Night walks” is set" in data["content"]
            refused = await answer(fake, guild, "ana", "challenge_admin", {"theme": "Sneaky"}, subcommand="new")
            assert "Only community admins" in refused["content"]
            for name, link, title in (("ana", "https://vimeo.com/1", "Lamp Post"),
                                      ("ben", "https://vimeo.com/2", "Moon Bus")):
                data = await answer(fake, guild, name, "submit", {"film": link, "title": title, "runtime": "2:00"})
                assert f"“{title}” is in challenge #1" in data["content"]
            await app.scheduler.advance_to(START + timedelta(days=5))
            await eventually(lambda: len([m for m in posted(fake, general.id) if m.get("embeds")]) == 2)
            cards = {m["embeds"][0]["title"]: m for m in posted(fake, general.id) if m.get("embeds")}
            lamp, moon = cards["Lamp Post"], cards["Moon Bus"]
            author = lamp["embeds"][0]["author"]  # the maker, with their picture (Discord's default: none set)
            assert author["name"] == "ana" and author["icon_url"].startswith("https://cdn.discordapp.com/embed/avatars/")
            assert lamp["components"][0]["components"][0]["custom_id"].startswith("challenges.vote:")
            await fake.react(general, lamp["id"], user(fake, guild, "cleo"), "⭐")
            await fake.react(general, moon["id"], user(fake, guild, "ben"), "⭐")  # his own entry
            pressed = await fake.press_button(guild, "general", user(fake, guild, "mo"), lamp["id"],
                                              lamp["components"][0]["components"][0]["custom_id"])
            assert "is counted" in (await pressed.wait_callback())["data"]["content"]
            await stored_votes(app, 3)
            fake.seed_reactions(moon["id"], "⭐", [user(fake, guild, "ben"), fake.add_user("dora")])  # while away
            await app.scheduler.advance_to(START + timedelta(days=7, hours=1))
            await eventually(lambda: any("Results of challenge #1" in discord_text(m)
                                         for m in posted(fake, general.id)))
            results = next(discord_text(m) for m in posted(fake, general.id) if "Results" in discord_text(m))
            assert "“Lamp Post” by ana — votes: 2, points: +3" in results
            assert "“Moon Bus” by ben — votes: 1, points: +2" in results  # dora, recounted; ben's own never
            assert "Winner: ana" in results
            assert sum("Results of challenge #1" in discord_text(m) for m in posted(fake, general.id)) == 1
            # The podium's picture is uploaded with the results and shown inside their embed.
            card = next(m for m in posted(fake, general.id) if "Results" in discord_text(m))
            assert [a["filename"] for a in card["attachments"]] == ["challenge-1-podium.png"]
            assert card["attachments"][0]["size"] > 1000
            assert card["embeds"][0]["image"]["url"] == "attachment://challenge-1-podium.png"
        finally:
            await app.stop()
        assert fake.errors == []
