"""Due rows: in time order, exactly once, late after downtime, retried after a failure."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.cog import Cog
from bot.testing.harness import START, Harness, make_config


def ticker(bot: Harness) -> Cog:
    cog = bot.app.cog("ticker")
    assert cog is not None
    return cog


def config() -> object:
    return make_config({"bot": {"cogs": ["films", "tests.cogs_for_tests.ticker"]}})


async def test_due_rows_fire_in_time_order_as_the_clock_moves(tmp_path: Path) -> None:
    async with Harness(tmp_path / "b.sqlite3", config()) as bot:  # type: ignore[arg-type]
        await bot.run("ann: /tick late after=3h", "ann: /tick early after=1h")
        out = await bot.run("~ +1h30m")
        assert out == ["[3] #general: tick early due 10:00 ran 10:00"]
        out = await bot.run("~ +2h")
        assert out == ["[4] #general: tick late due 12:00 ran 12:00"]
        assert await bot.run("~ +5h") == []


async def test_overdue_rows_run_once_late_after_a_restart(tmp_path: Path) -> None:
    async with Harness(tmp_path / "b.sqlite3", config()) as bot:  # type: ignore[arg-type]
        await bot.run("ann: /tick nap after=1h")
        await bot.restart(down_until=START + timedelta(hours=5))  # down when the row fell due
        assert bot.lines[-1].endswith("#general: tick nap due 10:00 ran 14:00")
        await bot.restart()
        assert await bot.run("~ +1d") == []
        count = await bot.app.db.fetchval("SELECT COUNT(*) FROM outbox WHERE key = 'tick:nap'")
        assert count == 1


async def test_a_failing_effect_commits_nothing_and_is_retried(tmp_path: Path) -> None:
    async with Harness(tmp_path / "b.sqlite3", config()) as bot:  # type: ignore[arg-type]
        await bot.run("ann: /tick flaky after=1h")
        ticker(bot).fail_next = 1  # type: ignore[attr-defined]
        assert await bot.run("~ +1h") == []
        row = await bot.app.db.fetchone("SELECT done_at, attempts FROM due_jobs WHERE key = 'tick:flaky'")
        assert row is not None and row["done_at"] is None and row["attempts"] == 1
        assert await bot.app.db.fetchval("SELECT COUNT(*) FROM outbox") == 0  # the failed effect left nothing
        out = await bot.run("~ +10m")
        assert len(out) == 1 and "tick flaky" in out[0]


async def test_scheduling_the_same_key_twice_runs_once(tmp_path: Path) -> None:
    async with Harness(tmp_path / "b.sqlite3", config()) as bot:  # type: ignore[arg-type]
        await bot.run("ann: /tick once after=1h", "ann: /tick once after=2h")
        out = await bot.run("~ +3h")
        assert len([line for line in out if "tick once" in line]) == 1
