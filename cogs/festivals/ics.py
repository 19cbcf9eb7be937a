"""iCalendar in and out with the icalendar library.

Out: one VEVENT per deadline tier, DTSTART in UTC, a VALARM, and a stable UID
(`festival-<id>-<tier>@microfilm-bot`) so calendar apps update events rather than duplicate them.

In: each VEVENT is one tier of one festival. SUMMARY "Name — Tier" (also "Name - Tier", "Name: Tier") names
both; without a tier there, a tier word among CATEGORIES is used, else the event is the festival's final
deadline. DTSTART gives the instant (a date alone means 23:59 local). The zone is X-MICROFILM-ZONE, else
DTSTART's TZID, else the calendar's X-WR-TIMEZONE, else UTC. URL, LOCATION ("City, Country"), CATEGORIES,
X-MICROFILM-FEE (or "fee 25" in DESCRIPTION), X-MICROFILM-CURRENCY and X-MICROFILM-MAX-RUNTIME (minutes) fill
in the rest.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from icalendar import Alarm, Calendar, Event

from bot.errors import UserError
from bot.timeutil import known_zone
from cogs.festivals import logic
from cogs.festivals.repository import Deadline, Festival

_SEPARATORS = (" — ", " – ", " - ", ": ")
_SYNONYMS = {
    "open": "opening",
    "opens": "opening",
    "earlybird": "early",
    "standard": "regular",
    "extension": "extended",
    "last": "final",
}
_FEE = re.compile(r"fee\D{0,12}(\d+(?:[.,]\d{1,2})?)", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedTier:
    tier: str
    instant: datetime  # UTC
    fee_cents: int | None


@dataclass
class ParsedFestival:
    name: str
    zone: str
    url: str = ""
    categories: tuple[str, ...] = ()
    country: str = ""
    city: str = ""
    currency: str = ""
    max_runtime_seconds: int | None = None
    tiers: dict[str, ParsedTier] = field(default_factory=dict)


# -- in ------------------------------------------------------------------------------------------------------


def parse_calendar(data: bytes, *, max_events: int, max_bytes: int) -> list[ParsedFestival]:
    """Every festival in the file, or a UserError naming the first problem (nothing is half-read)."""
    if len(data) > max_bytes:
        raise UserError("festivals.errors.ics_size", limit=max_bytes // 1000)
    count = data.upper().count(b"BEGIN:VEVENT")
    if count > max_events:
        raise UserError("festivals.errors.ics_too_many", count=count, limit=max_events)
    try:
        calendar = Calendar.from_ical(data)
        events = [c for c in calendar.walk("VEVENT")]
    except (ValueError, IndexError, KeyError, TypeError) as exc:
        raise UserError("festivals.errors.ics_malformed", reason=str(exc)[:120]) from None
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise UserError("festivals.errors.ics_malformed", reason="no VCALENDAR")
    if not events:
        raise UserError("festivals.errors.ics_empty")
    default_zone = _zone_name(str(calendar.get("X-WR-TIMEZONE", "UTC")), "UTC")
    found: dict[str, ParsedFestival] = {}
    for number, event in enumerate(events, start=1):
        _add_event(found, event, number, default_zone)
    return list(found.values())


def _add_event(found: dict[str, ParsedFestival], event: Any, number: int, default_zone: str) -> None:
    summary = str(event.get("SUMMARY", "")).strip()
    if not summary:
        raise UserError("festivals.errors.ics_event", number=number, problem="SUMMARY")
    categories = _categories(event)
    name, tier = _name_and_tier(summary, categories)
    name = logic.check_name(name)
    start = event.get("DTSTART")
    if start is None:
        raise UserError("festivals.errors.ics_event", number=number, problem="DTSTART")
    value = start.dt
    zone = (
        _zone_name(str(event.get("X-MICROFILM-ZONE", "")), "")
        or _zone_name(getattr(getattr(value, "tzinfo", None), "key", "") or "", "")
        or default_zone
    )
    instant = _instant(value, zone)
    festival = found.setdefault(name.lower(), ParsedFestival(name=name, zone=zone))
    if tier in festival.tiers:
        raise UserError("festivals.errors.ics_twice", name=name, tier=tier)
    festival.tiers[tier] = ParsedTier(tier, instant, _fee(event))
    _fill(festival, event, categories)


def _name_and_tier(summary: str, categories: list[str]) -> tuple[str, str]:
    for separator in _SEPARATORS:
        if separator in summary:
            left, right = summary.rsplit(separator, 1)
            tier = _tier_word(right)
            if tier:
                return left, tier
    for category in categories:
        tier = _tier_word(category)
        if tier:
            return summary, tier
    return summary, "final"


def _tier_word(text: str) -> str | None:
    for word in re.findall(r"[a-z]+", text.lower().replace("early bird", "earlybird")):
        word = _SYNONYMS.get(word, word)
        if word in logic.TIERS:
            return word
    return None


def _categories(event: Any) -> list[str]:
    raw = event.get("CATEGORIES")
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else [raw]
    out: list[str] = []
    for item in items:
        for cat in getattr(item, "cats", [item]):
            out.append(str(cat).strip().lower())
    return [cat for cat in out if cat]


def _zone_name(name: str, fallback: str) -> str:
    return known_zone(name) or fallback


def _instant(value: Any, zone: str) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value.astimezone(UTC)
        return logic.resolve_local(value, zone).instant
    if isinstance(value, date):
        return logic.resolve_local(datetime.combine(value, logic.DEFAULT_TIME), zone).instant
    raise UserError("festivals.errors.ics_malformed", reason="DTSTART")


def _fee(event: Any) -> int | None:
    raw = event.get("X-MICROFILM-FEE")
    if raw is None:
        match = _FEE.search(str(event.get("DESCRIPTION", "")))
        raw = match.group(1) if match else None
    return logic.parse_fee(str(raw)) if raw is not None else None


def _fill(festival: ParsedFestival, event: Any, categories: list[str]) -> None:
    url = str(event.get("URL", "")).strip()
    if url and not festival.url:
        # A broken URL is left out rather than refusing the whole calendar.
        with contextlib.suppress(UserError):
            festival.url = logic.check_url(url)
    kept = tuple(cat for cat in categories if _SYNONYMS.get(cat, cat) not in logic.TIERS)
    festival.categories = tuple(dict.fromkeys(festival.categories + logic.parse_categories(",".join(kept))))
    location = str(event.get("LOCATION", "")).strip()
    if location and not (festival.city or festival.country):
        city, _, country = location.rpartition(",")
        festival.city, festival.country = city.strip()[:80], country.strip()[:80]
    currency = str(event.get("X-MICROFILM-CURRENCY", "")).strip()
    if currency and not festival.currency and re.fullmatch(r"[A-Za-z]{3}", currency):
        festival.currency = currency.upper()
    runtime = str(event.get("X-MICROFILM-MAX-RUNTIME", "")).strip()
    if runtime.isdigit() and festival.max_runtime_seconds is None:
        festival.max_runtime_seconds = int(runtime) * 60


# -- out -----------------------------------------------------------------------------------------------------


def build_calendar(
    items: list[tuple[Festival, list[Deadline]]], *, alarm: timedelta, now: datetime, name: str
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//microfilm-bot//festival deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for festival, deadlines in items:
        for deadline in deadlines:
            calendar.add_component(_event(festival, deadline, alarm, now))
    return calendar.to_ical()


def _event(festival: Festival, deadline: Deadline, alarm: timedelta, now: datetime) -> Event:
    summary = f"{festival.name} — {deadline.tier.capitalize()}"
    event = Event()
    event.add("uid", f"festival-{festival.id}-{deadline.tier}@microfilm-bot")
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", deadline.due_at.astimezone(UTC))
    event.add("summary", summary)
    if festival.url:
        event.add("url", festival.url)
    if festival.categories:
        event.add("categories", list(festival.categories))
    location = ", ".join(part for part in (festival.city, festival.country) if part)
    if location:
        event.add("location", location)
    local = deadline.local.strftime("%Y-%m-%d %H:%M")
    fee = logic.format_fee(deadline.fee_cents, festival.currency)
    event.add("description", f"{deadline.tier.capitalize()} deadline: {local} {festival.zone}. Fee: {fee}.")
    event.add("x-microfilm-zone", festival.zone)
    event.add("x-microfilm-currency", festival.currency)
    if deadline.fee_cents is not None:
        event.add("x-microfilm-fee", f"{deadline.fee_cents / 100:.2f}")
    if festival.max_runtime_seconds:
        event.add("x-microfilm-max-runtime", str(festival.max_runtime_seconds // 60))
    reminder = Alarm()
    reminder.add("action", "DISPLAY")
    reminder.add("description", summary)
    reminder.add("trigger", -alarm)
    event.add_component(reminder)
    return event
