"""`microfilm-bot run` as a user starts it: a separate process, the token in the environment, the config
pointing at the loopback stand-in. It syncs its commands to the listed guild and answers /help."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.testing.fakes.discord_server import FakeDiscord
from tests.backend import database_target
from tests.discord_support import make_guild, user

pytestmark = pytest.mark.timeout(30)
ROOT = Path(__file__).resolve().parent.parent


async def test_run_starts_the_discord_bot_and_answers_help(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        guild = make_guild(fake)
        config = tmp_path / "bot.toml"
        config.write_text(f'[bot]\ncogs = ["films"]\n\n[films]\npreviews = false\n\n'
                          f'[discord]\napi_base = "{fake.api_base}"\n'
                          f'gateway_url = "{fake.gateway_url}"\nguilds = ["{guild.id}"]\n'
                          "guild_ready_timeout = 0.05\n", encoding="utf-8")
        env = {**os.environ, "MICROFILM_DISCORD_TOKEN": fake.token, "PYTHONPATH": str(ROOT)}
        env.pop("MICROFILM_TELEGRAM_TOKEN", None)
        db = database_target(tmp_path / "bot.sqlite3")
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(config), "--db", db,
            cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        try:
            assert process.stderr is not None
            started = await asyncio.wait_for(_line_with(process.stderr, "running on discord"), 15)
            assert fake.requests_to("PUT", rf"/applications/\d+/guilds/{guild.id}/commands$")
            assert "help" in {command["name"] for command in fake.commands(guild.id)}
            assert fake.commands() == []  # guilds listed: nothing global
            interaction = await fake.slash(guild, "general", user(fake, guild, "ana"), "help")
            callback = await interaction.wait_callback(timeout=10)
            assert callback["data"]["content"].startswith("**microfilm-bot commands**")
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGINT)
            await asyncio.wait_for(process.communicate(), 10)
    assert "microfilm-bot: running on discord" in started
    assert process.returncode == 130  # stopped by Ctrl-C, after closing the gateway


async def _line_with(stream: asyncio.StreamReader, text: str) -> str:
    seen: list[str] = []
    while True:
        line = (await stream.readline()).decode()
        if not line:
            raise AssertionError("the bot exited before starting:\n" + "".join(seen))
        seen.append(line)
        if text in line:
            return line
