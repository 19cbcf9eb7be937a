"""A vote storm through the bot process: `microfilm-bot run` against the Discord stand-in.

10,000 ⭐ reactions from 2,000 people on 20 entry cards, 10% of them in flapping add/remove runs, sent as
a burst (back to back, as the gateway does; three bursts, medians) and paced at 1,000/s, with the
default settings (hidden tallies on, so voters get private receipts). Each event goes the users' way:
gateway frame, discord.py, the adapter, the dispatcher, the vote writer. A probe cog in the bot process
writes down when each event committed; the stand-in when each frame went out.

Prints: lost, double-counted and wrong-state votes against a recount (what Discord shows), all must be
0; p50/p99 event -> committed (targets: p99 <= 1 s for the burst, <= 20 ms paced); throughput and its
ratio to raw batched aiosqlite executemany measured in the same run (target >= 0.5); receipts sent.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

import aiosqlite

from bench.common import percentiles
from bot.testing.fakes.discord_model import Perm
from bot.testing.fakes.discord_server import Channel, FakeDiscord, Guild

ROOT = Path(__file__).resolve().parent.parent
EVENTS = 10_000
PEOPLE = 2_000
CARDS = 20
FLAPPING = 0.10
PACE = 1_000
BURSTS = 3
RAW_BATCH = 64
REACTION_EVENTS = ("MESSAGE_REACTION_ADD", "MESSAGE_REACTION_REMOVE")
Change = tuple[Channel, str, dict[str, Any], str, bool]


def plan(rng: random.Random, channel: Channel, cards: list[str], people: list[dict[str, Any]],
         shown: set[tuple[str, str]]) -> list[Change]:
    """EVENTS changes, each (card, person) pair once: most flip the pair's state, FLAPPING of the events
    are runs of 2-5 flips; streams are interleaved so runs of one person are in flight together."""
    pairs = [(card, person) for card in cards for person in people]
    rng.shuffle(pairs)
    streams: list[list[Change]] = []
    total = 0
    for card, person in pairs:
        if total >= EVENTS:
            break
        length = rng.randint(2, 5) if rng.random() < FLAPPING / 3 else 1
        state = (card, person["id"]) in shown
        streams.append([(channel, card, person, "⭐", not state if step % 2 == 0 else state) for step in range(length)])
        total += length
    changes: list[Change] = []
    queue = deque(streams)
    while queue:  # round-robin over a window, so one person's flips are neighbours but not adjacent
        stream = queue.popleft()
        changes.append(stream.pop(0))
        if stream:
            queue.insert(min(len(queue), rng.randint(1, 50)), stream)
    return changes[:EVENTS]


class Trace:
    """Lines `<time> <source or message id> <person or user id> ...`: times per (message id, user id), in order.
    Our probe names people by person id (`people` maps them back to users); the bare client by user id."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.lines = 0
        self.commits: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self.people: dict[str, str] = {}  # person id -> Discord user id
        self.db: Path | None = None  # where to look people up (our bot), or None (the bare client)
        self.stamps: set[str] = set()  # distinct commit times: one per batch the writer committed

    def read(self) -> None:
        if self.db is not None:  # people first seen in this storm got their ids meanwhile
            self.people = {str(person): user for user, person in stored_votes(self.db)[1].items()}
        with self.path.open(encoding="utf-8") as handle:
            handle.seek(self.offset)
            for line in handle:
                if not line.endswith("\n"):
                    break
                self.offset += len(line.encode())
                stamp, where, who = line.split()[:3]
                self.stamps.add(stamp)
                message = where.split(":")[3] if where.startswith("react:") else where
                self.commits[(message, self.people.get(who, who))].append(float(stamp))
                self.lines += 1

    async def wait_for(self, lines: int, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while self.lines < lines and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
            self.read()


async def storm(fake: FakeDiscord, trace: Trace, changes: list[Change], pace: float | None) -> dict[str, float]:
    connection = fake.gateway.connections[-1]
    first = len(connection.sent)
    batches_before = len(trace.stamps)
    events = await fake.react_many(changes, pace=pace)
    await trace.wait_for(trace.lines + len(events))
    sent = [(frame["d"], at) for frame, at in zip(connection.sent[first:], connection.sent_at[first:], strict=True)
            if frame.get("t") in REACTION_EVENTS]
    latencies, last = [], 0.0
    for data, at in sent:
        commits = trace.commits.get((data["message_id"], data["user_id"]))
        if commits:
            committed = commits.popleft()
            latencies.append((committed - at) * 1000)
            last = max(last, committed)
    elapsed = last - sent[0][1] if sent else 0.0
    figures = percentiles(latencies) if latencies else {"p50": 0.0, "p99": 0.0}
    batches = len(trace.stamps) - batches_before
    return {"events": len(events), "committed": len(latencies), "p50": figures["p50"], "p99": figures["p99"],
            "rate": len(latencies) / elapsed if elapsed else 0.0, "batch": len(latencies) / max(batches, 1)}


def shown_votes(fake: FakeDiscord, cards: list[str]) -> set[tuple[str, str]]:
    return {(card, user) for card in cards for user in fake.model.reactions.get(card, {}).get("⭐", {})}


def receipts_queued(db: Path) -> tuple[int, int]:
    """(private receipts the bot queued, voters they went to)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        row = conn.execute("SELECT COUNT(*), COUNT(DISTINCT target) FROM outbox WHERE key LIKE 'challenges:receipt:%'")
        queued, voters = row.fetchone()
    return int(queued), int(voters)


def stored_votes(db: Path) -> tuple[set[tuple[str, str]], dict[str, int]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute(
            "SELECT v.source, a.user_id FROM challenge_votes v JOIN accounts a ON a.person_id = v.person_id "
            "AND a.platform = 'discord' WHERE v.active = 1 AND v.source LIKE 'react:discord:%'").fetchall()
        people = dict(conn.execute("SELECT user_id, person_id FROM accounts WHERE platform = 'discord'"))
    return {(source.split(":")[3], user) for source, user in rows}, people


async def raw_baseline(folder: Path, run: int) -> float:
    """Rows per second into a table, one transaction and one executemany per batch of RAW_BATCH rows."""
    async with aiosqlite.connect(str(folder / f"raw-{run}.sqlite3"), isolation_level=None) as conn:
        for pragma in ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL"):
            await (await conn.execute(pragma)).close()
        await conn.execute("CREATE TABLE votes (entry_id INTEGER, person_id INTEGER, source TEXT, active INTEGER, "
                           "at TEXT, PRIMARY KEY (entry_id, person_id, source)) WITHOUT ROWID")
        rows = [(n % CARDS, n, "react:discord:1:2:⭐", 1, "2026-12-01T09:00:00.000000Z") for n in range(EVENTS)]
        began = time.perf_counter()
        for start in range(0, EVENTS, RAW_BATCH):
            await conn.execute("BEGIN IMMEDIATE")
            await conn.executemany("INSERT INTO votes VALUES (?, ?, ?, ?, ?)", rows[start:start + RAW_BATCH])
            await conn.commit()
        return EVENTS / (time.perf_counter() - began)


class Bot:
    def __init__(self, folder: Path, fake: FakeDiscord) -> None:
        self.db = folder / "storm.sqlite3"
        self.trace_path = folder / "trace.txt"
        self.trace_path.write_text("", encoding="utf-8")
        self.config = folder / "storm.toml"
        self.config.write_text(
            '[bot]\ncogs = ["films", "challenges", "bench.storm_probe"]\nlog_level = "WARNING"\n'
            '[films]\npreviews = false\n'
            f'[discord]\napi_base = "{fake.api_base}"\ngateway_url = "{fake.gateway_url}"\n'
            'guild_ready_timeout = 0.05\nchallenges_channel = "general"\nthreads = false\n', encoding="utf-8")
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "MICROFILM_DISCORD_TOKEN": fake.token,
                    "MICROFILM_STORM_TRACE": str(self.trace_path)}
        self.env.pop("MICROFILM_TELEGRAM_TOKEN", None)
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, fake: FakeDiscord) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(self.config), "--db", str(self.db), cwd=ROOT,
            env=self.env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        await fake.wait_connected(timeout=30)

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(self.process.wait(), 60)


async def slash(fake: FakeDiscord, guild: Guild, user: dict[str, Any], command: str, options: dict[str, Any],
                sub: str | None = None) -> str:
    interaction = await fake.slash(guild, "general", user, command, options, sub)
    return str((await interaction.wait_callback(timeout=20))["data"].get("content", ""))


async def open_round(fake: FakeDiscord, guild: Guild, admin: dict[str, Any], makers: list[dict[str, Any]]) -> list[str]:
    await slash(fake, guild, admin, "challenge_admin", {"theme": "Storm", "submit_until": "5s", "vote_until": "2h"},
                "new")
    for number, maker in enumerate(makers, start=1):
        await slash(fake, guild, maker, "submit", {"film": f"https://vimeo.com/{number}", "title": f"Film {number}",
                                                   "runtime": "1:00"})
    channel = guild.channel("general")
    for _ in range(600):
        cards = [m["id"] for m in fake.messages_in(channel) if m.get("components")]
        if len(cards) == len(makers):
            return cards
        await asyncio.sleep(0.05)
    raise RuntimeError("the entry cards were not posted")


def dm_count(fake: FakeDiscord) -> int:
    return sum(1 for r in fake.requests if r.method == "POST" and r.status == 200 and r.path.endswith("/messages")
               and r.path.startswith("/channels/") and fake.model.channels[r.path.split("/")[2]].guild_id is None)


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISS"


async def run() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-storm-") as name:
        folder = Path(name)
        raw = statistics.median([await raw_baseline(folder, n) for n in range(3)])
        async with FakeDiscord() as fake:
            guild = fake.add_guild("makers", channels=["general"])
            admin = fake.add_member(guild, "mo", permissions=Perm.EVERYONE_DEFAULT | 32)
            makers = [fake.add_member(guild, f"maker{n}") for n in range(CARDS)]
            people = [fake.add_member(guild, f"voter{n}") for n in range(PEOPLE)]
            bot = Bot(folder, fake)
            await bot.start(fake)
            spy = None
            try:
                channel = guild.channel("general")
                cards = await open_round(fake, guild, admin, makers)
                trace, rng = Trace(bot.trace_path), random.Random(1)
                warm = plan(rng, channel, cards, people, shown_votes(fake, cards))  # people get created
                await fake.react_many(warm)
                await trace.wait_for(len(warm))
                trace.db = bot.db
                spy = await profile(bot)
                trace.commits.clear()
                bursts = []
                for _ in range(BURSTS):
                    changes = plan(rng, channel, cards, people, shown_votes(fake, cards))
                    bursts.append(await storm(fake, trace, changes, None))
                paced = await storm(fake, trace, plan(rng, channel, cards, people, shown_votes(fake, cards)), PACE)
                await asyncio.sleep(1.0)
                receipts = dm_count(fake)
                stored, _ = stored_votes(bot.db)
                shown = shown_votes(fake, cards)
                queued = receipts_queued(bot.db)
            finally:
                await bot.stop()
                if spy is not None:
                    await spy.wait()
            bare = await bare_client(fake, folder, channel, cards, people, rng)
        report(bursts, paced, raw, stored, shown, receipts, queued, bare)


async def profile(bot: Bot) -> asyncio.subprocess.Process | None:
    """With STORM_SPY=FILE, sample the bot process with py-spy during the storms (raw stacks to FILE)."""
    target = os.environ.get("STORM_SPY")
    if not target or bot.process is None:
        return None
    return await asyncio.create_subprocess_exec(
        "py-spy", "record", "--pid", str(bot.process.pid), "-d", "8", "-r", "500", "-f", "raw", "-o", target,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)


async def bare_client(fake: FakeDiscord, folder: Path, channel: Channel, cards: list[str],
                      people: list[dict[str, Any]], rng: random.Random) -> float:
    """The ceiling: the same bursts into a discord.py client that only notes each event (median rate)."""
    trace_path = folder / "bare.txt"
    trace_path.write_text("", encoding="utf-8")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.bare_discord", fake.api_base, fake.gateway_url, str(trace_path), cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "MICROFILM_DISCORD_TOKEN": fake.token},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        await fake.wait_connected(timeout=30)
        await asyncio.sleep(0.5)
        trace = Trace(trace_path)
        rates = [(await storm(fake, trace, plan(rng, channel, cards, people, shown_votes(fake, cards)), None))["rate"]
                 for _ in range(BURSTS)]
    finally:
        process.send_signal(signal.SIGTERM)
        await process.wait()
    return statistics.median(rates)


def report(bursts: list[dict[str, float]], paced: dict[str, float], raw: float, stored: set[tuple[str, str]],
           shown: set[tuple[str, str]], receipts: int, queued: tuple[int, int], bare: float) -> None:
    lost, extra = len(shown - stored), len(stored - shown)
    p99 = statistics.median(b["p99"] for b in bursts)
    p50 = statistics.median(b["p50"] for b in bursts)
    rate = statistics.median(b["rate"] for b in bursts)
    committed = min(b["committed"] / b["events"] for b in bursts + [paced])
    print(f"bot process vs the Discord stand-in: {EVENTS:,} reactions from {PEOPLE:,} people on {CARDS} cards, "
          f"{FLAPPING:.0%} flapping, hidden tallies on", flush=True)
    print(f"  against a recount: lost {lost}, double-counted {extra}, wrong state {lost + extra} "
          f"(target 0: {verdict(lost + extra == 0)}); events committed {committed:.1%}")
    batch = statistics.median(b["batch"] for b in bursts)
    print(f"  burst (median of {BURSTS}): p50 {p50:.1f} ms, p99 {p99:.1f} ms event -> committed "
          f"(target p99 <= 1000 ms: {verdict(p99 <= 1000)}); {batch:.0f} events a commit")
    print(f"  paced at {PACE:,}/s: p50 {paced['p50']:.1f} ms, p99 {paced['p99']:.1f} ms "
          f"(target p99 <= 20 ms: {verdict(paced['p99'] <= 20)})")
    print(f"  throughput (burst): {rate:,.0f} events/s; raw batched aiosqlite executemany ({RAW_BATCH} a batch): "
          f"{raw:,.0f} rows/s; ratio {rate / raw:.2f} (target >= 0.5: {verdict(rate / raw >= 0.5)})")
    print(f"  the same bursts into a bare discord.py client that only notes each event: {bare:,.0f} events/s; "
          f"ours is {rate / bare:.2f} of that ceiling")
    total = EVENTS * (BURSTS + 2)
    print(f"  receipts: {queued[0]:,} private messages queued for {total:,} reaction events from {queued[1]:,} voters "
          f"(one at a voter's first vote, then at most one a minute summing up); {receipts:,} delivered during "
          f"the run at Discord's pace")


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
