"""Running the whole bot (App + films cog + Discord adapter) against the loopback FakeDiscord."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot.app import App
from bot.config import Config, build_config
from bot.platforms.discord_platform import create
from bot.testing.fakes.discord_model import Perm
from bot.testing.fakes.discord_server import FakeDiscord, Guild

COGS = ["films", "tests.discord_admin_cog"]
MANAGE_GUILD = 1 << 5


def discord_config(fake: FakeDiscord, **discord: Any) -> Config:
    raw: dict[str, Any] = {"bot": {"cogs": COGS}, "films": {"previews": False}}  # no test reaches a film's site
    extra_sections = discord.pop("sections", {})
    raw.update(extra_sections)
    raw["discord"] = {"api_base": fake.api_base, "gateway_url": fake.gateway_url, "guild_ready_timeout": 0.05,
                      **discord}
    return build_config(raw, "(test)", {"MICROFILM_DISCORD_TOKEN": fake.token})


@asynccontextmanager
async def running_app(fake: FakeDiscord, db_path: Path, config: Config | None = None) -> AsyncIterator[App]:
    config = config or discord_config(fake, showcase_channel="showcase", admin_roles=["curators"])
    app = App(config, db_path=str(db_path), platforms=[create(config)])
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


def make_guild(fake: FakeDiscord) -> Guild:
    guild = fake.add_guild("microfilm makers", channels=["general", "showcase"], roles=["jury", "curators"],
                           members=["ana", "ben", {"username": "cleo", "roles": ["curators"]}])
    fake.add_member(guild, "mo", permissions=Perm.EVERYONE_DEFAULT | MANAGE_GUILD)
    return guild


def user(fake: FakeDiscord, guild: Guild, name: str) -> dict[str, Any]:
    return next(fake.model.users[uid] for uid in guild.members if fake.model.users[uid]["username"] == name)


async def answer(fake: FakeDiscord, guild: Guild | None, name: str, command: str,
                 options: dict[str, Any] | None = None, subcommand: str | None = None,
                 channel: str | None = "general") -> dict[str, Any]:
    """Run a slash command as `name` and return the bot's first callback data (content, embeds, flags)."""
    who = user(fake, guild, name) if guild else name
    interaction = await fake.slash(guild, channel if guild else None, who, command, options, subcommand)
    callback = await interaction.wait_callback()
    assert callback["type"] == 4, callback
    data: dict[str, Any] = callback["data"]
    return data


async def eventually(check: Callable[[], bool], timeout: float = 3.0) -> None:
    """Wait until `check()` holds (events cross a socket and a database before a listener sees them)."""
    async def loop() -> None:
        while not check():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(loop(), timeout)



def discord_text(message: dict[str, Any]) -> str:
    """Content and embed text of a posted message, as one string to search."""
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title", ""), embed.get("description", ""), (embed.get("footer") or {}).get("text", "")]
        parts += [f"{field['name']}: {field['value']}" for field in embed.get("fields", [])]
    return "\n".join(part for part in parts if part)
