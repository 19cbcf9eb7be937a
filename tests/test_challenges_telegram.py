"""A whole challenge round through the real Telegram adapter and the loopback Telegram stand-in."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.clock import VirtualClock
from bot.platforms.telegram_platform import create
from bot.testing.fakes.telegram_server import FakeTelegram, RecordedRequest
from tests.discord_support import eventually
from tests.telegram_harness import shown, telegram_config, to_chat

pytestmark = pytest.mark.timeout(30)
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def say(fake: FakeTelegram, chat: dict[str, Any], user: dict[str, Any], text: str, contains: str) -> str:
    fake.send_text(chat, user, text)
    return shown(await fake.wait_for_call("sendMessage", to_chat(chat, contains)))


def vote_data(request: RecordedRequest) -> str:
    markup = request.params["reply_markup"]
    markup = json.loads(markup) if isinstance(markup, str) else markup
    return str(markup["inline_keyboard"][0][0]["callback_data"])


async def stored_votes(app: App, count: int) -> None:
    for _ in range(300):
        if await app.db.fetchval("SELECT COUNT(*) FROM challenge_votes WHERE active = 1") == count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{count} votes never reached the store")


async def toast(fake: FakeTelegram, update: dict[str, Any]) -> str:
    """The text a button press was answered with (its toast), once answered."""
    query_id = update["callback_query"]["id"]
    await eventually(lambda: bool((fake.callback_answer(query_id) or {}).get("answered")))
    return str(fake.callback_answer(query_id).get("text", ""))  # type: ignore[union-attr]


async def test_a_round_on_telegram(tmp_path: Path) -> None:
    async with FakeTelegram() as fake:
        ann, alice, bob, cleo = (fake.add_user(name, name.lower()) for name in ("Ann", "Alice", "Bob", "Cleo"))
        group = fake.add_group("Makers")
        fake.set_admins(group, [fake.bot_user, ann])  # groups send reactions to admin bots only
        config = telegram_config(fake, extra={"bot": {"cogs": ["films", "challenges"]}})
        clock = VirtualClock(START)
        fake.state.clock = lambda: clock.now().timestamp()  # Telegram dates its updates on the same clock
        app = App(config, db_path=str(tmp_path / "bot.sqlite3"), clock=clock, platforms=[create(config)])
        await app.start()
        try:
            opened = await say(fake, group, ann, "/challenge_admin new Night walks", "Night walks")
            assert "🎬 Challenge #1: Night walks" in opened
            await fake.wait_for_call("sendMessage", to_chat(group, "is set"))
            assert "Only community admins" in await say(fake, group, alice, "/challenge_admin new Sneaky", "admins")
            await say(fake, group, alice, '/submit https://vimeo.com/1 title="Lamp Post" runtime=2:00', "Entry #1")
            await say(fake, group, bob, '/submit https://vimeo.com/2 title="Moon Bus" runtime=2:00', "Entry #2")
            await app.scheduler.advance_to(START + timedelta(days=5))
            lamp = await fake.wait_for_call("sendMessage", to_chat(group, "Entry #1 ·"))
            moon = await fake.wait_for_call("sendMessage", to_chat(group, "Entry #2 ·"))
            assert "vote with ⭐/🔥" in shown(lamp)
            lamp_id = lamp.response["result"]["message_id"]  # type: ignore[index]
            moon_id = moon.response["result"]["message_id"]  # type: ignore[index]
            fake.react(group, cleo, lamp_id, "🔥")
            fake.react(group, bob, moon_id, "🔥")  # his own entry: told privately, not counted
            pressed = fake.press_button(group, alice, moon_id, vote_data(moon))
            await stored_votes(app, 3)
            own = await fake.wait_for_call("sendMessage", lambda r: r.params.get("chat_id") == bob["id"])
            assert "your own entry" in shown(own)  # a reaction's receipt comes privately
            # A press is answered where it was made: a toast saying what happened, no private message.
            assert (await toast(fake, pressed)).startswith("Your vote for “Moon Bus” (challenge #1) is counted.")
            assert (await toast(fake, fake.press_button(group, ann, lamp_id, vote_data(lamp)))).endswith(
                "is counted. Counts stay hidden until the results.")
            withdrawn = await toast(fake, fake.press_button(group, ann, lamp_id, vote_data(lamp)))
            assert withdrawn == "Your vote for “Lamp Post” (challenge #1) is withdrawn."
            assert not [r for r in fake.calls("sendMessage") if r.params.get("chat_id") in (alice["id"], ann["id"])]
            await app.scheduler.advance_to(START + timedelta(days=7, hours=1))
            # The results are the podium's picture with the results as its caption.
            posted = await fake.wait_for_call("sendPhoto", lambda r: r.ok and r.params.get("chat_id") == group["id"])
            results = shown(posted)
            assert "Results of challenge #1: Night walks" in results
            (picture,) = posted.response["result"]["photo"]  # type: ignore[index]
            assert (picture["width"], picture["height"]) == (960, 540)
            assert "“Lamp Post” by Alice — votes: 1, points: +3" in results
            assert "“Moon Bus” by Bob — votes: 1, points: +3" in results  # a tie shares first place
            assert "Winner: Alice, Bob." in results
        finally:
            await app.stop()
