"""Discord shards: one process running every shard, or two processes' worth of Apps each running some
of them against one database; each guild is served by the shard Discord routes it to, and only once."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from bot.config import ConfigError
from bot.testing.fakes.discord_server import FakeDiscord, Guild
from tests.discord_support import answer, discord_config, running_app

pytestmark = pytest.mark.timeout(30)
SHARDS = 2


async def guild_per_shard(fake: FakeDiscord) -> list[Guild]:
    """A guild in each shard (Discord's rule: shard = (guild_id >> 22) % shard_count)."""
    found: dict[int, Guild] = {}
    while len(found) < SHARDS:
        guild = fake.add_guild(f"makers {len(fake.model.guilds)}", channels=["general"], members=["ana"])
        found.setdefault((int(guild.id) >> 22) % SHARDS, guild)
        await asyncio.sleep(0.001)  # the next id's millisecond, so the next guild may land in the other shard
    return [found[shard] for shard in range(SHARDS)]


async def test_one_process_runs_every_shard_and_answers_in_each(discord_fake: FakeDiscord, tmp_path: Path) -> None:
    guilds = await guild_per_shard(discord_fake)
    config = discord_config(discord_fake, shard_count=SHARDS)
    async with running_app(discord_fake, tmp_path / "bot.sqlite3", config):
        identified = sorted(frame["d"]["shard"] for frame in discord_fake.gateway.received if frame["op"] == 2)
        assert identified == [[0, SHARDS], [1, SHARDS]]
        for guild in guilds:
            assert "/share" in (await answer(discord_fake, guild, "ana", "help"))["content"]


async def test_two_apps_split_the_shards_and_each_guild_is_answered_once(discord_fake: FakeDiscord,
                                                                          tmp_path: Path) -> None:
    guilds = await guild_per_shard(discord_fake)
    async with AsyncExitStack() as stack:
        apps = [await stack.enter_async_context(running_app(
            discord_fake, tmp_path / "bot.sqlite3", discord_config(discord_fake, shard_count=SHARDS,
                                                                   shard_ids=[shard]))) for shard in range(SHARDS)]
        for shard, app in enumerate(apps):
            client = app.platforms["discord"].client  # type: ignore[attr-defined]
            assert {(guild.id >> 22) % SHARDS for guild in client.guilds} == {shard}  # only its own shard's
            assert int(guilds[shard].id) in {guild.id for guild in client.guilds}
        for guild in guilds:
            shared = await answer(discord_fake, guild, "ana", "share",
                                  {"link": f"https://vimeo.com/{guild.id}", "title": f"Film {guild.name}"})
            assert "is shared" in shared["content"]
    # Each film was stored once, whichever process took the command.
    async with running_app(discord_fake, tmp_path / "bot.sqlite3") as app:
        assert await app.db.fetchval("SELECT COUNT(*) FROM films") == SHARDS


def test_shard_ids_must_fit_the_shard_count(discord_fake: FakeDiscord) -> None:
    with pytest.raises(ConfigError, match="shard_ids = \\[2\\]: each id once, from 0 to 1"):
        discord_config(discord_fake, shard_count=2, shard_ids=[2])
    with pytest.raises(ConfigError, match="needs discord.shard_count"):
        discord_config(discord_fake, shard_ids=[0])
