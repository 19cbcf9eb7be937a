"""Telegram after downtime: what Telegram kept is applied, by its own dates, before overdue phases run."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.clock import VirtualClock
from bot.platforms.telegram_platform import create
from bot.testing.fakes.telegram_server import FakeTelegram, RecordedRequest
from tests.telegram_harness import open_round, shown, telegram_config, to_chat

pytestmark = pytest.mark.timeout(30)
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
VOTE_CLOSE = START + timedelta(days=7)


def vote_data(request: RecordedRequest) -> str:
    markup = request.params["reply_markup"]
    markup = json.loads(markup) if isinstance(markup, str) else markup
    return str(markup["inline_keyboard"][0][0]["callback_data"])


async def test_votes_made_before_the_close_while_the_bot_was_down_decide_the_winner(tmp_path: Path) -> None:
    async with FakeTelegram() as fake:
        ann, alice, bob, cleo, dan = (fake.add_user(n, n.lower()) for n in ("Ann", "Alice", "Bob", "Cleo", "Dan"))
        group = fake.add_group("Makers")
        fake.set_admins(group, [fake.bot_user, ann])
        clock = VirtualClock(START)
        fake.state.clock = lambda: clock.now().timestamp()
        config = telegram_config(fake, extra={"bot": {"cogs": ["films", "challenges"]}})

        def bot() -> App:
            return App(config, db_path=str(tmp_path / "bot.sqlite3"), clock=clock, platforms=[create(config)])

        app = bot()
        await app.start()
        try:
            await open_round(fake, group, ann, [(alice, "Lamp Post"), (bob, "Moon Bus")])
            await app.scheduler.advance_to(START + timedelta(days=5))
            lamp = await fake.wait_for_call("sendMessage", to_chat(group, "Entry #1 ·"))
            moon = await fake.wait_for_call("sendMessage", to_chat(group, "Entry #2 ·"))
            fake.react(group, ann, moon.response["result"]["message_id"], "🔥")  # type: ignore[index]
            await fake.wait_for_call("getUpdates", lambda r: int(r.params.get("offset") or 0) > 0)
        finally:
            clock.set(VOTE_CLOSE - timedelta(seconds=14))
            await app.stop()  # down 14 s before the close
        lamp_id = lamp.response["result"]["message_id"]  # type: ignore[index]
        clock.set(VOTE_CLOSE - timedelta(seconds=5))
        fake.react(group, cleo, lamp_id, "🔥")  # both in time, while nobody polls
        fake.react(group, dan, lamp_id, "🔥")
        clock.set(VOTE_CLOSE + timedelta(seconds=2))  # back 2 s after the close
        app = bot()
        await app.start()
        try:
            results = shown(await fake.wait_for_call("sendPhoto", to_chat(group, "Results of challenge #1")))
        finally:
            await app.stop()
    assert "1. “Lamp Post” by Alice — votes: 2, points: +3" in results
    assert "Winner: Alice." in results
    told = [shown(r) for r in fake.calls("sendMessage") if r.params.get("chat_id") in (cleo["id"], dan["id"])]
    assert told and not any("not open" in text or "not counted" in text for text in told)
    assert all("is counted" in text for text in told)
