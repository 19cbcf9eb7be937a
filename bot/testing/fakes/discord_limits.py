"""Discord's real rate limits, enforced when asked for (``FakeDiscord(real_limits=True)``).

Two rules, the ones a busy bot meets first:

- per channel: message creates (``POST /channels/{id}/messages``) share one bucket per channel, 5 per
  5 s by default. The bucket is a :class:`~bot.testing.fakes.rate_windows.FixedWindow`, as on Discord:
  it opens with the first create and resets a period later. Every create carries the bucket in its
  ``X-RateLimit-*`` headers (Limit, Remaining, Reset, Reset-After, Bucket), which is what lets discord.py
  pace itself: once Remaining is 0 it sleeps Reset-After before the next create in that channel.
- global: 50 requests per second per bot over all routes, also a fixed window. Interaction endpoints
  (the callback, and follow-ups and edits through the interaction token) are exempt, as Discord
  documents. No header announces this limit; discord.py only learns of it from a 429 with
  ``"global": true``, then holds every request until ``retry_after`` has passed.

A request over a limit is answered as Discord answers it (discord_http.rate_limited): 429, the JSON
body ``{"message", "retry_after" (seconds, float), "global"}``, ``Via`` (without it discord.py takes the
429 for a Cloudflare ban) and ``X-RateLimit-Scope``. The global rule is checked first, as Discord's
layers are. Only requests let through use up a window: a 429 does not (on Discord it counts towards the
invalid-request limit instead, which the fake does not model).
"""

from __future__ import annotations

import math
import time
from collections import Counter

from bot.testing.fakes.discord_http import JSON, bucket_hash, rate_limited
from bot.testing.fakes.rate_windows import Clock, FixedWindow

MESSAGE_CREATE = ("POST", "/channels/{channel_id}/messages")
# Route templates of the interaction endpoints, which the global limit leaves alone.
INTERACTION_PREFIXES = ("/interactions/", "/webhooks/")
Refusal = tuple[JSON, dict[str, str]]  # a 429's JSON body and headers


def seconds_up(seconds: float) -> float:
    """Rounded up to the millisecond, never 0: a client that waits exactly this long is in time."""
    return max(math.ceil(seconds * 1000) / 1000, 0.001)


class DiscordLimits:
    """The per-channel message bucket and the global window, with a count of the 429s answered by kind."""

    def __init__(self, channel_limit: tuple[int, float] = (5, 5.0), global_limit: tuple[int, float] = (50, 1.0),
                 clock: Clock = time.monotonic) -> None:
        self.channel_limit = channel_limit
        self.global_window = FixedWindow(*global_limit, clock=clock)
        self.channels: dict[str, FixedWindow] = {}
        self.hits: Counter[str] = Counter()  # "channel" / "global" -> 429s answered
        self._clock = clock

    def admit(self, method: str, template: str, params: dict[str, str]) -> Refusal | None:
        """None when the request may be carried out (its slots are taken), else the 429's body and headers."""
        counted = not template.startswith(INTERACTION_PREFIXES)
        bucket = self._bucket(method, template, params)
        if counted and (wait := self.global_window.wait()) > 0:
            return self._refuse("global", wait)
        if bucket is not None and (wait := bucket.wait()) > 0:
            return self._refuse("channel", wait, bucket)
        if counted:
            self.global_window.take()
        if bucket is not None:
            bucket.take()
        return None

    def headers(self, method: str, template: str, params: dict[str, str]) -> dict[str, str] | None:
        """The channel bucket's ``X-RateLimit-*`` headers for a message create just admitted, else None."""
        bucket = self._bucket(method, template, params)
        if bucket is None:
            return None
        return self._bucket_headers(bucket, bucket.remaining, bucket.reset_after)

    def _bucket(self, method: str, template: str, params: dict[str, str]) -> FixedWindow | None:
        if (method, template) != MESSAGE_CREATE:
            return None
        channel_id = params["channel_id"]
        if channel_id not in self.channels:
            self.channels[channel_id] = FixedWindow(*self.channel_limit, clock=self._clock)
        return self.channels[channel_id]

    def _refuse(self, kind: str, wait: float, bucket: FixedWindow | None = None) -> Refusal:
        self.hits[kind] += 1
        retry_after = seconds_up(wait)
        if bucket is None:
            return rate_limited(retry_after, global_=True)
        headers = {**self._bucket_headers(bucket, 0, retry_after), "X-RateLimit-Scope": "user"}
        return rate_limited(retry_after, global_=False, extra_headers=headers)

    @staticmethod
    def _bucket_headers(bucket: FixedWindow, remaining: int, reset_after: float) -> dict[str, str]:
        reset_after = seconds_up(reset_after)
        return {
            "X-RateLimit-Limit": str(bucket.limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": f"{seconds_up(time.time() + reset_after):.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket_hash(*MESSAGE_CREATE),
        }
