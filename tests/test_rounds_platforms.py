"""Large rounds on the real adapters: the gallery on Discord (embed page, buttons, ephemeral pages that
turn in place) and on Telegram (inline keyboard, private pages edited in place), and the outbox pacing a
burst of announcements under stand-ins that enforce the platforms' real limits."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.clock import VirtualClock
from bot.models import Account, Message, Text
from bot.platforms.discord_platform import create as create_discord
from bot.platforms.telegram_platform import create as create_telegram
from bot.testing.fakes.discord_server import FakeDiscord
from bot.testing.fakes.telegram_server import FakeTelegram, RecordedRequest
from tests.discord_round import settled, voting_round
from tests.discord_support import answer, discord_config, eventually, make_guild, user
from tests.telegram_harness import shown, telegram_config, to_chat

pytestmark = pytest.mark.timeout(40)
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ROUND = {"bot": {"cogs": ["films", "challenges"]}, "challenges": {"gallery_above": 2, "page_size": 2}}
MAKERS = ("ana", "ben", "cleo")


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """A Discord message's buttons: label -> custom_id."""
    return {item["label"]: item["custom_id"] for row in message.get("components", []) for item in row["components"]
            if item["type"] == 2}


def menu(message: dict[str, Any]) -> dict[str, str]:
    """A Discord message's select menu: option label -> value."""
    return {option["label"]: option["value"] for row in message.get("components", []) for item in row["components"]
            if item["type"] == 3 for option in item["options"]}


async def test_the_gallery_on_discord(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        guild = make_guild(fake)
        fake.add_member(guild, "dee")
        config = discord_config(fake, challenges_channel="general", sections=ROUND)
        clock = VirtualClock(START)
        app = App(config, db_path=str(tmp_path / "bot.sqlite3"), clock=clock, platforms=[create_discord(config)])
        await app.start()
        try:
            await answer(fake, guild, "mo", "challenge", {"theme": "Night walks"}, subcommand="new")
            for number, name in enumerate(MAKERS, start=1):
                await answer(fake, guild, name, "submit", {"film": f"https://vimeo.com/{number}",
                                                           "title": f"Film {number}", "runtime": "1:00"})
            await app.scheduler.advance_to(START + timedelta(days=5))
            general = guild.channel("general")
            await eventually(lambda: any("page 1 of 2" in str(m.get("content")) for m in fake.messages_in(general)))
            gallery = next(m for m in fake.messages_in(general) if "page 1 of 2" in str(m.get("content")))
            assert list(menu(gallery)) == ["Vote #1", "Vote #2"] and list(buttons(gallery)) == ["Next ▶", "Watch"]
            assert "[Film 1](https://vimeo.com/1) by ana" in gallery["content"]
            assert not any("vote with" in json.dumps(m.get("embeds")) for m in fake.messages_in(general))  # no cards

            dee = user(fake, guild, "dee")
            pressed = await fake.press_button(guild, "general", dee, gallery["id"], buttons(gallery)["Next ▶"])
            reply = await pressed.wait_callback()
            assert reply["type"] == 4 and reply["data"]["flags"] & 64  # the reader's own page, ephemeral
            assert "entries 3–3 of 3 (page 2 of 2)" in reply["data"]["content"]
            own = fake.model.message_payload(pressed.original_message_id or "")
            assert list(menu(own)) == ["Vote #3"] and list(buttons(own)) == ["◀ Prev", "Watch"]
            assert "page 1 of 2" in fake.model.message_payload(gallery["id"])["content"]  # the shared page stays

            turned = await fake.press_button(guild, "general", dee, own["id"], buttons(own)["◀ Prev"])
            update = await turned.wait_callback()
            assert update["type"] == 7  # the ephemeral message changes in place
            assert "page 1 of 2" in fake.model.message_payload(own["id"])["content"]

            voted = await fake.press_button(guild, "general", dee, own["id"], "menu", component_type=3,
                                            values=[menu(fake.model.message_payload(own["id"]))["Vote #1"]])
            receipt = await voted.wait_callback()
            assert "Your vote for “Film 1” (challenge #1) is counted." in receipt["data"]["content"]
            assert await app.db.fetchval("SELECT COUNT(*) FROM challenge_votes WHERE active = 1") == 1
        finally:
            await app.stop()


def keyboard(request: RecordedRequest) -> dict[str, str]:
    """A Telegram message's inline buttons: text -> callback_data."""
    markup = request.params["reply_markup"]
    markup = json.loads(markup) if isinstance(markup, str) else markup
    return {button["text"]: button["callback_data"] for row in markup["inline_keyboard"] for button in row}


async def test_the_gallery_on_telegram(tmp_path: Path) -> None:
    async with FakeTelegram() as fake:
        ann, dee = fake.add_user("Ann", "ann"), fake.add_user("Dee", "dee")
        makers = [fake.add_user(name.title(), name) for name in MAKERS]
        group = fake.add_group("Makers")
        fake.set_admins(group, [fake.bot_user, ann])
        clock = VirtualClock(START)
        fake.state.clock = lambda: clock.now().timestamp()
        config = telegram_config(fake, extra=ROUND)
        app = App(config, db_path=str(tmp_path / "bot.sqlite3"), clock=clock, platforms=[create_telegram(config)])
        await app.start()
        try:
            fake.send_text(group, ann, "/challenge new Night walks")
            await fake.wait_for_call("sendMessage", to_chat(group, "is set"))
            for number, maker in enumerate(makers, start=1):
                fake.send_text(group, maker, f'/submit https://vimeo.com/{number} title="Film {number}" runtime=1:00')
                await fake.wait_for_call("sendMessage", to_chat(group, f"Entry #{number}:"))
            await app.scheduler.advance_to(START + timedelta(days=5))
            gallery = await fake.wait_for_call("sendMessage", to_chat(group, "page 1 of 2"))
            assert list(keyboard(gallery)) == ["Vote #1", "Vote #2", "Next ▶", "Watch"]
            gallery_id = gallery.response["result"]["message_id"]  # type: ignore[index]

            fake.press_button(group, dee, gallery_id, keyboard(gallery)["Next ▶"])
            page = await fake.wait_for_call("sendMessage", to_chat(fake.private_chat(dee), "page 2 of 2"))
            assert "Film 3" in shown(page) and list(keyboard(page)) == ["Vote #3", "◀ Prev", "Watch"]
            page_id = page.response["result"]["message_id"]  # type: ignore[index]

            fake.press_button(fake.private_chat(dee), dee, page_id, keyboard(page)["◀ Prev"])
            edit = await fake.wait_for_call("editMessageText", lambda r: r.ok and "page 1 of 2" in str(r.params))
            assert int(edit.params["message_id"]) == page_id and "Film 1" in str(edit.params["text"])
            assert not [r for r in fake.calls("editMessageText") if r.params.get("chat_id") == group["id"]]
        finally:
            await app.stop()


async def test_a_burst_of_announcements_is_paced_under_discords_real_limits(tmp_path: Path) -> None:
    async with FakeDiscord(real_limits=True, channel_limit=(5, 1.0)) as fake:
        guild = make_guild(fake)
        config = discord_config(fake, showcase_channel="showcase", channel_messages=5, channel_seconds=1.0,
                                sections={"bot": {"cogs": ["films", "challenges"]}})
        app = App(config, db_path=str(tmp_path / "bot.sqlite3"), platforms=[create_discord(config)])
        await app.start()
        try:
            await answer(fake, guild, "mo", "challenge", {"theme": "Night walks"}, subcommand="new")
            began = time.monotonic()
            shares = [answer(fake, guild, name, "share", {"link": f"https://vimeo.com/{n}", "title": f"Film {n}"})
                      for n, name in enumerate(["ana", "ben", "cleo"] * 4, start=1)]
            await asyncio.gather(*shares)
            show = await answer(fake, guild, "mo", "challenge", subcommand="show")
            showcase = guild.channel("showcase")
            await eventually(lambda: len(fake.messages_in(showcase)) == 12, timeout=10)
            took = time.monotonic() - began
        finally:
            await app.stop()
    assert sum(fake.limit_hits.values()) == 0  # paced: Discord never had to refuse one
    assert took >= 2.0  # twelve at five a second go out in three windows
    assert "Waiting to be posted on discord:" in show["content"] and "<t:" in show["content"]


async def test_a_burst_of_announcements_is_paced_under_telegrams_real_limits(tmp_path: Path) -> None:
    async with FakeTelegram(real_limits=True, chat_limit=(1, 0.1), group_limit=(20, 60.0),
                            overall_limit=(100, 1.0)) as fake:
        people = [fake.add_user(f"Maker {n}", f"maker{n}") for n in range(22)]
        group = fake.add_group("Makers")
        config = telegram_config(fake, {"chat_max_rate": 10, "group_max_rate": 20, "overall_max_rate": 30},
                                 extra={"bot": {"cogs": ["films"]}})
        app = App(config, db_path=str(tmp_path / "bot.sqlite3"), platforms=[create_telegram(config)])
        await app.start()
        try:
            fake.send_text(group, people[0], "/films")  # the group is the community's: one answer there
            await fake.wait_for_call("sendMessage", to_chat(group))
            for n, person in enumerate(people):  # each in their own chat: no other answer lands in the group
                fake.send_text(fake.private_chat(person), person, f'/share https://vimeo.com/{n} "Film {n}"')
            await eventually(lambda: len(fake.bot_messages(group)) == 20, timeout=10)
            await asyncio.sleep(1.0)
            posted = len(fake.bot_messages(group))
            community = await app.directory.community_for_space("telegram", str(group["id"]))
            waiting, seconds = (await app.outbox.backlog(community.id))["telegram"]
            person = await app.directory.person_for(Account("telegram", str(people[0]["id"])), "Maker 0")
            async with app.db.transaction() as tx:  # a private message is not stuck behind the group's backlog
                await app.outbox.to_person(tx, person.id, Message(Text.of("just for you")), key="p1", zone="UTC")
            await fake.wait_for_call("sendMessage", to_chat(fake.private_chat(people[0]), "just for you"))
        finally:
            await app.stop()
    assert sum(fake.limit_hits.values()) == 0
    assert posted == 20  # twenty a minute in a group: the rest wait their turn instead of meeting a 429
    assert waiting == 3 and 0 < seconds <= 60


async def test_a_close_whose_recount_fails_midway_runs_on_the_stored_votes_and_says_so(tmp_path: Path) -> None:
    async with FakeDiscord() as fake, voting_round(fake, tmp_path / "bot.sqlite3", entries=6, voters=3) as round_:
        first, *others = sorted(round_.cards)
        for voter in round_.voters:  # every voter's star on the first card reaches the bot
            await fake.react(round_.channel, round_.cards[first], voter, "⭐")
        await settled(round_.app, 3)
        missed = round_.voters[0]  # stars the bot never heard, which only a recount can find
        for entry in others:
            fake.seed_reactions(round_.cards[entry], "⭐", [missed])
        down = "|".join(round_.cards[entry] for entry in others[2:])  # Discord stops answering for the last three
        outage = fake.fail_after("GET", rf"/messages/({down})/reactions/", after=0)
        await round_.app.scheduler.advance_to(START + timedelta(days=7))
        general = round_.channel
        await eventually(lambda: any("Results of challenge #1" in str(m.get("content"))
                                     for m in fake.messages_in(general)), timeout=10)
        texts = [str(m.get("content")) for m in fake.messages_in(general)]
    results = next(text for text in texts if "Results of challenge #1" in text)
    notice = next(text for text in texts if "could not be recounted" in text)
    assert "Film 1” by maker0 — votes: 3" in results  # the stored votes stand
    assert outage.refused == 3 and "3 entry cards could not be recounted" in notice
    recounted = [entry for entry in others if f"Film {entry}” by maker{entry - 1} — votes: 1" in results]
    assert recounted == others[:2]  # the cards read before the outage were recounted, the rest kept
