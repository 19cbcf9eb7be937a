"""Delivering a backlog: the outbox picks each next row by index, so the cost per message must not grow
with the backlog. Flushes 2,000 and 20,000 pending announcements to a platform that only counts them,
through the same Outbox as the bot, and prints the time per message and its growth (target ~1x; the
scan the first version did grew 10x)."""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bot.app import App
from bot.clock import VirtualClock
from bot.config import build_config
from bot.models import Message, MessageRef, Text
from bot.platform import Platform

SIZES = (2_000, 20_000)
ROUNDS = 3


class Counting(Platform):
    """Accepts every message at once: what is left is the outbox's own cost."""

    name = "console"
    idempotent_sends = True

    def __init__(self) -> None:
        self.sent = 0

    async def start(self, app: object) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, chat_id: str, message: Message, *, zone: str, kind: str | None = None,
                   nonce: str | None = None) -> MessageRef:
        self.sent += 1
        return MessageRef(self.name, chat_id, str(self.sent))

    async def send_private(self, user_id: str, message: Message, *, zone: str,
                           nonce: str | None = None) -> MessageRef | None:
        return await self.send(user_id, message, zone=zone)

    async def edit(self, ref: MessageRef, message: Message, *, zone: str) -> None: ...

    async def recount(self, ref: MessageRef, emoji: str) -> list[str] | None:
        return None


async def per_message(folder: Path, size: int, run: int) -> float:
    """Milliseconds per delivered message with `size` rows pending when delivery starts."""
    platform = Counting()
    app = App(build_config({"bot": {"cogs": []}}, "(bench)", {}), db_path=str(folder / f"outbox-{size}-{run}.sqlite3"),
              clock=VirtualClock(), platforms=[platform])
    await app.open_storage()
    try:
        community = await app.directory.community_for_space("console", "console", "console")
        app.outbox.inline = False  # queue only; the flush below delivers
        async with app.db.transaction() as tx:
            for n in range(size):
                await app.outbox.announce(tx, community, "showcase", Message(Text.of(f"film {n}")), key=f"k{n}")
        began = time.perf_counter()
        await app.outbox.flush()
        elapsed = time.perf_counter() - began
    finally:
        await app.stop()
    assert platform.sent == size
    return elapsed * 1000 / size


async def run() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-outbox-") as name:
        figures = {size: statistics.median([await per_message(Path(name), size, n) for n in range(ROUNDS)])
                   for size in SIZES}
    small, large = figures[SIZES[0]], figures[SIZES[1]]
    print(f"outbox backlog delivered to a platform that only counts (median of {ROUNDS}):")
    for size, value in figures.items():
        print(f"  {size:>6,} pending: {value:.3f} ms per message")
    growth = large / small
    print(f"  growth from {SIZES[0]:,} to {SIZES[1]:,} pending: {growth:.2f}x "
          f"(target <= 1.5x: {'ok' if growth <= 1.5 else 'MISS'})")


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
