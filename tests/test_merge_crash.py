"""A merge of two people killed halfway (SIGKILL while a cog's merge hook pauses, after the other cogs moved
their rows) leaves the old state whole; run again, it moves everything exactly once."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.config import load_config
from bot.testing.harness import Harness
from tests.backend import database_target
from tests.feedback_helpers import give, notes, share
from tests.merge_child import TELEGRAM_NAME, TELEGRAM_USER, invocation
from tests.test_community_links import as_telegram

pytestmark = pytest.mark.timeout(30)
ROOT = Path(__file__).resolve().parents[1]
COGS = ["films", "challenges", "feedback", "festivals", "community", "tests.cogs_for_tests.slow_merge"]
# Every row that names a person, by table and column: what a merge moves.
PERSON_COLUMNS = (("accounts", "person_id"), ("films", "person_id"), ("feedback_wallets", "person_id"),
                  ("feedback_ledger", "person_id"), ("feedback_requests", "person_id"),
                  ("feedback_critiques", "reviewer_id"), ("challenge_entries", "person_id"),
                  ("challenge_votes", "person_id"), ("link_codes", "person_id"))


def write_config(path: Path, signal_file: Path, seconds: float) -> Path:
    cogs = ", ".join(f'"{name}"' for name in COGS)
    path.write_text(f'[bot]\ncogs = [{cogs}]\n\n[console]\nadmins = ["ann"]\n\n'
                    f'[slowmerge]\nsignal_file = "{signal_file.as_posix()}"\nseconds = {seconds}\n')
    return path


async def snapshot(harness: Harness) -> dict[str, list[tuple[Any, ...]]]:
    """Each table's rows as (its other columns..., person id), plus the people and the link code's state."""
    db = harness.app.db
    found: dict[str, list[tuple[Any, ...]]] = {}
    for table, column in PERSON_COLUMNS:
        rows = await db.fetchall(f"SELECT * FROM {table}")
        shaped = [(*(value for key, value in dict(row).items() if key != column), row[column]) for row in rows]
        found[table] = sorted(shaped, key=repr)
    found["people"] = [tuple(row) for row in await db.fetchall("SELECT id, display_name FROM people ORDER BY id")]
    found["codes used"] = [tuple(row) for row in await db.fetchall("SELECT id, used_at FROM link_codes")]
    return found


async def person_of(harness: Harness, platform: str, user: str) -> int:
    return int(await harness.app.db.fetchval("SELECT person_id FROM accounts WHERE platform = ? AND user_id = ?",
                                             (platform, user)))


async def two_people_with_data(bot: Harness) -> str:
    """Alice on the console and her Telegram account each hold films, credits, critiques and votes."""
    await share(bot, "bob", "carol", runtime="2:00")  # films 1 and 2
    await bot.run("bob: /feedback request 1", "carol: /feedback request 2")
    await bot.run(give("alice", 1, notes("quiet")))
    await as_telegram(bot, "/start", user=TELEGRAM_USER, name=TELEGRAM_NAME)
    await as_telegram(bot, give("x", 2, notes("loud")).split(": ", 1)[1], user=TELEGRAM_USER, name=TELEGRAM_NAME)
    await bot.run('alice: /share https://example.com/a "Console Film"')
    assert "is shared" in await as_telegram(bot, '/share https://example.com/p "Phone Film"', user=TELEGRAM_USER,
                                            name=TELEGRAM_NAME)
    await bot.run("ann: /challenge_admin new Night walks", "bob: /submit 1", "carol: /submit 2", "~ +5d",
                  'alice +⭐ "Bob Film"')
    # The Telegram account votes for the same entry with the button.
    await bot.app.dispatcher.button(button_press("challenges.vote:1"))
    out = await bot.text("alice: /link")
    found = re.search(r"code is ([A-Z0-9]{4}-[A-Z0-9]{4})", out)
    assert found, out
    return found.group(1)


def button_press(custom_id: str) -> Any:
    from bot.models import ButtonPress, MessageRef

    base = invocation("")
    return ButtonPress(base.account, base.display_name, base.chat, MessageRef("console", "#general", "1"),
                       custom_id, base.responder, space=None)


async def killed_during_merge(config: Path, db: Path, code: str, signal_file: Path, now: str) -> None:
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.merge_child", str(config), database_target(db), code, now, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        for _ in range(1000):
            if signal_file.exists() or child.returncode is not None:
                break
            await asyncio.sleep(0.01)
        assert signal_file.exists(), (await child.communicate())[0].decode()
        os.kill(child.pid, signal.SIGKILL)
    finally:
        await child.wait()
    assert child.returncode == -signal.SIGKILL


async def test_a_merge_killed_halfway_leaves_the_old_state_and_completes_once_later(tmp_path: Path) -> None:
    db, signal_file = tmp_path / "bot.sqlite3", tmp_path / "merging"
    slow = write_config(tmp_path / "slow.toml", signal_file, 60)
    async with Harness(db, load_config(slow, environ={})) as bot:
        code = await two_people_with_data(bot)
        before = await snapshot(bot)
        now = bot.clock.now()
    assert len(before["people"]) == 5  # alice, her Telegram account, bob, carol, ann
    assert len({row[-1] for row in before["challenge_votes"]}) == 2

    await killed_during_merge(slow, db, code, signal_file, now.isoformat())

    quick = write_config(tmp_path / "quick.toml", tmp_path / "unused", 0)
    async with Harness(db, load_config(quick, environ={}), start=now) as bot:
        assert await snapshot(bot) == before  # nothing moved: both people, every row where it was, code unused
        alice = await person_of(bot, "console", "alice")
        phone = await person_of(bot, "telegram", TELEGRAM_USER)
        assert alice != phone
        assert "Linked" in await as_telegram(bot, f"/link {code} confirm=yes", user=TELEGRAM_USER,
                                             name=TELEGRAM_NAME)
        after = await snapshot(bot)
        db_ = bot.app.db  # the reopened database
        assert await person_of(bot, "telegram", TELEGRAM_USER) == alice
        assert await db_.fetchval("SELECT COUNT(*) FROM people WHERE id = ?", (phone,)) == 0
        for table in ("films", "feedback_critiques", "feedback_ledger", "challenge_votes"):
            moved = [row[:-1] for row in before[table] if row[-1] == phone]
            assert moved, table
            assert sorted(row[:-1] for row in after[table] if row[-1] == alice) == sorted(
                [row[:-1] for row in before[table] if row[-1] == alice] + moved), table  # each once
            assert len(after[table]) == len(before[table]), table
            assert all(row[-1] != phone for row in after[table]), table
        assert await db_.fetchval("SELECT balance FROM feedback_wallets WHERE person_id = ?", (alice,)) == 2
        assert await db_.fetchval("SELECT COUNT(*) FROM feedback_wallets WHERE person_id = ?", (phone,)) == 0
        assert await db_.fetchval("SELECT COUNT(*) FROM link_codes WHERE used_at IS NOT NULL") == 1
        assert (await bot.app.cog("challenges").repo.tally(1))[1] == 1  # type: ignore[union-attr]
