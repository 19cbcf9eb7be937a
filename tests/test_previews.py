"""Film pictures from the film's site, through a loopback stand-in: oEmbed (by discovery) or OpenGraph,
fetched after the share without holding it up, kept in the database, put on the posted Discord card, and
refreshed by /editfilm; slow, huge, malformed and missing pages leave the film without a picture."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.testing.fakes.discord_server import FakeDiscord, Guild
from bot.testing.fakes.preview_site import PreviewSite
from tests.discord_support import answer, discord_config, eventually, make_guild, running_app

pytestmark = pytest.mark.timeout(30)
FAST = {"previews": True, "preview_private_hosts": True, "preview_timeout": 0.5, "preview_max_bytes": 100_000}


@pytest.fixture
async def site() -> AsyncIterator[PreviewSite]:
    async with PreviewSite() as running:
        yield running


@pytest.fixture
def guild(discord_fake: FakeDiscord) -> Guild:
    return make_guild(discord_fake)


@pytest.fixture
async def app(discord_fake: FakeDiscord, guild: Guild, tmp_path: Path) -> AsyncIterator[App]:
    config = discord_config(discord_fake, showcase_channel="showcase", sections={"films": FAST})
    async with running_app(discord_fake, tmp_path / "bot.sqlite3", config) as running:
        yield running


async def share(fake: FakeDiscord, guild: Guild, link: str, title: str) -> dict[str, Any]:
    return await answer(fake, guild, "ana", "share", {"link": link, "title": title})


async def settled(app: App) -> None:
    await app.cog("films").previews.settle()  # type: ignore[attr-defined]


async def test_the_posted_card_gains_the_picture_and_film_shows_it(discord_fake: FakeDiscord, guild: Guild,
                                                                   app: App, site: PreviewSite) -> None:
    await share(discord_fake, guild, site.url("/oembed-page"), "Night Bus")
    await settled(app)
    assert await app.db.fetchval("SELECT thumbnail FROM films WHERE id = 1") == site.url("/bus.jpg")
    showcase = guild.channel("showcase")
    await eventually(lambda: any((e.get("thumbnail") or {}).get("url") == site.url("/bus.jpg")
                                 for m in discord_fake.messages_in(showcase) for e in m.get("embeds") or []))
    shown = await answer(discord_fake, guild, "ben", "film", {"id": 1})
    assert shown["embeds"][0]["thumbnail"]["url"] == site.url("/bus.jpg")
    assert site.hits == ["oembed-page", "oembed.json"]  # fetched once


async def test_opengraph_when_there_is_no_oembed_and_editfilm_refreshes(discord_fake: FakeDiscord, guild: Guild,
                                                                        app: App, site: PreviewSite) -> None:
    await share(discord_fake, guild, site.url("/missing"), "Moon")
    await settled(app)
    assert await app.db.fetchval("SELECT thumbnail FROM films WHERE id = 1") is None
    await answer(discord_fake, guild, "ana", "editfilm", {"id": 1, "link": site.url("/og-page")})
    await settled(app)
    assert await app.db.fetchval("SELECT thumbnail FROM films WHERE id = 1") == site.url("/moon.jpg")


async def test_slow_huge_and_malformed_sites_cost_nothing(discord_fake: FakeDiscord, guild: Guild, app: App,
                                                          site: PreviewSite) -> None:
    started = time.monotonic()
    answered = await share(discord_fake, guild, site.url("/slow"), "Slow")
    assert answered["content"].startswith("Film #1 “Slow” is shared")
    assert time.monotonic() - started < 0.5 + 1.5  # the share did not wait for the site
    await share(discord_fake, guild, site.url("/huge"), "Huge")
    await share(discord_fake, guild, site.url("/malformed"), "Broken")
    await settled(app)
    assert await app.db.fetchval("SELECT COUNT(*) FROM films WHERE thumbnail IS NULL") == 3


async def test_private_addresses_are_not_fetched_unless_allowed(discord_fake: FakeDiscord, guild: Guild,
                                                                tmp_path: Path, site: PreviewSite) -> None:
    config = discord_config(discord_fake, showcase_channel="showcase",
                            sections={"films": {**FAST, "preview_private_hosts": False}})
    async with running_app(discord_fake, tmp_path / "other.sqlite3", config) as other:
        await share(discord_fake, guild, site.url("/oembed-page"), "Night Bus")
        await settled(other)
    assert site.hits == []


async def test_turned_off_nothing_is_fetched(discord_fake: FakeDiscord, guild: Guild, tmp_path: Path,
                                             site: PreviewSite) -> None:
    config = discord_config(discord_fake, showcase_channel="showcase",
                            sections={"films": {**FAST, "previews": False}})
    async with running_app(discord_fake, tmp_path / "off.sqlite3", config) as off:
        await share(discord_fake, guild, site.url("/oembed-page"), "Night Bus")
        await settled(off)
    assert site.hits == []
