"""/search and /films at 1,000 to 100,000 synthetic films, and the console command round trip.

Target: /search p95 <= 10 ms at 100,000 films. The baseline is the same query at 1,000 films, measured
in the same run, so the printed ratio shows how the cost grows with the catalogue.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench.common import show, timed
from bot.models import Account
from bot.testing.harness import Harness, make_config
from cogs.films.logic import search_terms

SIZES = (1_000, 10_000, 100_000)
# A Zipf-like vocabulary: a few common words and a long tail, as real titles and loglines have.
SYLLABLES = ("ka", "lo", "mi", "ra", "su", "te", "no", "vi", "da", "pe", "zu", "ho", "ne", "gi", "fa", "ru")
WORDS = ["night", "rain", "paper", "city", "bus", "boat", "river", "neon", "salt", "moth"] + [
    a + b + c for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES][:20_000]
WEIGHTS = [1 / (rank + 1) for rank in range(len(WORDS))]
GENRES = ("documentary", "fiction", "animation", "experimental")
QUERIES = ("night bus", "rain", "paper boat", "kalomi", "salt river", "moth", "suteno", "night")


async def grow(bot: Harness, community_id: int, person_id: int, target: int, rng: random.Random) -> None:
    films = bot.app.cog("films")
    current = int(await bot.app.db.fetchval("SELECT COUNT(*) FROM films"))
    now = datetime(2026, 12, 1, tzinfo=UTC)
    async with bot.app.db.transaction() as tx:
        for index in range(current, target):
            title = " ".join(rng.choices(WORDS, WEIGHTS, k=rng.randint(1, 4)))
            await films.repo.add(  # type: ignore[union-attr]
                tx, community_id=community_id, person_id=person_id, title=title,
                link=f"https://example.com/{index}", runtime_seconds=rng.randint(30, 600),
                genre=rng.choice(GENRES), tags=tuple(rng.choices(WORDS, WEIGHTS, k=1)),
                logline=" ".join(rng.choices(WORDS, WEIGHTS, k=8)), now=now)


async def run() -> None:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        async with Harness(Path(folder) / "bench.sqlite3", make_config()) as bot:
            community = await bot.app.directory.community_for_space("console", "console")
            person = await bot.app.directory.person_for(Account("console", "maker"), "maker", community.id)
            films = bot.app.cog("films")
            assert films is not None
            baseline: float | None = None
            for size in SIZES:
                await grow(bot, community.id, person.id, size, rng)
                print(f" {size:,} films", flush=True)
                queries = iter([search_terms(q) for q in QUERIES] * 50)
                figures = show("search (repository)", await timed(
                    lambda queries=queries: films.repo.search(community.id, next(queries)),  # type: ignore[attr-defined,misc]
                    len(QUERIES) * 50))
                baseline = baseline or figures["p95"]  # the same queries at 1,000 films
                print(f"  search p95 ratio to 1,000 films: {figures['p95'] / baseline:.2f}x "
                      f"(target p95 <= 10 ms: {'met' if figures['p95'] <= 10 else 'NOT met'})", flush=True)
                show("films page (repository)", await timed(
                    lambda: films.repo.newest(community.id, genre="fiction", limit=10),  # type: ignore[attr-defined]
                    200))
                show("/search through the console", await timed(lambda: bot.run("alice: /search night bus"), 200))
                show("/films through the console", await timed(lambda: bot.run("alice: /films"), 200))
                show("/film round trip (console)", await timed(lambda: bot.run("alice: /film 1"), 200))


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
