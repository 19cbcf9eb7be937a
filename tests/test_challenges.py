"""The challenges cog through the console: what admins, makers and voters see."""

from __future__ import annotations

import json

import pytest

from bot.errors import UserError
from bot.export import collect
from bot.platform import plain_user_ref
from bot.testing.harness import Harness

ROUND = [
    'ann: /challenge new Night walks brief="Shoot after dark." max_runtime=3m',
    'alice: /share https://vimeo.com/1 "Lamp Post" runtime=2:00',
    "alice: /submit 1",
    'bob: /submit https://vimeo.com/2 title="Moon Bus" runtime=2:30',
]


async def test_a_whole_round_end_to_end(bot: Harness) -> None:
    out = await bot.text(*ROUND)
    assert "🎬 Challenge #1: Night walks" in out and "Shoot after dark." in out
    assert "Entry #1: “Lamp Post” is in challenge #1" in out
    assert "Entry #2: “Moon Bus” is in challenge #1" in out
    out = await bot.text("~ +5d")
    assert "Submissions for challenge #1 “Night walks” are closed: 2 entries follow" in out
    assert out.count("[Vote]") == 2 and "Entry #1 · vote with ⭐" in out
    out = await bot.text('carol +⭐ "Lamp Post"', 'dave [Vote] "Lamp Post"', 'alice +⭐ "Moon Bus"',
                         'bob +⭐ "Moon Bus"')
    assert "@carol: Your vote for “Lamp Post” (challenge #1) is counted. Counts stay hidden" in out
    assert "@dave: Your vote for “Lamp Post” (challenge #1) is counted." in out
    assert "@bob: “Moon Bus” is your own entry, so your vote for it is not counted." in out
    assert "votes" not in out  # no counts before the results
    out = await bot.text("~ +2d")
    assert "Results of challenge #1: Night walks" in out
    assert "1. “Lamp Post” by alice — votes: 2, points: +3" in out
    assert "2. “Moon Bus” by bob — votes: 1, points: +2" in out
    assert "Winner: alice." in out
    assert (await bot.text("~ +7d")).count("Results") == 0
    board = await bot.text("bob: /leaderboard")
    assert "1. alice — points: 3, wins: 1, entries: 1" in board and "2. bob — points: 2" in board


async def test_pressing_vote_again_withdraws(bot: Harness) -> None:
    await bot.run(*ROUND, "~ +5d")
    assert "is counted" in await bot.text('carol [Vote] "Lamp Post"')
    assert "is withdrawn" in await bot.text('carol [Vote] "Lamp Post"')
    out = await bot.text("~ +2d")
    assert "“Lamp Post” by alice — votes: 0" in out and "no winner" in out


async def test_ties_share_the_place_and_the_points(bot: Harness) -> None:
    await bot.run(*ROUND, "~ +5d", 'carol +⭐ "Lamp Post"', 'carol +⭐ "Moon Bus"')
    out = await bot.text("~ +2d")
    assert "1. “Lamp Post” by alice — votes: 1, points: +3" in out
    assert "1. “Moon Bus” by bob — votes: 1, points: +3" in out
    assert "Winner: alice, bob." in out
    assert "Ties share the place" in await bot.text("carol: /help challenge")


async def test_votes_outside_the_window_are_not_counted(bot: Harness) -> None:
    await bot.run(*ROUND, "~ +5d")
    await bot.run("~ +2d")
    out = await bot.text('carol [Vote] "Entry #1 ·"')
    assert "not open" in out
    assert await bot.app.db.fetchval("SELECT COUNT(*) FROM challenge_votes") == 0


async def test_submission_rules(bot: Harness) -> None:
    assert "No challenge is open" in await bot.text("alice: /submit 1")
    await bot.run('ann: /challenge new Rain max_runtime=1m', 'alice: /share https://example.com/a "A"')
    assert "runtime is unknown. Add it, like runtime=2:30" in await bot.text("alice: /submit 1")
    assert "longer than this challenge's limit of 1:00" in await bot.text("alice: /submit 1 runtime=1:30")
    assert "only enter your own films" in await bot.text("bob: /submit 1 runtime=0:50")
    assert "not shared yet. Add a title" in await bot.text("bob: /submit https://example.com/b")
    assert "is in challenge #1" in await bot.text("alice: /submit 1 runtime=0:45")
    assert "one entry per maker" in await bot.text('alice: /submit https://example.com/c title=C runtime=0:30')
    assert await bot.app.db.fetchval("SELECT COUNT(*) FROM challenge_entries") == 1
    assert await bot.app.db.fetchval("SELECT runtime_seconds FROM films WHERE id = 1") == 45


async def test_admin_commands_are_refused_to_members_and_across_communities(bot: Harness) -> None:
    assert "Only community admins" in await bot.text("alice: /challenge new Sneaky")
    assert await bot.app.db.fetchval("SELECT COUNT(*) FROM challenges") == 0
    await bot.run("ann: /challenge new Ours")
    assert "Only community admins" in await bot.text("alice: /challenge cancel 1")
    # A challenge of another community is invisible here.
    other = await bot.app.directory.community_for_space("telegram", "-100", "elsewhere")
    async with bot.app.db.transaction() as tx:
        await bot.app.cog("challenges").phases.create(  # type: ignore[union-attr]
            tx, other, theme="Theirs", brief="", max_runtime=None, opens=bot.clock.now(),
            submit_until=bot.clock.now() + __import__("datetime").timedelta(days=1),
            vote_until=bot.clock.now() + __import__("datetime").timedelta(days=2), weekly=False)
    assert "no challenge #2 in this community" in await bot.text("ann: /challenge cancel 2")
    assert "no challenge #2 in this community" in await bot.text("ann: /challenge extend 2 voting 1d")
    assert await bot.app.db.fetchval("SELECT state FROM challenges WHERE id = 2") == "open"


async def test_times_deadlines_extend_and_cancel(bot: Harness) -> None:
    out = await bot.text('ann: /challenge new Dawn opens="2026-12-07 09:00" submit_until=3d vote_until=1d')
    assert "opens Mon 7 Dec, 09:00 (UTC), submissions until Thu 10 Dec, 09:00 (UTC), voting until Fri 11 Dec" in out
    out = await bot.text('ann: /challenge new Dusk opens=2026-12-07T09:00+01:00 submit_until=2d')
    assert "opens Mon 7 Dec, 08:00 (UTC)" in out
    assert "can't read the time" in await bot.text("ann: /challenge new Noon opens=tomorrowish")
    assert "after submissions close" in await bot.text('ann: /challenge new Noon vote_until="2026-12-02 09:00"')
    assert "used before" in await bot.text("ann: /challenge new dawn")
    assert "is extended" in await bot.text("ann: /challenge extend 1 submissions 1d")
    out = await bot.text("ann: /challenge list")
    assert "#1 Dawn — scheduled; submissions until Fri 11 Dec, 09:00 (UTC), voting until Sat 12 Dec, 09:00 (UTC)" in out
    assert "is cancelled" in await bot.text("ann: /challenge cancel 1")
    out = await bot.text("~ +30d")
    assert "Dusk" in out and "Dawn" not in out


async def test_theme_queue_feeds_the_weekly_challenge(bot: Harness) -> None:
    await bot.run("alice: /theme suggest Rooftops", "bob: /theme suggest Mirrors", "carol: /theme suggest Rooftops")
    assert "already in the queue" in (await bot.run("carol: /theme suggest rooftops"))[0]
    assert "Only community admins" in await bot.text("alice: /theme approve 1")
    await bot.run("ann: /theme approve 1", "ann: /theme approve 2", "ann: /theme move 2 1")
    queue = await bot.text("bob: /theme queue")
    assert queue.index("#2 Mirrors") < queue.index("#1 Rooftops")
    out = await bot.text("ann: /challenge weekly day=wed time=10:00")
    assert "every Wednesday at 10:00 (UTC), 5 days for entries and 2 for voting" in out
    out = await bot.text("~ 2026-12-02T10:00Z")
    assert "Challenge #1: Mirrors" in out
    assert "used before" in await bot.text("dave: /theme suggest mirrors")
    out = await bot.text("~ 2026-12-09T10:00Z")
    assert "Challenge #2: Rooftops" in out
    out = await bot.text("~ 2026-12-16T10:00Z")
    assert "theme queue is empty" in out
    assert "weekly schedule is off" in await bot.text("ann: /challenge weekly off")
    assert "theme queue is empty" not in await bot.text("~ 2026-12-24T10:00Z")


async def test_streaks_and_export(bot: Harness) -> None:
    await bot.run('alice: /share https://vimeo.com/1 "One" runtime=1:00',
                  'alice: /share https://vimeo.com/2 "Two" runtime=1:00')
    await bot.run("ann: /challenge new First", "alice: /submit 1", "~ +5d", 'bob +⭐ "One"', "~ +2d")
    out = await bot.text("ann: /challenge new Second", "alice: /submit 2", "~ +5d", "~ +2d")
    assert "alice has entered 2 challenges in a row" in out
    data = await collect(bot.app)
    community = data["communities"][0]
    assert [c["theme"] for c in community["challenges"]] == ["First", "Second"]
    assert len(community["challenge_entries"]) == 2
    assert community["challenge_votes"] == [{"entry_id": 1, "person_id": 3, "source": "react", "active": True,
                                             "at": community["challenge_votes"][0]["at"]}]
    assert "console" not in json.dumps(community["challenge_votes"])
    public = (await collect(bot.app, public=True))["communities"][0]  # counts, never who voted for what
    assert "challenge_votes" not in public and public["challenge_entries"][0]["votes"] == 1


async def test_show_defaults_to_the_current_challenge(bot: Harness) -> None:
    assert "no challenge yet" in await bot.text("alice: /challenge")
    await bot.run(*ROUND)
    out = await bot.text("carol: /challenge")
    assert "#1 Night walks — open for entries" in out and "Entries: 2" in out


async def test_merged_people_keep_one_vote_and_their_entries(bot: Harness) -> None:
    await bot.run(*ROUND, "~ +5d", 'carol +⭐ "Entry #1 ·"', 'carol [Vote] "Entry #1 ·"', 'dave +⭐ "Entry #1 ·"')
    carol = await bot.app.directory.find_person("console", plain_user_ref("carol"))
    dave = await bot.app.directory.find_person("console", plain_user_ref("dave"))
    assert carol is not None and dave is not None
    community = bot.app.cog("community")
    assert community is not None
    async with bot.app.db.transaction() as tx:
        await community.merge(tx, dave.id, carol.id)  # type: ignore[attr-defined]
    assert await bot.app.cog("challenges").repo.tally(1) == {1: 1, 2: 0}  # type: ignore[union-attr]
    # Two accounts that both entered the same challenge cannot become one maker.
    alice = await bot.app.directory.find_person("console", plain_user_ref("alice"))
    bob = await bot.app.directory.find_person("console", plain_user_ref("bob"))
    assert alice is not None and bob is not None
    with pytest.raises(UserError):
        async with bot.app.db.transaction() as tx:
            await community.merge(tx, alice.id, bob.id)  # type: ignore[attr-defined]
    assert await bot.app.db.fetchval("SELECT COUNT(*) FROM challenge_entries WHERE person_id = ?", (alice.id,)) == 1
