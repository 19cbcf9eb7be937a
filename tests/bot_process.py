"""`microfilm-bot run` as its own process, for drills that kill it at the worst instant or stop it with a
signal: the config file points at the loopback stand-ins, tokens come from the environment."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.testing.fakes.discord_server import FakeDiscord
from bot.testing.fakes.telegram_server import FakeTelegram
from tests.backend import database_target

ROOT = Path(__file__).resolve().parent.parent


def config_text(*, discord: FakeDiscord | None = None, telegram: FakeTelegram | None = None,
                cogs: tuple[str, ...] = ("films", "challenges"), extra: str = "") -> str:
    lines = ["[bot]", f"cogs = {list(cogs)!r}".replace("'", '"'), 'log_level = "INFO"', "resend_unknown_after = 1",
             "[films]", "previews = false"]
    if discord is not None:
        lines += ["[discord]", f'api_base = "{discord.api_base}"', f'gateway_url = "{discord.gateway_url}"',
                  "guild_ready_timeout = 0.05", 'challenges_channel = "general"', "threads = false"]
    if telegram is not None:
        lines += ["[telegram]", f'base_url = "{telegram.base_url}"', f'base_file_url = "{telegram.base_file_url}"',
                  "poll_timeout = 1", "overall_max_rate = 0", "group_max_rate = 0"]
    return "\n".join(lines) + "\n" + extra


class BotProcess:
    """One run of the bot; `await start()`, then `kill()`, `stop()` (SIGTERM) or `wait()`."""

    def __init__(self, folder: Path, config: str, *, discord: FakeDiscord | None = None,
                 telegram: FakeTelegram | None = None, db: Path | None = None) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.config = folder / "bot.toml"
        self.config.write_text(config, encoding="utf-8")
        self.db = db or folder / "bot.sqlite3"  # several processes may share one
        self.env = {**os.environ, "PYTHONPATH": str(ROOT)}
        for name in ("MICROFILM_DISCORD_TOKEN", "MICROFILM_TELEGRAM_TOKEN"):
            self.env.pop(name, None)
        if discord is not None:
            self.env["MICROFILM_DISCORD_TOKEN"] = discord.token
        if telegram is not None:
            self.env["MICROFILM_TELEGRAM_TOKEN"] = telegram.token
        self.process: asyncio.subprocess.Process | None = None
        self.lines: list[str] = []
        self._reader: asyncio.Task[None] | None = None
        self._seen = asyncio.Event()

    async def start(self, timeout: float = 20.0) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(self.config), "--db", database_target(self.db),
            cwd=ROOT, env=self.env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        self._reader = asyncio.create_task(self._read())
        await self.wait_for_line("running on", timeout)

    async def _read(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        while line := await self.process.stderr.readline():
            self.lines.append(line.decode(errors="replace"))
            self._seen.set()

    async def wait_for_line(self, text: str, timeout: float = 20.0) -> str:
        async def find() -> str:
            while True:
                for line in self.lines:
                    if text in line:
                        return line
                if self._reader is not None and self._reader.done():
                    raise AssertionError(f"the bot exited without saying {text!r}:\n{''.join(self.lines)}")
                self._seen.clear()
                await self._seen.wait()

        return await asyncio.wait_for(find(), timeout)

    def kill(self) -> None:
        """SIGKILL: no clean stop, nothing after this instant is recorded."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()

    def terminate(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)

    async def wait(self, timeout: float = 30.0) -> int:
        assert self.process is not None
        code = await asyncio.wait_for(self.process.wait(), timeout)
        if self._reader is not None:
            await self._reader
        return code

    @property
    def log(self) -> str:
        return "".join(self.lines)
