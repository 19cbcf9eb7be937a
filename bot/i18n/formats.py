"""Dates, times, durations and money in the reader's language, with Babel's (CLDR) data:
`Sun 6 Dec, 18:00 (UTC+8)` / `12月6日 周日 18:00（UTC+8）`, `180 days` / `180天`, `€10.00`."""

from __future__ import annotations

from datetime import datetime, timedelta

from babel.dates import format_datetime
from babel.numbers import format_currency
from babel.units import format_unit

BABEL_LOCALES = {"en": "en_GB", "zh-Hans": "zh_Hans_CN", "zh-Hant": "zh_Hant_TW"}
# Day, day with its year, day and time, time of day; Chinese writes the zone in full-width brackets.
_PATTERNS = {
    "en": ("EEE d MMM", "EEE d MMM y", "{day}, {time} ({zone})", "{time} ({zone})"),
    "zh": ("M月d日 EEE", "y年M月d日 EEE", "{day} {time}（{zone}）", "{time}（{zone}）"),
}


def _locale(lang: str) -> str:
    return BABEL_LOCALES.get(lang, BABEL_LOCALES["en"])


def utc_offset(local: datetime) -> str:
    """`UTC`, `UTC+8`, `UTC-3:30`: the offset of a zone-aware time, as people write it."""
    offset = local.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def moment_text(local: datetime, style: str, lang: str) -> str:
    """A zone-aware time for a reader: a date (`D`), a time of day (`t`) or both (any other style)."""
    day, dated, full, clock = _PATTERNS["zh" if lang.startswith("zh") else "en"]
    if style == "D":
        return format_datetime(local, dated, locale=_locale(lang))
    time, zone = local.strftime("%H:%M"), utc_offset(local)
    if style == "t":
        return clock.format(time=time, zone=zone)
    return full.format(day=format_datetime(local, day, locale=_locale(lang)), time=time, zone=zone)


def amount(units: int, unit: str, lang: str) -> str:
    """A count of days, hours or minutes in words (`unit` is day, hour or minute): `180 days`, `180天`."""
    return format_unit(units, f"duration-{unit}", length="long", locale=_locale(lang))


def money(cents: int, currency: str, lang: str) -> str:
    """A fee in its currency as the reader writes money: `€10.00`, `US$5.00`, `¥120.00`."""
    return format_currency(cents / 100, currency, locale=_locale(lang))


def duration(delta: timedelta, lang: str) -> str:
    """A span in words, to the minute and in its two largest units: `19 days 14 hours`, `19天14小时`, `5 minutes`."""
    minutes = max(0, -(-int(delta.total_seconds()) // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    units = [(days, "day"), (hours, "hour"), (mins, "minute")]
    first = next((index for index, (count, _) in enumerate(units) if count), len(units) - 1)
    shown = [amount(count, unit, lang) for count, unit in units[first : first + 2] if count]
    return ("" if lang.startswith("zh") else " ").join(shown) or amount(0, "minute", lang)
