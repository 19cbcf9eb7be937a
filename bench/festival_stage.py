"""The festival round's stage: both stand-ins (enforcing the platforms' real limits), the community's
config and the bot processes on one database (a SQLite file or a PostgreSQL URL).

Layouts: "one" is a single `microfilm-bot run` with both platforms (Telegram by long polling); "three"
is three processes on one PostgreSQL database, as a host that outgrew one runs them: two split the
Discord stand-in's shards, one is the Telegram webhook worker (updates are POSTed to it as Telegram does).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.testing.fakes.discord_model import Perm
from bot.testing.fakes.discord_server import FakeDiscord, Guild
from bot.testing.fakes.telegram_server import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
LIVE_DISCORD, LIVE_TELEGRAM = 200, 60  # Vote presses during voting, each from a new member
SECRET_ENV = "BENCH_TELEGRAM_SECRET"
SECRET = "bench-webhook-secret"


@dataclass
class BotRun:
    """One bot process of the stage: its config file, which platforms it connects to, its process."""

    name: str
    config: Path
    discord: bool
    telegram: bool
    process: asyncio.subprocess.Process | None = None

    def peak_rss_mb(self) -> float:
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Stage:
    """Both stand-ins, the bots' configs and processes."""

    def __init__(self, folder: Path, discord: FakeDiscord, telegram: FakeTelegram, target: str,
                 layout: str = "one") -> None:
        self.folder, self.discord, self.telegram, self.target = folder, discord, telegram, target
        self.guild: Guild = discord.add_guild("festival", channels=["general"])
        self.admin = discord.add_member(self.guild, "mo", permissions=Perm.EVERYONE_DEFAULT | 32)
        self.members = [discord.add_member(self.guild, f"member{n}") for n in range(LIVE_DISCORD + 1)]
        self.group = telegram.add_group("Festival")
        telegram.set_admins(self.group, [telegram.bot_user])
        self.users = [telegram.add_user(f"User {n}", f"user{n}") for n in range(LIVE_TELEGRAM + 40)]
        self.webhook: str | None = None
        if layout == "one":
            self.runs = [self._run("bot", self._sections(), discord=True, telegram=True)]
        elif layout == "three":
            port = free_port()
            self.webhook = f"http://127.0.0.1:{port}/hook"
            self.runs = [self._run(f"shard{n}", self._sections(shard=n), discord=True, telegram=False)
                         for n in range(2)]
            self.runs.append(self._run("webhook", self._sections(webhook_port=port), discord=False, telegram=True))
        else:
            raise ValueError(f"unknown layout {layout!r}")

    @property
    def config(self) -> Path:
        """A config for the command line's own actions (import-json): the community and its chats."""
        return self.runs[0].config

    def _run(self, name: str, text: str, *, discord: bool, telegram: bool) -> BotRun:
        path = self.folder / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        return BotRun(name, path, discord, telegram)

    def _sections(self, *, shard: int | None = None, webhook_port: int | None = None) -> str:
        channel = self.guild.channel("general").id
        lines = ["[bot]", 'cogs = ["films", "challenges"]', 'log_level = "ERROR"']
        if shard is not None or webhook_port is not None:
            elsewhere = "telegram" if shard is not None else "discord"
            lines.append(f'platforms_elsewhere = ["{elsewhere}"]')
        lines += ["[films]", "previews = false",
                  "[discord]", f'api_base = "{self.discord.api_base}"', f'gateway_url = "{self.discord.gateway_url}"',
                  "guild_ready_timeout = 0.05", "threads = false"]
        if shard is not None:
            lines += ["shard_count = 2", f"shard_ids = [{shard}]"]
        lines += ["[telegram]", f'base_url = "{self.telegram.base_url}"',
                  f'base_file_url = "{self.telegram.base_file_url}"', "poll_timeout = 1"]
        if webhook_port is not None:
            lines += ["[telegram.webhook]", "enabled = true", 'listen = "127.0.0.1"', f"port = {webhook_port}",
                      'path = "/hook"', f'url = "{self.webhook}"', f'secret_token_env = "{SECRET_ENV}"']
        lines += ["[[communities]]", 'key = "festival"', 'name = "Festival"',
                  "[[communities.chats]]", 'platform = "discord"', f'id = "{channel}"', f'space = "{self.guild.id}"',
                  'announce = ["challenges"]',
                  "[[communities.chats]]", 'platform = "telegram"', f'id = "{self.group["id"]}"',
                  'announce = ["challenges"]']
        return "\n".join(lines) + "\n"

    async def start(self) -> None:
        await asyncio.gather(*(self._start(run) for run in self.runs))

    async def _start(self, run: BotRun) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), SECRET_ENV: SECRET}
        for name, wanted, token in (("MICROFILM_DISCORD_TOKEN", run.discord, self.discord.token),
                                    ("MICROFILM_TELEGRAM_TOKEN", run.telegram, self.telegram.token)):
            env.pop(name, None)
            if wanted:
                env[name] = token
        run.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(run.config), "--db", self.target,
            cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        await asyncio.wait_for(self._running(run), 90)

    async def _running(self, run: BotRun) -> None:
        """Until the process says it runs; its later output is read and dropped (so it never blocks)."""
        assert run.process is not None and run.process.stderr is not None
        said = []
        while line := await run.process.stderr.readline():
            said.append(line.decode(errors="replace"))
            if "running on" in said[-1]:
                asyncio.get_running_loop().create_task(self._drain(run.process.stderr))
                return
        raise RuntimeError(f"{run.name} exited before it ran:\n{''.join(said)}")

    @staticmethod
    async def _drain(stream: asyncio.StreamReader) -> None:
        while await stream.readline():
            pass

    def peak_rss_mb(self) -> dict[str, float]:
        return {run.name: run.peak_rss_mb() for run in self.runs}

    async def stop(self) -> None:
        for run in self.runs:
            if run.process is not None and run.process.returncode is None:
                run.process.send_signal(signal.SIGTERM)
        for run in self.runs:
            if run.process is not None:
                await asyncio.wait_for(run.process.wait(), 120)

    async def deliver(self, update: dict[str, Any]) -> None:
        """An update the Telegram stand-in queued: in the webhook layout it is POSTed to the worker."""
        if self.webhook is not None:
            status = await self.telegram.post_webhook(self.webhook, update, secret_token=SECRET)
            if status != 200:
                raise RuntimeError(f"the webhook answered {status}")

    def discord_posts(self) -> list[dict[str, Any]]:
        """What the bot posted in the channel itself (answers to interactions are not posts)."""
        return [m for m in self.discord.messages_in(self.guild.channel("general"))
                if m["author"]["id"] == self.discord.bot_user["id"] and "interaction_metadata" not in m]

    def telegram_posts(self) -> list[dict[str, Any]]:
        return self.telegram.bot_messages(self.group)
