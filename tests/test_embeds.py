"""Cards as Discord embeds: a colour per kind, the maker as author, a timestamp; deadlines with a live
countdown; results and the leaderboard as embeds with places and medals."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.testing.fakes.discord_server import FakeDiscord
from bot.testing.harness import Harness
from bot.timeutil import from_db
from tests.discord_round import START, voting_round
from tests.discord_support import answer, eventually, make_guild, running_app

pytestmark = pytest.mark.timeout(30)
FILM, CHALLENGE, RESULTS = 0x3498DB, 0xE67E22, 0xF1C40F


async def test_a_film_card_is_blue_with_its_maker_and_its_time(discord_fake: FakeDiscord, tmp_path: Path) -> None:
    guild = make_guild(discord_fake)
    async with running_app(discord_fake, tmp_path / "bot.sqlite3") as app:
        await answer(discord_fake, guild, "ana", "share", {"link": "https://vimeo.com/1", "title": "Night Bus"})
        await eventually(lambda: bool(discord_fake.messages_in(guild.channel("showcase"))))
        embed = discord_fake.messages_in(guild.channel("showcase"))[0]["embeds"][0]
        assert embed["color"] == FILM and embed["author"]["name"] == "ana"
        shared = await app.db.fetchval("SELECT created_at FROM films WHERE id = 1")
        assert datetime.fromisoformat(embed["timestamp"]) == from_db(shared)


async def test_results_and_leaderboard_are_gold_embeds_with_medals(discord_fake: FakeDiscord,
                                                                   tmp_path: Path) -> None:
    async with voting_round(discord_fake, tmp_path / "bot.sqlite3", entries=3, voters=3) as round_:
        opening = next(m for m in discord_fake.messages_in(round_.channel) if "Challenge #1" in (m["content"] or ""))
        assert "<t:" in opening["content"] and ":R>)" in opening["content"]  # a live countdown to each deadline
        card = next(m for m in discord_fake.messages_in(round_.channel)
                    if "entry 1 of" in (m["content"] or ""))["embeds"][0]
        assert card["color"] == CHALLENGE and card["author"]["name"].startswith("maker")
        for votes, entry in ((3, 1), (2, 2), (1, 3)):
            for voter in round_.voters[:votes]:
                await discord_fake.react(round_.channel, round_.cards[entry], voter, "⭐")
        await round_.app.scheduler.advance_to(START + timedelta(days=7, hours=1))

        def results() -> list[dict]:
            return [e for m in discord_fake.messages_in(round_.channel) for e in m.get("embeds") or []
                    if e.get("title", "").startswith("🏆")]

        await eventually(lambda: bool(results()))
        (embed,) = results()
        assert embed["title"] == "🏆 Results of challenge #1: Night walks" and embed["color"] == RESULTS
        lines = embed["description"].splitlines()
        assert lines[0].startswith("🥇 1. “") and lines[1].startswith("🥈 2. “") and lines[2].startswith("🥉 3. “")
        board = await answer(discord_fake, round_.guild, "mo", "leaderboard")
        assert board["embeds"][0]["title"].startswith("Leaderboard 2026")
        assert board["embeds"][0]["description"].startswith("🥇 1. maker0 — points: 3")


async def test_the_console_shows_the_same_places_as_text(bot: Harness) -> None:
    await bot.run("ann: /challenge_admin new Rain", 'alice: /submit https://vimeo.com/1 title=A runtime=1:00',
                  "~ +5d", 'bob +⭐ "Entry #1"', "~ +2d")
    assert "🥇 1. alice — points: 3" in await bot.text("bob: /leaderboard")
