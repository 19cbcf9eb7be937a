"""`microfilm-bot run` with a Telegram token starts the adapter and answers, until Ctrl-C stops it."""

from __future__ import annotations

import _thread
import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.testing.fakes.telegram_server import FakeTelegram, RecordedRequest
from tests.telegram_harness import shown

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def fake_in_thread() -> Iterator[tuple[FakeTelegram, asyncio.AbstractEventLoop]]:
    """FakeTelegram on its own event loop in a thread, since `main` runs its own loop in this one."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    fake = FakeTelegram()
    asyncio.run_coroutine_threadsafe(fake.start(), loop).result(5)
    try:
        yield fake, loop
    finally:
        asyncio.run_coroutine_threadsafe(fake.close(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


def test_run_answers_help_over_telegram(fake_in_thread: tuple[FakeTelegram, asyncio.AbstractEventLoop],
                                        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake, loop = fake_in_thread
    config = tmp_path / "bot.toml"
    config.write_text(f'[bot]\nlog_level = "WARNING"\n[telegram]\nbase_url = "{fake.base_url}"\n'
                      f'base_file_url = "{fake.base_file_url}"\npoll_timeout = 1\n', encoding="utf-8")
    monkeypatch.setenv("MICROFILM_TELEGRAM_TOKEN", fake.token)

    async def converse() -> RecordedRequest:
        group, alice = fake.add_group("Makers"), fake.add_user("Alice")
        await fake.wait_for_call("getUpdates", lambda r: r.params.get("timeout") == 1, timeout=10)
        fake.send_text(group, alice, "/help")
        return await fake.wait_for_call("sendMessage", timeout=10)

    conversation = asyncio.run_coroutine_threadsafe(converse(), loop)
    conversation.add_done_callback(lambda _: _thread.interrupt_main())  # Ctrl-C, however it went
    code = main(["run", "--config", str(config), "--db", str(tmp_path / "bot.sqlite3")])

    assert "microfilm-bot commands" in shown(conversation.result(1))
    assert code == 130  # stopped by the interrupt, after a clean shutdown
    assert fake.calls("getUpdates")[-1].params.get("timeout") == 0  # PTB confirmed its offset on the way out
