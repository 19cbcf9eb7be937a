"""The seed-scale festival round of bench_festival_round (2,000 entries, 20,000 voters, 100,000 votes, 20
jurors, 4 categories; both stand-ins enforcing the platforms' real limits) on PostgreSQL in one process and
in three (two splitting the Discord shards, one Telegram webhook worker), against SQLite in one process
measured in the same run, on a throw-away PostgreSQL server started for the run. Every setup is seeded by
the bot's own import-json, so each holds the same rows.

Prints per setup: medians of ROUNDS rounds (run alternately, so a busy machine skews no setup) of the
time from the vote deadline to the results on each platform and on both, the slowest answer to a command
during the close, and the seeding time; posts per platform; the tally against a recount, every phase
once and every announcement once; peak RSS per process; 429s met; and the ratio of the time to the
results to SQLite's. Targets (the festival-scale issue): results on both platforms within 60 s, the
slowest answer within 1 s, at most 150 MB per process, 0 429s, the tally equal.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
from collections import Counter
from pathlib import Path

from bench.festival_round import Figures, one_round
from bot.testing.postgres import throwaway_server

ROUNDS = 3  # a round takes about 100 s (most of it the seed and the round's own deadlines): 9 rounds, 15 minutes
ENTRIES, VOTERS = 2_000, 20_000
SETUPS = ("sqlite, 1 process", "postgresql, 1 process", "postgresql, 3 processes")


def verdict(ok: bool) -> str:
    return "met" if ok else "MISS"


async def one(setup: str, url: str, number: int) -> Figures:
    with tempfile.TemporaryDirectory(prefix="bench-festival-pg-") as name:
        if setup.startswith("sqlite"):
            return await one_round(Path(name), ENTRIES, VOTERS)
        layout = "three" if "3" in setup else "one"
        return await one_round(Path(name), ENTRIES, VOTERS, f"{url}&search_path=festival_{layout}_{number}", layout)


def report(setup: str, rounds: list[Figures], baseline: float) -> None:
    def median(pick: object) -> float:
        return statistics.median(pick(f) for f in rounds)  # type: ignore[operator]

    both = median(lambda f: f.both_results)
    slowest = median(lambda f: max(f.slowest.values(), default=9.0))
    posted = rounds[0].posted
    rss, before = worst_rss(rounds, "rss_mb"), worst_rss(rounds, "rss_before_close_mb")
    hits: Counter[str] = sum((f.hits for f in rounds), Counter())
    once = all(f.phases_done and f.repeated == 0 for f in rounds)
    equal = all(f.equal for f in rounds)
    print(f"  {setup}:")
    print(f"    deadline -> results: discord {median(lambda f: f.to_results.get('discord', -1.0)):.2f} s, "
          f"telegram {median(lambda f: f.to_results.get('telegram', -1.0)):.2f} s, both {both:.2f} s "
          f"(target <= 60 s: {verdict(both <= 60)}); ratio to sqlite in 1 process {both / max(baseline, 1e-3):.2f}x")
    print(f"    slowest answer to a command during the close {slowest:.2f} s (target <= 1 s: {verdict(slowest <= 1)})")
    print("    posts: " + "; ".join(f"{name} {p['submissions']} at the submissions close, {p['results']} at the "
                                    f"vote close, {p['private']} private" for name, p in posted.items()))
    print(f"    tally against a recount: {'equal' if equal else 'DIFFERENT'} "
          f"({max(f.mismatched for f in rounds)} entries differ: {verdict(equal)}); every phase once and every "
          f"announcement once: {'yes' if once else 'NO'} ({max(f.repeated for f in rounds)} posted twice: "
          f"{verdict(once)})")
    print("    peak RSS: " + ", ".join(f"{process} {mb:.0f} MB ({before[process]:.0f} MB before the close)"
                                  for process, mb in rss.items())
          + f" (target <= 150 MB per process: {verdict(max(rss.values()) <= 150)}); 429s met: "
          f"{sum(hits.values())} {dict(hits) or ''}({verdict(not hits)}); seeding by import-json "
          f"{median(lambda f: f.seed_seconds):.1f} s")


def worst_rss(rounds: list[Figures], which: str) -> dict[str, float]:
    """Per process, the highest of the rounds' peak RSS figures."""
    worst: dict[str, float] = {}
    for figures in rounds:
        for process, mb in getattr(figures, which).items():
            worst[process] = max(worst.get(process, 0.0), mb)
    return worst


async def run() -> None:
    figures: dict[str, list[Figures]] = {setup: [] for setup in SETUPS}
    with throwaway_server() as url:
        for number in range(ROUNDS):  # alternating, so a busy machine skews no setup
            for setup in SETUPS:
                figures[setup].append(await one(setup, url, number))
    print(f"festival round: {ENTRIES:,} entries, {VOTERS:,} voters, {VOTERS * 5:,} votes, 20 jurors, 4 categories; "
          f"both stand-ins enforcing the real limits; medians of {ROUNDS} rounds (RSS, 429s, differences: worst)")
    baseline = statistics.median(f.both_results for f in figures[SETUPS[0]])
    for setup in SETUPS:
        report(setup, figures[setup], baseline)


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
