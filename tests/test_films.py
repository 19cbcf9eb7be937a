"""The films cog through the console: what a member sees."""

from __future__ import annotations

import pytest

from bot.testing.harness import Harness


async def film_count(bot: Harness) -> int:
    return int(await bot.app.db.fetchval("SELECT COUNT(*) FROM films"))


async def test_share_announces_a_card_and_confirms(bot: Harness) -> None:
    out = await bot.text('alice: /share https://vimeo.com/76979871 "Night Bus" runtime=4:30 genre=documentary '
                         'tags=night,city logline="A last shift."')
    assert "[1] #general: 🎬 New film by alice" in out
    assert "Night Bus — https://vimeo.com/76979871" in out
    assert "Runtime: 4:30 · Genre: documentary · Tags: night, city" in out
    assert "Film #1 “Night Bus” is shared" in out


@pytest.mark.parametrize("link", [
    "javascript:alert(1)", "data:text/html,hi", "file:///etc/passwd", "ftp://example.com/film.mp4",
    "https://", "http:///nohost", "https://exa\u0007mple.com/x", "https://exa\u202emple.com/x",
    "https://example.com/a\u0000b", "https://exam\u200bple.com/x"])
async def test_bad_links_are_refused_and_nothing_is_stored(bot: Harness, link: str) -> None:
    out = await bot.text(f'alice: /share "{link}" "Sneaky"')
    assert "is shared" not in out and "New film" not in out
    assert any(word in out for word in ("Only http and https", "no website", "spaces, control", "not a link"))
    assert await film_count(bot) == 0


async def test_link_with_spaces_is_refused(bot: Harness) -> None:
    out = await bot.text('alice: /share "https://vimeo.com/1 2" "Gap"')
    assert "cannot contain spaces" in out
    assert await film_count(bot) == 0


async def test_same_film_by_another_link_form_is_refused_with_a_pointer(bot: Harness) -> None:
    await bot.run('bob: /share https://youtu.be/dQw4w9WgXcQ?si=x1 "Paper Boats"')
    out = await bot.text('carol: /share https://m.youtube.com/shorts/dQw4w9WgXcQ?utm_source=x "Again"')
    assert "already shared as #1 “Paper Boats” by bob" in out
    assert await film_count(bot) == 1


async def test_mentions_and_markup_in_titles_are_stored_as_typed(bot: Harness) -> None:
    title = "@everyone <@&123> <b>bold</b> &amp;"
    await bot.run(f'alice: /share https://example.com/f "{title}"')
    stored = await bot.app.db.fetchval("SELECT title FROM films")
    assert stored == title
    out = await bot.text("alice: /film 1")
    assert title in out


async def test_huge_title_and_huge_message_are_refused_and_the_bot_stays_up(bot: Harness) -> None:
    out = await bot.text(f'alice: /share https://example.com/f "{"x" * 5000}"')
    assert "the limit is 200" in out
    out = await bot.text("alice: /share https://example.com/f " + "y" * 1_000_000)
    assert "too long" in out
    assert await film_count(bot) == 0
    assert "microfilm-bot commands" in await bot.text("alice: /help")


async def test_runtime_forms(bot: Harness) -> None:
    for index, runtime in enumerate(["4:30", "4m30s", "270s", "1:02:03"]):
        await bot.run(f"alice: /share https://example.com/{index} T{index} runtime={runtime}")
    rows = await bot.app.db.fetchall("SELECT runtime_seconds FROM films ORDER BY id")
    assert [row[0] for row in rows] == [270, 270, 270, 3723]
    out = await bot.text("alice: /share https://example.com/x T runtime=soon")
    assert "can't read the runtime" in out


async def test_unknown_command_suggests_and_missing_argument_shows_usage(bot: Harness) -> None:
    assert "Did you mean /share?" in await bot.text("alice: /shar https://example.com/x T")
    out = await bot.text("alice: /share")
    assert "The link is missing" in out
    assert "Usage: /share <link> <title>..." in out


async def test_editing_and_deleting_someone_elses_film_is_refused(bot: Harness) -> None:
    await bot.run('alice: /share https://example.com/a "Mine"')
    assert "belongs to alice" in await bot.text('bob: /editfilm 1 title="Stolen"')
    assert "belongs to alice" in await bot.text("bob: /deletefilm 1")
    assert await bot.app.db.fetchval("SELECT title FROM films WHERE id = 1") == "Mine"
    assert "updated" in await bot.text('ann: /editfilm 1 genre=fiction')
    assert "updated" in await bot.text('alice: /editfilm 1 title="Ours"')
    assert "deleted" in await bot.text("alice: /deletefilm 1")
    assert await film_count(bot) == 0


@pytest.mark.sqlite_only("/search reads Chinese through an FTS5 index of character pairs, not built on PostgreSQL yet")
async def test_search_is_ranked_and_follows_edits(bot: Harness) -> None:
    await bot.run('alice: /share https://example.com/1 "Rain Song" tags=city',
                  'bob: /share https://example.com/2 "City Lights" logline="rain at night"')
    out = (await bot.text("carol: /search rain")).splitlines()
    assert "Films matching “rain”" in out[0]
    assert "Rain Song" in out[1] and "City Lights" in out[2]  # a title match outranks a logline match
    await bot.run('alice: /editfilm 1 title="Sunny Song"')
    out = (await bot.text("carol: /search rain")).splitlines()
    assert len(out) == 2 and "City Lights" in out[1]


async def test_films_list_pages_and_filters(bot: Harness) -> None:
    for index in range(12):
        genre = "animation" if index % 2 else "fiction"
        await bot.run(f"alice: /share https://example.com/{index} Film{index} genre={genre}")
    page_one = await bot.text("bob: /films")
    assert "Films — page 1" in page_one and "More: /films page=2" in page_one
    assert "Film11" in page_one and "Film0 " not in page_one
    page_two = await bot.text("bob: /films page=2")
    assert "Film1 " in page_two and "More:" not in page_two
    animation = await bot.text("bob: /films genre=animation")
    assert animation.count("(animation)") == 6 and "(fiction)" not in animation
    assert "not one of this community's genres" in await bot.text("bob: /films genre=western")


async def test_profile_lists_a_makers_films(bot: Harness) -> None:
    await bot.run('alice: /share https://example.com/1 "One"', 'alice: /share https://example.com/2 "Two"')
    out = await bot.text("bob: /profile alice")
    assert "alice — films: 2" in out and "One" in out and "Two" in out
    assert "don't know anyone" in await bot.text("bob: /profile nobody")


async def test_films_survive_a_restart(bot: Harness) -> None:
    await bot.run('alice: /share https://example.com/1 "Kept"')
    await bot.restart()
    assert "Kept" in await bot.text("bob: /film 1")
