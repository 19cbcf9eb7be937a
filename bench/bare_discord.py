"""A bare discord.py client for the storm benchmark's ceiling: it only writes down when each raw reaction
event reached its handler (`<time.monotonic()> <message id> <user id>` per line), nothing else.

Run as `python -m bench.bare_discord API_BASE GATEWAY_URL TRACE_FILE` with MICROFILM_DISCORD_TOKEN set.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route


class Bare(discord.Client):
    def __init__(self, trace: str) -> None:
        intents = discord.Intents.none()
        intents.guilds = intents.guild_reactions = True
        super().__init__(intents=intents, guild_ready_timeout=0.05, max_messages=None)
        self.out = open(trace, "a", encoding="utf-8")  # noqa: SIM115

    async def on_ready(self) -> None:
        print("ready", flush=True)

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        self.seen(payload)

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        self.seen(payload)

    def seen(self, payload: discord.RawReactionActionEvent) -> None:
        self.out.write(f"{time.monotonic():.6f} {payload.message_id} {payload.user_id}\n")
        self.out.flush()


async def main(api_base: str, gateway: str, trace: str) -> None:
    Route.BASE = api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    client = Bare(trace)
    async with client:
        await client.start(os.environ["MICROFILM_DISCORD_TOKEN"])


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
