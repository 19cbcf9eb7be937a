"""Crash safety: updates taken from Telegram survive a killed process and are handled exactly once."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from bot.testing.fakes.telegram_server import FakeTelegram, RecordedRequest
from tests.backend import database_target
from tests.telegram_harness import TelegramBot, telegram_config, to_chat

pytestmark = pytest.mark.timeout(30)
ROOT = Path(__file__).resolve().parent.parent


def config_file(path: Path, fake: FakeTelegram, hang: bool) -> Path:
    path.write_text(
        '[bot]\ncogs = ["films", "tests.telegram_probe_cog"]\nlog_level = "WARNING"\n'
        f'[telegram]\nbase_url = "{fake.base_url}"\nbase_file_url = "{fake.base_file_url}"\n'
        "poll_timeout = 1\noverall_max_rate = 0\ngroup_max_rate = 0\n"
        f"[probe]\nhang = {'true' if hang else 'false'}\n", encoding="utf-8")
    return path


async def test_updates_fetched_before_a_kill_are_handled_once_after_restart(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    async with FakeTelegram() as fake:
        group, alice = fake.add_group("Makers"), fake.add_user("Alice")
        env = {**os.environ, "MICROFILM_TELEGRAM_TOKEN": fake.token, "PYTHONPATH": str(ROOT)}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(config_file(tmp_path / "a.toml", fake, True)),
            "--db", database_target(db), cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL)
        try:
            await fake.wait_for_call("getUpdates", lambda r: r.params.get("timeout") == 1, timeout=15)
            fake.send_text(group, alice, "/probe_hang")  # the handler stalls; the next two wait behind it
            fake.send_text(group, alice, "/share https://example.com/1 One")
            last = fake.send_text(group, alice, "/share https://example.com/2 Two")["update_id"]

            def confirmed(request: RecordedRequest) -> bool:  # PTB took them: Telegram forgets them
                return int(request.params.get("offset") or 0) > last

            await fake.wait_for_call("getUpdates", confirmed, timeout=10)
        finally:
            process.kill()  # no clean stop: the process dies with the three updates unhandled
            await process.wait()
        assert fake.pending_updates == [] and fake.calls("sendMessage") == []

        config = telegram_config(fake, extra={"probe": {"hang": False}})
        async with TelegramBot(db, config) as tg:  # the inbox is replayed before polling starts
            assert await tg.app.db.fetchval("SELECT COUNT(*) FROM films") == 2
            await fake.wait_for_call("sendMessage", to_chat(group, "“Two” is shared"))
        async with TelegramBot(db, config) as tg:  # a second restart replays nothing
            assert await tg.app.db.fetchval("SELECT COUNT(*) FROM telegram_inbox WHERE done_at IS NULL") == 0
            films = await tg.app.db.fetchall("SELECT title FROM films ORDER BY id")

    assert [row[0] for row in films] == ["One", "Two"]
    texts = [call.params["text"] for call in fake.calls("sendMessage")]
    assert [text for text in texts if "hang done" in text] == ["hang done"]
    assert len([text for text in texts if "New film" in text]) == 2
    assert len([text for text in texts if "is shared" in text]) == 2
