"""Discord-style snowflake ids for the loopback fakes.

A snowflake is ``((unix_ms - DISCORD_EPOCH) << 22) | counter`` sent as a *string*; discord.py derives
``created_at`` from the top bits, so ids made here carry the real time of creation.
"""

from __future__ import annotations

import time

DISCORD_EPOCH_MS = 1420070400000
_COUNTER_BITS = 22


def snowflake_time_ms(snowflake: str | int) -> int:
    """Unix milliseconds encoded in a snowflake."""
    return (int(snowflake) >> _COUNTER_BITS) + DISCORD_EPOCH_MS


class SnowflakeFactory:
    """Hands out strictly increasing snowflakes.

    Strictly increasing matters: Discord orders reaction users and message history by id, and the fake's
    paging (``after=``) relies on ids made later comparing greater, even within one millisecond.
    """

    def __init__(self) -> None:
        self._last = 0

    def next_int(self) -> int:
        now_ms = int(time.time() * 1000)
        candidate = (now_ms - DISCORD_EPOCH_MS) << _COUNTER_BITS
        self._last = max(candidate, self._last + 1)
        return self._last

    def next(self) -> str:
        return str(self.next_int())
