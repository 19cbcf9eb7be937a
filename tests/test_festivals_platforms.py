"""Festival deadlines through the real Discord and Telegram adapters against their loopback stand-ins:
admins add festivals and deadlines, everyone lists them (Discord timestamps, Telegram local times), the
calendar goes out as a file and comes in as an attached .ics, and a reminder reaches the festival chat.

The App runs on the real clock here. A reminder is made due now by moving its row (the scheduler's own
reschedule), so APScheduler wakes the bot in real time without waiting out an offset."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.app import App
from bot.i18n.formats import moment_text
from bot.testing.fakes.discord_server import FakeDiscord, Guild, Perm
from bot.testing.fakes.telegram_html import parse_html
from bot.testing.fakes.telegram_server import FakeTelegram
from tests.discord_support import answer, discord_config, running_app
from tests.telegram_harness import TelegramBot, shown, telegram_config, to_chat

pytestmark = pytest.mark.timeout(20)
COGS = ["films", "festivals"]
MANAGE_GUILD = 1 << 5
EPHEMERAL = 64
NAME = "Tokyo <Shorts> & Co"
TOKYO = ZoneInfo("Asia/Tokyo")
STALE = re.compile(r"in \d+ (day|hour)")  # a countdown worded when the message was made


def deadline_in(days: int) -> tuple[str, datetime]:
    """A deadline `days` ahead at 23:59 Tokyo time: as typed, and as an instant."""
    local = (datetime.now(TOKYO) + timedelta(days=days)).replace(hour=23, minute=59, second=0, microsecond=0)
    return local.strftime("%Y-%m-%d %H:%M"), local.astimezone(UTC)


def calendar_file(name: str, days: int) -> bytes:
    """A one-event .ics: the early deadline of `name`, `days` ahead, in Lisbon."""
    day = (datetime.now(UTC) + timedelta(days=days)).strftime("%Y%m%d")
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{name}-early@test\r\nDTSTAMP:20261101T000000Z\r\nSUMMARY:{name} — Early\r\n"
        f"DTSTART;TZID=Europe/Lisbon:{day}T235900\r\nURL:https://lagoon.example.org\r\n"
        "X-MICROFILM-ZONE:Europe/Lisbon\r\nX-MICROFILM-FEE:12\r\nX-MICROFILM-CURRENCY:EUR\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


def summaries(data: bytes) -> list[str]:
    return sorted(str(event.get("SUMMARY")) for event in Calendar.from_ical(data).walk("VEVENT"))


async def make_reminder_due(app: App) -> str:
    """Move the 7-day reminder of festival #1's early deadline to now; returns its key."""
    (job,) = [job for job in await app.scheduler.pending("festivals.reminder/1/early/")
              if (job.key or "").endswith("/7d/")]
    assert job.key is not None
    async with app.db.transaction() as tx:
        assert await app.scheduler.reschedule(tx, job.key, app.clock.now())
    return job.key


# -- Discord ------------------------------------------------------------------------------------------------


@pytest.fixture
def fake(discord_fake: FakeDiscord) -> FakeDiscord:
    return discord_fake


@pytest.fixture
def guild(fake: FakeDiscord) -> Guild:
    made = fake.add_guild("microfilm makers", channels=["general", "deadlines"], members=["ana"])
    fake.add_member(made, "mo", permissions=Perm.EVERYONE_DEFAULT | MANAGE_GUILD)
    return made


@pytest.fixture
async def app(fake: FakeDiscord, guild: Guild, tmp_path: Path) -> AsyncIterator[App]:
    config = discord_config(fake, festivals_channel="deadlines", sections={"bot": {"cogs": COGS}})
    async with running_app(fake, tmp_path / "bot.sqlite3", config) as running:
        yield running


def seen(content: str) -> str:
    """Discord content as members read it: markdown escapes are not shown, bold markers neither."""
    return re.sub(r"\\(.)", r"\1", content).replace("**", "")


ADMIN_SUBS = ("add", "deadline", "edit", "remove", "import")  # in /festival_admin, hidden from members


async def festival(fake: FakeDiscord, guild: Guild, who: str, sub: str, options: dict[str, Any] | None = None,
                   group: str | None = None) -> dict[str, Any]:
    group = group or ("festival_admin" if sub in ADMIN_SUBS else "festival")
    return await answer(fake, guild, who, group, options, subcommand=sub)


async def test_discord_festivals_from_adding_to_reminder(fake: FakeDiscord, guild: Guild, app: App) -> None:
    add = {"name": NAME, "url": "https://tokyo.example.org", "zone": "Asia/Tokyo", "currency": "EUR"}
    refused = await festival(fake, guild, "ana", "add", add)
    assert refused["content"] == "Only community admins may use this command." and refused["flags"] == EPHEMERAL
    assert seen((await festival(fake, guild, "mo", "add", add))["content"]).startswith(
        f"Festival #1 “{NAME}” is added.")
    typed, due = deadline_in(10)
    set_reply = await festival(fake, guild, "mo", "deadline", {"festival": "1", "tier": "early", "when": typed,
                                                                "fee": "25"})
    assert f"<t:{int(due.timestamp())}:F>" in set_reply["content"]

    unix = int(due.timestamp())
    listing = await festival(fake, guild, "ana", "list", group="festivals")
    # The countdown is Discord's own, live in each reader's client: no phrase that goes stale.
    assert f"<t:{unix}:F> — {NAME} (#1) · Early · fee €25.00 · <t:{unix}:R>" in seen(listing["content"])
    assert not STALE.search(listing["content"])
    card = (await festival(fake, guild, "ana", "show", {"festival": "1"}))["embeds"][0]
    (early,) = [field for field in card["fields"] if field["name"] == "Early"]
    assert early["value"].startswith(f"<t:{unix}:F>") and early["value"].endswith(f"<t:{unix}:R>")

    ics = await festival(fake, guild, "ana", "ics", group="festivals")
    assert seen(ics["content"]).startswith("Here is the festival calendar (1 deadline).")
    (sent,) = fake.requests_to("POST", r"/interactions/\d+/[^/]+/callback$")[-1].files
    assert sent["filename"] == "festivals.ics" and summaries(sent["content"]) == [f"{NAME} — Early"]

    upload = fake.upload("lagoon.ics", calendar_file("Lagoon Shorts", 20), "text/calendar")
    imported = await festival(fake, guild, "mo", "import", {"file": upload})
    assert imported["content"].startswith("Calendar imported. Festivals added: 1, updated: 0. Deadlines set: 1;")
    listing = seen((await festival(fake, guild, "ana", "list", group="festivals"))["content"])
    assert listing.index(NAME) < listing.index("Lagoon Shorts (#2) · Early · fee €12.00")

    key = await make_reminder_due(app)
    deadlines = guild.channel("deadlines")
    posted = await fake.wait_for_request("POST", rf"/channels/{deadlines.id}/messages$",
                                         where=lambda body: "⏰" in (body.get("content") or ""))
    assert seen(posted.json["content"]).startswith(f"⏰ {NAME} — Early deadline <t:{unix}:R>: <t:{unix}:F> · ")
    assert not STALE.search(posted.json["content"])
    assert posted.json["allowed_mentions"] == {"parse": []}
    assert key not in [job.key for job in await app.scheduler.pending("festivals.reminder/")]
    assert len([m for m in fake.messages_in(deadlines) if "⏰" in m["content"]]) == 1


# -- Telegram -----------------------------------------------------------------------------------------------


@pytest.fixture
async def tg_fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(strict_ampersand=True) as server:
        yield server


@pytest.fixture
async def tg(tg_fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[TelegramBot]:
    config = telegram_config(tg_fake, extra={"bot": {"cogs": COGS}})
    async with TelegramBot(tmp_path / "bot.sqlite3", config) as bot:
        yield bot


async def say(fake: FakeTelegram, chat: dict[str, Any], who: dict[str, Any], text: str, contains: str) -> str:
    fake.send_text(chat, who, text)
    sent = await fake.wait_for_call("sendMessage", to_chat(chat, contains))
    parse_html(sent.params["text"], strict_ampersand=True)
    return shown(sent)


async def test_telegram_festivals_from_adding_to_reminder(tg_fake: FakeTelegram, tg: TelegramBot) -> None:
    fake = tg_fake
    group, ann, bob = fake.add_group("Makers"), fake.add_user("Ann"), fake.add_user("Bob")
    fake.set_admins(group, [ann])
    add = f'/festival_admin add "{NAME}" url=https://tokyo.example.org zone=Asia/Tokyo currency=EUR'
    assert await say(fake, group, bob, add, "admins") == "Only community admins may use this command."
    assert (await say(fake, group, ann, add, "is added")).startswith(f"Festival #1 “{NAME}” is added.")
    typed, due = deadline_in(10)
    local_utc = moment_text(due, "F", "en")  # as "Sun 6 Dec, 18:00 (UTC)"
    set_reply = await say(fake, group, ann, f"/festival_admin deadline 1 early {typed} fee=25", "deadline set")
    assert local_utc in set_reply and f"({typed} Asia/Tokyo)" in set_reply

    listing = await say(fake, group, bob, "/festivals", "Upcoming")
    assert f"{local_utc} — {NAME} (#1) · Early · fee €25.00 · in " in listing
    assert "Tokyo" in await say(fake, group, bob, "/timezone Asia/Tokyo", "Tokyo")
    tokyo_time = moment_text(due.astimezone(TOKYO), "F", "en")  # "… 23:59 (UTC+9)"
    assert f"{tokyo_time} — {NAME}" in await say(fake, group, bob, "/festivals", "Upcoming")

    fake.send_text(group, bob, "/festivals ics")
    document = await fake.wait_for_call("sendDocument")
    assert document.ok and document.params["caption"].startswith("Here is the festival calendar (1 deadline).")
    sent = document.files["document"]
    assert sent.filename == "festivals.ics" and summaries(sent.content) == [f"{NAME} — Early"]

    fake.send_document(group, ann, "lagoon.ics", calendar_file("Lagoon Shorts", 20), caption="/festival_admin import")
    imported = await fake.wait_for_call("sendMessage", to_chat(group, "Calendar imported"))
    assert shown(imported).startswith("Calendar imported. Festivals added: 1, updated: 0. Deadlines set: 1;")
    listing = await say(fake, group, ann, "/festivals", "Upcoming")
    assert listing.index(NAME) < listing.index("Lagoon Shorts (#2) · Early · fee €12.00")

    before = len(fake.calls("sendMessage"))
    key = await make_reminder_due(tg.app)
    reminder = await fake.wait_for_call("sendMessage", to_chat(group, "⏰"))
    parse_html(reminder.params["text"], strict_ampersand=True)
    assert shown(reminder).startswith(f"⏰ {NAME} — Early deadline in ")
    assert local_utc in shown(reminder)  # the group reads the community's zone
    assert key not in [job.key for job in await tg.app.scheduler.pending("festivals.reminder/")]
    assert [call for call in fake.calls("sendMessage")[before:] if "⏰" in str(call.params.get("text"))] == [
        reminder]
