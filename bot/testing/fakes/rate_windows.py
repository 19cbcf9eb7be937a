"""Counting windows for the fakes' optional real rate limits (FakeDiscord and FakeTelegram ``real_limits``).

Two shapes, because the two platforms publish their limits differently:

- :class:`FixedWindow` is Discord's bucket: it opens with the first request, lets ``limit`` requests
  through and resets ``period`` seconds after it opened, however the requests were spread. That is what
  Discord's ``X-RateLimit-Reset-After`` describes, and what discord.py paces itself by.
- :class:`SlidingWindow` is the literal reading of Telegram's "no more than N per period": at most
  ``limit`` requests in any trailing ``period``. A client keeping to the published numbers never trips
  it; one that bursts at the start of each period and keeps a steady rate after (a leaky bucket such as
  PTB's AIORateLimiter) can.

Both count only what they are told to :meth:`take`, so a request answered 429 uses up no slot. The clock
is injectable (monotonic seconds) so a unit test needs no sleeping.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

Clock = Callable[[], float]


class FixedWindow:
    """``limit`` requests per window that starts at the first request and lasts ``period`` seconds."""

    def __init__(self, limit: int, period: float, clock: Clock = time.monotonic) -> None:
        if limit < 1 or period <= 0:
            raise ValueError(f"a window needs limit >= 1 and period > 0, not ({limit}, {period})")
        self.limit = limit
        self.period = period
        self._clock = clock
        self._start: float | None = None  # None: no window open (never used, or it has reset)
        self._used = 0

    def _roll(self) -> float:
        """The current time, after closing a window that has run out."""
        now = self._clock()
        if self._start is not None and now - self._start >= self.period:
            self._start, self._used = None, 0
        return now

    def wait(self) -> float:
        """Seconds until a request may go (0.0: it may go now)."""
        now = self._roll()
        if self._start is None or self._used < self.limit:
            return 0.0
        return self._start + self.period - now

    def take(self) -> None:
        """Count one request, opening a window if none is open."""
        now = self._roll()
        if self._start is None:
            self._start = now
        self._used += 1

    @property
    def remaining(self) -> int:
        self._roll()
        return max(self.limit - self._used, 0)

    @property
    def reset_after(self) -> float:
        """Seconds until the open window resets (a full period when none is open)."""
        now = self._roll()
        return self.period if self._start is None else self._start + self.period - now


class SlidingWindow:
    """At most ``limit`` requests in any ``period`` seconds: the times of the recent ones, oldest first."""

    def __init__(self, limit: int, period: float, clock: Clock = time.monotonic) -> None:
        if limit < 1 or period <= 0:
            raise ValueError(f"a window needs limit >= 1 and period > 0, not ({limit}, {period})")
        self.limit = limit
        self.period = period
        self._clock = clock
        self._times: deque[float] = deque()

    def _forget(self) -> float:
        now = self._clock()
        while self._times and now - self._times[0] >= self.period:
            self._times.popleft()
        return now

    def wait(self) -> float:
        """Seconds until the oldest counted request ages out, if the window is full (else 0.0)."""
        now = self._forget()
        if len(self._times) < self.limit:
            return 0.0
        return self._times[0] + self.period - now

    def take(self) -> None:
        self._times.append(self._forget())
