"""Pure rules of the challenges cog: times typed by admins, themes, tallies with shared places, points, streaks."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.commands import parse_id
from bot.errors import UserError
from bot.timeutil import DurationTooLong, format_days, known_zone, parse_duration

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PHASES = ("submissions", "voting")
MAX_THEME = 120
MAX_BRIEF = 1000
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")
HORIZON = timedelta(days=366)  # a challenge's dates lie within a year of when they are set
MAX_EXTENSION = timedelta(days=60)


def parse_when(raw: str, *, zone: str, base: datetime) -> datetime:
    """`2026-12-07 09:00` (in `zone`), `2026-12-07T09:00+01:00`, or a duration like `5d` after `base`."""
    text = raw.strip()
    try:
        delta = parse_duration(text, HORIZON)
    except DurationTooLong:
        raise UserError("challenges.errors.too_far", value=raw[:40], limit=format_days(HORIZON)) from None
    if delta is not None:
        if delta <= timedelta(0):
            raise UserError("challenges.errors.when", value=raw)
        return base + delta
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UserError("challenges.errors.when", value=raw[:40]) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZoneInfo(zone))
    when = when.astimezone(base.tzinfo)
    if when - base > HORIZON:
        raise UserError("challenges.errors.too_far", value=raw[:40], limit=format_days(HORIZON))
    return when


def parse_days(raw: int | None, default: int, option: str) -> timedelta:
    days = default if raw is None else raw
    if not 1 <= days <= 60:
        raise UserError("challenges.errors.days", option=option)
    return timedelta(days=days)


def parse_hhmm(raw: str) -> tuple[int, int]:
    match = _HHMM.match(raw.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise UserError("challenges.errors.time_of_day", value=raw)
    return int(match.group(1)), int(match.group(2))


def parse_day(raw: str) -> str:
    day = raw.strip().lower()[:3]
    if day not in DAYS:
        raise UserError("challenges.errors.day", value=raw, days=", ".join(DAYS))
    return day


def check_zone(raw: str) -> str:
    found = known_zone(raw)
    if found is None:
        raise UserError("challenges.errors.zone", zone=raw[:64])
    return found


def check_window(now: datetime, opens: datetime, submit_until: datetime, vote_until: datetime) -> None:
    """Deadlines must follow each other and lie ahead."""
    if submit_until <= max(opens, now):
        raise UserError("challenges.errors.submit_order")
    if vote_until <= submit_until:
        raise UserError("challenges.errors.vote_order")


def normalize_theme(text: str) -> str:
    return " ".join(text.casefold().split())


def check_theme(text: str) -> str:
    theme = " ".join(text.split())
    if not theme:
        raise UserError("challenges.errors.theme_empty")
    if len(theme) > MAX_THEME:
        raise UserError("challenges.errors.theme_long", limit=MAX_THEME)
    return theme


def check_brief(text: str | None) -> str:
    brief = (text or "").strip()
    if len(brief) > MAX_BRIEF:
        raise UserError("challenges.errors.brief_long", limit=MAX_BRIEF)
    return brief


@dataclass(frozen=True)
class Placed:
    entry_id: int
    votes: int
    place: int
    points: int


def rank(counts: Sequence[tuple[int, int]], points: Sequence[int] = (3, 2, 1)) -> list[Placed]:
    """Entries as (entry_id, votes) -> places with shared ties ("1, 1, 3": the next place skips).

    Tied entries share the place and its points. An entry with no votes earns no points.
    Within a tie, the earlier entry id is listed first (display order only).
    """
    ordered = sorted(counts, key=lambda item: (-item[1], item[0]))
    out: list[Placed] = []
    for index, (entry_id, votes) in enumerate(ordered):
        place = out[-1].place if out and out[-1].votes == votes else index + 1
        earned = points[place - 1] if votes > 0 and place <= len(points) else 0
        out.append(Placed(entry_id, votes, place, earned))
    return out


def streak(closed_ids: Sequence[int], entered: Iterable[int]) -> int:
    """Consecutive challenges entered, counted back from the newest of `closed_ids` (oldest first)."""
    taken = set(entered)
    count = 0
    for challenge_id in reversed(closed_ids):
        if challenge_id not in taken:
            break
        count += 1
    return count


def shuffled(entry_ids: Sequence[int], seed: int) -> list[int]:
    """A fair order for posting entries that is the same on every retry (seeded by the challenge id)."""
    import random

    order = list(entry_ids)
    random.Random(seed).shuffle(order)
    return order


def parse_film_ref(raw: str) -> int | None:
    """`12` or `#12` -> 12; None when it is not a film number (then it is a link)."""
    text = raw.strip().removeprefix("#")
    if not text.isdigit():
        return None
    film_id = parse_id(text)
    if film_id is None:  # beyond any row's number
        raise UserError("films.errors.not_found", id=text[:20])
    return film_id


def parse_extension(raw: str) -> timedelta:
    try:
        delta = parse_duration(raw, MAX_EXTENSION)
    except DurationTooLong:
        delta = None
    if delta is None or delta <= timedelta(0):
        raise UserError("challenges.errors.extend_duration", value=raw[:40])
    return delta


MAX_CATEGORIES = 12
MAX_CATEGORY = 40


def parse_categories(raw: str | None) -> tuple[str, ...]:
    """`documentary, fiction,Animation` -> ("documentary", "fiction", "animation"); () for none."""
    if not raw or not raw.strip():
        return ()
    names = tuple(dict.fromkeys(part.strip().lower() for part in raw.replace("，", ",").split(",") if part.strip()))
    if len(names) > MAX_CATEGORIES:
        raise UserError("challenges.errors.too_many_categories", limit=MAX_CATEGORIES)
    for name in names:
        if len(name) > MAX_CATEGORY:
            raise UserError("challenges.errors.category_long", limit=MAX_CATEGORY)
    return names


def check_category(raw: str | None, categories: tuple[str, ...]) -> str:
    """The entry's category: required (one of them) when the challenge has categories, else none."""
    if not categories:
        if raw:
            raise UserError("challenges.errors.no_categories")
        return ""
    name = (raw or "").strip().lower()
    if not name:
        raise UserError("challenges.errors.category_needed", choices=", ".join(categories))
    if name not in categories:
        raise UserError("challenges.errors.category", value=raw or "", choices=", ".join(categories))
    return name
