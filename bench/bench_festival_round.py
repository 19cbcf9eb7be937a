"""A festival-scale round through the bot process (`microfilm-bot run`) and both stand-ins, which enforce
the platforms' real per-chat and global limits (answering 429 with retry_after).

2,000 entries from 90 countries (titles in Latin, CJK, Arabic, Cyrillic and Devanagari scripts) in four
categories, 20,000 voters, 100,000 votes and 20 jurors are seeded into the database before the deadlines
(bench/festival_seed.py); then the bot runs the round as users see it: the submissions close and its
posts, live Vote presses on the gallery on both platforms, commands sent during the close, the close and
its results. Then the same at 20,000 entries (10x).

Prints per size: messages posted per platform per phase; the time from the vote deadline to the results
posted on both platforms (target <= 60 s; at 10x <= 120 s, with the growth ratio); the tally against a
recount of every vote cast (equal); the slowest answer to a command sent during the close (target <= 1 s);
the bot process's peak RSS (target <= 150 MB); 429s met.
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
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.festival_seed import Seeded, seed
from bot.testing.fakes.discord_model import Perm
from bot.testing.fakes.discord_server import FakeDiscord, Guild
from bot.testing.fakes.telegram_server import FakeTelegram, RecordedRequest

ROOT = Path(__file__).resolve().parent.parent
SIZES = ((2_000, 20_000, 3), (20_000, 200_000, 1))  # (entries, voters, rounds); five votes each
VOTES_EACH = 5
LIVE_DISCORD, LIVE_TELEGRAM = 200, 60  # Vote presses during voting, each from a new member
START_AFTER, VOTING = 20.0, 25.0       # seconds from seeding to the submissions close, then to the vote close
RESULTS = "Results of challenge #1"


@dataclass
class Figures:
    entries: int
    posted: dict[str, Counter[str]] = field(default_factory=dict)  # platform -> phase -> messages
    to_results: dict[str, float] = field(default_factory=dict)     # platform -> seconds from the deadline
    slowest: dict[str, float] = field(default_factory=dict)        # platform -> slowest answer during the close
    equal: bool = False
    mismatched: int = 0
    peak_rss_mb: float = 0.0
    hits: Counter[str] = field(default_factory=Counter)  # 429s answered, by platform and limit


class Stage:
    """Both stand-ins, the bot's config and process."""

    def __init__(self, folder: Path, discord: FakeDiscord, telegram: FakeTelegram) -> None:
        self.folder, self.discord, self.telegram = folder, discord, telegram
        self.db = folder / "festival.sqlite3"
        self.guild: Guild = discord.add_guild("festival", channels=["general"])
        self.admin = discord.add_member(self.guild, "mo", permissions=Perm.EVERYONE_DEFAULT | 32)
        self.members = [discord.add_member(self.guild, f"member{n}") for n in range(LIVE_DISCORD + 1)]
        self.group = telegram.add_group("Festival")
        telegram.set_admins(self.group, [telegram.bot_user])
        self.users = [telegram.add_user(f"User {n}", f"user{n}") for n in range(LIVE_TELEGRAM + 40)]
        self.process: asyncio.subprocess.Process | None = None
        (folder / "festival.toml").write_text(self._config(), encoding="utf-8")

    def _config(self) -> str:
        channel = self.guild.channel("general").id
        return (f'[bot]\ncogs = ["films", "challenges"]\nlog_level = "ERROR"\n'
                f'[discord]\napi_base = "{self.discord.api_base}"\ngateway_url = "{self.discord.gateway_url}"\n'
                'guild_ready_timeout = 0.05\nthreads = false\n'
                f'[telegram]\nbase_url = "{self.telegram.base_url}"\nbase_file_url = "{self.telegram.base_file_url}"\n'
                'poll_timeout = 1\n'
                '[[communities]]\nkey = "festival"\nname = "Festival"\n'
                f'[[communities.chats]]\nplatform = "discord"\nid = "{channel}"\nspace = "{self.guild.id}"\n'
                'announce = ["challenges"]\n'
                f'[[communities.chats]]\nplatform = "telegram"\nid = "{self.group["id"]}"\nannounce = ["challenges"]\n')

    async def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "MICROFILM_DISCORD_TOKEN": self.discord.token,
               "MICROFILM_TELEGRAM_TOKEN": self.telegram.token}
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(self.folder / "festival.toml"), "--db", str(self.db),
            cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        await self.discord.wait_connected(timeout=60)
        await self.telegram.wait_for_call("getUpdates", timeout=60)

    def peak_rss_mb(self) -> float:
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(self.process.wait(), 120)

    def discord_posts(self) -> list[dict[str, Any]]:
        """What the bot posted in the channel itself (answers to interactions are not posts)."""
        return [m for m in self.discord.messages_in(self.guild.channel("general"))
                if m["author"]["id"] == self.discord.bot_user["id"] and "interaction_metadata" not in m]

    def telegram_posts(self) -> list[dict[str, Any]]:
        return self.telegram.bot_messages(self.group)


async def until(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not happen within {timeout:.0f} s")
        await asyncio.sleep(0.05)


def has_results(posts: list[dict[str, Any]]) -> bool:
    return any(RESULTS in str(post.get("content") or post.get("text") or post.get("caption") or "") for post in posts)


async def live_votes(stage: Stage, seeded: Seeded) -> Counter[int]:
    """Vote presses on the first gallery page of each platform, each from a member new to the bot."""
    pressed: Counter[int] = Counter()
    gallery = next(p for p in stage.discord_posts() if "page 1 of" in str(p.get("content")))
    votes = [option["value"] for row in gallery["components"] for item in row["components"]
             for option in item.get("options", [])]  # the page's select menu: one choice per entry
    for start in range(0, LIVE_DISCORD, 50):
        batch = [(member, votes[n % len(votes)]) for n, member in enumerate(stage.members[start:start + 50], start)]
        interactions = [await stage.discord.press_button(stage.guild, "general", member, gallery["id"], "menu",
                                                         component_type=3, values=[custom])
                        for member, custom in batch]
        for interaction in interactions:
            await interaction.wait_callback(timeout=30)
        pressed.update(int(custom.split(":")[1]) for _, custom in batch)
    post = next(p for p in stage.telegram_posts() if "page 1 of" in str(p.get("text")))
    keyboard = [button["callback_data"] for row in post["reply_markup"]["inline_keyboard"] for button in row
                if button["text"].startswith("Vote")]
    entry_of = {data: int(button["text"].split("#")[1]) for row in post["reply_markup"]["inline_keyboard"]
                for button in row for data in (button["callback_data"],) if button["text"].startswith("Vote")}
    for n, user in enumerate(stage.users[:LIVE_TELEGRAM]):
        data = keyboard[n % len(keyboard)]
        stage.telegram.press_button(stage.group, user, post["message_id"], data)
        pressed[entry_of[data]] += 1
    return pressed


async def probe_discord(stage: Stage, stop: asyncio.Event) -> list[float]:
    """A /share (a write) every 200 ms until the close is over: how long each answer took."""
    times, n = [], 0
    while not stop.is_set():
        n += 1
        began = time.monotonic()
        interaction = await stage.discord.slash(stage.guild, "general", stage.members[-1], "share",
                                                {"link": f"https://vimeo.com/probe{n}", "title": f"Probe {n}"})
        await interaction.wait_callback(timeout=60)
        times.append(time.monotonic() - began)
        await asyncio.sleep(0.2)
    return times


async def probe_telegram(stage: Stage, stop: asyncio.Event) -> list[float]:
    """/entries from a new private chat every 500 ms (a private chat takes a message a second)."""
    times = []
    for user in stage.users[LIVE_TELEGRAM:]:
        if stop.is_set():
            break
        chat = stage.telegram.private_chat(user)
        began = time.monotonic()
        stage.telegram.send_text(chat, user, "/entries")
        await stage.telegram.wait_for_call("sendMessage", answered_in(chat), timeout=60)
        times.append(time.monotonic() - began)
        await asyncio.sleep(0.5)
    return times


def answered_in(chat: dict[str, Any]) -> Any:
    def check(request: RecordedRequest) -> bool:
        return request.ok and request.params.get("chat_id") == chat["id"]
    return check


def tally_stored(db: Path) -> dict[int, int]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return dict(conn.execute("SELECT entry_id, votes FROM challenge_results WHERE challenge_id = 1"))


async def one_round(folder: Path, entries: int, voters: int) -> Figures:
    figures = Figures(entries)
    async with FakeDiscord(real_limits=True) as discord, FakeTelegram(real_limits=True) as telegram:
        stage = Stage(folder, discord, telegram)
        await stage.start()  # creates the database, the community and its chats
        await stage.stop()
        submit_until = datetime.now(UTC) + timedelta(seconds=START_AFTER)
        vote_until = submit_until + timedelta(seconds=VOTING)
        seeded = seed(stage.db, entries=entries, voters=voters, votes_each=VOTES_EACH, submit_until=submit_until,
                      vote_until=vote_until, rng=random.Random(entries))
        await stage.start()
        try:
            await until(lambda: sum("page 1 of" in str(p.get("content")) for p in stage.discord_posts()) == 4
                        and sum("page 1 of" in str(p.get("text")) for p in stage.telegram_posts()) == 4,
                        START_AFTER + 60, "the gallery posts")
            figures.posted = {"discord": Counter(submissions=len(stage.discord_posts())),
                              "telegram": Counter(submissions=len(stage.telegram_posts()))}
            pressed = await live_votes(stage, seeded)
            delay = (vote_until - datetime.now(UTC)).total_seconds()
            if delay < 0:
                raise RuntimeError("the live votes ran past the vote deadline: raise VOTING")
            await asyncio.sleep(delay)
            deadline = time.monotonic()
            stop = asyncio.Event()
            probes = [asyncio.create_task(probe_discord(stage, stop)), asyncio.create_task(probe_telegram(stage, stop))]
            seen: dict[str, float] = {}
            while len(seen) < 2 and time.monotonic() - deadline < 300:
                for name, posts in (("discord", stage.discord_posts()), ("telegram", stage.telegram_posts())):
                    if name not in seen and has_results(posts):
                        seen[name] = time.monotonic() - deadline
                await asyncio.sleep(0.05)
            stop.set()
            answers = await asyncio.gather(*probes)
            await asyncio.sleep(3.0)  # the results' attachment and any last part
            figures.to_results = seen
            figures.slowest = {"discord": max(answers[0], default=0.0), "telegram": max(answers[1], default=0.0)}
            for name, total in (("discord", len(stage.discord_posts())), ("telegram", len(stage.telegram_posts()))):
                figures.posted[name]["results"] = total - figures.posted[name]["submissions"]
            figures.posted["discord"]["private"] = sum(
                1 for r in discord.requests if r.method == "POST" and r.status == 200 and r.path.endswith("/messages")
                and discord.model.channels[r.path.split("/")[2]].guild_id is None)
            figures.posted["telegram"]["private"] = sum(
                1 for r in telegram.calls("sendMessage") if r.ok and int(r.params.get("chat_id", 0)) > 0)
            figures.peak_rss_mb = stage.peak_rss_mb()
        finally:
            await stage.stop()
        expected = seeded.votes + pressed
        stored = tally_stored(stage.db)
        figures.mismatched = sum(stored.get(entry, -1) != expected.get(entry, 0) for entry in range(1, entries + 1))
        figures.equal = figures.mismatched == 0 and len(stored) == entries
        figures.hits = Counter({f"discord {kind}": n for kind, n in discord.limit_hits.items()}
                               | {f"telegram {kind}": n for kind, n in telegram.limit_hits.items()})
    return figures


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISS"


def median_of(rounds: list[Figures], pick: Any) -> float:
    return statistics.median(pick(figures) for figures in rounds)


def report(rounds: list[Figures], baseline: list[Figures] | None) -> None:
    """Medians over the rounds of one size (the slowest answer: the median of each round's slowest)."""
    first = rounds[0]
    worst = median_of(rounds, lambda f: max(f.to_results.values(), default=float("inf")))
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
    rss = max(f.peak_rss_mb for f in rounds)
    hits: Counter[str] = sum((f.hits for f in rounds), Counter())
    print(f"  peak RSS of the bot process: {rss:.0f} MB (target <= 150 MB: {verdict(rss <= 150)}); "
          f"429s met: {sum(hits.values())} {dict(hits) or ''}(target 0: {verdict(not hits)})")
    if baseline is not None:
        base = median_of(baseline, lambda f: max(f.to_results.values(), default=1.0))
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
