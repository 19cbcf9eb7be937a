from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.storage.database import SqliteDatabase
from bot.storage.postgres import PostgresDatabase
from bot.testing.fakes.discord_server import FakeDiscord
from bot.testing.harness import Harness, make_config
from tests.backend import POSTGRES, database_target


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        if POSTGRES and marker is not None:
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {marker.args[0]}"))


@pytest.fixture(autouse=True)
def database_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    """On PostgreSQL runs, a SQLite path opens that path's schema on the throw-away server instead."""
    if not POSTGRES:
        return

    async def open_on_postgres(_cls: type, path: str | Path) -> PostgresDatabase:
        return await PostgresDatabase.open(database_target(path))

    monkeypatch.setattr(SqliteDatabase, "open", classmethod(open_on_postgres))

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reaches beyond 127.0.0.1: a name lookup of any other host fails at once, whoever asks."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and str(host.decode() if isinstance(host, bytes) else host) not in _LOOPBACK:
            raise socket.gaierror(socket.EAI_NONAME, f"tests reach only 127.0.0.1, not {host}")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


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
