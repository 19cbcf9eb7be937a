"""The podium picture of a round's results: the challenge's theme over the first three entries on their
steps, each with its title, maker and votes, drawn with Pillow in Noto Sans CJK (installed from PyPI with
the bot) so Chinese titles and names show as typed."""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache

import noto_cjk_sans_otc
from PIL import Image, ImageDraw, ImageFont

from bot.i18n import Translator
from bot.models import Attachment
from cogs.challenges.ranking import Standing
from cogs.challenges.repository import Challenge, Entry

WIDTH, HEIGHT = 960, 540
COLUMN = WIDTH // 3
STEP_HEIGHTS = {1: 200, 2: 150, 3: 110}
STEP_COLOURS = {1: (212, 175, 55), 2: (170, 174, 182), 3: (176, 112, 64)}
BACKGROUND, INK, SOFT_INK = (32, 34, 40), (245, 245, 245), (190, 192, 198)
SIMPLIFIED_CHINESE = 2  # the face in the collection: JP, KR, SC, TC, HK; SC reads right for Chinese text
ORDER = (1, 0, 2)  # the second stands left of the first, the third right


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(noto_cjk_sans_otc.FONT_PATH), size, index=SIMPLIFIED_CHINESE)


def podium(challenge: Challenge, standings: Sequence[Standing], entries: dict[int, Entry],
           t: Translator) -> Attachment | None:
    """A PNG of the first three places that got votes, or None when nobody got any."""
    top = [item for item in standings[:3] if item.votes > 0]
    if not top:
        return None
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    heading = t.s("challenges.results.podium_title", id=challenge.id, theme=challenge.theme)
    draw.text((WIDTH // 2, 36), _fitted(heading, _font(40), WIDTH - 64), font=_font(40), fill=INK, anchor="mt")
    for column, index in enumerate(ORDER):
        if index < len(top):
            _stand(draw, column, top[index], entries[top[index].entry_id], t)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return Attachment(f"challenge-{challenge.id}-podium.png", out.getvalue(), "image/png")


def _stand(draw: ImageDraw.ImageDraw, column: int, item: Standing, entry: Entry, t: Translator) -> None:
    """One step: its place on the block; the title, maker and votes above it."""
    step = min(item.place, 3)  # a shared place stands on the step of that place
    left, right = column * COLUMN + 16, (column + 1) * COLUMN - 16
    top = HEIGHT - STEP_HEIGHTS[step]
    draw.rectangle((left, top, right, HEIGHT), fill=STEP_COLOURS[step])
    centre = (left + right) // 2
    draw.text((centre, top + 12), str(item.place), font=_font(64), fill=BACKGROUND, anchor="mt")
    lines = [(entry.title, 30, INK), (entry.maker, 24, SOFT_INK),
             (t.s("challenges.results.podium_votes", count=item.votes), 24, SOFT_INK)]
    y = top - 16
    for text, size, colour in reversed(lines):
        font = _font(size)
        draw.text((centre, y), _fitted(text, font, right - left), font=font, fill=colour, anchor="md")
        y -= size + 14


def _fitted(text: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    """The text, cut with an ellipsis where it would overflow the column."""
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return text + "…"
