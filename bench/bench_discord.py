"""Slash command round trip on Discord: our whole bot vs a bare discord.py client, same stand-in, one run.

A round trip is: the stand-in sends INTERACTION_CREATE for /help, the bot answers, the stand-in receives
the interaction callback. Ours goes through the adapter, the dispatcher, the database and the catalog;
the bare client answers the same text straight from a command-tree callback. Target: ours <= 1.3x.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import discord
from discord import app_commands

from bot.app import App
from bot.config import build_config
from bot.platforms.discord_platform import create
from bot.testing.fakes.discord_server import FakeDiscord, Guild

WARMUP = 30
ROUNDS = 300


async def round_trips(fake: FakeDiscord, guild: Guild, user: dict[str, Any], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        interaction = await fake.slash(guild, "general", user, "help")
        await interaction.wait_callback()
        times.append(time.perf_counter() - started)
    return times


async def ours(fake: FakeDiscord, guild: Guild, user: dict[str, Any],
               folder: str) -> tuple[list[float], list[float], str]:
    raw = {"bot": {"cogs": ["films"]}, "films": {"previews": False},
           "discord": {"api_base": fake.api_base, "gateway_url": fake.gateway_url,
                       "guild_ready_timeout": 0.05}}
    config = build_config(raw, "(bench)", {"MICROFILM_DISCORD_TOKEN": fake.token})
    app = App(config, db_path=str(Path(folder) / "bench.sqlite3"), platforms=[create(config)])
    await app.start()
    core_times = _time_core(app)
    try:
        await round_trips(fake, guild, user, WARMUP)
        text = str(fake.callbacks(list(fake.rest.webhooks.interactions)[-1])[0]["data"]["content"])
        core_times.clear()
        return await round_trips(fake, guild, user, ROUNDS), core_times, text
    finally:
        await app.stop()


async def bare(fake: FakeDiscord, guild: Guild, user: dict[str, Any], text: str) -> list[float]:
    intents = discord.Intents.none()
    intents.guilds = intents.guild_reactions = intents.dm_messages = True
    client = discord.Client(intents=intents, allowed_mentions=discord.AllowedMentions.none(),
                            guild_ready_timeout=0.05)
    tree = app_commands.CommandTree(client)

    @tree.command(name="help", description="List the commands")
    async def help_command(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(text)

    ready = asyncio.Event()
    client.event(_setter(ready))
    with fake.patch_discord():
        task = asyncio.create_task(client.start(fake.token))
        await asyncio.wait_for(ready.wait(), 10)
        await tree.sync()
        try:
            await round_trips(fake, guild, user, WARMUP)
            return await round_trips(fake, guild, user, ROUNDS)
        finally:
            await client.close()
            await asyncio.wait_for(task, 5)


def _time_core(app: App) -> list[float]:
    """Record how long the core takes per command to find the community and person (database work)."""
    times: list[float] = []
    resolve = app.dispatcher.resolve

    async def timed(*args: Any) -> Any:
        started = time.perf_counter()
        try:
            return await resolve(*args)
        finally:
            times.append(time.perf_counter() - started)

    app.dispatcher.resolve = timed  # type: ignore[method-assign,assignment]
    return times


def _setter(event: asyncio.Event) -> Any:
    async def on_ready() -> None:
        event.set()

    return on_ready


def summary(name: str, times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    median = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    print(f"{name:<22} median {median:7.3f} ms   p99 {p99:7.3f} ms   ({len(times)} round trips)")
    return median, p99


async def run() -> None:
    async with FakeDiscord(rate_limit=1_000_000) as fake:
        guild = fake.add_guild("bench", channels=["general"], members=["ana"])
        users = fake.model.users
        user = next(users[uid] for uid in guild.members if users[uid]["username"] == "ana")
        with tempfile.TemporaryDirectory(prefix="microfilm-bench-") as folder:
            our_times, core_times, text = await ours(fake, guild, user, folder)
        bare_times = await bare(fake, guild, user, text)
    print("Discord slash command round trip (/help), loopback stand-in")
    our_median, our_p99 = summary("microfilm-bot", our_times)
    bare_median, bare_p99 = summary("bare discord.py", bare_times)
    core_median = statistics.median(core_times) * 1000
    print(f"  of which the core's community/person lookup (database writes) median {core_median:.3f} ms")
    ratio = our_median / bare_median
    print(f"ratio (ours / bare)    median {ratio:.2f}x   p99 {our_p99 / bare_p99:.2f}x   "
          f"target <= 1.30x: {'met' if ratio <= 1.3 else 'NOT met'}")
    print(f"ratio without the core lookup (adapter + handler + library): "
          f"{(our_median - core_median) / bare_median:.2f}x")


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
