"""Drive the whole bot in-process through the console platform, on a temporary database and a virtual clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.app import App
from bot.clock import VirtualClock
from bot.config import Config, build_config
from bot.platforms.console import ConsolePlatform
from bot.platforms.console_runner import ConsoleSession
from bot.platforms.console_script import parse_line

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Harness:
    """`await h.run("alice: /share ...")` runs script lines and returns the transcript lines they printed."""

    def __init__(self, db_path: Path, config: Config, start: datetime = START) -> None:
        self.db_path = db_path
        self.config = config
        self.clock = VirtualClock(start)
        self.lines: list[str] = []
        self.platform = ConsolePlatform(self.lines.append)
        self.app = App(config, db_path=str(db_path), clock=self.clock, platforms=[self.platform])
        self.session = ConsoleSession(self.app, self.platform, self.lines.append)

    async def __aenter__(self) -> Harness:
        await self.app.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.app.stop()

    async def run(self, *script: str) -> list[str]:
        before = len(self.lines)
        for number, line in enumerate(script, start=1):
            action = parse_line(line, number)
            if action is not None:
                await self.session.run(action, number)
        return self.lines[before:]

    async def text(self, *script: str) -> str:
        return "\n".join(await self.run(*script))

    async def restart(self, down_until: datetime | None = None) -> None:
        """Stop and start a new App on the same database and clock (as a process restart would);
        with `down_until`, the clock moves there while the bot is down."""
        await self.app.stop()
        if down_until is not None:
            self.clock.set(down_until)
        self.platform = ConsolePlatform(self.lines.append)
        self.app = App(self.config, db_path=str(self.db_path), clock=self.clock, platforms=[self.platform])
        self.session = ConsoleSession(self.app, self.platform, self.lines.append)
        await self.app.start()


def make_config(raw: dict[str, Any] | None = None) -> Config:
    raw = dict(raw or {})
    raw.setdefault("console", {"admins": ["ann"]})
    return build_config(raw, "(test)", {})
