"""A festival-scale round through the bot process (`microfilm-bot run`) and both stand-ins, which enforce
the platforms' real per-chat and global limits (answering 429 with retry_after).

2,000 entries from 90 countries (titles in Latin, CJK, Arabic, Cyrillic and Devanagari scripts) in four
categories, 20,000 voters, 100,000 votes and 20 jurors are stored before the deadlines by the bot's own
import-json (bench/festival_seed.py); then the bot runs the round as users see it (bench/festival_round.py):
the submissions close and its posts, live Vote presses on the gallery on both platforms, commands sent
during the close, the close and its results. Then the same at 20,000 entries (10x). This is SQLite in one
process; bench_festival_postgres runs the same round on PostgreSQL in one and in three processes.

Prints per size: messages posted per platform per phase; the time from the vote deadline to the results
posted on both platforms (target <= 60 s; at 10x <= 120 s, with the growth ratio); the tally against a
recount of every vote cast (equal); the slowest answer to a command sent during the close (target <= 1 s);
the bot process's peak RSS (target <= 150 MB); 429s met.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from bench.festival_round import Figures, one_round

SIZES = ((2_000, 20_000, 3), (20_000, 200_000, 1))  # (entries, voters, rounds); five votes each


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISS"


def median_of(rounds: list[Figures], pick: Any) -> float:
    return statistics.median(pick(figures) for figures in rounds)


def report(rounds: list[Figures], baseline: list[Figures] | None) -> None:
    """Medians over the rounds of one size (the slowest answer: the median of each round's slowest)."""
    first = rounds[0]
    worst = median_of(rounds, lambda f: f.both_results)
    target = 60.0 if baseline is None else 120.0
    print(f"{first.entries:,} entries, {first.entries * 10:,} voters, {first.entries * 50:,} votes, 20 jurors, "
          f"4 categories; both stand-ins enforcing the real limits; median of {len(rounds)} round(s)", flush=True)
    for name in ("discord", "telegram"):
        posted = first.posted.get(name, Counter())
        slowest = median_of(rounds, lambda f, n=name: f.slowest.get(n, 9.0))
        goal = f"target <= 1 s: {verdict(slowest <= 1.0)}" if baseline is None else "no target at this size"
        print(f"  {name}: posts {posted['submissions']} at the submissions close (the announcement and a gallery "
              f"per category), {posted['results']} at the vote close, {posted['private']} private during the round; "
              f"results {median_of(rounds, lambda f, n=name: f.to_results.get(n, -1.0)):.1f} s after the deadline; "
              f"slowest answer to a command during the close {slowest:.2f} s ({goal})")
    print(f"  deadline -> results on both platforms: {worst:.1f} s "
          f"(target <= {target:.0f} s: {verdict(worst <= target)})")
    equal = all(f.equal for f in rounds)
    print(f"  tally against a recount of every vote cast: {'equal' if equal else 'DIFFERENT'} "
          f"({max(f.mismatched for f in rounds)} entries differ; target equal: {verdict(equal)})")
    once = all(f.phases_done and f.repeated == 0 for f in rounds)
    print(f"  every phase once and every announcement once: {'yes' if once else 'NO'} "
          f"({max(f.repeated for f in rounds)} posted twice; target yes: {verdict(once)})")
    rss = max(f.peak_rss_mb for f in rounds)
    hits: Counter[str] = sum((f.hits for f in rounds), Counter())
    print(f"  peak RSS of the bot process: {rss:.0f} MB (target <= 150 MB: {verdict(rss <= 150)}); "
          f"429s met: {sum(hits.values())} {dict(hits) or ''}(target 0: {verdict(not hits)})")
    if baseline is not None:
        base = median_of(baseline, lambda f: f.both_results)
        print(f"  growth over {baseline[0].entries:,} entries: {first.entries / baseline[0].entries:.0f}x the "
              f"entries, {worst / max(base, 1e-3):.2f}x the time from the deadline to the results")


async def run() -> None:
    baseline: list[Figures] | None = None
    for entries, voters, repeats in SIZES:
        rounds = []
        for _ in range(repeats):
            with tempfile.TemporaryDirectory(prefix="bench-festival-") as name:
                rounds.append(await one_round(Path(name), entries, voters))
        report(rounds, baseline)
        baseline = baseline or rounds


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
