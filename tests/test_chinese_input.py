"""Chinese typed wherever a person types: genres by their Chinese names, runtimes like 3分20秒, durations
like 3天 and 12小时, and cities (北京, 上海, 香港, 台北) for time zones."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, build_config
from bot.testing.harness import Harness, make_config


@pytest.mark.parametrize(("typed", "stored"), [
    ("纪录片", "documentary"), ("剧情", "fiction"), ("剧情片", "fiction"), ("动画", "animation"),
    ("实验", "experimental"), ("音乐录影带", "music video"), ("MV", "music video"), ("微短剧", "micro-series"),
    ("Micro series", "micro-series"), ("Documentary", "documentary")])
async def test_a_genre_is_understood_by_its_chinese_name(bot: Harness, typed: str, stored: str) -> None:
    out = await bot.text(f'alice: /share https://example.com/1 "夜班公交" genre="{typed}"')
    assert "is shared" in out
    assert await bot.app.db.fetchval("SELECT genre FROM films") == stored


async def test_lists_filter_by_a_chinese_genre_and_a_wrong_one_lists_the_genres(bot: Harness) -> None:
    await bot.run('alice: /share https://example.com/1 "Moth" genre=animation',
                  'alice: /share https://example.com/2 "Salt" genre=fiction')
    out = await bot.text("bob: /films genre=动画")
    assert "Moth" in out and "Salt" not in out
    refused = await bot.text('bob: /share https://example.com/3 "X" genre=武侠')
    assert "“武侠” is not one of this community's genres: documentary, fiction" in refused


async def test_a_chinese_community_sees_genres_in_chinese(tmp_path: Path) -> None:
    async with Harness(tmp_path / "b.sqlite3", make_config({"bot": {"language": "zh-Hans"}})) as bot:
        await bot.run('alice: /share https://example.com/1 "夜班公交" genre=documentary')
        assert "类型：纪录片" in await bot.text("bob: /film 1")  # a Chinese label takes a full-width colon
        assert "纪录片、剧情、动画" in await bot.text('bob: /share https://example.com/2 "X" genre=武侠')


async def test_a_genre_added_in_the_config_takes_the_names_it_gives(tmp_path: Path) -> None:
    config = make_config({"films": {"genres": ["documentary", "horror"], "genre_names": {"horror": ["恐怖片"]}}})
    async with Harness(tmp_path / "b.sqlite3", config) as bot:
        await bot.run('alice: /share https://example.com/1 "夜" genre=恐怖片')
        assert await bot.app.db.fetchval("SELECT genre FROM films") == "horror"


async def test_genre_names_for_a_genre_not_configured_stop_start_up(tmp_path: Path) -> None:
    config = make_config({"films": {"genre_names": {"horror": ["恐怖片"]}}})
    with pytest.raises(Exception, match="films.genre_names names 'horror'"):
        async with Harness(tmp_path / "b.sqlite3", config):
            pass


@pytest.mark.parametrize(("typed", "stored"), [
    ("《夜班公交》", "夜班公交"), ("「夜班」", "夜班"), ("『夜班』", "夜班"), ("“Night Bus”", "Night Bus"),
    ("【夜班】", "夜班"), ("《甲》与《乙》", "《甲》与《乙》"), ("《》", "《》"), ("夜班》", "夜班》")])
async def test_title_marks_typed_around_a_title_are_not_doubled(tmp_path: Path, typed: str, stored: str) -> None:
    async with Harness(tmp_path / "b.sqlite3", make_config({"bot": {"language": "zh-Hans"}})) as bot:
        out = await bot.text(f"alice: /share https://example.com/1 {typed}")
        assert f"《{stored}》已分享" in out
        assert await bot.app.db.fetchval("SELECT title FROM films") == stored
        await bot.run("alice: /editfilm 1 title=《改名》")
        assert await bot.app.db.fetchval("SELECT title FROM films") == "改名"


@pytest.mark.parametrize(("typed", "seconds"), [
    ("3分20秒", 200), ("3分钟", 180), ("3分20", 200), ("1小时2分3秒", 3723), ("90秒", 90), ("3'20''", 200),
    ("3′20″", 200), ("４：３０", 270)])
async def test_runtimes_typed_the_chinese_way(bot: Harness, typed: str, seconds: int) -> None:
    out = await bot.text(f"alice: /share https://example.com/1 T runtime={typed}")
    assert "is shared" in out
    assert await bot.app.db.fetchval("SELECT runtime_seconds FROM films") == seconds


async def test_durations_typed_the_chinese_way(bot: Harness) -> None:
    out = await bot.text("ann: /challenge_admin new 夜 submit_until=3天 vote_until=12小时")
    assert "submissions until Fri 4 Dec, 09:00 (UTC), voting until Fri 4 Dec, 21:00 (UTC)" in out
    assert "is extended" in await bot.text("ann: /challenge_admin extend 1 submissions 1天")
    assert "Sat 5 Dec, 09:00 (UTC)" in await bot.text("ann: /challenge show 1")
    assert "No festival deadlines in the next 14 days" in await bot.text("alice: /festivals within=2周")


@pytest.mark.parametrize(("city", "zone"), [("北京", "Asia/Shanghai"), ("上海", "Asia/Shanghai"),
                                            ("香港", "Asia/Hong_Kong"), ("台北", "Asia/Taipei"),
                                            ("Hong Kong", "Asia/Hong_Kong")])
async def test_a_city_names_its_zone(bot: Harness, city: str, zone: str) -> None:
    out = await bot.text(f'alice: /timezone "{city}"')
    assert zone in out
    assert await bot.app.db.fetchval("SELECT zone FROM people WHERE display_name = 'alice'") == zone


async def test_cities_name_zones_for_challenges_and_festivals(bot: Harness) -> None:
    weekly = await bot.text("ann: /challenge_admin weekly day=mon time=09:00 zone=上海")
    assert "Asia/Shanghai" in weekly
    await bot.run('ann: /festival_admin add "台北短片节" url=https://taipei.example.org zone=台北')
    assert "Asia/Taipei" in await bot.text("alice: /festival 台北短片节")
    assert "火星" in await bot.text("alice: /timezone 火星")  # an unknown place is refused, naming it


def test_the_config_names_zones_by_their_iana_name() -> None:
    with pytest.raises(ConfigError, match="bot.zone = '北京': write the IANA time zone 'Asia/Shanghai'"):
        build_config({"bot": {"zone": "北京"}}, "(test)", {})
