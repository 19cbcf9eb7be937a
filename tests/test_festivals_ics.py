"""Festivals: bad input is refused whole, and iCalendar files go out and come back in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from bot.models import Account, ChatRef, IncomingFile, Invocation
from bot.platforms.console import ConsoleResponder
from bot.services import CALENDARS
from bot.testing.harness import Harness

SEA = 'ann: /festival add "Shorts by the Sea" url=https://sea.example.org zone=Europe/Lisbon currency=EUR'
SAMPLE = Path(__file__).resolve().parents[1] / "cogs" / "festivals" / "sample" / "festivals-sample.ics"


async def rows(bot: Harness) -> tuple[int, int, int]:
    db = bot.app.db
    return (
        int(await db.fetchval("SELECT COUNT(*) FROM festivals")),
        int(await db.fetchval("SELECT COUNT(*) FROM festival_deadlines")),
        len(await bot.app.scheduler.pending("festivals.")),
    )


def event(name: str, start: str, extra: str = "") -> str:
    return (
        f"BEGIN:VEVENT\r\nUID:{name}-{start}@test\r\nDTSTAMP:20261101T000000Z\r\nSUMMARY:{name}\r\n"
        f"DTSTART:{start}\r\n{extra}END:VEVENT\r\n"
    )


def calendar(*events: str) -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + "".join(events) + "END:VCALENDAR\r\n"
    ).encode()


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ('ann: /festival add "X" url=https://x.org zone=Mars/Olympus', "not a time zone I know"),
        ('ann: /festival add "X" url=ftp://x.org zone=UTC', "not a website address"),
        ('ann: /festival add "X" url=https://x.org zone=UTC currency=euro', "not a currency code"),
    ],
)
async def test_bad_festival_details_are_refused(bot: Harness, command: str, answer: str) -> None:
    assert answer in await bot.text(command)
    assert await rows(bot) == (0, 0, 0)


@pytest.mark.parametrize(
    ("when", "answer"),
    [
        ("2027-03-28 01:30", "does not exist in Europe/Lisbon"),  # the spring-forward gap
        ("2026-11-30 12:00", "has already passed"),
        ("2027-02-30 12:00", "can't read the date"),
        ("soon", "can't read the date"),
    ],
)
async def test_bad_deadline_times_are_refused_and_nothing_is_saved(
    bot: Harness, when: str, answer: str
) -> None:
    await bot.run(SEA)
    assert answer in await bot.text(f"ann: /festival deadline 1 final {when} fee=20")
    assert await rows(bot) == (1, 0, 0)


async def test_negative_fee_is_refused_and_nothing_is_saved(bot: Harness) -> None:
    await bot.run(SEA, "ann: /festival deadline 1 early 2027-01-10 23:59 fee=10")
    before = await rows(bot)
    assert "cannot be negative" in await bot.text("ann: /festival deadline 1 early 2027-01-12 23:59 fee=-5")
    assert await rows(bot) == before
    assert "Sun 10 Jan, 23:59 (UTC)" in await bot.text("ann: /festival 1")


async def test_ambiguous_local_time_takes_the_first_and_says_so(bot: Harness) -> None:
    out = await bot.text(SEA, "ann: /festival deadline 1 final 2027-10-31 01:30")
    assert "happens twice in Europe/Lisbon" in out
    assert "Sun 31 Oct, 00:30 (UTC)" in out  # 01:30 summer time, the earlier of the two


async def test_malformed_calendar_is_refused_whole(bot: Harness, tmp_path: Path) -> None:
    broken = tmp_path / "broken.ics"
    broken.write_bytes(b"BEGIN:VCALENDAR\r\nthis is not a calendar\r\n")
    assert "not a calendar file I can read" in await bot.text(f"ann: /festival import {broken}")
    missing = tmp_path / "no-start.ics"
    missing.write_bytes(
        calendar(
            event("Good Fest — Early", "20270110T120000Z"), event("Bad Fest", "").replace("DTSTART:\r\n", "")
        )
    )
    assert "Event 2 in the calendar has no DTSTART" in await bot.text(f"ann: /festival import {missing}")
    assert "can't read" in await bot.text(f"ann: /festival import {tmp_path / 'nowhere.ics'}")
    assert await rows(bot) == (0, 0, 0)


async def test_calendar_with_ten_thousand_events_is_refused(bot: Harness, tmp_path: Path) -> None:
    start = datetime(2027, 1, 1, tzinfo=UTC)
    huge = tmp_path / "huge.ics"
    huge.write_bytes(
        calendar(
            *(
                event(f"Fest {i} — Final", (start + timedelta(hours=i)).strftime("%Y%m%dT%H%M%SZ"))
                for i in range(10_000)
            )
        )
    )
    out = await bot.text(f"ann: /festival import {huge}")
    assert "has 10000 events; the limit is 1000. Nothing was imported" in out
    assert await rows(bot) == (0, 0, 0)


async def test_sample_calendar_imports_with_local_times(bot: Harness) -> None:
    out = await bot.text(f"ann: /festival import {SAMPLE}")
    assert "Festivals added: 3, updated: 0. Deadlines set: 6" in out
    card = await bot.text("alice: /festival Pocket Cinema")
    assert "Early: Thu 11 Mar, 04:59 (UTC) (2027-03-10 23:59 America/New_York) · fee US$5.00" in card
    assert "Late: Sun 21 Mar, 03:59 (UTC) (2027-03-20 23:59 America/New_York) · fee US$12.00" in card
    bamboo = await bot.text("alice: /festival Bamboo")
    assert "Final: Fri 30 Apr, 15:59 (UTC) (2027-04-30 23:59 Asia/Shanghai) · free entry" in bamboo
    again = await bot.text(f"ann: /festival import {SAMPLE}")
    assert "Festivals added: 0, updated: 3. Deadlines set: 0" in again


async def test_attached_file_imports_and_a_path_from_a_chat_platform_is_refused(bot: Harness) -> None:
    data = calendar(event("Attached Fest — Early", "20270110T120000Z", "X-MICROFILM-FEE:9\r\n"))
    responder = ConsoleResponder(bot.platform, "#general", "ann")
    await bot.app.dispatcher.command(
        Invocation(
            Account("console", "ann"),
            "ann",
            ChatRef("console", "#general"),
            responder,
            text="/festival import",
            is_admin=True,
            space="console",
            attachment=IncomingFile("f.ics", data),
        )
    )
    assert "Festivals added: 1" in bot.lines[-1]
    await bot.app.dispatcher.command(
        Invocation(
            Account("telegram", "42"),
            "ann",
            ChatRef("telegram", "-100"),
            responder,
            text=f"/festival import {SAMPLE}",
            is_admin=True,
            space="-100",
        )
    )
    assert "works in the console only" in bot.lines[-1]


async def test_ics_export_opens_in_icalendar_with_the_right_instants(bot: Harness) -> None:
    await bot.run(
        SEA + " categories=fiction",
        "ann: /festival deadline 1 early 2027-01-10 23:59 fee=10",
        "ann: /festival deadline 1 final 2027-04-15 23:59 fee=30",
    )
    out = await bot.run("alice: /festivals ics")
    assert "festival calendar (2 deadlines)" in out[0]
    posted = bot.platform.posted[max(bot.platform.posted)]
    assert posted.message.attachment is not None
    parsed = Calendar.from_ical(posted.message.attachment.data)
    events = {str(e["UID"]): e for e in parsed.walk("VEVENT")}
    assert set(events) == {"festival-1-early@microfilm-bot", "festival-1-final@microfilm-bot"}
    assert events["festival-1-final@microfilm-bot"].decoded("DTSTART") == datetime(
        2027, 4, 15, 22, 59, tzinfo=UTC
    )
    assert str(events["festival-1-early@microfilm-bot"]["SUMMARY"]) == "Shorts by the Sea — Early"
    alarms = list(events["festival-1-early@microfilm-bot"].walk("VALARM"))
    assert alarms and alarms[0].decoded("TRIGGER") == -timedelta(days=1)
    cog = bot.app.cog("festivals")
    assert cog is not None
    cheap = Calendar.from_ical(await cog.export_ics(max_fee=15))  # type: ignore[attr-defined]
    assert [str(e["UID"]) for e in cheap.walk("VEVENT")] == ["festival-1-early@microfilm-bot"]
    none = Calendar.from_ical(await cog.export_ics(category="animation"))  # type: ignore[attr-defined]
    assert list(none.walk("VEVENT")) == []


async def test_exported_calendar_imports_back_unchanged(bot: Harness, tmp_path: Path) -> None:
    await bot.run(SEA + " categories=fiction", "ann: /festival deadline 1 early 2027-01-10 23:59 fee=10")
    calendars = bot.app.service(CALENDARS)
    path = tmp_path / "out.ics"
    path.write_bytes(await calendars.export_ics())
    community = (await bot.app.directory.communities())[0]
    summary = await calendars.import_ics_file(path, community)
    assert "Festivals added: 0, updated: 1. Deadlines set: 0" in summary


def test_import_ics_command_line_imports_and_refuses_a_broken_file(tmp_path: Path) -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    db = str(tmp_path / "cli.sqlite3")
    sample = root / "cogs" / "festivals" / "sample" / "festivals-sample.ics"
    good = subprocess.run([sys.executable, "-m", "bot", "import-ics", str(sample), "--db", db], cwd=root,
                          capture_output=True, text=True, timeout=120)
    assert good.returncode == 0, good.stderr
    assert "Festivals added" in good.stdout
    broken = tmp_path / "broken.ics"
    broken.write_text("BEGIN:VCALENDAR\nthis is not a calendar\n")
    bad = subprocess.run([sys.executable, "-m", "bot", "import-ics", str(broken), "--db", db], cwd=root,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2
    assert "microfilm-bot:" in bad.stderr and bad.stdout == ""
