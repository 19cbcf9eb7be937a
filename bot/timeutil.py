"""Instants as stored (ISO 8601 UTC text) and parsing helpers shared by the core and the cogs."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.zone_names import zone_of_place

_DURATION = re.compile(r"(\d+)\s*(w|d|h|m|s)", re.IGNORECASE)
_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
# Far beyond anything the bot schedules, and far short of where datetime arithmetic overflows.
MAX_DURATION = timedelta(days=100 * 366)


class DurationTooLong(ValueError):
    """A duration longer than the caller's limit; `limit` is that limit, for the message."""

    def __init__(self, text: str, limit: timedelta) -> None:
        super().__init__(f"{text!r} is longer than {format_days(limit)}")
        self.limit = limit


def format_days(span: timedelta) -> str:
    """A limit as people write it: `60d`, `12h`, `90m`."""
    seconds = int(span.total_seconds())
    for unit in ("d", "h", "m"):
        if seconds % _SECONDS[unit] == 0:
            return f"{seconds // _SECONDS[unit]}{unit}"
    return f"{seconds}s"

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


def parse_duration(text: str, limit: timedelta = MAX_DURATION) -> timedelta | None:
    """`2d3h`, `90m`, `1w`, `3天`, `12小时` -> timedelta; None when the text is not a duration. Raises
    DurationTooLong above `limit`, which is checked on whole seconds first: a huge number never reaches
    timedelta."""
    plain = plain_units(text)
    if plain is None:
        return None
    text = plain
    if not text or _DURATION.sub("", text).strip():
        return None
    seconds = 0
    for amount, unit in _DURATION.findall(text):
        if len(amount) > 15:  # more digits than any limit has seconds (and int() refuses thousands)
            raise DurationTooLong(text, limit)
        seconds += int(amount) * _SECONDS[unit]
    if seconds > limit.total_seconds():
        raise DurationTooLong(text, limit)
    return timedelta(seconds=seconds)


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
