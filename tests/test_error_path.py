"""One error path: a command, a job and a delivery that fail are each logged once by App.on_error with the
fields an operator needs; a job that keeps failing and a message given up are told to the admins."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.testing.harness import Harness, make_config


async def test_a_failing_command_is_logged_once_and_its_saved_change_is_not_denied(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    config = make_config({"bot": {"cogs": ["tests.cogs_for_tests.faulty"]}})
    async with Harness(tmp_path / "b.sqlite3", config) as bot:
        out = await bot.text("ann: /saveandfail")
        failures = [r for r in caplog.records if "failed" in r.getMessage() and r.levelno == logging.ERROR]
        assert len(failures) == 1
        assert failures[0].getMessage().startswith("command saveandfail failed [platform=console community=1]")
        assert "after your change was saved" in out and "Nothing was saved" not in out
        (line,) = [r for r in caplog.records if r.getMessage().startswith("handled ")]  # the operator's line
        assert line.levelno == logging.ERROR and line.getMessage().startswith(
            "handled kind=command platform=console community=console:console command=saveandfail outcome=error ms=")

        caplog.clear()
        await bot.run("~ +1m", "~ +1m", "~ +3m", "~ +11m", "~ +61m", "~ +61m")  # retried: 30 s, 2, 10, 60 min
        job_failures = [r for r in caplog.records if r.getMessage().startswith("job faulty.tick failed")]
        assert len(job_failures) >= 4
        told = [line for line in bot.lines if "The timed job faulty:tick failed and needs a look (tries: 4)" in line]
        assert len(told) == 1  # once, although it keeps failing (and keeps being retried)
