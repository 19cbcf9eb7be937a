"""Pure rules of the festivals cog: tiers, local times in a zone, fees, categories, reminder times."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from bot.errors import UserError
from bot.links import LinkRefused, safe_link
from bot.timeutil import DurationTooLong, format_days, known_zone, parse_duration

# In calendar order; "opening" is when entries open, the others are deadlines.
TIERS = ("opening", "early", "regular", "late", "extended", "final")
DEADLINE_TIERS = TIERS[1:]
STATUSES = ("submitted", "selected", "rejected", "withdrawn")
MAX_NAME = 120
MAX_TEXT = 300
MAX_FEE_CENTS = 100_000_00
DEFAULT_TIME = time(23, 59)
MAX_WITHIN = timedelta(days=3 * 366)  # /festivals looks at most this far ahead
_LOCAL = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}):(\d{2}))?$")
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")


@dataclass(frozen=True)
class LocalInstant:
    """A wall time in a zone and the UTC instant it means; `ambiguous` when the clock shows it twice."""

    local: datetime  # naive wall time
    instant: datetime  # aware, UTC
    ambiguous: bool = False


def check_zone(name: str) -> str:
    found = known_zone(name)
    if found is None:
        raise UserError("festivals.errors.zone", zone=name.strip()[:64])
    return found


def check_tier(raw: str) -> str:
    tier = raw.strip().lower()
    if tier not in TIERS:
        raise UserError("festivals.errors.tier", tier=raw, tiers=", ".join(TIERS))
    return tier


def parse_local(text: str) -> datetime:
    """`2027-03-28 02:30`, `2027-03-28T02:30` or `2027-03-28` (23:59) -> a naive wall time."""
    match = _LOCAL.match(text.strip())
    if match is None:
        raise UserError("festivals.errors.when", value=text)
    try:
        day = date.fromisoformat(match.group(1))
        clock = time(int(match.group(2)), int(match.group(3))) if match.group(2) else DEFAULT_TIME
    except ValueError:
        raise UserError("festivals.errors.when", value=text) from None
    return datetime.combine(day, clock)


def resolve_local(wall: datetime, zone: str) -> LocalInstant:
    """The UTC instant of a wall time in `zone`. A time skipped by a daylight-saving change is refused;
    a time the clock shows twice takes its first occurrence (the earlier instant, the safer deadline)."""
    tz = ZoneInfo(zone)
    first = wall.replace(tzinfo=tz, fold=0)
    second = wall.replace(tzinfo=tz, fold=1)
    back = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    if back != wall:
        raise UserError("festivals.errors.no_such_time", when=wall.strftime("%Y-%m-%d %H:%M"), zone=zone)
    return LocalInstant(wall, first.astimezone(UTC), ambiguous=first.utcoffset() != second.utcoffset())


def future_local(text: str, zone: str, now: datetime) -> LocalInstant:
    found = resolve_local(parse_local(text), zone)
    if found.instant <= now:
        raise UserError("festivals.errors.past", when=found.local.strftime("%Y-%m-%d %H:%M"), zone=zone)
    return found


def parse_fee(raw: str | None) -> int | None:
    """`25`, `25.5`, `25,50`, `€25` -> cents; None when not given. Negative or absurd fees are refused."""
    if raw is None or not str(raw).strip():
        return None
    text = str(raw).strip().replace(",", ".").lstrip("$€£¥").strip()
    if text.lower() in ("free", "0"):
        return 0
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise UserError("festivals.errors.fee", value=raw) from None
    if not value.is_finite():
        raise UserError("festivals.errors.fee", value=raw)
    if value < 0:
        raise UserError("festivals.errors.fee_negative", value=raw)
    cents = int((value * 100).to_integral_value())
    if cents > MAX_FEE_CENTS:
        raise UserError("festivals.errors.fee", value=raw)
    return cents


def format_fee(cents: int | None, currency: str) -> str:
    if cents is None:
        return "—"
    whole, part = divmod(cents, 100)
    return f"{whole} {currency}" if part == 0 else f"{whole}.{part:02d} {currency}"


def parse_categories(raw: str) -> tuple[str, ...]:
    found: list[str] = []
    for part in re.split(r"[,，;]", raw):
        word = part.strip().lower()
        if word and word not in found:
            found.append(word[:40])
    return tuple(found[:12])


def check_url(raw: str) -> str:
    """A festival's website, as /share takes links: hidden characters refused, a `user@` part dropped."""
    try:
        return safe_link(raw.strip())
    except LinkRefused:
        raise UserError("festivals.errors.url", url=raw.strip()[:200]) from None


def check_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name:
        raise UserError("festivals.errors.name_empty")
    if len(name) > MAX_NAME:
        raise UserError("festivals.errors.name_long", limit=MAX_NAME)
    return name


def check_text(raw: str, option: str) -> str:
    text = raw.strip()
    if len(text) > MAX_TEXT:
        raise UserError("festivals.errors.text_long", option=option, limit=MAX_TEXT)
    return text


def check_currency(raw: str) -> str:
    if not _CURRENCY.match(raw.strip()):
        raise UserError("festivals.errors.currency", value=raw)
    return raw.strip().upper()


def parse_day(raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise UserError("festivals.errors.date", value=raw) from None


def parse_event(raw: str) -> tuple[date, date]:
    """`2027-06-10` or `2027-06-10..2027-06-14` -> first and last day."""
    start_text, _, end_text = raw.partition("..")
    start = parse_day(start_text)
    end = parse_day(end_text) if end_text else start
    if end < start:
        raise UserError("festivals.errors.event_order", value=raw)
    return start, end


def parse_offsets(raw: tuple[str, ...]) -> list[tuple[str, timedelta]]:
    """Config offsets like ("30d", "7d", "1d") -> (label, delta) pairs; ValueError names a bad one."""
    out = []
    for label in raw:
        try:
            delta = parse_duration(label, MAX_WITHIN)
        except DurationTooLong:
            delta = None
        if delta is None or delta <= timedelta(0):
            raise ValueError(f"{label!r} is not a duration like 7d or 12h (at most {format_days(MAX_WITHIN)})")
        out.append((label, delta))
    return out


def duration_or_fail(raw: str, option: str, limit: timedelta = MAX_WITHIN) -> timedelta:
    try:
        delta = parse_duration(raw, limit)
    except DurationTooLong:
        raise UserError("festivals.errors.duration_long", option=option, limit=format_days(limit)) from None
    if delta is None or delta <= timedelta(0):
        raise UserError("festivals.errors.duration", option=option, value=raw[:40])
    return delta


def fee_rises(tiers: list[tuple[str, datetime, int | None]]) -> list[tuple[str, datetime, str, int, int]]:
    """(tier, ends_at, next tier, fee now, next fee) for each deadline tier followed by a dearer one."""
    ordered = sorted((t for t in tiers if t[0] != "opening"), key=lambda t: t[1])
    out = []
    for current, following in zip(ordered, ordered[1:], strict=False):
        if current[2] is not None and following[2] is not None and following[2] > current[2]:
            out.append((current[0], current[1], following[0], current[2], following[2]))
    return out


def before(instant: datetime, delta: timedelta, zone: str) -> datetime:
    """`delta` before `instant`. Whole days count as local calendar days, so "1d before 23:59" stays 23:59
    local even across a daylight-saving change; other spans are exact."""
    if delta % timedelta(days=1):
        return instant - delta
    tz = ZoneInfo(zone)
    wall = instant.astimezone(tz).replace(tzinfo=None) - delta
    return wall.replace(tzinfo=tz).astimezone(UTC)


def notification_instant(day: date, zone: str, hour: int) -> datetime:
    """The reminder for a notification date: `hour` o'clock local on the day before."""
    wall = datetime.combine(day - timedelta(days=1), time(hour, 0))
    tz = ZoneInfo(zone)
    return wall.replace(tzinfo=tz).astimezone(UTC)


def tier_rank(tier: str) -> int:
    return TIERS.index(tier)
