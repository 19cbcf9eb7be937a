"""Delivery under faults: a card a moderator deleted, a send that timed out after Telegram posted it, and
an answer that could not be sent after the command's change was saved."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.clock import VirtualClock
from bot.platforms.telegram_platform import create as create_telegram
from bot.testing.fakes.discord_server import FakeDiscord
from bot.testing.fakes.telegram_server import FakeTelegram
from tests.discord_round import START, settled, voting_round
from tests.discord_support import discord_text, eventually
from tests.telegram_harness import open_round, shown, telegram_config, to_chat

pytestmark = pytest.mark.timeout(60)


async def test_a_deleted_card_keeps_its_acknowledged_votes_and_the_admins_are_told(discord_fake: FakeDiscord,
                                                                                   tmp_path: Path) -> None:
    fake = discord_fake
    async with voting_round(fake, tmp_path / "bot.sqlite3", entries=2, voters=3) as round_:
        card = round_.cards[1]
        for voter in round_.voters:
            await fake.react(round_.channel, card, voter, "⭐")
        await settled(round_.app, 3)
        await fake.delete_message(card)  # a moderator removes the card; Discord answers 404 for it now
        await round_.app.scheduler.advance_to(START + timedelta(days=7, hours=1))
        posted = [discord_text(m) for m in fake.messages_in(round_.channel)]
    results = next(text for text in posted if "Results of challenge #1" in text)
    assert "“Film 1” by maker0 — votes: 3" in results
    assert any("could not be read for the recount (Film 1)" in text and "kept" in text for text in posted)


def telegram_bot(fake: FakeTelegram, tmp_path: Path, clock: VirtualClock) -> App:
    fake.state.clock = lambda: clock.now().timestamp()
    config = telegram_config(fake, extra={"bot": {"cogs": ["films", "challenges"], "resend_unknown_after": 60}})
    return App(config, db_path=str(tmp_path / "bot.sqlite3"), clock=clock, platforms=[create_telegram(config)])


def card_copies(fake: FakeTelegram, group: dict[str, Any], title: str) -> list[dict[str, Any]]:
    """Entry cards as members see them in the group (posted, whether or not the bot heard back)."""
    return [m for m in fake.bot_messages(group) if title in str(m.get("text")) and "·" in str(m.get("text"))]


async def test_a_card_whose_send_timed_out_after_posting_is_sent_once_more_and_both_copies_count(
        tmp_path: Path) -> None:
    async with FakeTelegram() as fake:
        ann, alice, cleo = (fake.add_user(n, n.lower()) for n in ("Ann", "Alice", "Cleo"))
        group = fake.add_group("Makers")
        fake.set_admins(group, [fake.bot_user, ann])
        clock = VirtualClock(START)
        app = telegram_bot(fake, tmp_path, clock)
        await app.start()
        try:
            await open_round(fake, group, ann, [(alice, "Lamp Post")])
            await app.scheduler.advance_to(START + timedelta(days=4, hours=1))  # past the "24 hours left" reminder
            fake.delay_next("sendMessage", 0)  # the close's announcement goes out as usual
            fake.delay_next("sendMessage", 8)  # the card is posted, but the answer comes after 5 s
            await app.scheduler.advance_to(START + timedelta(days=5))
            assert len(card_copies(fake, group, "Lamp Post")) == 1  # not resent at once: its outcome is unknown
            first = card_copies(fake, group, "Lamp Post")[0]["message_id"]
            await app.scheduler.advance_to(clock.now() + timedelta(seconds=30))
            await app.outbox.flush()
            assert len(card_copies(fake, group, "Lamp Post")) == 1  # still waiting
            await app.scheduler.advance_to(clock.now() + timedelta(seconds=40))
            await app.outbox.flush()
            copies = card_copies(fake, group, "Lamp Post")
            fake.react(group, cleo, first, "🔥")  # on the copy whose send timed out
            await eventually(lambda: bool(app.dispatcher.reactions.taken), timeout=10)
            await app.scheduler.advance_to(START + timedelta(days=7, hours=1))
            results = shown(await fake.wait_for_call("sendPhoto", to_chat(group, "Results of challenge #1")))
        finally:
            await app.stop()
    assert len(copies) == 2  # the original and one resend, not three
    assert "“Lamp Post” by Alice — votes: 1" in results


async def test_an_answer_that_cannot_be_sent_never_says_nothing_was_saved(tmp_path: Path) -> None:
    async with FakeTelegram() as fake:
        group, alice = fake.add_group("Makers"), fake.add_user("Alice", "alice")
        clock = VirtualClock(START)
        app = telegram_bot(fake, tmp_path, clock)
        await app.start()
        try:
            fake.fail_next("sendMessage", 502)  # the announcement: retried by the outbox
            fake.fail_next("sendMessage", 502)  # the answer to /share
            fake.send_text(group, alice, '/share https://vimeo.com/5 "Night Bus"')
            await eventually(lambda: len([r for r in fake.calls("sendMessage") if r.status == 502]) == 2)
            fake.send_text(group, alice, "/films")
            listing = shown(await fake.wait_for_call("sendMessage", to_chat(group, "Night Bus")))
            await app.scheduler.advance_to(clock.now() + timedelta(seconds=10))
            await app.outbox.flush()
        finally:
            await app.stop()
    texts = [shown(r) for r in fake.calls("sendMessage") if r.ok]
    assert "Night Bus" in listing and await_saved(texts)
    assert not any("Nothing was saved" in text for text in texts)
    assert sum("New film by Alice" in text for text in texts) == 1  # announced once, on the retry


def await_saved(texts: list[str]) -> bool:
    return any("Night Bus" in text for text in texts)

