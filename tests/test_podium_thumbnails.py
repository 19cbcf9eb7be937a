"""The podium's thumbnails, through both real adapters and the stand-ins: makers share their films on Discord
(the films' pictures are found on the loopback film site), a round closes, and the podium posted on Discord
and on Telegram shows each of the three films' pictures as a 16:9 tile; a picture that is slow, huge, a
decompression bomb, truncated, missing or no picture at all gets the placeholder, and the podium is posted
all the same. With previews off, nothing is fetched."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bot.app import App
from bot.testing.fakes.discord_model import Perm
from bot.testing.fakes.discord_server import FakeDiscord, Guild
from bot.testing.fakes.preview_site import COLOURS, PreviewSite
from bot.testing.fakes.telegram_server import FakeTelegram
from cogs.challenges.results.podium import PLACEHOLDER, tile_box
from tests.discord_round import cards_in
from tests.discord_support import answer, discord_text, user
from tests.two_platforms import BothBot, both_config, discord_chat, eventually, telegram_chat, telegram_text

pytestmark = pytest.mark.timeout(60)
MANAGE_GUILD = 1 << 5
# The films' own timeout ends the slow picture; the close's is long enough that a picture that got through
# would be drawn (a decompression bomb decoded in full would show as a black tile, not the placeholder).
FAST = {"films": {"previews": True, "preview_private_hosts": True, "preview_timeout": 0.5,
                  "preview_max_bytes": 200_000},
        "challenges": {"thumbnail_timeout": 3.0}}
MAKERS = ("ana", "ben", "cleo")   # their entries finish first, second and third
VOTERS = ("dee", "eli", "fay")    # three votes for the first, two for the second, one for the third
COLUMNS = {1: 1, 2: 0, 3: 2}      # place -> column: the second stands left of the first, the third right


class Stage:
    """A community on a Discord channel and a Telegram group, its films on the loopback film site."""

    def __init__(self, discord: FakeDiscord, telegram: FakeTelegram, site: PreviewSite, bot: BothBot,
                 guild: Guild, group: dict[str, Any]) -> None:
        self.discord, self.telegram, self.site, self.bot = discord, telegram, site, bot
        self.guild, self.group = guild, group
        self.rounds = 0

    @property
    def app(self) -> App:
        return self.bot.app

    async def round(self, pictures: tuple[str, str, str]) -> tuple[Image.Image, Image.Image]:
        """A challenge whose first, second and third entries show these pictures; its podium as posted on
        Discord and on Telegram."""
        self.rounds += 1
        number = self.rounds
        await answer(self.discord, self.guild, "mo", "challenge_admin", {"theme": f"Round {number}"},
                     subcommand="new")
        for maker, picture in zip(MAKERS, pictures, strict=True):
            entered = await answer(self.discord, self.guild, maker, "submit",
                                   {"film": self.site.url(f"/shows-{picture}"), "title": f"{maker} {number}",
                                    "runtime": "2:00"})
            assert f"is in challenge #{number}" in entered["content"], entered
        await self.app.cog("films").previews.settle()  # type: ignore[union-attr]
        await self.bot.app.scheduler.advance_to(self.bot.clock.now() + timedelta(days=5))
        cards = await self._cards(number)
        votes = 0
        for count, maker in zip((3, 2, 1), MAKERS, strict=True):
            for voter in VOTERS[:count]:
                await self.discord.react(self.guild.channel("general"), cards[maker],
                                         user(self.discord, self.guild, voter), "⭐")
                votes += 1
        await self._stored(votes)
        await self.bot.app.scheduler.advance_to(self.bot.clock.now() + timedelta(days=2, hours=1))
        return await self._discord_podium(number), await self._telegram_podium(number)

    async def _cards(self, number: int) -> dict[str, str]:
        """Maker -> the message id of their entry's card on Discord (entries are numbered in entry order)."""
        ids = range(3 * number - 2, 3 * number + 1)
        channel = self.guild.channel("general")
        await eventually(lambda: all(entry_id in cards_in(self.discord, channel) for entry_id in ids))
        cards = cards_in(self.discord, channel)
        return {maker: cards[entry_id] for maker, entry_id in zip(MAKERS, ids, strict=True)}

    async def _stored(self, votes: int) -> None:
        total = votes * self.rounds
        for _ in range(500):
            if await self.app.db.fetchval("SELECT COUNT(*) FROM challenge_votes WHERE active = 1") == total:
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the votes never reached the store")

    async def _discord_podium(self, number: int) -> Image.Image:
        channel = self.guild.channel("general").id
        title = f"Results of challenge #{number}"

        def posted() -> list[Any]:
            return [r for r in self.discord.requests_to("POST", rf"/channels/{channel}/messages$")
                    if r.status == 200 and title in discord_text(r.response)]
        await eventually(lambda: len(posted()) == 1)
        (upload,) = posted()[0].files
        assert upload["filename"] == f"challenge-{number}-podium.png"
        return Image.open(io.BytesIO(upload["content"])).convert("RGB")

    async def _telegram_podium(self, number: int) -> Image.Image:
        sent = await self.telegram.wait_for_call(
            "sendPhoto", lambda r: r.ok and f"Results of challenge #{number}" in telegram_text(r))
        (photo,) = sent.response["result"]["photo"]  # type: ignore[index]
        return Image.open(io.BytesIO(self.telegram.state.files[photo["file_id"]].content)).convert("RGB")


def community(discord: FakeDiscord, telegram: FakeTelegram) -> tuple[Guild, dict[str, Any], list[dict[str, Any]]]:
    """The makers' Discord server and Telegram group, joined into one community."""
    guild = discord.add_guild("makers", channels=["general"], members=[*MAKERS, *VOTERS])
    discord.add_member(guild, "mo", permissions=Perm.EVERYONE_DEFAULT | MANAGE_GUILD)
    group = telegram.add_group("Makers")
    return guild, group, [{"key": "makers", "name": "Makers",
                           "chats": [discord_chat(guild, "general"), telegram_chat(group)]}]


@pytest.fixture
async def stage(tmp_path: Path) -> AsyncIterator[Stage]:
    async with FakeDiscord() as discord, FakeTelegram() as telegram, PreviewSite() as site:
        guild, group, chats = community(discord, telegram)
        async with BothBot(tmp_path / "bot.sqlite3", both_config(discord, telegram, chats, **FAST),
                           telegram=telegram) as bot:
            yield Stage(discord, telegram, site, bot, guild, group)


def tile(image: Image.Image, place: int) -> Image.Image:
    return image.crop(tile_box(COLUMNS[place], place))


def shows_colour(image: Image.Image, place: int, colour: tuple[int, int, int]) -> bool:
    """The whole tile is the picture's colour (so its dark bands were cropped off, not squeezed in)."""
    extrema = tile(image, place).getextrema()
    return all(abs(low - want) <= 6 and abs(high - want) <= 6
               for (low, high), want in zip(extrema, colour, strict=True))  # type: ignore[misc]


def shows_placeholder(image: Image.Image, place: int) -> bool:
    left, top, _right, bottom = tile_box(COLUMNS[place], place)
    return image.getpixel((left + 3, (top + bottom) // 2)) == PLACEHOLDER


async def test_the_podium_shows_each_films_thumbnail_on_both_platforms(stage: Stage) -> None:
    # The second film's picture is moved: its address redirects, as sites do.
    on_discord, on_telegram = await stage.round(("red.png", "moved.png", "blue.jpg"))
    for image in (on_discord, on_telegram):
        assert image.size == (960, 540)
        assert shows_colour(image, 1, COLOURS["red"])
        assert shows_colour(image, 2, COLOURS["green"])
        assert shows_colour(image, 3, COLOURS["blue"])
        assert not shows_placeholder(image, 1)
    assert stage.site.hits.count("red.png") == 1  # downloaded once, for both platforms


async def test_a_bad_picture_leaves_a_placeholder_and_the_podium_is_posted(stage: Stage) -> None:
    for pictures in (("slow.png", "huge.png", "bomb.png"), ("truncated.png", "missing.png", "not-a-picture.png")):
        on_discord, on_telegram = await stage.round(pictures)
        for image in (on_discord, on_telegram):
            assert [shows_placeholder(image, place) for place in (1, 2, 3)] == [True, True, True], pictures
        for picture in pictures:
            assert picture in stage.site.hits  # each was asked for, and none failed the close
    assert await stage.app.db.fetchval("SELECT COUNT(*) FROM challenges WHERE state = 'closed'") == 2


async def test_previews_off_nothing_is_fetched(tmp_path: Path) -> None:
    async with FakeDiscord() as discord, FakeTelegram() as telegram, PreviewSite() as site:
        guild, group, chats = community(discord, telegram)
        config = both_config(discord, telegram, chats, **FAST)
        async with BothBot(tmp_path / "bot.sqlite3", config, telegram=telegram) as bot:
            stage = Stage(discord, telegram, site, bot, guild, group)
            await stage.round(("red.png", "green.png", "blue.jpg"))  # the films' pictures are known now
        # The same films in a new round after a restart with previews off: their pictures stay on the site.
        off = both_config(discord, telegram, chats, **{**FAST, "films": {**FAST["films"], "previews": False}})
        site.hits.clear()
        async with BothBot(tmp_path / "bot.sqlite3", off, telegram=telegram) as bot:
            bot.clock.set(stage.bot.clock.now())
            stage.bot = bot
            on_discord, _ = await stage.round(("red.png", "green.png", "blue.jpg"))
        assert all(shows_placeholder(on_discord, place) for place in (1, 2, 3))
        assert site.hits == []
