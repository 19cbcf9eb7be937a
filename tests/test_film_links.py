"""A film is its video, (site, video id), whatever form of the link was pasted: every real link shape of
tests/fixtures/links/video_links.json, pairs of forms of one video, look-alikes that are not, links inside text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.errors import UserError
from bot.testing.harness import Harness
from cogs.films.links import link_and_rest, parse_link, read_link
from cogs.films.links.bilibili import av_to_bv, bv_to_av

LINKS = json.loads((Path(__file__).parent / "fixtures" / "links" / "video_links.json").read_text())
# Mirrors of other sites' videos and a vanity address: known by their address only (never a false duplicate).
BY_ADDRESS_ONLY = {"https://vid.plus/FlRa-iH7PGw", "http://yule.iqiyi.com/pcb.html",
                   "https://vimeo.com/user26785108/newspiritualguide",
                   "https://zwearz.com/watch/9lWxNJF-ufM/electra-woman-dyna-girl-official-trailer-grace-helbig.html"}


def expected(video: str) -> str:
    site, video_id = video.split(":", 1)
    if site == "bilibili" and video_id.startswith("av"):  # the av and BV names of one video: we keep BV
        video_id = str(av_to_bv(int(video_id[2:])))
    return f"{site}:{video_id}"


def identity(url: str) -> str:
    return str(parse_link(url).identity)


@pytest.mark.parametrize("link", LINKS["links"], ids=lambda link: link["url"][:80])
def test_every_real_link_names_its_video(link: dict[str, str]) -> None:
    if link["url"] in BY_ADDRESS_ONLY:
        assert identity(link["url"]).startswith("web:")
    else:
        assert identity(link["url"]) == expected(link["video"])


def test_the_real_links_cover_every_site() -> None:
    sites = {identity(link["url"]).split(":")[0] for link in LINKS["links"]}
    assert sites >= {"youtube", "vimeo", "bilibili", "youku", "douyin", "tiktok", "kuaishou", "xiaohongshu",
                     "iqiyi", "tencent", "instagram", "facebook", "twitter"}


@pytest.mark.parametrize("pair", LINKS["same_video_pairs"], ids=lambda pair: pair["second"][:80])
def test_two_forms_of_one_video_are_one_film(pair: dict[str, str]) -> None:
    assert identity(pair["first"]) == identity(pair["second"])


@pytest.mark.parametrize("pair", LINKS["different_video_pairs"], ids=lambda pair: pair["second"][:80])
def test_look_alike_links_of_different_videos_are_never_one_film(pair: dict[str, str]) -> None:
    assert identity(pair["first"]) != identity(pair["second"])


def test_bilibili_av_and_bv_are_one_video_both_ways() -> None:
    assert av_to_bv(8903802) == "BV13x41117TL" and bv_to_av("BV13x41117TL") == 8903802
    assert identity("https://www.bilibili.com/video/av1074402/") == "bilibili:BV11x411K7CN"
    for number in (1, 170001, 2**30 + 7, 114868162141203, 2**51 - 1):
        assert bv_to_av(str(av_to_bv(number))) == number
    assert av_to_bv(2**51) is None and bv_to_av("BV1xx") is None


@pytest.mark.parametrize(("first", "second"), [
    ("https://www.youtube.com/watch?v=YE7VzlLtp-4&v=BaW_jenozKc", "https://youtu.be/BaW_jenozKc"),
    ("https://www.bilibili.com/video/BV1ms411Q7vw?p=2", "https://www.bilibili.com/video/BV1ms411Q7vw"),
    ("https://example.com/film?s=1", "https://example.com/film?s=2"),
    ("https://example.com/film?id=1&from=a", "https://example.com/film?id=1&from=b"),
    ("https://vimeo.com/76979871", "https://vimeo.com/7697987"),
])
def test_different_videos_are_never_taken_for_one(first: str, second: str) -> None:
    assert identity(first) != identity(second)


@pytest.mark.parametrize(("typed", "link"), [
    ("看看我的片子 https://www.bilibili.com/video/BV13x41117TL，很短", "https://www.bilibili.com/video/BV13x41117TL"),
    ("www.youtube.com/watch?v=BaW_jenozKc", "https://www.youtube.com/watch?v=BaW_jenozKc"),
    ("（https://vimeo.com/76979871）", "https://vimeo.com/76979871"),
    ("链接：https://v.youku.com/v_show/id_XNjA1NzA2Njgw.html。", "https://v.youku.com/v_show/id_XNjA1NzA2Njgw.html"),
    ("see https://vimeo.com/76979871.", "https://vimeo.com/76979871"),
    ("「https://x.com/starwars/status/665052190608723968」", "https://x.com/starwars/status/665052190608723968"),
    ("example.com/films/rain", "https://example.com/films/rain"),
    ("https://vimeo.com/1?utm_source=x&utm_medium=y&fbclid=z", "https://vimeo.com/1"),
])
def test_the_link_is_found_in_what_was_pasted(typed: str, link: str) -> None:
    assert read_link(typed).url == link


def test_a_link_inside_the_title_text_is_taken_and_the_rest_is_the_title() -> None:
    found, title = link_and_rest("看看我的片子", "https://www.bilibili.com/video/BV13x41117TL，很短")
    assert found.url == "https://www.bilibili.com/video/BV13x41117TL" and title == "看看我的片子 很短"


@pytest.mark.parametrize("typed", ["https://vimeo.com/1 23", "https://", "ftp://example.com/x", "hello"])
def test_what_is_no_link_is_refused(typed: str) -> None:
    with pytest.raises(UserError):
        read_link(typed)


@pytest.mark.parametrize(("first", "second"), [
    ("https://vimeo.com/76979871", "http://player.vimeo.com/video/76979871?share=copy"),
    ("https://www.bilibili.com/video/BV13x41117TL", "https://m.bilibili.com/video/av8903802/?spm_id_from=333.1"),
    ("https://www.tiktok.com/@leenabhushan/video/6748451240264420610", "https://m.tiktok.com/v/6748451240264420610.html"),
    ("https://twitter.com/starwars/status/665052190608723968", "https://x.com/starwars/status/665052190608723968?s=46"),
    ("https://www.instagram.com/reel/Chunk8-jurw/", "https://instagr.am/p/Chunk8-jurw/"),
    ("https://www.xiaohongshu.com/explore/6411cf99000000001300b6d9?xsec_token=AB",
     "https://www.xiaohongshu.com/discovery/item/6411cf99000000001300b6d9"),
    ("https://www.facebook.com/watch/?v=637842556329505", "https://m.facebook.com/someone/videos/637842556329505/"),
    ("https://v.qq.com/x/page/q326831cny0.html", "https://v.qq.com/x/cover/abc123/q326831cny0.html?ptag=qq"),
    ("https://www.kuaishou.com/short-video/3x43cyvcyph57i4?authorId=3xt", "https://www.kuaishou.com/short-video/3x43cyvcyph57i4"),
    ("https://www.douyin.com/video/6961737553342991651", "https://www.iesdouyin.com/share/video/6961737553342991651/"),
    ("https://v.youku.com/v_show/id_XNjA1NzA2Njgw.html", "https://player.youku.com/embed/XNjA1NzA2Njgw"),
    ("http://www.iqiyi.com/v_19rrojlavg.html", "https://m.iqiyi.com/v_19rrojlavg.html"),
])
async def test_sharing_a_video_again_in_another_form_points_to_the_first(bot: Harness, first: str,
                                                                        second: str) -> None:
    await bot.run(f'alice: /share {first} "First"')
    out = await bot.text(f'bob: /share {second} "Second"')
    assert "already shared as #1 “First” by alice" in out
    assert await bot.app.db.fetchval("SELECT COUNT(*) FROM films") == 1


async def test_a_pasted_line_with_the_link_inside_is_shared(bot: Harness) -> None:
    out = await bot.text("alice: /share 看看我的片子 https://www.bilibili.com/video/BV13x41117TL，很短")
    assert "Film #1 “看看我的片子 很短” is shared" in out
    out = await bot.text('bob: /share www.youtube.com/watch?v=BaW_jenozKc "Paper Boats"')
    assert "Film #2 “Paper Boats” is shared" in out
    assert await bot.app.db.fetchval("SELECT link FROM films WHERE id = 2") == \
        "https://www.youtube.com/watch?v=BaW_jenozKc"


async def test_editing_a_link_to_another_films_video_is_refused(bot: Harness) -> None:
    await bot.run('alice: /share https://vimeo.com/76979871 "One"', 'alice: /share https://vimeo.com/1 "Two"')
    out = await bot.text("alice: /editfilm 2 link=https://player.vimeo.com/video/76979871")
    assert "already shared as #1" in out
    assert await bot.app.db.fetchval("SELECT link FROM films WHERE id = 2") == "https://vimeo.com/1"


async def test_another_cog_finds_a_film_by_any_form_of_its_link(bot: Harness) -> None:
    await bot.run('alice: /share https://www.bilibili.com/video/BV13x41117TL "夜班公交" runtime=2:00',
                  "ann: /challenge new Night walks")
    out = await bot.text("alice: /submit https://m.bilibili.com/video/av8903802")
    assert "“夜班公交” is in challenge #1" in out
