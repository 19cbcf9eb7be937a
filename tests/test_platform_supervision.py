"""Never deaf: unreadable events and updates are skipped, a locked or full database is waited out, a lost
connection is recorded and told, and a platform that cannot come back ends the process non-zero."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.clock import VirtualClock
from bot.platforms.telegram_platform import create as create_telegram
from bot.testing.fakes.discord_server import FakeDiscord
from bot.testing.fakes.telegram_server import FakeTelegram
from tests.discord_round import START, reactions_shown, reactions_stored, settled, voting_round
from tests.discord_support import answer, eventually, make_guild, running_app
from tests.telegram_harness import TelegramBot, shown, telegram_config, to_chat

pytestmark = pytest.mark.timeout(60)
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
async def telegram() -> FakeTelegram:  # type: ignore[misc]
    async with FakeTelegram() as fake:
        yield fake


async def test_an_unreadable_discord_event_is_skipped_and_the_bot_still_answers(
        discord_fake: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    guild = make_guild(discord_fake)
    caplog.set_level(logging.WARNING)
    async with running_app(discord_fake, tmp_path / "bot.sqlite3") as app:
        old = json.loads((FIXTURES / "discord" / "message_reaction_add_2.json").read_text())  # no "type"
        await discord_fake.dispatch_raw("MESSAGE_REACTION_ADD", old)
        broken = {k: v for k, v in old.items() if k != "emoji"}  # nothing to read the reaction from
        await discord_fake.dispatch_raw("MESSAGE_REACTION_ADD", broken)
        await discord_fake.dispatch_raw("INTERACTION_CREATE", {"id": "1", "type": 2})  # half an interaction
        data = await answer(discord_fake, guild, "ana", "help")
        assert data["content"].startswith("**microfilm-bot commands**")
        assert app.failure is None
    skipped = [r for r in caplog.records if r.levelno == logging.ERROR and "could not read" in r.getMessage()]
    assert [r.getMessage().split(" event")[0] for r in skipped] == [
        "discord: could not read a MESSAGE_REACTION_ADD", "discord: could not read a INTERACTION_CREATE"]


async def test_an_unreadable_telegram_update_is_skipped_and_the_next_is_answered(
        telegram: FakeTelegram, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    group, alice = telegram.add_group("Makers"), telegram.add_user("Alice", "alice")
    caplog.set_level(logging.WARNING)
    async with TelegramBot(tmp_path / "bot.sqlite3", telegram_config(telegram)) as tg:
        bad = telegram.inject_update(telegram.unparseable_update(group, alice))
        telegram.send_text(group, alice, "/help")
        answered = await telegram.wait_for_call("sendMessage", to_chat(group, "microfilm-bot commands"))
        kept = await tg.app.db.fetchone("SELECT done_at, last_error FROM telegram_inbox WHERE update_id = ?",
                                        (bad["update_id"],))
    assert "microfilm-bot commands" in shown(answered)
    assert kept is not None and kept["done_at"] is not None and "KeyError" in kept["last_error"]
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any(f"skipping update {bad['update_id']} (message)" in line for line in logged)
    # Fetched past it: getUpdates was not asked for the same offset again and again.
    offsets = [int(r.params.get("offset") or 0) for r in telegram.calls("getUpdates")]
    assert offsets.count(bad["update_id"]) <= 1


async def test_an_unreadable_update_on_the_webhook_is_answered_200_and_kept(
        telegram: FakeTelegram, tmp_path: Path, unused_tcp_port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MICROFILM_TELEGRAM_WEBHOOK_SECRET", "s3cret-token")
    url = f"http://127.0.0.1:{unused_tcp_port}/hook"
    webhook = {"enabled": True, "listen": "127.0.0.1", "port": unused_tcp_port, "path": "/hook", "url": url}
    group, alice = telegram.add_group("Makers"), telegram.add_user("Alice", "alice")
    async with TelegramBot(tmp_path / "bot.sqlite3", telegram_config(telegram, {"webhook": webhook})) as tg:
        bad = {"update_id": 777, **telegram.unparseable_update(group, alice)}
        assert await telegram.post_webhook(url, bad, secret_token="s3cret-token") == 200  # not sent again
        good = telegram.state.user_text(group, alice, "/help")
        assert await telegram.post_webhook(url, {"message": good}, secret_token="s3cret-token") == 200
        await telegram.wait_for_call("sendMessage", to_chat(group, "microfilm-bot commands"))
        assert await tg.app.db.fetchval("SELECT last_error FROM telegram_inbox WHERE update_id = 777")


def hold_lock(db_path: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process holding the database's write lock (a backup tool, the sqlite3 shell...)."""
    code = ("import sqlite3, sys, time\n"
            f"c = sqlite3.connect({str(db_path)!r}, isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE')\nprint('locked', flush=True)\n"
            f"time.sleep({seconds})\nc.execute('COMMIT')\n")
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "locked"
    return process


@pytest.mark.sqlite_only("another process locking the database file")
async def test_updates_wait_out_a_database_locked_for_10_s_and_none_is_lost(
        telegram: FakeTelegram, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    group, alice = telegram.add_group("Makers"), telegram.add_user("Alice", "alice")
    caplog.set_level(logging.WARNING)
    async with TelegramBot(tmp_path / "bot.sqlite3", telegram_config(telegram)) as tg:
        locker = hold_lock(tmp_path / "bot.sqlite3", 10)
        try:
            sent = [telegram.send_text(group, alice, f'/share https://example.com/{n} "Film {n}"')["update_id"]
                    for n in range(3)]
            await asyncio.sleep(6)  # the first write gives up after the 5 s busy timeout
            confirmed = max(int(r.params.get("offset") or 0) for r in telegram.calls("getUpdates"))
            assert confirmed <= sent[0]  # nothing was confirmed to Telegram while it could not be written
            for n in range(3):
                await telegram.wait_for_call("sendMessage", to_chat(group, f"“Film {n}” is shared"), timeout=30)
        finally:
            locker.wait(timeout=30)
        assert [row[0] for row in await tg.app.db.fetchall("SELECT title FROM films ORDER BY id")] == [
            "Film 0", "Film 1", "Film 2"]
        assert tg.app.failure is None
    assert any("cannot write updates to the inbox" in r.getMessage() for r in caplog.records)


async def set_max_pages(db: object, pages: int) -> None:
    """Let the database grow to `pages` pages at most, on each of the bot's writing connections: past it
    SQLite answers "database or disk is full", exactly as on a full disk."""
    db._quick.execute(f"PRAGMA max_page_count = {pages}").close()  # type: ignore[attr-defined]
    await (await db._writer.execute(f"PRAGMA max_page_count = {pages}")).close()  # type: ignore[attr-defined]


@pytest.mark.sqlite_only("a full disk drilled with PRAGMA max_page_count")
async def test_updates_wait_out_a_full_disk_and_none_is_lost(telegram: FakeTelegram, tmp_path: Path,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    group, alice = telegram.add_group("Makers"), telegram.add_user("Alice", "alice")
    caplog.set_level(logging.WARNING)
    async with TelegramBot(tmp_path / "bot.sqlite3", telegram_config(telegram)) as tg:
        db = tg.app.db
        await set_max_pages(db, int(await db.fetchval("PRAGMA page_count")))
        ids = [telegram.send_text(group, alice, "/help " + "x" * 1500)["update_id"] for _ in range(12)]
        await eventually(lambda: any("disk is full" in r.getMessage() for r in caplog.records), timeout=10)
        stored = await db.fetchval("SELECT COUNT(*) FROM telegram_inbox WHERE update_id >= ?", (ids[0],))
        assert stored < len(ids)  # the disk filled up while they came in
        await set_max_pages(db, 1073741823)  # space again
        telegram.send_text(group, alice, "/help")
        await telegram.wait_for_call("sendMessage", to_chat(group, "microfilm-bot commands"), timeout=20)
        await eventually(lambda: telegram.pending_updates == [], timeout=10)
        rows = await db.fetchall("SELECT update_id, done_at FROM telegram_inbox WHERE update_id >= ?", (ids[0],))
        assert sorted(row[0] for row in rows)[: len(ids)] == ids  # every one written down once
        assert tg.app.failure is None


async def test_a_telegram_outage_is_recorded_and_told_to_the_admins_once(telegram: FakeTelegram, tmp_path: Path,
                                                                        caplog: pytest.LogCaptureFixture) -> None:
    group, alice = telegram.add_group("Makers"), telegram.add_user("Alice", "alice")
    clock = VirtualClock(START)
    telegram.state.clock = lambda: clock.now().timestamp()
    config = telegram_config(telegram)
    app = App(config, db_path=str(tmp_path / "bot.sqlite3"), clock=clock, platforms=[create_telegram(config)])
    await app.start()
    try:
        telegram.send_text(group, alice, "/help")  # the group becomes a community with an admin chat
        await telegram.wait_for_call("sendMessage", to_chat(group, "microfilm-bot commands"))
        caplog.set_level(logging.WARNING)
        telegram.outage(502)
        await eventually(lambda: any("getUpdates failed" in r.getMessage() for r in caplog.records), timeout=10)
        clock.advance(timedelta(minutes=5))  # Telegram is unreachable for five minutes
        for n in range(3):
            telegram.send_text(group, alice, f"/help share {n}")
        telegram.restore()
        notice = await telegram.wait_for_call("sendMessage", to_chat(group, "connection was lost"), timeout=20)
        await asyncio.sleep(0.5)
        gaps = await app.gaps.recorded("telegram")
    finally:
        await app.stop()
    assert "3 updates Telegram kept meanwhile were applied" in shown(notice)
    assert len(gaps) == 1 and gaps[0]["reason"] == "replayed"
    assert sum("connection was lost" in shown(r) for r in telegram.calls("sendMessage") if r.ok) == 1


async def test_a_refused_resume_is_a_gap_whose_votes_are_recounted_and_told(discord_fake: FakeDiscord,
                                                                           tmp_path: Path) -> None:
    fake = discord_fake
    async with voting_round(fake, tmp_path / "bot.sqlite3", entries=2, voters=3) as round_:
        card = round_.cards[1]
        await fake.react(round_.channel, card, round_.voters[0], "⭐")
        await settled(round_.app, 1)
        fake.refuse_next_resume()
        await fake.drop_connection()
        # While the bot is away, a vote it will never be told of (a new session replays nothing).
        fake.seed_reactions(card, "⭐", [round_.voters[1]])
        await eventually(lambda: fake.identify_count == 2, timeout=15)
        await eventually(lambda: any("connection was lost" in (m.get("content") or "")
                                     for m in fake.messages_in(round_.channel)), timeout=10)
        assert await reactions_stored(round_.app) == reactions_shown(fake, round_)
        notice = next(m["content"] for m in fake.messages_in(round_.channel)
                      if "connection was lost" in (m.get("content") or ""))
        assert "entry cards of voting challenges were recounted from discord" in notice
        assert (await round_.app.gaps.recorded("discord"))[0]["reason"] == "events lost"


@pytest.mark.sqlite_only("another process locking the database file")
async def test_votes_wait_out_a_database_locked_by_another_process(discord_fake: FakeDiscord,
                                                                  tmp_path: Path) -> None:
    fake = discord_fake
    async with voting_round(fake, tmp_path / "bot.sqlite3", entries=2, voters=4) as round_:
        locker = hold_lock(tmp_path / "bot.sqlite3", 7)
        try:
            for voter in round_.voters:
                await fake.react(round_.channel, round_.cards[1], voter, "⭐")
            await settled(round_.app, 4, timeout=40)  # the writer waited for the lock and tried again
        finally:
            locker.wait(timeout=30)
        assert await reactions_stored(round_.app) == reactions_shown(fake, round_)
