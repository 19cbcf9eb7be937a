"""In-process figure (kept for comparison; `bench_storm` measures the path users take): a storm of 10,000
⭐ reaction events (10% of them flapping) straight into the challenges cog's reaction listener and its
vote writer, with no platform, no dispatcher and no receipts, against raw batched aiosqlite inserts
measured in the same run.

Prints: events lost, double counts, p50/p99 event-to-committed latency, throughput and its ratio to the
raw baseline. Targets: 0 lost, 0 double-counted, p99 <= 20 ms, ratio >= 0.5.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiosqlite

from bot.app import App
from bot.config import build_config
from bot.models import Account, MessageRef, Person, ReactionEvent
from cogs.challenges.testing import voting_challenge

EVENTS = 10_000
FLAP_SHARE = 0.10
ENTRIES = 20
VOTERS = 1_000
CONCURRENCY = 64          # voters reacting at the same moment
RAW_BATCH = 64
ROUNDS = 3


def plan(seed: int = 1) -> list[list[tuple[int, int, bool]]]:
    """Streams of (entry index, voter index, added): one stream per (entry, voter), flapping ones alternate."""
    rng = random.Random(seed)
    keys = rng.sample([(e, v) for e in range(ENTRIES) for v in range(VOTERS)], k=EVENTS)
    streams: list[list[tuple[int, int, bool]]] = []
    flapping = int(EVENTS * FLAP_SHARE)
    used = 0
    while used < flapping:
        length = min(rng.randint(2, 5), flapping - used)
        entry, voter = keys.pop()
        streams.append([(entry, voter, index % 2 == 0) for index in range(length)])
        used += length
    streams += [[(entry, voter, True)] for entry, voter in keys[: EVENTS - used]]
    rng.shuffle(streams)
    return streams


async def setup(folder: Path) -> tuple[App, Any, Any, list[Any], list[Person]]:
    app = App(build_config({}, "(bench)", {}), db_path=str(folder / "votes.sqlite3"))
    await app.open_storage()
    await app.load_cogs(["films", "challenges"])
    community, entries = await voting_challenge(app, ENTRIES)
    voters = [await app.directory.person_for(Account("console", f"v{n}"), f"v{n}") for n in range(VOTERS)]
    cog = app.cog("challenges")
    return app, cog, community, entries, voters


async def storm(folder: Path) -> dict[str, float]:
    app, cog, community, entries, voters = await setup(folder)
    at = app.clock.now() + timedelta(hours=1)
    streams = plan()
    queue: asyncio.Queue[list[tuple[int, int, bool]]] = asyncio.Queue()
    for stream in streams:
        queue.put_nowait(stream)
    latencies: list[float] = []
    truth: dict[tuple[int, int], bool] = {}

    async def worker() -> None:
        while not queue.empty():
            for entry_index, voter_index, added in queue.get_nowait():
                entry, voter = entries[entry_index], voters[voter_index]
                ref = MessageRef("console", "#general", str(entry.id))
                event = ReactionEvent(ref, Account("console", f"v{voter_index}"), voter.display_name, "⭐", added, at)
                began = time.perf_counter()
                tag = f"challenges.entry:{entry.id}"
                await await_queued(await cog.voting.on_reaction(event, tag, voter, community))
                latencies.append(time.perf_counter() - began)
                truth[(entry.id, voter.id)] = added

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    elapsed = time.perf_counter() - began
    stored = {(row[0], row[1]): bool(row[2]) for row in await app.db.fetchall(
        "SELECT entry_id, person_id, active FROM challenge_votes")}
    lost = sum(1 for key, state in truth.items() if stored.get(key, False) != state)
    tally = await cog.repo.tally(entries[0].challenge_id)
    expected: dict[int, int] = {}
    for (entry_id, _), state in truth.items():
        expected[entry_id] = expected.get(entry_id, 0) + int(state)
    double = sum(max(0, tally.get(entry_id, 0) - count) for entry_id, count in expected.items())
    mismatched = sum(1 for entry_id, count in expected.items() if tally.get(entry_id, 0) != count)
    await app.stop()
    latencies.sort()
    return {"events": len(latencies), "elapsed": elapsed, "lost": lost, "double": double,
            "mismatched": mismatched, "p50": latencies[len(latencies) // 2] * 1000,
            "p99": latencies[int(len(latencies) * 0.99)] * 1000}


async def await_queued(queued: Any) -> None:
    if queued is not None:
        await queued


async def raw_baseline(folder: Path, *, many: bool) -> float:
    """The same number of rows straight into a table, one transaction per batch of RAW_BATCH rows:
    one aiosqlite `execute` per row (`many=False`), or one `executemany` per batch (`many=True`)."""
    async with aiosqlite.connect(str(folder / f"raw-{many}.sqlite3"), isolation_level=None) as conn:
        for pragma in ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL"):
            await (await conn.execute(pragma)).close()
        await conn.execute("CREATE TABLE votes (entry_id INTEGER, person_id INTEGER, source TEXT, active INTEGER, "
                           "at TEXT, PRIMARY KEY (entry_id, person_id, source)) WITHOUT ROWID")
        sql = "INSERT INTO votes VALUES (?, ?, ?, ?, ?)"
        rows = [(n % ENTRIES, n, "react:console:#general:1", 1, "2026-12-01T09:00:00.000000Z")
                for n in range(EVENTS)]
        began = time.perf_counter()
        for start in range(0, EVENTS, RAW_BATCH):
            await conn.execute("BEGIN IMMEDIATE")
            if many:
                await conn.executemany(sql, rows[start:start + RAW_BATCH])
            else:
                for row in rows[start:start + RAW_BATCH]:
                    await conn.execute(sql, row)
            await conn.commit()
        return time.perf_counter() - began


async def run() -> None:
    # Best of a few rounds each, alternating, so a busy machine skews no side.
    per_row: list[float] = []
    many: list[float] = []
    results: list[dict[str, float]] = []
    for _ in range(ROUNDS):
        with tempfile.TemporaryDirectory(prefix="bench-votes-") as name:
            per_row.append(await raw_baseline(Path(name), many=False))
            many.append(await raw_baseline(Path(name), many=True))
            results.append(await storm(Path(name)))
    result = min(results, key=lambda item: item["elapsed"])
    for key in ("lost", "double", "mismatched"):
        result[key] = max(item[key] for item in results)
    ours = result["events"] / result["elapsed"]
    print("in-process (the cog's listener and writer only: no platform, no dispatcher, no receipts)")
    print(f"events: {int(result['events'])} ({FLAP_SHARE:.0%} in flapping add/remove runs), "
          f"{CONCURRENCY} voters at once; best of {ROUNDS} rounds (lost/double: worst of them)")
    print(f"lost: {int(result['lost'])}  double-counted: {int(result['double'])}  "
          f"entries whose tally differs from the truth: {int(result['mismatched'])}")
    print(f"latency event->committed: p50 {result['p50']:.2f} ms, p99 {result['p99']:.2f} ms (target <= 20 ms)")
    print(f"throughput: {ours:,.0f} events/s")
    for label, times in (("raw batched aiosqlite inserts (one execute per row)", per_row),
                         ("raw batched aiosqlite executemany (no per-row await)", many)):
        baseline = EVENTS / min(times)
        print(f"  vs {label}: {baseline:,.0f} rows/s, ratio {ours / baseline:.2f} (target >= 0.5)")


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
