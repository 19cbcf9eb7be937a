"""Festival-scale rounds through the console: categories, the jury and its secrecy, the gallery and the
fair /watch queue, "24 hours left" reminders, and /challenge show paging through the ranking."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from bot.testing.harness import START, Harness, make_config

GALLERY = {"challenges": {"gallery_above": 2, "page_size": 2}}
FESTIVAL = [
    "ann: /challenge new Festival categories=documentary,fiction",
    'alice: /submit https://vimeo.com/1 title="Lamp Post" runtime=2:00 category=documentary',
    'bob: /submit https://vimeo.com/2 title="Moon Bus" runtime=2:00 category=fiction',
    'carl: /submit https://vimeo.com/3 title="Sea Wall" runtime=2:00 category=Documentary',
    'dina: /submit https://vimeo.com/4 title="Hill Road" runtime=2:00 category=documentary',
]


@pytest.fixture
async def gallery_bot(tmp_path: Path) -> Harness:
    async with Harness(tmp_path / "bot.sqlite3", make_config(GALLERY)) as harness:
        yield harness  # type: ignore[misc]


async def test_an_entry_names_one_of_the_challenges_categories(bot: Harness) -> None:
    out = await bot.text(FESTIVAL[0])
    assert "Categories: documentary, fiction." in out
    out = await bot.text('alice: /submit https://vimeo.com/1 title="Lamp Post" runtime=2:00')
    assert "name yours with category=, one of: documentary, fiction" in out
    out = await bot.text('alice: /submit https://vimeo.com/1 title="Lamp Post" runtime=2:00 category=horror')
    assert "“horror” is not a category of this challenge. Choose one of: documentary, fiction." in out
    assert await bot.app.db.fetchval("SELECT COUNT(*) FROM challenge_entries") == 0  # nothing half-saved
    out = await bot.text(FESTIVAL[1])
    assert "Entry #1: “Lamp Post” is in challenge #1 “Festival”, category “documentary”." in out
    out = await bot.text("ann: /challenge new Plain", 'eve: /submit https://vimeo.com/9 title="X" runtime=1:00 '
                         "challenge=2 category=fiction")
    assert "This challenge has no categories; leave category= out." in out


async def test_categories_are_refused_when_too_many_or_too_long(bot: Harness) -> None:
    many = ",".join(f"c{n}" for n in range(13))
    assert "at most 12 categories" in await bot.text(f"ann: /challenge new Many categories={many}")
    assert "under 40 characters" in await bot.text(f"ann: /challenge new Long categories={'x' * 41}")
    assert await bot.app.db.fetchval("SELECT COUNT(*) FROM challenges") == 0


async def test_places_and_winners_per_category_and_overall(bot: Harness) -> None:
    await bot.run(*FESTIVAL, "~ +5d", 'eve +⭐ "Hill Road"', 'fred +⭐ "Hill Road"', 'eve +⭐ "Moon Bus"',
                  'eve +⭐ "Lamp Post"')
    out = await bot.text("~ +2d")
    assert "🎬 documentary (3 entries)" in out and "Audience prize: “Hill Road” by dina — votes: 2" in out
    assert "🎬 fiction (1 entry)" in out and "Audience prize: “Moon Bus” by bob — votes: 1" in out
    assert "1. “Hill Road” by dina — votes: 2, points: +3" in out
    board = await bot.text("ann: /leaderboard category=fiction")
    assert "1. bob — points: 3, wins: 1, entries: 1" in board  # first in fiction, second overall
    overall = await bot.text("ann: /leaderboard")
    assert "1. dina — points: 3" in overall and "2. alice — points: 2" in overall


async def test_jurors_score_privately_and_the_jury_prize_stands_beside_the_audience_prize(bot: Harness) -> None:
    await bot.run(*FESTIVAL, "cleo: /help", "gus: /help")
    out = await bot.text("ann: /challenge jury add cleo category=documentary", "ann: /challenge jury add bob",
                         "ann: /challenge jury list")
    assert "cleo is a juror of challenge #1 (documentary)." in out and "• bob — every entry" in out
    assert "Only community admins" in await bot.text("cleo: /challenge jury add gus")
    early = await bot.run("cleo: /score 1 8")
    assert any(line.startswith("[") and "@cleo" in line and "not in its voting time" in line for line in early)
    await bot.run("~ +5d")
    refusals = await bot.run("gus: /score 1 9", "cleo: /score 2 7", "bob: /score 2 9", "cleo: /score 1 11")
    said = "\n".join(refusals)
    assert "Only the jurors of challenge #1 score entries." in said
    assert "You judge the category “documentary”; this entry is in another." in said
    assert "Jurors don't score their own entry." in said
    assert all("#general" not in line for line in refusals if line.startswith("["))  # refusals are private
    scored = await bot.text("cleo: /score 1 8 warm light", "cleo: /score 3 6", "bob: /score 3 9",
                            "bob: /score 1 5", "cleo: /score 1 9 changed my mind")
    assert "@cleo: Your score 8 for “Lamp Post”" in scored and "#general" not in scored
    shown = await bot.text("eve: /challenge show", "ann: /challenge show", "eve: /challenge show 1")
    assert "score" not in shown.lower() and "warm light" not in shown and "jury" not in shown.lower()
    out = await bot.text("~ +2d")
    # documentary: Lamp Post (9 + 5) / 2 = 7.0, Sea Wall (6 + 9) / 2 = 7.5, Hill Road unscored.
    assert "Jury prize: “Sea Wall” by carl — score 7.5" in out
    assert out.index("🎬 documentary") < out.index("Jury prize: “Sea Wall”") < out.index("🎬 fiction")


async def test_a_juror_with_entries_left_is_named_to_the_admins_a_day_before_the_close(bot: Harness) -> None:
    await bot.run(*FESTIVAL, "cleo: /help", "ann: /challenge jury add cleo category=documentary",
                  "ann: /challenge jury add bob", "~ +5d", "cleo: /score 1 8", "cleo: /score 3 8", "cleo: /score 4 8")
    out = await bot.text("~ +1d")
    assert "24 hours left to vote in challenge #1" in out
    assert "some jurors have entries left to score: bob (3)." in out  # cleo scored all of hers
    assert "jurors have entries left" not in await bot.text("~ +12h")  # told once


async def test_a_large_round_is_posted_as_one_gallery_per_category(gallery_bot: Harness) -> None:
    await gallery_bot.run(*FESTIVAL)
    out = await gallery_bot.text("~ +5d")
    assert "4 entries, too many for a card each, so they are in the gallery below" in out
    assert "Entry #1 ·" not in out  # no card per entry
    posts = [line for line in out.splitlines() if line.startswith("[") and "24 hours left" not in line]
    assert len(posts) == 3  # the announcement and a gallery per category
    assert "· documentary — entries 1–2 of 3 (page 1 of 2)" in out and "· fiction — entries 1–1 of 1" in out
    assert "[Vote #1] [Vote #3] [Next ▶] [Watch]" in out


async def test_a_shared_gallery_page_opens_a_private_one_which_turns_in_place(gallery_bot: Harness) -> None:
    await gallery_bot.run(*FESTIVAL, "~ +5d")
    opened = await gallery_bot.text('eve [Next ▶] "· documentary"')
    assert re.search(r"^\[\d+\] @eve: .* entries 3–3 of 3 \(page 2 of 2\)", opened, re.M), opened
    assert "[Vote #4] [◀ Prev] [Watch]" in opened
    turned = await gallery_bot.text('eve [◀ Prev] "page 2 of 2"')
    assert re.search(r"^\[\d+ edited\] @eve: .* entries 1–2 of 3 \(page 1 of 2\)", turned, re.M), turned
    voted = await gallery_bot.text('eve [Vote #3] "page 1 of 2"')
    assert "@eve: Your vote for “Sea Wall” (challenge #1) is counted." in voted
    assert await gallery_bot.app.db.fetchval("SELECT COUNT(*) FROM challenge_votes WHERE active = 1") == 1


async def test_entries_pages_by_category_and_says_when_a_page_does_not_exist(gallery_bot: Harness) -> None:
    await gallery_bot.run(*FESTIVAL, "~ +5d")
    out = await gallery_bot.text("eve: /entries category=documentary page=2")
    assert "@eve: 🎞️ Challenge #1 “Festival” · documentary — entries 3–3 of 3 (page 2 of 2)" in out
    assert "#4 Hill Road (https://vimeo.com/4) by dina · 2:00" in out
    missing = await gallery_bot.text("eve: /entries category=documentary page=3")
    assert "There is no page 3: the gallery has 2." in missing
    out = await gallery_bot.text("eve: /entries category=horror")
    assert "“horror” is not a category of this challenge." in out


async def test_watch_hands_out_the_least_watched_entry_so_every_entry_is_watched_alike(tmp_path: Path) -> None:
    async with Harness(tmp_path / "bot.sqlite3", make_config(GALLERY)) as bot:
        await bot.run("ann: /challenge new Many",
                      *(f'm{n}: /submit https://vimeo.com/{n} title="Film {n}" runtime=1:00' for n in range(1, 7)),
                      "~ +5d")
        handed: Counter[str] = Counter()
        for viewer in range(12):
            out = await bot.text(f"v{viewer}: /watch")
            handed.update(re.findall(r"#\d+ (Film \d+)", out))
        assert sorted(handed.values()) == [2] * 6  # twelve views over six entries: two each, none left behind
        out = await bot.text("m1: /watch", *["m1 [Another] \"one you have not seen\""] * 4)
        assert "Film 1" not in out  # never your own
        assert "You have seen every entry of challenge #1" in await bot.text('m1 [Another] "one you have not seen"')


async def test_reminders_go_out_once_each_across_restarts(bot: Harness) -> None:
    await bot.run("ann: /challenge new Night walks")
    await bot.restart(down_until=START + timedelta(days=4, hours=2))  # down when the reminder fell due
    out = await bot.text("~ +1h")
    assert "\n".join(bot.lines).count("24 hours left to enter challenge #1") == 1
    await bot.restart()
    await bot.run("~ +12h")
    assert "\n".join(bot.lines).count("24 hours left to enter challenge #1") == 1
    await bot.run("ann: /challenge extend 1 submissions 2d", "~ +2d")
    assert "\n".join(bot.lines).count("24 hours left to enter") == 1  # an extension does not repeat it
    await bot.run("alice: /submit https://vimeo.com/1 title=\"Lamp Post\" runtime=2:00", "~ +1d")
    await bot.restart()
    out = await bot.text("~ +2d")
    assert "\n".join(bot.lines).count("24 hours left to vote in challenge #1") == 1
    assert "Results of challenge #1" in out


async def test_a_reminder_overdue_by_most_of_the_last_day_is_not_sent(bot: Harness) -> None:
    await bot.run("ann: /challenge new Night walks")
    await bot.restart(down_until=START + timedelta(days=4, hours=20))  # four hours before the close
    await bot.run("~ +1h")
    assert "24 hours left" not in "\n".join(bot.lines)


async def test_challenge_show_pages_through_the_whole_ranking(tmp_path: Path) -> None:
    async with Harness(tmp_path / "bot.sqlite3", make_config()) as bot:
        await bot.run("ann: /challenge new Many",
                      *(f'm{n}: /submit https://vimeo.com/{n} title="Film {n}" runtime=1:00' for n in range(1, 26)),
                      "~ +5d", 'eve +⭐ "Film 25"', "~ +2d")
        first = await bot.text("eve: /challenge show 1")
        assert "Entries: 25" in first and "1. #25 “Film 25” by m25 — votes: 1, points: 3" in first
        assert "Page 1 of 2: /challenge show 1 page=N for another." in first
        second = await bot.text("eve: /challenge show 1 page=2")
        assert second.count("— votes: 0") == 5 and "Film 25" not in second
        assert "There is no page 3" in await bot.text("eve: /challenge show 1 page=3")
