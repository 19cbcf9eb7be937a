from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.testing.fakes.discord_server import FakeDiscord
from bot.testing.harness import Harness, make_config


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Harness]:
    """The whole bot on the console: `ann` is an admin; the clock starts at 2026-12-01 09:00 UTC."""
    async with Harness(tmp_path / "bot.sqlite3", make_config()) as harness:
        yield harness


@pytest.fixture
async def discord_fake() -> AsyncIterator[FakeDiscord]:
    """The Discord stand-in; the test fails if the bot crashed it or called a route it does not know."""
    async with FakeDiscord() as server:
        yield server
        assert server.errors == []
        assert server.unknown_requests == []
