"""Telegram command round trip: our core (inbox, dispatcher, films cog) against a bare python-telegram-bot
Application answering the same command with the same text, both on one FakeTelegram on 127.0.0.1.

A round trip is: inject a /help update at the stand-in -> the bot long-polls it -> sendMessage arrives.
Run with `make bench` or `python -m bench.bench_telegram`.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, ApplicationBuilder, CommandHandler, ContextTypes

from bot.app import App
from bot.config import build_config
from bot.platforms.telegram_platform import create
from bot.testing.fakes.telegram_server import FakeTelegram

ROUNDS = 6          # alternate ours / bare this many times: the machine's load drifts
PER_ROUND = 50      # measured round trips per block
WARMUP = 10
TARGET = 1.3


async def round_trips(fake: FakeTelegram, chat: dict[str, Any], user: dict[str, Any],
                      count: int) -> list[float]:
    times: list[float] = []
    for _ in range(count):
        fake.requests.clear()  # keeps wait_for_call's scan short; only this round trip's calls matter
        started = time.perf_counter()
        fake.send_text(chat, user, "/help")
        await fake.wait_for_call("sendMessage", lambda r: r.ok)
        times.append(time.perf_counter() - started)
    return times


async def ours(fake: FakeTelegram, chat: dict[str, Any], user: dict[str, Any], folder: Path) -> list[float]:
    raw = {"bot": {"cogs": ["films"], "log_level": "WARNING"},
           "telegram": {"base_url": fake.base_url, "base_file_url": fake.base_file_url, "poll_timeout": 10,
                        "overall_max_rate": 0, "group_max_rate": 0}}
    config = build_config(raw, "(bench)", {"MICROFILM_TELEGRAM_TOKEN": fake.token})
    async with App(config, db_path=str(folder / "bench.sqlite3"), platforms=[create(config)]):
        await round_trips(fake, chat, user, WARMUP)
        return await round_trips(fake, chat, user, PER_ROUND)


async def bare(fake: FakeTelegram, chat: dict[str, Any], user: dict[str, Any], reply: str) -> list[float]:
    app = (ApplicationBuilder().token(fake.token).base_url(fake.base_url).base_file_url(fake.base_file_url)
           .rate_limiter(AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3)).build())

    async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, reply, parse_mode=ParseMode.HTML)

    app.add_handler(CommandHandler("help", help_command))
    await app.initialize()
    assert app.updater is not None
    await app.updater.start_polling(timeout=10)
    await app.start()
    try:
        await round_trips(fake, chat, user, WARMUP)
        return await round_trips(fake, chat, user, PER_ROUND)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


async def run() -> None:
    mine: list[float] = []
    base: list[float] = []
    with tempfile.TemporaryDirectory(prefix="microfilm-bench-") as folder:
        async with FakeTelegram() as fake:
            chat, user = fake.add_group("Bench"), fake.add_user("Ann")
            for _ in range(ROUNDS):
                mine += await ours(fake, chat, user, Path(folder))
                reply = str(fake.calls("sendMessage")[-1].params["text"])  # type: ignore[index]  # the very same answer
                base += await bare(fake, chat, user, reply)
    ratio = statistics.median(mine) / statistics.median(base)
    print(f"telegram /help round trip, {len(mine)} each (ms):")
    print(f"  microfilm-bot core : median {statistics.median(mine) * 1000:.2f}  p99 {p99(mine) * 1000:.2f}")
    print(f"  bare PTB handler   : median {statistics.median(base) * 1000:.2f}  p99 {p99(base) * 1000:.2f}")
    print(f"  ratio (median)     : {ratio:.2f}x (target <= {TARGET}x)"
          f"{'' if ratio <= TARGET else '  ABOVE TARGET'}")


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
