"""Each platform's published sending limits, and the pacer the outbox plans its deliveries by.

A platform declares its `Pace`: how many messages a chat (a group or channel, or a private chat) takes
in a period, and how many the bot may send overall. The outbox keeps one `Pacer` per platform and asks
it, before each send, how long that chat (and the bot as a whole) must wait; a chat at its limit is set
aside while other chats' messages go, so a long backlog in one channel never holds up a receipt, and the
platform never has to answer with a 429. Each limit is kept as a sliding window (at most N sends in any
trailing period), the strictest reading of what the platforms publish.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.count / self.seconds


@dataclass(frozen=True)
class Pace:
    """A platform's limits; empty for one that has none (the console)."""

    chat: tuple[Rate, ...] = ()     # per group chat or channel
    private: tuple[Rate, ...] = ()  # per private chat
    overall: Rate | None = None     # every message the bot sends

    def __bool__(self) -> bool:
        return bool(self.chat or self.private or self.overall)


# A send is counted here when it leaves and by the platform when it arrives; two sends a period apart
# can arrive closer than that when the first is delayed on the way, so each window is a little longer.
ARRIVAL_GUARD = 0.1


class Window:
    """At most `rate.count` sends in any trailing `rate.seconds` (plus the arrival guard)."""

    def __init__(self, rate: Rate) -> None:
        self.rate = rate
        self.period = rate.seconds + ARRIVAL_GUARD
        self.sent: deque[float] = deque()

    def wait(self, now: float) -> float:
        while self.sent and self.sent[0] <= now - self.period:
            self.sent.popleft()
        if len(self.sent) < self.rate.count:
            return 0.0
        return self.sent[0] + self.period - now

    def note(self, now: float) -> None:
        self.sent.append(now)

    def idle(self, now: float) -> bool:
        return not self.sent or self.sent[-1] <= now - self.period


class Pacer:
    def __init__(self, pace: Pace, clock: Callable[[], float] = time.monotonic,
                 chat_of: Callable[[str], str] = str) -> None:
        self.pace = pace
        self.clock = clock
        self.chat_of = chat_of  # the chat whose limit a target counts against (a forum topic's: its group's)
        self.overall = Window(pace.overall) if pace.overall else None
        self.chats: dict[str, list[Window]] = {}

    def chat_wait(self, target: str, private: bool) -> float:
        """Seconds before `target` takes another message (0: now)."""
        now = self.clock()
        return max((window.wait(now) for window in self._windows(target, private)), default=0.0)

    def overall_wait(self) -> float:
        """Seconds before the bot may send anything more (0: now)."""
        return self.overall.wait(self.clock()) if self.overall is not None else 0.0

    async def acquire(self, target: str, private: bool) -> None:
        """Wait until a message to `target` may go, and take its slot (checked and taken with no await in
        between, so the outbox and answers sent at the same moment never overshoot together)."""
        while (wait := max(self.chat_wait(target, private), self.overall_wait())) > 0:
            await asyncio.sleep(wait)
        now = self.clock()
        for window in self._windows(target, private):
            window.note(now)
        if self.overall is not None:
            self.overall.note(now)
        if len(self.chats) > 1000:  # forget chats quiet for a whole period, so memory stays flat
            self.chats = {key: windows for key, windows in self.chats.items()
                          if not all(window.idle(now) for window in windows)}

    def _windows(self, target: str, private: bool) -> list[Window]:
        key = f"{int(private)}:{self.chat_of(target)}"
        windows = self.chats.get(key)
        if windows is None:
            windows = self.chats[key] = [Window(rate) for rate in (self.pace.private if private else self.pace.chat)]
        return windows


def drain_seconds(pace: Pace, backlog: Iterable[tuple[bool, int]]) -> float:
    """How long a backlog takes at this pace: (private, messages waiting) per chat. The slowest chat or
    the overall limit, whichever is longer."""
    longest, total = 0.0, 0
    for private, count in backlog:
        total += count
        for rate in pace.private if private else pace.chat:
            longest = max(longest, _span(count, rate))
    return max(longest, _span(total, pace.overall)) if pace.overall else longest


def _span(count: int, rate: Rate) -> float:
    """From the first to the last of `count` sends at `rate`: a window's worth goes at once."""
    return (math.ceil(count / rate.count) - 1) * rate.seconds if count > 0 else 0.0


class Pacing:
    """The outbox's side: each platform's Pacer (through which the platform sends every message, answers
    included), and the chats held at their limit until they may take messages again (their rows are left
    out of the due pages meanwhile)."""

    def __init__(self, pacer_of: Callable[[str], Pacer | None]) -> None:
        self.pacer_of = pacer_of
        self._held: dict[str, dict[str, float]] = {}  # platform -> target -> time.monotonic() it may send

    def admit(self, name: str, target: str, private: bool) -> bool:
        """Whether a message to `target` may go now; a chat at its limit is held meanwhile. (The bot's
        overall limit is waited for by the platform's send, as for every message it sends.)"""
        pacer = self.pacer_of(name)
        if pacer is None or (wait := pacer.chat_wait(target, private)) <= 0:
            return True
        self._held.setdefault(name, {})[target] = time.monotonic() + wait
        return False

    def held(self, name: str) -> list[str]:
        """The targets of `name` still at their limit."""
        held = self._held.get(name)
        if not held:
            return []
        now = time.monotonic()
        for target in [target for target, until in held.items() if until <= now]:
            del held[target]
        return list(held)

    def resume_in(self, name: str) -> float | None:
        """Seconds until the first held chat of `name` takes messages again (None: none is held)."""
        held = self._held.get(name)
        return max(0.0, min(held.values()) - time.monotonic()) if held else None

    def drain_seconds(self, name: str, backlog: Iterable[tuple[bool, int]]) -> float:
        pacer = self.pacer_of(name)
        return drain_seconds(pacer.pace, backlog) if pacer is not None else 0.0
