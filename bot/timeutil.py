"""Instants as stored (ISO 8601 UTC text) and parsing helpers shared by the core and the cogs."""

from __future__ import annotations

import functools
import re
import zoneinfo
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_DURATION = re.compile(r"(\d+)\s*(w|d|h|m|s)", re.IGNORECASE)
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


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
    """`2d3h`, `90m`, `1w` -> timedelta; None when the text is not a duration."""
    text = text.strip().lower()
    if not text or _DURATION.sub("", text).strip():
        return None
    total = timedelta()
    for amount, unit in _DURATION.findall(text):
        total += timedelta(**{_UNITS[unit.lower()]: int(amount)})
    return total


_ZONE_NAME = re.compile(r"^[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+){0,2}$")


def known_zone(name: str) -> str | None:
    """The IANA zone name if `name` is one (surrounding spaces ignored), else None.

    Names are checked for their shape before zoneinfo looks for a file: a long or odd name otherwise
    surfaces as an OSError that carries a file path."""
    name = name.strip()
    if not name or len(name) > 64 or not _ZONE_NAME.match(name):
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None
    return name


@functools.cache
def _zone_names() -> tuple[str, ...]:
    """Every IANA zone this machine knows (tzdata), the legacy aliases (US/Eastern, Etc/...) last."""
    names = zoneinfo.available_timezones()
    return tuple(sorted(names, key=lambda name: ("/" not in name or name.startswith(("Etc/", "US/")), name)))


def zones_like(text: str, limit: int = 25) -> list[str]:
    """Zone names matching what someone typed so far: `ber` -> Europe/Berlin, `new york` ->
    America/New_York; names whose city starts with it come first, then any containing it."""
    wanted = text.strip().lower().replace(" ", "_")
    if not wanted:
        return list(_zone_names()[:limit])
    starts = [name for name in _zone_names() if name.lower().rsplit("/", 1)[-1].startswith(wanted)
              or name.lower().startswith(wanted)]
    contains = [name for name in _zone_names() if wanted in name.lower() and name not in starts]
    return (starts + contains)[:limit]
