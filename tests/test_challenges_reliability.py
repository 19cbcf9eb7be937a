"""Challenges under faults: exactly-once phases, downtime across deadlines, recounts, flapping, DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import App
from bot.platforms.console_runner import ConsoleSession
from bot.scheduler import next_weekly
from bot.testing.harness import Harness, make_config

ROUND = [
    "ann: /challenge_admin new Night walks",
    'alice: /submit https://vimeo.com/1 title="Lamp Post" runtime=2:00',
    'bob: /submit https://vimeo.com/2 title="Moon Bus" runtime=2:30',
]
SUBMIT_CLOSE = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
VOTE_CLOSE = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


async def results_posted(bot: Harness) -> int:
    return int(await bot.app.db.fetchval("SELECT COUNT(*) FROM outbox WHERE key = 'challenges:1:voting'"))


async def restart_keeping_chat(bot: Harness, down_until: datetime) -> None:
    """Restart while the chat itself (and its reactions) lives on, as Discord's would."""
    await bot.app.stop()
    bot.clock.set(down_until)
    bot.app = App(bot.config, db_path=str(bot.db_path), clock=bot.clock, platforms=[bot.platform])
    bot.session = ConsoleSession(bot.app, bot.platform, bot.lines.append)
    await bot.app.start()


async def test_phase_effect_and_announcement_happen_once_even_when_run_again(bot: Harness) -> None:
    await bot.run(*ROUND, "~ +5d", 'carol +⭐ "Lamp Post"', "~ +2d")
    assert await results_posted(bot) == 1
    # Running the same phase again (a retry after a crash between send and mark) changes nothing.
    cog = bot.app.cog("challenges")
    job = (await bot.app.db.fetchone("SELECT * FROM due_jobs WHERE key = 'challenges:1:voting'"))
    assert job["done_at"] is not None
    async with bot.app.db.transaction() as tx:
        challenge = await cog.repo.get(1, tx)  # type: ignore[union-attr]
        community = await bot.app.directory.community(challenge.community_id)
        await cog.phases.open_now(tx, challenge, community)  # type: ignore[union-attr]
    await bot.app.outbox.flush()
    await bot.restart()
    await bot.run("~ +1d")
    assert await results_posted(bot) == 1
    assert "\n".join(bot.lines).count("Results of challenge #1") == 1
    assert "\n".join(bot.lines).count("🎬 Challenge #1") == 1


async def test_a_failing_phase_rolls_back_whole_and_retries_once(bot: Harness) -> None:
    await bot.run(*ROUND)
    cog = bot.app.cog("challenges")
    real = cog.phases.close_submissions  # type: ignore[union-attr]
    calls = 0

    async def flaky(tx, challenge, community):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        await real(tx, challenge, community)
        if calls == 1:
            raise RuntimeError("crash after the effect, before the done marker")

    cog.phases.close_submissions = flaky  # type: ignore[union-attr]
    out = await bot.text("~ +5d")
    assert "Submissions for challenge #1" not in out
    assert await bot.app.db.fetchval("SELECT state FROM challenges WHERE id = 1") == "open"
    out = await bot.text("~ +1h")
    assert out.count("Submissions for challenge #1") == 1 and out.count("[Vote]") == 2


async def test_down_across_the_vote_deadline_runs_once_late_with_the_true_close(bot: Harness) -> None:
    await bot.run(*ROUND, "~ +5d", 'carol +⭐ "Lamp Post"', "~ +1d")
    await bot.app.stop()
    bot.clock.set(VOTE_CLOSE + timedelta(hours=30))
    await bot.restart()
    text = "\n".join(bot.lines)
    assert text.count("Results of challenge #1") == 1
    assert "1. “Lamp Post” by alice — votes: 1" in text
    # A reaction stamped after the true close is acknowledged but never counted.
    cog = bot.app.cog("challenges")
    assert await cog.repo.tally(1) == {1: 1, 2: 0}  # type: ignore[union-attr]
    await bot.restart()
    assert "\n".join(bot.lines).count("Results of challenge #1") == 1


async def test_late_events_after_the_true_close_are_not_counted(bot: Harness) -> None:
    await bot.run(*ROUND, "~ +5d")
    bot.clock.set(VOTE_CLOSE + timedelta(minutes=5))  # the close job has not run yet: it is late
    await bot.run('dave +⭐ "Entry #1 ·"')
    await bot.run("~ +1m")
    assert "1. “Lamp Post” by alice — votes: 0" in "\n".join(bot.lines)
    assert await bot.app.cog("challenges").repo.tally(1) == {1: 0, 2: 0}  # type: ignore[union-attr]


async def test_votes_made_while_down_are_recounted_and_nothing_counts_twice(bot: Harness) -> None:
    await bot.run(*ROUND, "~ +5d", 'carol +⭐ "Entry #1 ·"', 'dave +⭐ "Entry #1 ·"')
    card = bot.platform.find("Entry #1 ·")
    assert card is not None
    await bot.app.stop()
    # While the bot is down: erin adds ⭐ (never seen by the bot), dave removes his, carol's stays.
    card.reactions["⭐"] |= {"erin"}
    card.reactions["⭐"].discard("dave")
    await restart_keeping_chat(bot, VOTE_CLOSE + timedelta(hours=1))
    text = "\n".join(bot.lines)
    assert "1. “Lamp Post” by alice — votes: 2" in text  # carol + erin; dave's removal seen
    assert await bot.app.cog("challenges").repo.tally(1) == {1: 2, 2: 0}  # type: ignore[union-attr]
    assert await bot.app.db.fetchval("SELECT COUNT(*) FROM challenge_votes WHERE active = 1") == 2


async def test_without_a_readable_record_stored_votes_are_kept(bot: Harness) -> None:
    await bot.run(*ROUND, "~ +5d", 'carol +⭐ "Entry #1 ·"', 'dave [Vote] "Entry #1 ·"')
    await bot.restart()  # a new console that never showed the cards: like Telegram, it cannot recount
    out = await bot.text("~ +2d")
    assert "1. “Lamp Post” by alice — votes: 2" in out


async def test_flapping_ends_in_the_right_state(bot: Harness) -> None:
    await bot.run(*ROUND, "~ +5d")
    await bot.run('carol +⭐ "Entry #1 ·"', 'carol -⭐ "Entry #1 ·"', 'carol +⭐ "Entry #1 ·"',
                  'dave +⭐ "Entry #2 ·"', 'dave -⭐ "Entry #2 ·"', 'dave +⭐ "Entry #2 ·"', 'dave -⭐ "Entry #2 ·"')
    cog = bot.app.cog("challenges")
    assert await cog.repo.tally(1) == {1: 1, 2: 0}  # type: ignore[union-attr]
    receipts = [line for line in bot.lines if line.startswith("[") and "@carol" in line]
    assert len(receipts) == 1  # one receipt, not one per flap


async def test_weekly_0130_fires_once_when_clocks_fall_back_and_spring_forward(tmp_path: Path) -> None:
    # Pure: the trigger around both transitions (New York repeats 01:30 on 2026-11-01).
    fall = next_weekly(datetime(2026, 10, 30, tzinfo=UTC), "sun", 1, 30, "America/New_York")
    assert fall == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    spring = next_weekly(datetime(2027, 3, 27, tzinfo=UTC), "sun", 1, 30, "Europe/Berlin")
    assert spring == datetime(2027, 3, 28, 0, 30, tzinfo=UTC)
    # Through the bot: count openings per night.
    async with Harness(tmp_path / "dst.sqlite3", make_config(), start=datetime(2026, 10, 28, tzinfo=UTC)) as bot:
        themes = [f"Theme {n}" for n in range(30)]
        for theme in themes:
            await bot.run(f'ann: /theme suggest "{theme}"')
        for number in range(1, 31):
            await bot.run(f"ann: /theme_admin approve {number}")
        await bot.run("ann: /challenge_admin weekly day=sun time=01:30 zone=America/New_York submit_days=1 vote_days=1")
        await bot.run("~ 2026-11-02T12:00Z")
        opened = await bot.app.db.fetchall("SELECT opens_at FROM challenges ORDER BY id")
        assert [row[0][:16] for row in opened] == ["2026-11-01T05:30"]
        await bot.run("ann: /challenge_admin weekly day=sun time=01:30 zone=America/New_York submit_days=1 vote_days=1")
        await bot.run("~ 2027-03-15T12:00Z")
        opened = await bot.app.db.fetchall("SELECT opens_at FROM challenges ORDER BY id")
        nights = [row[0][:10] for row in opened]
        assert nights.count("2027-03-14") == 1 and nights.count("2026-11-01") == 1
        assert "2027-03-14T06:30" in [row[0][:16] for row in opened]  # 01:30 EST
