from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FestivalSettings:
    """[festivals] in the config."""

    reminder_offsets: tuple[str, ...] = ("30d", "7d", "1d")  # reminders before every deadline
    fee_rise_notice: str = "3d"  # "fee rises in 3 days" before a tier ends
    default_within: str = "30d"  # how far ahead /festivals looks by default
    list_limit: int = 15  # deadlines shown by /festivals and /festivals fit
    max_ics_events: int = 1000  # larger calendars are refused whole
    max_ics_bytes: int = 2_000_000  # larger files are refused whole
    alarm: str = "1d"  # VALARM trigger in exported calendars
    notification_hour: int = 9  # local hour of the reminder the day before a notification date
