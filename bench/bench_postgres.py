"""The in-process vote storm of bench_votes (10,000 ⭐ events, 10% flapping, 64 voters at once, straight
into the challenges cog's listener and vote writer) on SQLite in one process, on PostgreSQL in one
process, and on PostgreSQL split between three processes (each a third of the voters), against a
throw-away PostgreSQL server started for the run.

Prints per setup: medians of ROUNDS of throughput and p99 latency, lost/double-counted votes (worst
round), and the ratio to SQLite in one process. Targets: 0 lost and 0 double-counted everywhere; one
PostgreSQL process >= 0.3x SQLite; three processes >= one PostgreSQL process.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench import bench_votes
from bot.app import App
from bot.config import build_config
from bot.models import Account, MessageRef, ReactionEvent
from bot.testing.postgres import throwaway_server
from cogs.challenges.testing import voting_challenge

ROUNDS = 3
PROCESSES = 3
ROOT = Path(__file__).resolve().parent.parent


async def open_app(target: str) -> App:
    app = App(build_config({}, "(bench)", {}), db_path=target)
    await app.open_storage()
    await app.load_cogs(["films", "challenges"])
    return app


async def vote(app: App, streams: list[list[tuple[int, int, bool]]]) -> dict[str, Any]:
    """Run the streams against the challenge already open in the database; latencies and the truth."""
    cog: Any = app.cog("challenges")
    community = await app.directory.community_for_space("console", "console", "console")
    entry_ids = [int(row[0]) for row in await app.db.fetchall("SELECT id FROM challenge_entries ORDER BY id")]
    voters = sorted({voter for stream in streams for _, voter, _ in stream})
    people = {n: await app.directory.person_for(Account("console", f"v{n}"), f"v{n}") for n in voters}
    at = app.clock.now() + timedelta(hours=1)  # inside the voting window opened by prepare
    queue: asyncio.Queue[list[tuple[int, int, bool]]] = asyncio.Queue()
    for stream in streams:
        queue.put_nowait(stream)
    latencies: list[float] = []
    truth: dict[str, bool] = {}

    async def worker() -> None:
        while not queue.empty():
            for entry_index, voter_index, added in queue.get_nowait():
                entry_id, voter = entry_ids[entry_index], people[voter_index]
                ref = MessageRef("console", "#general", str(entry_id))
                event = ReactionEvent(ref, Account("console", f"v{voter_index}"), voter.display_name, "⭐", added, at)
                began = time.perf_counter()
                await bench_votes.await_queued(await cog.voting.on_reaction(
                    event, f"challenges.entry:{entry_id}", voter, community))
                latencies.append(time.perf_counter() - began)
                truth[f"{entry_id}:{voter.id}"] = added

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(bench_votes.CONCURRENCY)))
    return {"elapsed": time.perf_counter() - began, "latencies": latencies, "truth": truth}


async def prepare(target: str) -> None:
    app = await open_app(target)
    try:
        await voting_challenge(app, bench_votes.ENTRIES)
    finally:
        await app.stop()


async def check(target: str, truth: dict[str, bool]) -> tuple[int, int]:
    """(lost, double-counted) of the stored votes against the truth."""
    app = await open_app(target)
    try:
        rows = await app.db.fetchall("SELECT entry_id, person_id, COUNT(*), MAX(active) FROM challenge_votes "
                                     "GROUP BY entry_id, person_id")
    finally:
        await app.stop()
    stored = {f"{row[0]}:{row[1]}": (int(row[2]), bool(row[3])) for row in rows}
    lost = sum(1 for key, state in truth.items() if stored.get(key, (0, False))[1] != state)
    double = sum(count - 1 for count, _ in stored.values() if count > 1)
    return lost, double


async def one_process(target: str) -> dict[str, float]:
    await prepare(target)
    app = await open_app(target)
    try:
        result = await vote(app, bench_votes.plan())
    finally:
        await app.stop()
    lost, double = await check(target, result["truth"])
    return summary(bench_votes.EVENTS, result["elapsed"], result["latencies"], lost, double)


async def several_processes(target: str) -> dict[str, float]:
    await prepare(target)
    streams = bench_votes.plan()
    # Each process takes whole voters (a voter's events stay in order, as one platform connection keeps them).
    shares: list[list[list[tuple[int, int, bool]]]] = [[] for _ in range(PROCESSES)]
    for stream in streams:
        shares[stream[0][1] % PROCESSES].append(stream)
    children = [await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.bench_postgres", "worker", target, cwd=ROOT,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE) for _ in range(PROCESSES)]
    outputs = await asyncio.gather(*(child.communicate(json.dumps(share).encode())
                                     for child, share in zip(children, shares, strict=True)))
    results = [json.loads(out.decode()) for out, _ in outputs]
    truth = {key: state for result in results for key, state in result["truth"].items()}
    lost, double = await check(target, truth)
    latencies = [value for result in results for value in result["latencies"]]
    return summary(bench_votes.EVENTS, max(result["elapsed"] for result in results), latencies, lost, double)


def summary(events: int, elapsed: float, latencies: list[float], lost: int, double: int) -> dict[str, float]:
    latencies = sorted(latencies)
    return {"rate": events / elapsed, "p99": latencies[int(len(latencies) * 0.99)] * 1000, "lost": lost,
            "double": double}


async def worker(target: str) -> None:
    """A child of several_processes: its share of the streams from stdin; figures to stdout."""
    streams = json.loads(sys.stdin.read())
    app = await open_app(target)
    try:
        result = await vote(app, [[tuple(event) for event in stream] for stream in streams])  # type: ignore[misc]
    finally:
        await app.stop()
    print(json.dumps(result))


async def run() -> None:
    figures: dict[str, list[dict[str, float]]] = {"sqlite, 1 process": [], "postgresql, 1 process": [],
                                                  f"postgresql, {PROCESSES} processes": []}
    with throwaway_server() as url:
        for round_ in range(ROUNDS):  # alternating, so a busy machine skews no side
            with tempfile.TemporaryDirectory(prefix="bench-pg-") as folder:
                figures["sqlite, 1 process"].append(await one_process(str(Path(folder) / "votes.sqlite3")))
            figures["postgresql, 1 process"].append(await one_process(f"{url}&search_path=one{round_}"))
            figures[f"postgresql, {PROCESSES} processes"].append(
                await several_processes(f"{url}&search_path=many{round_}"))
    print(f"vote storm: {bench_votes.EVENTS} events, {bench_votes.CONCURRENCY} voters at once per process; "
          f"medians of {ROUNDS} rounds (lost/double: worst round)")
    baseline = statistics.median(item["rate"] for item in figures["sqlite, 1 process"])
    targets = {"postgresql, 1 process": 0.3}
    for label, items in figures.items():
        rate = statistics.median(item["rate"] for item in items)
        p99 = statistics.median(item["p99"] for item in items)
        lost, double = max(item["lost"] for item in items), max(item["double"] for item in items)
        ratio = rate / baseline
        verdict = ""
        if label in targets:
            verdict = f" (target >= {targets[label]}: {'met' if ratio >= targets[label] else 'MISSED'})"
        print(f"  {label:24} {rate:9,.0f} events/s  p99 {p99:7.2f} ms  lost {int(lost)}  double {int(double)}"
              f"  ratio to sqlite {ratio:.2f}{verdict}")
    one = statistics.median(item["rate"] for item in figures["postgresql, 1 process"])
    many = statistics.median(item["rate"] for item in figures[f"postgresql, {PROCESSES} processes"])
    print(f"  {PROCESSES} processes vs 1 on postgresql: {many / one:.2f}x "
          f"(target >= 1: {'met' if many >= one else 'MISSED'})")


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    if sys.argv[1:2] == ["worker"]:
        asyncio.run(worker(sys.argv[2]))
    else:
        main()
