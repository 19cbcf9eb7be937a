"""Options that name a person or a channel are Discord pickers; /timezone completes IANA zone names."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App
from bot.testing.fakes.discord_server import FakeDiscord, Guild
from bot.testing.harness import Harness
from tests.discord_support import answer, make_guild, running_app, user

pytestmark = pytest.mark.timeout(20)
USER, CHANNEL = 6, 7


@pytest.fixture
def guild(discord_fake: FakeDiscord) -> Guild:
    return make_guild(discord_fake)


@pytest.fixture
async def app(discord_fake: FakeDiscord, guild: Guild, tmp_path: Path) -> AsyncIterator[App]:
    async with running_app(discord_fake, tmp_path / "bot.sqlite3") as running:
        yield running


def option(commands: list[dict], command: str, name: str) -> dict:
    found = next(c for c in commands if c["name"] == command)
    return next(o for o in found["options"] if o["name"] == name)


async def test_people_and_channels_are_picked_not_typed(discord_fake: FakeDiscord, guild: Guild, app: App) -> None:
    synced = discord_fake.commands()
    assert option(synced, "profile", "user")["type"] == USER
    assert option(synced, "films", "maker")["type"] == USER
    where = option(synced, "where", "channel")
    assert where["type"] == CHANNEL and 0 in where["channel_types"]  # text channels
    await answer(discord_fake, guild, "ben", "share", {"link": "https://vimeo.com/5", "title": "Paper Moon"})
    profile = await answer(discord_fake, guild, "ana", "profile", {"user": user(discord_fake, guild, "ben")})
    assert "ben" in profile["content"] and "Paper Moon" in profile["content"]
    films = await answer(discord_fake, guild, "ana", "films", {"maker": user(discord_fake, guild, "ben")})
    assert "Paper Moon" in films["content"]
    showcase = guild.channel("showcase")
    picked = await answer(discord_fake, guild, "mo", "where", {"channel": showcase})
    assert picked["content"] == f"Channel {showcase.id}"


async def test_timezone_completes_zone_names(discord_fake: FakeDiscord, guild: Guild, app: App) -> None:
    typing = await discord_fake.autocomplete(guild, "general", user(discord_fake, guild, "ana"), "timezone",
                                             {"zone": "new yo"}, focused="zone")
    choices = (await typing.wait_callback())["data"]["choices"]
    assert choices == [{"name": "America/New York", "value": "America/New_York"}]
    in_dm = await discord_fake.autocomplete(None, None, user(discord_fake, guild, "ana"), "timezone",
                                            {"zone": "berl"}, focused="zone")
    assert {"name": "Europe/Berlin", "value": "Europe/Berlin"} in (await in_dm.wait_callback())["data"]["choices"]
    chinese = await discord_fake.autocomplete(guild, "general", user(discord_fake, guild, "ana"), "timezone",
                                              {"zone": "上海"}, focused="zone")
    assert (await chinese.wait_callback())["data"]["choices"] == [{"name": "Asia/Shanghai", "value": "Asia/Shanghai"}]
    chosen = await answer(discord_fake, guild, "ana", "timezone", {"zone": "America/New_York"})
    assert chosen["content"] == r"Times will now be shown to you in America/New\_York." and chosen["flags"] == 64


async def test_the_console_still_takes_typed_names(bot: Harness) -> None:
    await bot.run('bob: /share https://vimeo.com/5 "Paper Moon"')
    assert "Paper Moon" in await bot.text("ann: /profile @bob")
