"""The console script language (see README, "The console"): one action per line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.timeutil import DurationTooLong, format_days, parse_duration

# Scripts move the clock at most this far: commands add years to "now" (deadlines, windows), and a clock
# near datetime's end (year 9999) would leave them no room.
CLOCK_LIMIT = datetime(9000, 1, 1, tzinfo=UTC)
MAX_STEP = timedelta(days=100 * 366)


class ScriptError(ValueError):
    def __init__(self, line_number: int, reason: str) -> None:
        super().__init__(f"line {line_number}: {reason}")
        self.line_number = line_number
        self.reason = reason


@dataclass(frozen=True)
class Say:
    user: str
    chat: str | None          # None: the default group chat
    private: bool
    text: str


@dataclass(frozen=True)
class React:
    user: str
    emoji: str
    added: bool
    target: int | str         # bot message number, or text the newest group message contains


@dataclass(frozen=True)
class Press:
    user: str
    label: str
    target: int | str


@dataclass(frozen=True)
class Advance:
    delta: timedelta


@dataclass(frozen=True)
class MoveTo:
    instant: datetime


Action = Say | React | Press | Advance | MoveTo

_NAME = r"[A-Za-z0-9_][A-Za-z0-9_.\-]*"
_SAY = re.compile(rf"^({_NAME})(?:@(dm)|#([A-Za-z0-9_\-]+))?:\s?(.*)$", re.DOTALL)
_REACT = re.compile(rf"^({_NAME})\s+([+-])(\S+)\s+(.+)$")
_PRESS = re.compile(rf"^({_NAME})\s+\[([^\]]+)\]\s+(.+)$")


def parse_line(line: str, number: int) -> Action | None:
    """One script line -> an action; None for blanks and comments; ScriptError when malformed."""
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return None
    if stripped.startswith("~"):
        return _clock(stripped[1:].strip(), number)
    if match := _PRESS.match(stripped):
        return Press(match.group(1), match.group(2).strip(), _target(match.group(3), number))
    if match := _REACT.match(stripped):
        return React(match.group(1), match.group(3), match.group(2) == "+", _target(match.group(4), number))
    if match := _SAY.match(stripped):
        text = match.group(4).strip()
        if not text:
            raise ScriptError(number, "nothing is said after the colon")
        return Say(match.group(1), match.group(3), match.group(2) == "dm", text)
    raise ScriptError(number, f"cannot read {stripped[:60]!r}: expected 'name: text', 'name +emoji N', "
                              "'name [Button] N' or '~ +2d3h'")


def _target(raw: str, number: int) -> int | str:
    raw = raw.strip()
    if raw.isdigit():
        return int(raw)
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return raw[1:-1]
    raise ScriptError(number, f"a message is named by its number or by quoted text, not {raw!r}")


def _clock(raw: str, number: int) -> Advance | MoveTo:
    if raw.startswith("+"):
        try:
            delta = parse_duration(raw[1:], MAX_STEP)
        except DurationTooLong:
            raise ScriptError(number, f"the clock moves at most {format_days(MAX_STEP)} in one line, "
                                      f"not {raw[:40]!r}") from None
        if delta is None:
            raise ScriptError(number, f"cannot read the duration {raw[:40]!r}; write it like +2d3h or +90m")
        return Advance(delta)
    try:
        instant = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ScriptError(number, f"cannot read the time {raw[:40]!r}; write it like 2026-12-07T09:00Z") from None
    if instant.tzinfo is None:
        raise ScriptError(number, f"the time {raw!r} needs a zone: end it with Z or an offset like +01:00")
    try:
        instant = instant.astimezone(UTC)
    except OverflowError:
        instant = CLOCK_LIMIT + timedelta(days=1)  # at datetime's very edge: past the limit in any case
    check_clock(instant, number)
    return MoveTo(instant)


def check_clock(instant: datetime, number: int) -> None:
    if instant >= CLOCK_LIMIT:
        raise ScriptError(number, f"the clock cannot go past {CLOCK_LIMIT.date().isoformat()} (it would leave "
                                  "commands no room for their dates)")


def parse_script(text: str) -> list[tuple[int, Action]]:
    actions = []
    for number, line in enumerate(text.splitlines(), start=1):
        action = parse_line(line, number)
        if action is not None:
            actions.append((number, action))
    return actions


def script_start(actions: list[tuple[int, Action]]) -> datetime | None:
    """Where the virtual clock starts: the first clock line's instant when it sets one."""
    for _, action in actions:
        if isinstance(action, MoveTo):
            return action.instant
        if isinstance(action, Advance):
            return None
    return None
