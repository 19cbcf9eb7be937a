"""Short links followed to their video against a loopback stand-in: a redirect, a chain, a loop, a
timeout, a page naming its address, a page too large, and addresses the bot must never reach."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.testing.fakes.short_links import FakeShortLinks
from bot.testing.harness import Harness, make_config
from cogs.films.links.resolve import ShortLinks, is_public

BILI = "https://www.bilibili.com/video/BV13x41117TL"
UNCHECKED = "could not check whether this film was shared before"


@pytest.fixture
async def fake(bot: Harness) -> AsyncIterator[FakeShortLinks]:
    """The stand-in, with the films cog's resolver pinned to it (the test-only allowance) and a short timeout."""
    async with FakeShortLinks() as server:
        films = bot.app.cog("films")
        resolver = ShortLinks(timeout=0.5, max_bytes=4096, hosts=server.hosts)
        films.short_links = resolver  # type: ignore[union-attr]
        yield server
        await resolver.close()


async def stored_links(bot: Harness) -> list[str]:
    return [row[0] for row in await bot.app.db.fetchall("SELECT link FROM films ORDER BY id")]


async def test_a_short_link_is_followed_and_its_video_found_shared_already(bot: Harness,
                                                                           fake: FakeShortLinks) -> None:
    await bot.run(f'alice: /share {BILI} "夜班公交"')
    fake.redirect("/AbCd", BILI + "?share_source=copy_web&vd_source=0f0b")
    out = await bot.text(f"bob: /share 看看我的片子 {fake.url('b23.tv', '/AbCd')}，很短")
    assert "already shared as #1 “夜班公交” by alice" in out
    assert await stored_links(bot) == [BILI]


async def test_a_resolved_short_link_is_stored_as_the_video_it_names(bot: Harness, fake: FakeShortLinks) -> None:
    fake.redirect("/Zz9", "https://www.iesdouyin.com/share/video/6961737553342991651/?region=CN", status=301)
    out = await bot.text(f'alice: /share {fake.url("v.douyin.com", "/Zz9")} "抖音"')
    assert "is shared" in out and UNCHECKED not in out
    assert await bot.app.db.fetchval("SELECT site || ':' || video_id FROM films") == "douyin:6961737553342991651"
    # The same video by its full link is now a duplicate.
    out = await bot.text('bob: /share https://www.douyin.com/video/6961737553342991651 "again"')
    assert "already shared as #1" in out


async def test_a_chain_of_short_links_is_followed(bot: Harness, fake: FakeShortLinks) -> None:
    fake.redirect("/one", fake.url("vm.tiktok.com", "/two"))
    fake.redirect("/two", "https://www.tiktok.com/@leenabhushan/video/6748451240264420610?_r=1")
    await bot.run(f'alice: /share {fake.url("vm.tiktok.com", "/one")} "Tok"')
    assert await bot.app.db.fetchval("SELECT video_id FROM films") == "6748451240264420610"


@pytest.mark.parametrize("trouble", ["loop", "timeout", "not found", "not a video", "app scheme", "too large"])
async def test_a_short_link_that_cannot_be_followed_is_kept_as_typed_and_the_user_told(
        bot: Harness, fake: FakeShortLinks, trouble: str) -> None:
    if trouble == "loop":
        fake.redirect("/x", fake.url("b23.tv", "/y"))
        fake.redirect("/y", fake.url("b23.tv", "/x"))
    elif trouble == "timeout":
        fake.slow("/x", 2.0)
    elif trouble == "not found":
        fake.fail("/x", 404)
    elif trouble == "not a video":
        fake.redirect("/x", "https://www.bilibili.com/")  # the site's front page: any link could end there
    elif trouble == "app scheme":
        fake.redirect("/x", "bilibili://video/170001")
    else:
        fake.page("/x", 100_000, canonical=BILI)  # the address is named past the size cap
    typed = fake.url("b23.tv", "/x")
    out = await bot.text(f'alice: /share {typed} "Short"')
    assert UNCHECKED in out and "is shared" in out
    assert await stored_links(bot) == [typed]
    # The same short link typed again is still recognised by its text; a different one is not refused.
    assert "already shared as #1" in await bot.text(f'bob: /share {typed} "Again"')


async def test_a_page_naming_its_video_within_the_cap_is_understood(bot: Harness, fake: FakeShortLinks) -> None:
    fake.page("/p", 2000, canonical="https://www.xiaohongshu.com/explore/6411cf99000000001300b6d9")
    await bot.run(f'alice: /share {fake.url("xhslink.com", "/p")} "小红书"')
    assert await bot.app.db.fetchval("SELECT site FROM films") == "xiaohongshu"


@pytest.mark.parametrize("target", ["http://127.0.0.1:{port}/secret", "http://localhost:{port}/secret",
                                    "http://[::ffff:127.0.0.1]:{port}/secret"])
async def test_a_redirect_to_the_bots_own_machine_is_never_followed(bot: Harness, fake: FakeShortLinks,
                                                                    target: str) -> None:
    fake.redirect("/x", target.format(port=fake.port))
    fake.redirect("/secret", BILI)
    out = await bot.text(f'alice: /share {fake.url("b23.tv", "/x")} "Sneaky"')
    assert UNCHECKED in out
    assert fake.requests == ["/x"]  # the loopback address was refused before any connection


def test_only_public_addresses_are_public() -> None:
    assert is_public("93.184.216.34") and is_public("2606:2800:220:1:248:1893:25c8:1946")
    for address in ("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0",
                    "::1", "fe80::1", "fc00::1", "::ffff:10.0.0.1", "224.0.0.1", "100.64.0.1"):
        assert not is_public(address), address


async def test_with_following_turned_off_a_short_link_is_kept_and_the_user_told(tmp_path: Path) -> None:
    async with Harness(tmp_path / "b.sqlite3", make_config({"films": {"resolve_short_links": False}})) as bot:
        out = await bot.text('alice: /share https://b23.tv/AbCd "Short"')
        assert UNCHECKED in out and "is shared" in out
