"""The podium picture of a round's results: the first three on their steps, with Chinese titles and names
drawn in real glyphs (not the empty boxes a font without Chinese draws), in the reader's language."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image, ImageChops

from bot.i18n import Catalog
from cogs.challenges.ranking import Standing
from cogs.challenges.repository import Challenge, Entry
from cogs.challenges.results.podium import COLUMN, HEIGHT, STEP_HEIGHTS, podium

ROOT = Path(__file__).resolve().parent.parent
WHEN = datetime(2026, 12, 1, tzinfo=UTC)
CHALLENGE = Challenge(1, 1, "夜行", "", None, WHEN, WHEN, WHEN, "closed", False)


def translator(language: str):  # type: ignore[no-untyped-def]
    catalog = Catalog()
    catalog.load_dir(ROOT / "cogs" / "challenges" / "locales")
    return catalog.translator(language)


def drawn(titles: list[str], votes: list[int], language: str = "zh-Hans") -> Image.Image:
    entries = {number: Entry(number, 1, number, number, f"作者{number}", title, f"https://vimeo.com/{number}", None)
               for number, title in enumerate(titles, start=1)}
    standings = [Standing(number, "", count, place, 3 - place, place, 0, None, None)
                 for number, (count, place) in enumerate(zip(votes, (1, 2, 3), strict=False), start=1)]
    picture = podium(CHALLENGE, standings, entries, translator(language))
    assert picture is not None and picture.mime_type == "image/png"
    assert picture.filename == "challenge-1-podium.png"
    return Image.open(io.BytesIO(picture.data)).convert("RGB")


def title_band(image: Image.Image, column: int, place: int) -> Image.Image:
    """Where the title of the entry on `column` is drawn (above its maker and votes)."""
    bottom = HEIGHT - STEP_HEIGHTS[place] - 16 - 2 * (24 + 14)
    return image.crop((column * 320, bottom - 40, (column + 1) * 320, bottom))


def test_chinese_titles_are_drawn_in_their_own_glyphs() -> None:
    first = drawn(["夜班车", "月亮巴士", "灯柱"], [5, 3, 1])
    second = drawn(["白日梦", "月亮巴士", "灯柱"], [5, 3, 1])
    assert first.size == (960, 540)
    # The winner stands in the middle: a different title of as many characters draws differently there
    # (a font without Chinese draws the same boxes for both) and leaves the other steps as they were.
    assert ImageChops.difference(title_band(first, 1, 1), title_band(second, 1, 1)).getbbox() is not None
    assert ImageChops.difference(title_band(first, 0, 2), title_band(second, 0, 2)).getbbox() is None
    assert ImageChops.difference(first.crop((2 * COLUMN, 0, 960, 540)), second.crop((2 * COLUMN, 0, 960, 540))
                                 ).getbbox() is None


def test_the_steps_stand_second_first_third_and_a_round_without_votes_has_no_podium() -> None:
    image = drawn(["夜班车", "月亮巴士", "灯柱"], [5, 3, 1])
    gold, silver, bronze = (image.getpixel((column * COLUMN + 40, HEIGHT - 5)) for column in (1, 0, 2))
    assert (gold, silver, bronze) == ((212, 175, 55), (170, 174, 182), (176, 112, 64))
    entries = {1: Entry(1, 1, 1, 1, "ana", "Moon Bus", "https://vimeo.com/1", None)}
    nobody = [Standing(1, "", 0, 1, 0, 1, 0, None, None)]
    assert podium(CHALLENGE, nobody, entries, translator("en")) is None


def test_two_entries_leave_the_third_step_empty() -> None:
    image = drawn(["Moon Bus", "Lamp Post"], [2, 1], "en")
    assert image.getpixel((2 * COLUMN + 40, HEIGHT - 5)) == (32, 34, 40)  # the background
