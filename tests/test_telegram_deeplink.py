"""Someone who never opened a private chat with the bot gets a deep-link button in the group; following it
(`/start <payload>`) brings what was held for them, also after a restart, and the group never sees it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.testing.fakes.telegram_server import FakeTelegram
from tests.telegram_harness import TelegramBot, shown, telegram_config, to_chat

pytestmark = pytest.mark.timeout(30)
COGS = ["films", "community"]


def url_button(request: Any) -> str:
    markup = request.params["reply_markup"]
    markup = json.loads(markup) if isinstance(markup, str) else markup
    return str(markup["inline_keyboard"][0][0]["url"])


async def test_a_private_answer_waits_behind_a_deep_link(tmp_path: Path) -> None:
    async with FakeTelegram() as fake:
        group, alice = fake.add_group("Makers"), fake.add_user("Alice", "alice")
        fake.block_private(alice)  # she never started the bot: Telegram refuses to write to her
        config = telegram_config(fake, extra={"bot": {"cogs": COGS}})
        async with TelegramBot(tmp_path / "bot.sqlite3", config):
            asked = fake.send_text(group, alice, "/link")
            note = await fake.wait_for_call("sendMessage", to_chat(group, "something for you in private"))
            link = url_button(note)
            assert link.startswith(f"https://t.me/{fake.bot_user['username']}?start=")
            assert note.params["reply_parameters"]["message_id"] == asked["message"]["message_id"]
            assert note.params["disable_notification"] is True
            payload = link.rsplit("=", 1)[1]
            assert len(payload) <= 64 and payload.replace("-", "").replace("_", "").isalnum()
        in_group = " ".join(shown(r) for r in fake.calls("sendMessage") if to_chat(group)(r))
        assert "Your link code is" not in in_group and "something for you in private" in in_group

        async with TelegramBot(tmp_path / "bot.sqlite3", config):  # kept across a restart
            private = fake.private_chat(alice)
            greetings = to_chat(private, "Hello Alice")
            fake.send_text(private, alice, "/start someone-elses")  # not hers: the plain greeting
            await fake.wait_for_call("sendMessage", greetings)
            fake.send_text(private, alice, f"/start {payload}")
            code = await fake.wait_for_call("sendMessage", to_chat(private, "Your link code is"))
            assert "within 10 minutes" in shown(code)
            fake.send_text(private, alice, f"/start {payload}")  # taken once: now only the greeting again
            await fake.wait_for_call("sendMessage", lambda r: sum(map(greetings, fake.calls("sendMessage"))) == 2)
            assert sum("Your link code is" in shown(r) for r in fake.calls("sendMessage") if r.ok) == 1
