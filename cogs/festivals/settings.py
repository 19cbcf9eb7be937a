from __future__ import annotations

from dataclasses import dataclass

from bot.settings import setting
from cogs.festivals.logic import parse_offsets


@dataclass(frozen=True)
class FestivalSettings:
    """[festivals] in the config."""

    reminder_offsets: tuple[str, ...] = ("30d", "7d", "1d")  # reminders before every deadline
    fee_rise_notice: str = "3d"  # "fee rises in 3 days" before a tier ends
    default_within: str = "30d"  # how far ahead /festivals looks by default
    list_limit: int = setting(15, low=1, high=100)  # deadlines shown by /festivals and /festivals fit
    max_ics_events: int = setting(1000, low=1, high=100_000)  # larger calendars are refused whole
    max_ics_bytes: int = setting(2_000_000, low=1000, high=100_000_000)  # larger files are refused whole
    alarm: str = "1d"  # VALARM trigger in exported calendars
    notification_hour: int = setting(9, low=0, high=23)  # local hour of the reminder before a notification date

    def problems(self) -> list[str]:
        found = []
        for key in ("reminder_offsets", "fee_rise_notice", "default_within", "alarm"):
            value = getattr(self, key)
            try:
                parse_offsets(value if isinstance(value, tuple) else (value,))
            except ValueError as exc:
                found.append(f"festivals.{key}: {exc}")
        return found

