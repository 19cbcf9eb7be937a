"""`microfilm-bot health` and the HTTP endpoint: ready, degraded (a platform down, timed jobs behind, a
delivery backlog) and down (no bot, or one whose reports stopped)."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from bot import cli_checks
from bot.health import HealthMonitor, read_report, report, status_path
from bot.testing.fakes.telegram_server import FakeTelegram
from bot.testing.harness import Harness, make_config
from bot.timeutil import to_db
from tests.telegram_harness import TelegramBot, telegram_config


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def get_health(port: int) -> tuple[int, dict[str, object]]:
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/health") as answer:
        return answer.status, await answer.json()


@pytest.mark.sqlite_only("its timed job is a scheduled backup, which copies a SQLite file")
async def test_ready_then_timed_jobs_behind_then_down(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()
    config = make_config({"bot": {"backup_every": "1d", "health_port": port}})
    async with Harness(tmp_path / "bot.sqlite3", config) as bot:
        monitor = HealthMonitor(bot.app)
        await monitor.start()
        try:
            assert await get_health(port) == (200, {"state": "ready", "reasons": [], "platforms": {
                "console": "connected"}})
            assert read_report(bot.db_path).state == "ready"
            assert cli_checks.health(None, str(bot.db_path)) == 0  # `microfilm-bot health`: exit 0 when ready
            assert capsys.readouterr().out == "ready\n  console: connected\n"
            bot.clock.set(bot.clock.now() + timedelta(days=2))  # the scheduler has not caught up with the clock
            status, body = await get_health(port)
            assert status == 503 and body["state"] == "degraded"
            assert "timed jobs are behind (one was due at 2026-12-02T09:00:00+00:00)" in body["reasons"]  # type: ignore[operator]
            assert (await monitor.write()).state == "degraded"
            assert cli_checks.health(None, str(bot.db_path)) == 1
            assert capsys.readouterr().out.startswith("degraded: timed jobs are behind")
            await bot.run("~ +1s")  # the due backup runs
            assert (await get_health(port))[0] == 200
        finally:
            await monitor.stop()
    assert cli_checks.health(None, str(bot.db_path)) == 1
    assert capsys.readouterr().out == f"down: no running bot reports on {bot.db_path}\n"


async def test_a_delivery_backlog_is_degraded(bot: Harness) -> None:
    # a message still waiting since 09:00, as a platform that takes nothing leaves it (the console takes all)
    async with bot.app.db.transaction() as tx:
        await tx.execute("INSERT INTO outbox (key, platform, target, zone, payload, next_attempt_at, created_at) "
                         "VALUES ('health:backlog', 'console', '#general', 'UTC', '{}', ?, ?)",
                         (to_db(bot.clock.now()), to_db(bot.clock.now())))
    assert (await report(bot.app)).state == "ready"  # due now: a moment's wait, not a backlog
    bot.clock.set(bot.clock.now() + timedelta(minutes=5))
    found = await report(bot.app)
    assert found.state == "degraded" and "1 messages wait more than 60 s to be delivered" in found.reasons


def test_a_report_that_stopped_coming_reads_as_down(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    status_path(database).write_text(json.dumps({"state": "ready", "at": time.time() - 120}), encoding="utf-8")
    found = read_report(database)
    assert found.state == "down" and "stopped, or stuck" in found.line()
    status_path(database).write_text("{half", encoding="utf-8")
    assert read_report(database).state == "down"


async def test_telegram_unreachable_is_degraded_until_it_comes_back(fake: FakeTelegram, tmp_path: Path) -> None:
    async with TelegramBot(tmp_path / "bot.sqlite3", telegram_config(fake)) as tg:
        await fake.wait_for_call("getUpdates", timeout=10)
        assert (await report(tg.app)).state == "ready"
        fake.outage(502)
        for _ in range(100):
            found = await report(tg.app)
            if found.state == "degraded":
                break
            await asyncio.sleep(0.05)
        assert found.state == "degraded" and found.platforms["telegram"].startswith("disconnected since")
        fake.restore()
        for _ in range(100):
            if (await report(tg.app)).state == "ready":
                break
            await asyncio.sleep(0.05)
        assert (await report(tg.app)).state == "ready"
