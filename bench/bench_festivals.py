"""Festivals benchmark: `/festivals` over 10,000 festivals with 5 tiers each, and start-up with 50,000
pending reminders (time to ready and resident memory, each against an empty database started the same way)."""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import App
from bot.clock import VirtualClock
from bot.config import build_config
from bot.models import Account, ChatRef, Invocation
from bot.platforms.console import ConsolePlatform, ConsoleResponder

FESTIVALS = 10_000
TIERS = ("early", "regular", "late", "extended", "final")
REMINDERS = 50_000
RUNS = 200
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CONFIG = {"console": {"admins": ["ann"]}}

# Run in a fresh interpreter: start the App on a database, report seconds to ready and resident memory.
STARTUP = """
import asyncio, json, sys, time
from datetime import UTC, datetime
from bot.app import App
from bot.clock import VirtualClock
from bot.config import build_config
from bot.platforms.console import ConsolePlatform

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")

async def main():
    began = time.perf_counter()
    app = App(build_config({}, "(bench)", {}), db_path=sys.argv[1],
              clock=VirtualClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),
              platforms=[ConsolePlatform(lambda _: None)])
    await app.start()
    ready = time.perf_counter() - began
    print(json.dumps({"seconds": ready, "rss_mb": rss_mb()}))
    await app.stop()

asyncio.run(main())
"""


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


async def fill(app: App) -> None:
    cog = app.cog("festivals")
    assert cog is not None
    community = await app.directory.community_for_space("console", "console", "console")
    repo = cog.repo  # type: ignore[attr-defined]
    async with app.db.transaction() as tx:
        for number in range(FESTIVALS):
            fields = {
                "name": f"Festival {number}",
                "url": "https://example.org",
                "zone": "Europe/Berlin",
                "categories": ("fiction",) if number % 2 else ("documentary",),
                "currency": "EUR",
            }
            festival_id = await repo.add(tx, community.id, fields, START)
            festival = await repo.get(festival_id, tx)
            for rank, tier in enumerate(TIERS, start=1):
                due = START + timedelta(hours=number % 2000 + rank * 24 * 20)
                await repo.set_deadline(tx, festival, tier, rank, due.replace(tzinfo=None), due, rank * 500)
        for number in range(REMINDERS):
            await app.scheduler.schedule(
                tx,
                "festivals.reminder",
                START + timedelta(days=400, seconds=number),
                {"festival_id": 1, "tier": "early", "deadline": "-"},
                key=f"festivals.reminder/bench/{number}/",
                community_id=community.id,
            )


async def timed(app: App, platform: ConsolePlatform, text: str) -> list[float]:
    responder = ConsoleResponder(platform, "#general", "alice")
    samples = []
    for _ in range(RUNS):
        began = time.perf_counter()
        await app.dispatcher.command(
            Invocation(
                Account("console", "alice"),
                "alice",
                ChatRef("console", "#general"),
                responder,
                text=text,
                space="console",
            )
        )
        samples.append(time.perf_counter() - began)
    return samples


def startup(db: Path) -> dict[str, float]:
    began = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", STARTUP, str(db)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    found: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    found["process"] = time.perf_counter() - began  # with interpreter start and imports
    return found


async def listing(folder: Path) -> None:
    platform = ConsolePlatform(lambda _: None)
    app = App(
        build_config(CONFIG, "(bench)", {}),
        db_path=str(folder / "full.sqlite3"),
        clock=VirtualClock(START),
        platforms=[platform],
    )
    await app.start()
    try:
        began = time.perf_counter()
        await fill(app)
        print(
            f"filled {FESTIVALS} festivals x {len(TIERS)} tiers and {REMINDERS} reminders "
            f"in {time.perf_counter() - began:.1f} s"
        )
        baseline = p95(await timed(app, platform, "/help"))
        listed = p95(await timed(app, platform, "/festivals"))
        filtered = p95(await timed(app, platform, "/festivals category=fiction max_fee=20 within=90d"))
    finally:
        await app.stop()
    print(f"/help (baseline) p95 {baseline * 1000:.2f} ms")
    print(f"/festivals p95 {listed * 1000:.2f} ms (target <= 10 ms; {listed / baseline:.2f}x /help)")
    print(
        f"/festivals category= max_fee= within=90d p95 {filtered * 1000:.2f} ms "
        f"({filtered / baseline:.2f}x /help)"
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-festivals-") as name:
        folder = Path(name)
        asyncio.run(listing(folder))
        empty = folder / "empty.sqlite3"
        startup(empty)  # creates and migrates the empty database, so both runs below only start
        base = startup(empty)
        full = startup(folder / "full.sqlite3")
        print(
            f"start-up, empty database: {base['seconds']:.2f} s to ready ({base['process']:.2f} s with the "
            f"interpreter), RSS {base['rss_mb']:.0f} MB"
        )
        print(
            f"start-up with {REMINDERS} pending reminders and {FESTIVALS} festivals: {full['seconds']:.2f} s "
            f"(target <= 2 s; {full['seconds'] / base['seconds']:.2f}x empty; "
            f"{full['process']:.2f} s with the interpreter), RSS {full['rss_mb']:.0f} MB "
            f"(target <= 120 MB; {full['rss_mb'] / base['rss_mb']:.2f}x empty)"
        )


if __name__ == "__main__":
    main()
