"""Instants as stored (ISO 8601 UTC text) and parsing helpers shared by the core and the cogs."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.zone_names import zone_of_place

_DURATION = re.compile(r"(\d+)\s*(w|d|h|m|s)", re.IGNORECASE)
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
# Chinese units as people type them: `3天`, `12小时`, `2周`, `30分钟`, `1天12小时`. Longest names first.
_CHINESE_UNITS = (("个星期", "w"), ("星期", "w"), ("礼拜", "w"), ("个月", None), ("周", "w"), ("天", "d"),
                  ("日", "d"), ("个小时", "h"), ("小时", "h"), ("钟头", "h"), ("时", "h"), ("分钟", "m"),
                  ("分", "m"), ("秒钟", "s"), ("秒", "s"))


def plain_units(text: str) -> str | None:
    """Full-width digits made plain and Chinese units written as w/d/h/m/s; None for a unit with no
    fixed length (months)."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    for name, unit in _CHINESE_UNITS:
        if name in text:
            if unit is None:
                return None
            text = text.replace(name, unit)
    return text


def to_db(instant: datetime) -> str:
    """Store instants as fixed-width UTC text so string order is time order."""
    if instant.tzinfo is not UTC:
        instant = instant.astimezone(UTC)
    # isoformat with fixed microseconds is the same text as strftime("%Y-%m-%dT%H:%M:%S.%fZ"), and faster.
    return instant.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def from_db(text: str) -> datetime:
    # fromisoformat reads the fixed-width form (with its Z) about twenty times faster than strptime.
    return datetime.fromisoformat(text)


def parse_duration(text: str) -> timedelta | None:
    """`2d3h`, `90m`, `1w`, `3天`, `12小时` -> timedelta; None when the text is not a duration."""
    plain = plain_units(text)
    if plain is None:
        return None
    text = plain
    if not text or _DURATION.sub("", text).strip():
        return None
    total = timedelta()
    for amount, unit in _DURATION.findall(text):
        total += timedelta(**{_UNITS[unit.lower()]: int(amount)})
    return total


_ZONE_NAME = re.compile(r"^[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+){0,2}$")


def known_zone(name: str) -> str | None:
    """The IANA zone name if `name` is one, or the zone of a city typed by name (`北京` -> Asia/Shanghai),
    else None.

    Names are checked for their shape before zoneinfo looks for a file: a long or odd name otherwise
    surfaces as an OSError that carries a file path."""
    name = name.strip()
    if not name or len(name) > 64 or not _ZONE_NAME.match(name):
        return zone_of_place(name)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return zone_of_place(name)
    return name
