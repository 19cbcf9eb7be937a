"""/search reads Chinese: any run of two or more characters, one character, Japanese and Korean as well as
spaced scripts; ranked (title, then tags, then logline; all words before some), by maker and genre, paged."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.testing.harness import Harness, make_config

pytestmark = pytest.mark.sqlite_only(
    "/search reads Chinese through an FTS5 index of character pairs, not built on PostgreSQL yet")


async def found(bot: Harness, line: str) -> list[str]:
    """The titles a search lists, in order (the header and a "More" line left out)."""
    out = (await bot.text(line)).splitlines()
    titles = []
    for row in out[1:]:
        if row.strip().startswith("#"):
            titles.append(row.strip().split(" by ")[0].split(" ", 1)[1])
    return titles


async def share(bot: Harness, *films: str) -> None:
    await bot.run(*(f"alice: /share https://example.com/{index} {film}" for index, film in enumerate(films)))


async def test_any_run_of_chinese_characters_finds_the_film(bot: Harness) -> None:
    await share(bot, '"夜班公交" logline="末班车上的最后一位乘客。"', '"城市之光"')
    for words in ("夜班公交", "公交", "班公", "夜班", "交", "夜", "最后一位乘客", "乘客"):
        assert await found(bot, f"carol: /search {words}") == ["夜班公交"], words
    assert await found(bot, "carol: /search 公车") == []
    assert "No films match “公车”" in await bot.text("carol: /search 公车")


async def test_japanese_korean_and_full_width_letters_are_read_too(bot: Harness) -> None:
    await share(bot, '"東京の夜" tags=ドキュメンタリー', '"영화를 만들다"', '"Ｎｉｇｈｔ Ｂｕｓ"')
    assert await found(bot, "carol: /search 東京") == ["東京の夜"]
    assert await found(bot, "carol: /search ドキュメ") == ["東京の夜"]
    assert await found(bot, "carol: /search 영화") == ["영화를 만들다"]
    assert await found(bot, "carol: /search night bus") == ["Ｎｉｇｈｔ Ｂｕｓ"]


async def test_words_match_whole_words_and_the_last_one_the_start_of_a_word(bot: Harness) -> None:
    await share(bot, '"Night Bus"', '"Nightly News"', '"Rain"')
    assert await found(bot, "carol: /search nig") == ["Nightly News", "Night Bus"]
    assert await found(bot, "carol: /search night bus") == ["Night Bus"]
    assert await found(bot, "carol: /search n") == ["Nightly News", "Night Bus"]


async def test_title_before_tags_before_logline_and_all_words_before_some(bot: Harness) -> None:
    await share(bot, '"雨夜" logline="公交车上"', '"公交" tags=雨夜', '"雨夜公交"', '"Old" logline="雨夜的公交"',
                '"公交站"')
    assert await found(bot, "carol: /search 雨夜 公交") == ["雨夜公交", "公交", "Old", "雨夜", "公交站"]


async def test_search_finds_by_maker_and_by_genre_in_either_language(bot: Harness) -> None:
    await bot.run('alice: /share https://example.com/1 "Rain" genre=documentary',
                  'bob: /share https://example.com/2 "Salt" genre=纪录片',
                  'bob: /share https://example.com/3 "Moth" genre=animation')
    assert await found(bot, "carol: /search bob") == ["Moth", "Salt"]
    assert await found(bot, "carol: /search 纪录片") == ["Salt", "Rain"]
    assert await found(bot, "carol: /search documentary") == ["Salt", "Rain"]


async def test_results_are_paged_with_more_when_there_are_more(bot: Harness) -> None:
    await share(bot, *(f'"夜班 {index}"' for index in range(23)))
    first = await bot.text("carol: /search 夜班")
    assert "page 1" in first and "More: /search 夜班 page=2" in first
    assert first.count(" by alice") == 10 and "夜班 22" in first
    third = await bot.text("carol: /search 夜班 page=3")
    assert third.count(" by alice") == 3 and "More:" not in third and "夜班 0 " in third
    assert "no more films matching" in await bot.text("carol: /search 夜班 page=4")


async def test_search_follows_edits_and_deletions(bot: Harness) -> None:
    await share(bot, '"夜班公交"')
    await bot.run('alice: /editfilm 1 title="清晨渡轮"')
    assert await found(bot, "carol: /search 公交") == []
    assert await found(bot, "carol: /search 渡轮") == ["清晨渡轮"]
    await bot.run("alice: /deletefilm 1")
    assert await found(bot, "carol: /search 渡轮") == []


async def test_nothing_searchable_is_a_friendly_error(bot: Harness) -> None:
    assert "Give some words to search for" in await bot.text("carol: /search ！？…")


async def test_a_chinese_community_reads_the_search_in_chinese(tmp_path: Path) -> None:
    config = make_config({"bot": {"language": "zh-Hans"}})
    async with Harness(tmp_path / "b.sqlite3", config) as bot:
        await bot.run('alice: /share https://example.com/1 "夜班公交" genre=剧情')
        out = await bot.text("carol: /search 公交")
        assert "匹配「公交」的影片" in out and "剧情" in out
