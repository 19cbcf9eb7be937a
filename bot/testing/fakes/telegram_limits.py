"""Telegram's flood limits, enforced when asked for (``FakeTelegram(real_limits=True)``).

Telegram publishes three numbers for bots (Bots FAQ) and no algorithm:

- about one message per second in a private chat (``chat_limit``, default (1, 1.0));
- at most 20 messages per minute in a group or supergroup (``group_limit``, default (20, 60.0));
- about 30 messages per second overall (``overall_limit``, default (30, 1.0)).

Each is read literally, as a :class:`~bot.testing.fakes.rate_windows.SlidingWindow` (at most N in any
trailing period): Telegram promises no more (its FAQ only says short bursts in one chat "may" pass), so
a bot that keeps to these windows keeps to the published numbers. What counts is a message sent or
edited: sendMessage, sendDocument, sendPhoto and editMessageText, in the chat their ``chat_id`` names
(an inline message's edit names none and is not counted). A call refused, for a limit or for anything
else, uses up no slot.

Over a limit, Telegram answers 429 ``Too Many Requests: retry after N`` with ``parameters.retry_after``
N, whole seconds and at least 1; when more than one limit is full, N is the longest wait, since retrying
sooner would only fail again.

Two consequences worth knowing when reading a benchmark (tests/test_fake_telegram.py shows both): PTB's
AIORateLimiter is a leaky bucket (a burst of max_rate, then max_rate per period steadily), so configured
with the very same numbers it overshoots a sliding window once a burst is longer than max_rate and
relies on its retries (which also reorder the burst); configured with half the rate over the same period
it never does (at most rate/2 + rate/2 in any period). And it has no per-private-chat limiter at all.
"""

from __future__ import annotations

import math
import time
from collections import Counter

from .rate_windows import Clock, SlidingWindow
from .telegram_state import JSON, ApiError

# The methods that put a message into a chat (or rewrite one): what the limits count.
LIMITED_METHODS = frozenset({"sendMessage", "sendDocument", "sendPhoto", "editMessageText"})


class TelegramLimits:
    """Per-chat, per-group and overall windows, with a count of the 429s answered by kind."""

    def __init__(self, chat_limit: tuple[int, float] = (1, 1.0), group_limit: tuple[int, float] = (20, 60.0),
                 overall_limit: tuple[int, float] = (30, 1.0), clock: Clock = time.monotonic) -> None:
        self.chat_limit = chat_limit
        self.group_limit = group_limit
        self.overall = SlidingWindow(*overall_limit, clock=clock)
        self.chats: dict[int, SlidingWindow] = {}
        self.hits: Counter[str] = Counter()  # "chat" / "group" / "overall" -> 429s answered
        self._clock = clock

    def check(self, chat: JSON) -> None:
        """Raise Telegram's 429 if a message to ``chat`` now would break a limit."""
        kind, wait = max(self._waits(chat), key=lambda pair: pair[1])
        if wait > 0:
            self.hits[kind] += 1
            retry_after = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})

    def record(self, chat: JSON) -> None:
        """Count a message that went through."""
        self.overall.take()
        self._window(chat).take()

    def _waits(self, chat: JSON) -> list[tuple[str, float]]:
        kind = "chat" if chat["type"] == "private" else "group"
        return [("overall", self.overall.wait()), (kind, self._window(chat).wait())]

    def _window(self, chat: JSON) -> SlidingWindow:
        if chat["id"] not in self.chats:
            limit = self.chat_limit if chat["type"] == "private" else self.group_limit
            self.chats[chat["id"]] = SlidingWindow(*limit, clock=self._clock)
        return self.chats[chat["id"]]
