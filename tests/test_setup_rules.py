"""/setup rule: a community's admins set the rules the config gives every community by default (points,
genres, what a critique costs and the floor it must meet, the vote emoji); the next round, share or
critique follows them, they survive a restart, bad values are refused saying how to fix them and nothing
is saved, and another community keeps the config's rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.testing.fakes.discord_server import FakeDiscord
from bot.testing.harness import Harness, make_config
from tests.discord_support import COGS, answer, discord_config, make_guild, running_app

pytestmark = pytest.mark.timeout(30)
ROUND = [
    'ann: /challenge_admin new Night walks max_runtime=3m',
    'alice: /share https://vimeo.com/1 "Lamp Post" runtime=2:00',
    "alice: /submit 1",
    'bob: /submit https://vimeo.com/2 title="Moon Bus" runtime=2:30',
]
NOTES = "Lovely light at 0:42, the cut at 1:10 comes late"  # ten words, two timecodes


async def test_points_and_the_vote_emoji_rule_the_next_round_after_a_restart(tmp_path: Path) -> None:
    async with Harness(tmp_path / "db.sqlite3", make_config()) as bot:
        assert "points is now 5, 3, 1 for this community" in await bot.text("ann: /setup rule points 5，3，1")
        assert "vote_emoji is now 🎬" in await bot.text("ann: /setup rule vote_emoji 🎬")
        await bot.restart()
        await bot.run(*ROUND)
        assert "vote with 🎬" in await bot.text("~ +5d")
        assert "is being voted on" in await bot.text("ann: /setup rule vote_emoji ⭐")
        assert "is being voted on" in await bot.text("ann: /setup reset vote_emoji")
        assert "is counted" in await bot.text('carol +🎬 "Lamp Post"', 'frank +🎬 "Lamp Post"')
        assert "is counted" not in await bot.text('dave +⭐ "Moon Bus"')  # the config's emoji no longer votes
        assert "is counted" in await bot.text('erin +🔥 "Moon Bus"')  # the other vote emoji still does
        out = await bot.text("~ +2d")
        assert "1. “Lamp Post” by alice — votes: 2, points: +5" in out
        assert "2. “Moon Bus” by bob — votes: 1, points: +3" in out
        shown = await bot.text("ann: /setup show")
        assert "points — Points for 1st, 2nd, 3rd place: 5, 3, 1 (set in chat)" in shown
        assert "vote_days — Days a new challenge's voting lasts: 2 (default)" in shown
        assert "back to the config's default" in await bot.text("ann: /setup reset vote_emoji")
        assert "vote_emoji — The emoji that votes: ⭐ (default)" in await bot.text("ann: /setup show")


async def test_genres_typed_in_any_of_their_names_rule_what_films_may_be(tmp_path: Path) -> None:
    async with Harness(tmp_path / "db.sqlite3", make_config()) as bot:
        assert "genres is now documentary, horror" in await bot.text("ann: /setup rule genres 纪录片、Horror")
        assert "is shared" in await bot.text('alice: /share https://vimeo.com/1 "Fog" genre=horror')
        refused = await bot.text('alice: /share https://vimeo.com/2 "Sun" genre=fiction')
        assert "documentary" in refused and "horror" in refused and "is shared" not in refused
        assert await bot.app.db.fetchval("SELECT COUNT(*) FROM films") == 1
        assert "Fog" in await bot.text("bob: /films genre=horror")


async def test_what_a_critique_costs_earns_and_needs_follows_the_community(tmp_path: Path) -> None:
    async with Harness(tmp_path / "db.sqlite3", make_config()) as bot:
        await bot.run("ann: /setup rule min_words 8", "ann: /setup rule critique_reward 4",
                      "ann: /setup rule first_request_free off", "ann: /setup rule request_cost 0",
                      'alice: /share https://vimeo.com/1 "Lamp Post" runtime=2:00')
        assert "It cost 0 credits" in await bot.text("alice: /feedback request 1")  # not free, but costs 0
        given = await bot.text(f'bob: /feedback give 1 story=4 image=4 sound=3 edit=4 notes="{NOTES}"')
        assert "+4 credits" in given, given  # ten words meet this community's floor of eight
        assert "A request costs 0 credits. Each critique that meets the floor earns 4." in await bot.text(
            "carol: /feedback credits")
        await bot.text("ann: /setup rule min_words 20")
        await bot.text('carol: /share https://vimeo.com/2 "Moon Bus" runtime=2:00', "carol: /feedback request 2")
        short = await bot.text(f'bob: /feedback give 2 story=4 image=4 sound=3 edit=4 notes="{NOTES}"')
        assert "at least 20" in short and "is saved" not in short


@pytest.mark.parametrize(("typed", "answer_has"), [
    ("points 3,x", "takes a whole number, not “x”"),
    ("points -", "points cannot be empty"),
    ("points 3,-1", "does not fit points"),
    ("request_cost 5000", "takes a value from 0 to 1000, not 5000"),
    ("first_request_free maybe", "is on or off, not “maybe”"),
    ("nosuch 1", "is not a rule I know. Rules: genres, points,"),
])
async def test_a_bad_rule_is_refused_saying_how_to_fix_it_and_nothing_is_saved(
        bot: Harness, typed: str, answer_has: str) -> None:
    assert answer_has in await bot.text(f"ann: /setup rule {typed}")
    assert "set in chat" not in await bot.text("ann: /setup show")


async def test_only_admins_set_rules(bot: Harness) -> None:
    assert "Only community admins" in await bot.text("bob: /setup rule points 9")
    assert "points — Points for 1st, 2nd, 3rd place: 3, 2, 1 (default)" in await bot.text("ann: /setup show")


async def test_chinese_admins_read_the_rules_and_their_refusals_in_chinese(tmp_path: Path) -> None:
    async with Harness(tmp_path / "db.sqlite3", make_config({"bot": {"language": "zh-Hans"}})) as bot:
        assert "本社区的 points 现为 5, 3, 1" in await bot.text("ann: /setup rule points 5,3,1")
        assert "需要一个整数，不能是「三」" in await bot.text("ann: /setup rule points 三")
        assert "points——第一、二、三名的积分：5, 3, 1（已在聊天中设置）" in await bot.text("ann: /setup show")


async def test_a_rule_set_in_one_discord_server_leaves_another_with_the_config(
        discord_fake: FakeDiscord, tmp_path: Path) -> None:
    first, second = make_guild(discord_fake), make_guild(discord_fake)
    config = discord_config(discord_fake, sections={"bot": {"cogs": [*COGS, "challenges"]}})
    async with running_app(discord_fake, tmp_path / "bot.sqlite3", config):
        synced = next(c for c in discord_fake.commands() if c["name"] == "setup")
        rule = next(o for o in synced["options"] if o["name"] == "rule")
        assert next(o for o in rule["options"] if o["name"] == "rule").get("autocomplete") is True
        done = await answer(discord_fake, first, "mo", "setup", {"rule": "points", "value": "10, 5"},
                            subcommand="rule")
        assert "points is now 10, 5" in done["content"]
        here = await answer(discord_fake, first, "mo", "setup", {}, subcommand="show")
        there = await answer(discord_fake, second, "mo", "setup", {}, subcommand="show")
        assert "10, 5 (set in chat)" in here["content"]
        assert "3, 2, 1 (default)" in there["content"] and "10, 5" not in there["content"]
