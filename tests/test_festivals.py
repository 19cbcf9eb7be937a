"""The festivals cog through the console: listings, reminders that fire once, moves, DST, submissions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.export import collect
from bot.testing.harness import Harness

SEA = 'ann: /festival add "Shorts by the Sea" url=https://sea.example.org zone=Europe/Lisbon currency=EUR'


async def pending_reminders(bot: Harness) -> list[str]:
    return [job.key or "" for job in await bot.app.scheduler.pending("festivals.reminder/")]


def count(lines: list[str], text: str) -> int:
    return sum(text in line for line in lines)


async def test_list_shows_soonest_first_with_tier_fee_and_time_left(bot: Harness) -> None:
    await bot.run(
        SEA,
        "ann: /festival deadline 1 regular 2027-01-20 23:59 fee=25",
        "ann: /festival deadline 1 early 2026-12-20 23:59 fee=10",
        'ann: /festival add "Far Away" url=https://far.example.org zone=Asia/Tokyo',
        "ann: /festival deadline 2 final 2027-06-01 fee=0",
    )
    out = await bot.run("alice: /festivals")
    assert "Upcoming festival deadlines (next 30 days)" in out[0]
    assert "Sun 20 Dec, 23:59 (UTC) — Shorts by the Sea (#1) · Early · fee €10.00 · in 19 days 14 hours" in out[1]
    assert len(out) == 2  # the regular tier is beyond 30 days
    out = await bot.run("alice: /festivals within=365d max_fee=15")
    assert [line.split(" — ")[1].split(" ·")[0] for line in out[1:]] == [
        "Shorts by the Sea (#1)",
        "Far Away (#2)",
    ]
    assert "free entry" in out[2]
    card = await bot.text("alice: /festival shorts")
    assert "Shorts by the Sea — https://sea.example.org" in card
    assert "Early: Sun 20 Dec, 23:59 (UTC) (2026-12-20 23:59 Europe/Lisbon) · fee €10.00" in card


async def test_reader_zone_is_used_for_times(bot: Harness) -> None:
    await bot.run(SEA, "ann: /festival deadline 1 early 2026-12-20 23:59", "alice: /timezone Asia/Shanghai")
    assert "Mon 21 Dec, 07:59 (UTC+8) — Shorts by the Sea" in await bot.text("alice: /festivals")


async def test_each_reminder_fires_once_across_restarts(bot: Harness) -> None:
    await bot.run(SEA, "ann: /festival deadline 1 early 2027-01-31 23:59 fee=10", "bob: /remind festivals")
    seen = await bot.run("~ +33d")  # past the 30d offset
    await bot.restart()
    seen += await bot.run("~ +1h")
    await bot.restart()
    seen += await bot.run("~ 2027-02-02T00:00Z")
    for offset in ("30d", "7d", "1d"):
        left = {"30d": "in 30 days", "7d": "in 7 days", "1d": "in 1 day"}[offset]
        assert count(seen, f"#general: ⏰ Shorts by the Sea — Early deadline {left}") == 1, offset
        assert count(seen, f"@bob: ⏰ Shorts by the Sea — Early deadline {left}") == 1, offset
    assert await pending_reminders(bot) == []


async def test_down_when_due_sends_late_before_the_deadline_and_skips_after(bot: Harness) -> None:
    await bot.run(
        SEA,
        "ann: /festival deadline 1 early 2026-12-11 09:00",
        "ann: /festival deadline 1 regular 2026-12-31 09:00",
    )
    # The bot is down while the 7d and 1d reminders of the early deadline fall due, then comes back.
    bot.clock.set(datetime(2026, 12, 10, 21, 0, tzinfo=UTC))
    await bot.restart()
    late = [line for line in bot.lines if "⏰ Shorts by the Sea — Early deadline" in line]
    assert len(late) == 2 and all("in 12 hours" in line for line in late)
    # Down again, now past the regular deadline: its reminders are skipped, never sent after the fact.
    bot.clock.set(datetime(2027, 1, 2, 9, 0, tzinfo=UTC))
    await bot.restart()
    assert not [line for line in bot.lines if "Regular deadline in" in line]
    assert await pending_reminders(bot) == []


async def test_moved_deadline_reschedules_and_tells_subscribers(bot: Harness) -> None:
    await bot.run(SEA, "ann: /festival deadline 1 early 2026-12-20 23:59", "bob: /remind festivals")
    keys = await pending_reminders(bot)
    assert len(keys) == 2 and all("2026-12-20T23:59" in key for key in keys)  # 30d has already gone by
    out = await bot.run("ann: /festival deadline 1 early 2027-01-10 23:59")
    assert (
        count(
            out,
            "#general: 📅 Shorts by the Sea moved its Early deadline from Sun 20 Dec, 23:59 (UTC) "
            "to Sun 10 Jan, 23:59 (UTC)",
        )
        == 1
    )
    assert count(out, "@bob: 📅 Shorts by the Sea moved its Early deadline") == 1
    assert all("2027-01-10T23:59" in key for key in await pending_reminders(bot))
    fired = await bot.run("~ 2027-01-11T00:00Z")
    assert not [line for line in fired if "2026-12-20" in line]  # nothing for the old time
    assert count(fired, "#general: ⏰ Shorts by the Sea — Early deadline in 7 days: Sun 10 Jan, 23:59 (UTC)") == 1
    assert count(fired, "#general: ⏰ Shorts by the Sea — Early deadline in 1 day") == 1
    assert count(fired, "#general: ⏰") == 3  # 30d (now in the future again), 7d and 1d


async def test_deadlines_either_side_of_dst_fire_at_the_right_local_time(bot: Harness) -> None:
    # New York moves its clocks forward on 2027-03-14.
    await bot.run(
        'ann: /festival add "Pocket Fest" url=https://pocket.example.com zone=America/New_York',
        "ann: /festival deadline 1 early 2027-03-10 23:59",
        "ann: /festival deadline 1 late 2027-03-20 23:59",
    )
    due = {
        job.payload["tier"]: job.payload["deadline"]
        for job in await bot.app.scheduler.pending("festivals.reminder/")
    }
    assert due == {"early": "2027-03-11T04:59:00.000000Z", "late": "2027-03-21T03:59:00.000000Z"}
    # "7d before" the late deadline is 23:59 New York time on 13 March, still winter time: 04:59 UTC.
    before = len(bot.lines)
    await bot.run("~ 2027-03-14T04:58Z")
    assert count(bot.lines[before:], "Late deadline in 7 days") == 0
    out = await bot.run("~ 2027-03-14T04:59Z")
    assert count(out, "Pocket Fest — Late deadline in 6 days 23 hours: Sun 21 Mar, 03:59 (UTC)") == 1
    ny = await bot.text("alice: /timezone America/New_York", "alice: /festival Pocket")
    assert "Wed 10 Mar, 23:59 (UTC-5)" in ny and "Sat 20 Mar, 23:59 (UTC-4)" in ny


async def test_fee_rise_notice_before_a_dearer_tier(bot: Harness) -> None:
    await bot.run(
        SEA,
        "ann: /festival deadline 1 early 2026-12-20 23:59 fee=10",
        "ann: /festival deadline 1 regular 2027-01-20 23:59 fee=25",
    )
    out = await bot.run("~ 2026-12-18T00:00Z")
    assert count(out, "💸 Shorts by the Sea — the Early fee of €10.00 rises to €25.00 in 3 days") == 1


async def test_remind_filters_and_off(bot: Harness) -> None:
    await bot.run(
        SEA + " categories=fiction",
        "ann: /festival deadline 1 early 2026-12-20 23:59 fee=40",
        "bob: /remind festivals category=fiction max_fee=20",
        "carol: /remind festivals category=fiction",
        "dave: /remind festivals",
        "dave: /remind off",
    )
    out = await bot.run("~ 2026-12-14T00:00Z")
    assert count(out, "@carol: ⏰") == 1
    assert count(out, "@bob:") == 0 and count(out, "@dave:") == 0
    assert "no festival reminders on" in await bot.text("dave: /remind off")


async def test_edit_zone_keeps_local_times_and_remove_cancels(bot: Harness) -> None:
    await bot.run(SEA, "ann: /festival deadline 1 early 2027-01-10 23:59")
    out = await bot.text("ann: /festival edit 1 zone=Asia/Tokyo city=Porto")
    assert "updated (zone, city)" in out
    assert "Sun 10 Jan, 14:59 (UTC) (2027-01-10 23:59 Asia/Tokyo)" in await bot.text("alice: /festival 1")
    assert all("2027-01-10T14:59" in key for key in await pending_reminders(bot))
    assert "is removed" in await bot.text("ann: /festival remove Shorts by the Sea")
    assert await pending_reminders(bot) == []
    assert "Only community admins" in await bot.text("alice: /festival add X url=https://x.org zone=UTC")


async def test_fit_checks_runtime_category_and_open_deadlines(bot: Harness) -> None:
    await bot.run(
        SEA + " categories=fiction max_runtime=5:00",
        "ann: /festival deadline 1 final 2027-01-10",
        'ann: /festival add "Docs Only" url=https://docs.example.org zone=UTC categories=documentary',
        "ann: /festival deadline 2 final 2027-01-10",
        'ann: /festival add "Long Films" url=https://long.example.org zone=UTC max_runtime=3:00',
        "ann: /festival deadline 3 final 2027-01-10",
        'alice: /share https://example.com/f "Night" runtime=4:30 genre=fiction',
    )
    out = await bot.text("alice: /festivals fit 1")
    assert "1 festival fits “Night”" in out and "Shorts by the Sea" in out  # one festival: the singular
    assert "Docs Only" not in out and "Long Films" not in out


async def test_submissions_notification_eve_and_celebration(bot: Harness) -> None:
    await bot.run(
        SEA + " notification=2027-01-15",
        'alice: /share https://example.com/f "Night" genre=fiction',
        'bob: /share https://example.com/g "Day"',
    )
    assert "Submission #1: “Night” to Shorts by the Sea (submitted)" in await bot.text(
        "alice: /submissions add Shorts 1 fee=12"
    )
    assert "belongs to bob" in await bot.text("alice: /submissions add Shorts 2")
    assert "already tracked" in await bot.text("alice: /submissions add 1 1")
    assert "#1 “Night” → Shorts by the Sea · submitted · fee €12.00" in await bot.text(
        "alice@dm: /submissions list"
    )
    out = await bot.run("~ 2027-01-14T09:00Z")
    assert count(out, "@alice: 🔔 Shorts by the Sea announces its selection tomorrow (2027-01-15)") == 1
    assert "someone else's" in await bot.text("bob: /submissions set 1 status=selected")
    assert "Only a selection" in await bot.text("alice: /submissions set 1 status=rejected celebrate=yes")
    out = await bot.run("alice: /submissions set 1 status=selected celebrate=yes")
    assert count(out, "#general: 🎉 “Night” by alice was selected for Shorts by the Sea!") == 1


async def test_withdrawn_submission_gets_no_notification_reminder(bot: Harness) -> None:
    await bot.run(
        SEA + " notification=2027-01-15",
        'alice: /share https://example.com/f "Night"',
        "alice: /submissions add 1 1",
        "alice: /submissions set 1 status=withdrawn",
    )
    assert not [line for line in await bot.run("~ 2027-01-16T00:00Z") if "🔔" in line]


async def test_export_lists_festivals_tiers_and_submissions(bot: Harness) -> None:
    await bot.run(
        SEA,
        "ann: /festival deadline 1 early 2027-01-10 23:59 fee=12.5",
        'alice: /share https://example.com/f "Night"',
        "alice: /submissions add 1 1",
    )
    data = await collect(bot.app)
    community = data["communities"][0]
    festival = community["festivals"][0]
    assert festival["name"] == "Shorts by the Sea" and festival["zone"] == "Europe/Lisbon"
    assert festival["deadlines"] == [
        {
            "tier": "early",
            "local": "2027-01-10T23:59",
            "due_at": "2027-01-10T23:59:00.000000Z",
            "fee_cents": 1250,
        }
    ]
    assert community["festival_submissions"][0]["status"] == "submitted"
    public = await collect(bot.app, public=True)
    assert "festival_submissions" not in public["communities"][0]


async def test_console_script_adds_festivals_and_runs_past_offsets_and_dst(bot: Harness) -> None:
    out = await bot.run(
        'ann: /festival add "Harbour Lights" url=https://harbour.example.org zone=Europe/Lisbon',
        "ann: /festival deadline 1 regular 2027-03-25 23:59 fee=20",
        "ann: /festival deadline 1 final 2027-04-15 23:59 fee=30",
        "bob: /remind festivals",
        "~ +60d",
        "~ +60d",
        "~ +60d",
    )
    # 30 local days before the final deadline is still winter time, so 23:59 there is 29 days 23 hours ahead.
    for tier, when, lefts in (
        ("Regular", "Thu 25 Mar, 23:59 (UTC)", ("30 days", "7 days", "1 day")),
        ("Final", "Thu 15 Apr, 22:59 (UTC)", ("29 days 23 hours", "7 days", "1 day")),
    ):
        for left in lefts:
            text = f"Harbour Lights — {tier} deadline in {left}: {when}"
            assert count(out, f"#general: ⏰ {text}") == 1, text
            assert count(out, f"@bob: ⏰ {text}") == 1, text
    assert count(out, "💸 Harbour Lights — the Regular fee of US$20.00 rises to US$30.00") == 2  # chat and bob
    assert bot.clock.now() - timedelta(days=180) == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
