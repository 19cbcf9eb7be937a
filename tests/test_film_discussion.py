"""A film's discussion on Telegram: replies to its card (and to those replies) are gathered under the film,
and `/film` shows how many and when the latest came; the card's Discuss button says how to join in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.testing.fakes.telegram_server import FakeTelegram
from tests.telegram_harness import TelegramBot, shown, telegram_config, to_chat

pytestmark = pytest.mark.timeout(20)


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


async def test_replies_to_a_card_and_its_chain_are_counted_once_and_chatter_is_ignored(
        telegram: FakeTelegram, tmp_path: Path) -> None:
    group = telegram.add_group("Makers")
    alice, bob = telegram.add_user("Alice", "alice"), telegram.add_user("Bob", "bob")
    telegram.set_admins(group, [telegram.bot_user])  # the bot reads the whole chain, not only replies to it
    async with TelegramBot(tmp_path / "bot.sqlite3", telegram_config(telegram)):
        telegram.send_text(group, alice, '/share https://vimeo.com/76979871 "Night Bus"')
        card = await telegram.wait_for_call("sendMessage", lambda r: to_chat(group, "Night Bus")(r)
                                            and "reply_markup" in r.params)
        keyboard = card.params["reply_markup"]["inline_keyboard"]
        assert keyboard[0][0]["text"] == "Discuss"
        card_id = card.response["result"]["message_id"]  # type: ignore[index]
        first = telegram.send_text(group, bob, "lovely light", reply_to=card_id)
        telegram.send_text(group, alice, "thanks!", reply_to=first["message"]["message_id"])
        telegram.send_text(group, bob, "unrelated chatter")
        telegram.inject_update(first)  # the same update again: counted once
        telegram.send_text(group, bob, "/film 1")
        answer = await telegram.wait_for_call("sendMessage", to_chat(group, "Discussion"))
        assert "2 replies, the latest" in shown(answer)
        sent = [call for call in telegram.calls("sendMessage") if call.params.get("chat_id") == group["id"]]
        assert len(sent) == 3  # the receipt, the card and /film's answer: the replies themselves got no answer


async def test_a_reply_to_a_card_whose_send_was_never_recorded_still_joins_its_film(
        telegram: FakeTelegram, tmp_path: Path) -> None:
    """The process died after Telegram took the card and before the bot wrote it down: the card's Discuss
    button, which Telegram sends back with the reply, names the film."""
    group = telegram.add_group("Makers")
    alice, bob = telegram.add_user("Alice", "alice"), telegram.add_user("Bob", "bob")
    telegram.set_admins(group, [telegram.bot_user])
    db = tmp_path / "bot.sqlite3"
    async with TelegramBot(db, telegram_config(telegram)) as bot:
        telegram.send_text(group, alice, '/share https://vimeo.com/76979871 "Night Bus"')
        card = await telegram.wait_for_call("sendMessage", lambda r: to_chat(group, "Night Bus")(r)
                                            and "reply_markup" in r.params)
        await bot.app.outbox.flush()
    async with TelegramBot(db, telegram_config(telegram)) as bot:  # a new process, knowing nothing yet
        async with bot.app.db.transaction() as tx:  # as if the first had died before writing the card down
            assert (await tx.execute("DELETE FROM bot_messages")).rowcount
            await tx.execute("DELETE FROM bot_message_ranges")
        telegram.send_text(group, bob, "lovely light", reply_to=card.response["result"]["message_id"])  # type: ignore[index]
        telegram.send_text(group, bob, "/film 1")
        answer = await telegram.wait_for_call("sendMessage", to_chat(group, "Discussion"))
        assert "1 reply, the latest" in shown(answer)
