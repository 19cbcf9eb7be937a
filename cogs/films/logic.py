"""Pure rules of the films cog: runtimes, tags, field limits (links: cogs/films/links)."""

from __future__ import annotations

import re

from bot.errors import UserError
from bot.timeutil import plain_units
from cogs.films.links import normalize_link

__all__ = ["normalize_link"]

MAX_TITLE = 200
MAX_LOGLINE = 500
MAX_TAGS = 10
MAX_TAG = 30
MAX_RUNTIME = 10 * 3600
_RUNTIME_UNITS = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_MINUTES_SECONDS = re.compile(r"^()(\d+)m(\d{1,2})$")  # `3分20`: the seconds' unit left out
# Minutes and seconds as festivals print them: 3'20", 3′20″, 3'20''.
_PRIMES = (("′′", "s"), ("''", "s"), ("″", "s"), ('"', "s"), ("′", "m"), ("'", "m"))


def parse_runtime(raw: str) -> int:
    """`4:30`, `4m30s`, `270s`, `1:02:03`, `3m`, `3分20秒`, `3'20"` -> seconds. Raises UserError otherwise."""
    text = (plain_units(raw) or "").replace(" ", "")
    for mark, unit in _PRIMES:
        text = text.replace(mark, unit)
    seconds: int | None = None
    if re.fullmatch(r"\d{1,3}:\d{2}(:\d{2})?", text):
        numbers = [int(part) for part in text.split(":")]
        if all(n < 60 for n in numbers[1:]):
            seconds = numbers[-1] + 60 * numbers[-2] + (3600 * numbers[0] if len(numbers) == 3 else 0)
    elif text and (match := _RUNTIME_UNITS.fullmatch(text) or _MINUTES_SECONDS.fullmatch(text)):
        hours, minutes, secs = (int(group or 0) for group in match.groups())
        seconds = hours * 3600 + minutes * 60 + secs
    if seconds is None or not 0 < seconds <= MAX_RUNTIME:
        raise UserError("films.errors.runtime", value=raw)
    return seconds


def format_runtime(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def parse_tags(raw: str) -> tuple[str, ...]:
    tags: list[str] = []
    for part in re.split(r"[,，]", raw):
        tag = part.strip().lstrip("#").lower()
        if not tag:
            continue
        if len(tag) > MAX_TAG:
            raise UserError("films.errors.tag_long", tag=tag[:40], limit=MAX_TAG)
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise UserError("films.errors.too_many_tags", limit=MAX_TAGS)
    return tuple(tags)


# Marks people type around a title; the catalogs put the reader's own marks around it (《》 in Chinese).
TITLE_MARKS = {"《": "》", "〈": "〉", "「": "」", "『": "』", "“": "”", "‘": "’", "\"": "\"", "'": "'", "【": "】"}


def without_title_marks(title: str) -> str:
    """《夜班公交》 -> 夜班公交, so it is not shown as 《《夜班公交》》; 《甲》与《乙》 stays as typed."""
    close = TITLE_MARKS.get(title[:1])
    inner = title[1:-1]
    if close is None or len(title) < 3 or not title.endswith(close) or title[0] in inner or close in inner:
        return title
    return inner.strip()


def check_title(title: str) -> str:
    title = without_title_marks(title.strip())
    if not title:
        raise UserError("films.errors.title_empty")
    if len(title) > MAX_TITLE:
        raise UserError("films.errors.title_long", limit=MAX_TITLE, length=len(title))
    return title


def check_logline(logline: str) -> str:
    logline = logline.strip()
    if len(logline) > MAX_LOGLINE:
        raise UserError("films.errors.logline_long", limit=MAX_LOGLINE, length=len(logline))
    return logline
