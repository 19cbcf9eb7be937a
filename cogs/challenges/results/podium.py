"""The podium picture of a round's results: the challenge's theme over the first three entries on their
steps, each with its film's thumbnail as a 16:9 tile above its title, maker and votes, drawn with Pillow in
Noto Sans CJK (installed from PyPI with the bot) so Chinese titles and names show as typed. An entry
without a tile (no thumbnail, previews off, a download or decoding that failed) gets a placeholder: a
film-strip frame with its place."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from functools import lru_cache

import noto_cjk_sans_otc
from PIL import Image, ImageDraw, ImageFont

from bot.i18n import Translator
from bot.models import Attachment
from cogs.challenges.ranking import Standing
from cogs.challenges.repository import Challenge, Entry
from cogs.challenges.results.tiles import TILE

WIDTH, HEIGHT = 960, 540
COLUMN = WIDTH // 3
STEP_HEIGHTS = {1: 170, 2: 125, 3: 90}
STEP_COLOURS = {1: (212, 175, 55), 2: (170, 174, 182), 3: (176, 112, 64)}
BACKGROUND, INK, SOFT_INK = (32, 34, 40), (245, 245, 245), (190, 192, 198)
PLACEHOLDER = (58, 61, 70)  # the film-strip frame standing in for a missing thumbnail
TITLE_SIZE, LINE_SIZE, LINE_GAP = 30, 24, 14
HOLE, HOLE_GAP = 10, 22  # the frame's perforations: their size and their spacing
SIMPLIFIED_CHINESE = 2  # the face in the collection: JP, KR, SC, TC, HK; SC reads right for Chinese text
ORDER = (1, 0, 2)  # the second stands left of the first, the third right


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(noto_cjk_sans_otc.FONT_PATH), size, index=SIMPLIFIED_CHINESE)


def podium(challenge: Challenge, standings: Sequence[Standing], entries: dict[int, Entry], t: Translator,
           tiles: Mapping[int, Image.Image | None] | None = None) -> Attachment | None:
    """A PNG of the first three places that got votes, or None when nobody got any. `tiles` holds the
    thumbnails by entry id, each of TILE's size (see tiles.tile_of); a missing one is drawn as a placeholder."""
    top = [item for item in standings[:3] if item.votes > 0]
    if not top:
        return None
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    heading = t.s("challenges.results.podium_title", id=challenge.id, theme=challenge.theme)
    draw.text((WIDTH // 2, 20), _fitted(heading, _font(36), WIDTH - 64), font=_font(36), fill=INK, anchor="mt")
    for column, index in enumerate(ORDER):
        if index < len(top):
            item = top[index]
            _stand(draw, column, item, entries[item.entry_id], t)
            box = tile_box(column, item.place)
            tile = (tiles or {}).get(item.entry_id)
            if tile is not None and tile.size == TILE:
                image.paste(tile, box[:2])
            else:
                _placeholder(draw, box, item.place)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return Attachment(f"challenge-{challenge.id}-podium.png", out.getvalue(), "image/png")


def tile_box(column: int, place: int) -> tuple[int, int, int, int]:
    """Where the thumbnail of the entry on `column` stands: centred, just above its title."""
    ascent, descent = _font(TITLE_SIZE).getmetrics()
    title_top = _title_line(place) - descent - ascent
    left = column * COLUMN + (COLUMN - TILE[0]) // 2
    return left, title_top - 8 - TILE[1], left + TILE[0], title_top - 8


def _title_line(place: int) -> int:
    """The bottom of the title's line: above the step, the votes line and the maker line."""
    return HEIGHT - STEP_HEIGHTS[min(place, 3)] - 16 - 2 * (LINE_SIZE + LINE_GAP)


def _placeholder(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], place: int) -> None:
    """A film-strip frame with the place in it, for an entry whose thumbnail is missing."""
    left, top, right, bottom = box
    draw.rectangle(box, fill=PLACEHOLDER)
    for x in range(left + HOLE_GAP // 2, right - HOLE, HOLE_GAP):
        for y in (top + 6, bottom - 6 - HOLE):
            draw.rounded_rectangle((x, y, x + HOLE, y + HOLE), radius=2, fill=BACKGROUND)
    draw.text(((left + right) // 2, (top + bottom) // 2), str(place), font=_font(56), fill=SOFT_INK, anchor="mm")


def _stand(draw: ImageDraw.ImageDraw, column: int, item: Standing, entry: Entry, t: Translator) -> None:
    """One step: its place on the block; the title, maker and votes above it."""
    step = min(item.place, 3)  # a shared place stands on the step of that place
    left, right = column * COLUMN + 16, (column + 1) * COLUMN - 16
    top = HEIGHT - STEP_HEIGHTS[step]
    draw.rectangle((left, top, right, HEIGHT), fill=STEP_COLOURS[step])
    centre = (left + right) // 2
    draw.text((centre, top + 12), str(item.place), font=_font(64), fill=BACKGROUND, anchor="mt")
    lines = [(entry.title, TITLE_SIZE, INK), (entry.maker, LINE_SIZE, SOFT_INK),
             (t.s("challenges.results.podium_votes", count=item.votes), LINE_SIZE, SOFT_INK)]
    y = top - 16
    for text, size, colour in reversed(lines):
        font = _font(size)
        draw.text((centre, y), _fitted(text, font, right - left), font=font, fill=colour, anchor="md")
        y -= LINE_SIZE + LINE_GAP


def _fitted(text: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    """The text, cut with an ellipsis where it would overflow the column."""
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return text + "…"
