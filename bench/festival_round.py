"""One festival-scale round on a stage (bench/festival_stage.py) and its figures, on either backend and in
either process layout; bench_festival_round and bench_festival_postgres print them.

The seed (bench/festival_seed.py) is imported before the deadlines; then the bot runs the round as users
see it: the submissions close and its posts, live Vote presses on the gallery on both platforms, commands
sent during the close, the close and its results.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.festival_seed import Seeded, seed
from bench.festival_stage import LIVE_DISCORD, LIVE_TELEGRAM, Stage
from bot.storage import Database
from bot.testing.fakes.discord_server import FakeDiscord
from bot.testing.fakes.telegram_server import FakeTelegram, RecordedRequest

VOTES_EACH = 5
# Seconds from writing the seed to the submissions close (the import, about 5 s per 1,000 entries with
# their voters, and the start of the processes happen in between), then to the vote close (the galleries
# are posted and the live votes pressed).
START_AFTER, IMPORT_PER_ENTRY, VOTING = 25.0, 0.006, 30.0
RESULTS = "Results of challenge #1"


@dataclass
class Figures:
    entries: int
    posted: dict[str, Counter[str]] = field(default_factory=dict)  # platform -> phase -> messages
    to_results: dict[str, float] = field(default_factory=dict)     # platform -> seconds from the deadline
    slowest: dict[str, float] = field(default_factory=dict)        # platform -> slowest answer during the close
    equal: bool = False
    mismatched: int = 0
    rss_mb: dict[str, float] = field(default_factory=dict)         # process -> peak RSS
    rss_before_close_mb: dict[str, float] = field(default_factory=dict)  # process -> peak RSS at the deadline
    hits: Counter[str] = field(default_factory=Counter)  # 429s answered, by platform and limit
    repeated: int = 0          # posts that were the same message posted again
    phases_done: bool = False  # each phase row of the round done, the results stored once per entry
    seed_seconds: float = 0.0

    @property
    def peak_rss_mb(self) -> float:
        return max(self.rss_mb.values(), default=0.0)

    @property
    def both_results(self) -> float:
        return max(self.to_results.values()) if len(self.to_results) == 2 else float("inf")


async def until(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not happen within {timeout:.0f} s")
        await asyncio.sleep(0.05)


def text_of(post: dict[str, Any]) -> str:
    """A post's text on either platform, with its embeds' titles (Discord's results are an embed)."""
    titles = " ".join(str(embed.get("title", "")) for embed in post.get("embeds", []))
    return f'{post.get("content") or post.get("text") or post.get("caption") or ""} {titles}'


def has_results(posts: list[dict[str, Any]]) -> bool:
    return any(RESULTS in text_of(post) for post in posts)


def repeats(posts: list[dict[str, Any]]) -> int:
    """Posts that repeat an earlier one (same text, embeds and file): an announcement posted twice."""
    seen = Counter(json.dumps([text_of(p), p.get("embeds"), [a.get("filename") for a in p.get("attachments", [])],
                               p.get("document", {}).get("file_name")], sort_keys=True, default=str)
                   for p in posts)
    return sum(count - 1 for count in seen.values())


async def live_votes(stage: Stage) -> Counter[int]:
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
    buttons = [button for row in post["reply_markup"]["inline_keyboard"] for button in row
               if button["text"].startswith("Vote")]
    for n, user in enumerate(stage.users[:LIVE_TELEGRAM]):
        button = buttons[n % len(buttons)]
        await stage.deliver(stage.telegram.press_button(stage.group, user, post["message_id"],
                                                        button["callback_data"]))
        pressed[int(button["text"].split("#")[1])] += 1
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
        await stage.deliver(stage.telegram.send_text(chat, user, "/entries"))
        await stage.telegram.wait_for_call("sendMessage", answered_in(chat), timeout=60)
        times.append(time.monotonic() - began)
        await asyncio.sleep(0.5)
    return times


def answered_in(chat: dict[str, Any]) -> Any:
    def check(request: RecordedRequest) -> bool:
        return request.ok and request.params.get("chat_id") == chat["id"]
    return check


async def stored_round(target: str) -> tuple[dict[int, int], bool]:
    """The stored tally, and whether every phase row of the round is done with the results stored once."""
    db = await Database.open(target)
    try:
        tally = {int(row[0]): int(row[1]) for row in await db.fetchall(
            "SELECT entry_id, votes FROM challenge_results WHERE challenge_id = 1")}
        phases = await db.fetchall("SELECT done_at FROM due_jobs WHERE key LIKE 'challenges:1:%'")
        duplicates = await db.fetchval("SELECT COUNT(*) - COUNT(DISTINCT entry_id) FROM challenge_results "
                                       "WHERE challenge_id = 1")
    finally:
        await db.close()
    return tally, bool(phases) and all(row[0] is not None for row in phases) and int(duplicates) == 0


async def one_round(folder: Path, entries: int, voters: int, target: str | None = None,
                    layout: str = "one") -> Figures:
    """A round on `target` (default: a SQLite file in `folder`) with the processes of `layout`."""
    figures = Figures(entries)
    target = target or str(folder / "festival.sqlite3")
    async with FakeDiscord(real_limits=True) as discord, FakeTelegram(real_limits=True) as telegram:
        stage = Stage(folder, discord, telegram, target, layout)
        submit_until = datetime.now(UTC) + timedelta(seconds=START_AFTER + IMPORT_PER_ENTRY * entries)
        vote_until = submit_until + timedelta(seconds=VOTING)
        seeded = await seed(folder, stage.config, target, entries=entries, voters=voters, votes_each=VOTES_EACH,
                            submit_until=submit_until, vote_until=vote_until, rng=random.Random(entries))
        figures.seed_seconds = seeded.seconds
        await stage.start()
        try:
            pressed = await voting(stage, figures, vote_until)
            figures.rss_before_close_mb = stage.peak_rss_mb()
            await closing(stage, figures)
            figures.rss_mb = stage.peak_rss_mb()
        finally:
            await stage.stop()
        count_private(figures, discord, telegram)
        await tally(figures, seeded, pressed, target)
        figures.hits = Counter({f"discord {kind}": n for kind, n in discord.limit_hits.items()}
                               | {f"telegram {kind}": n for kind, n in telegram.limit_hits.items()})
    return figures


async def voting(stage: Stage, figures: Figures, vote_until: datetime) -> Counter[int]:
    """The submissions close's posts, then the live votes until the vote deadline."""
    await until(lambda: sum("page 1 of" in str(p.get("content")) for p in stage.discord_posts()) == 4
                and sum("page 1 of" in str(p.get("text")) for p in stage.telegram_posts()) == 4,
                START_AFTER + IMPORT_PER_ENTRY * figures.entries + 60, "the gallery posts")
    figures.posted = {"discord": Counter(submissions=len(stage.discord_posts())),
                      "telegram": Counter(submissions=len(stage.telegram_posts()))}
    pressed = await live_votes(stage)
    delay = (vote_until - datetime.now(UTC)).total_seconds()
    if delay < 0:
        raise RuntimeError("the live votes ran past the vote deadline: raise VOTING")
    await asyncio.sleep(delay)
    return pressed


async def closing(stage: Stage, figures: Figures) -> None:
    """From the vote deadline: commands every few hundred ms until the results are on both platforms."""
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
    await asyncio.sleep(3.0)  # the results' attachment, any last part, and any second copy were one sent
    figures.to_results = seen
    figures.slowest = {"discord": max(answers[0], default=0.0), "telegram": max(answers[1], default=0.0)}
    for name, posts in (("discord", stage.discord_posts()), ("telegram", stage.telegram_posts())):
        figures.posted[name]["results"] = len(posts) - figures.posted[name]["submissions"]
        figures.repeated += repeats(posts)


def count_private(figures: Figures, discord: FakeDiscord, telegram: FakeTelegram) -> None:
    figures.posted["discord"]["private"] = sum(
        1 for r in discord.requests if r.method == "POST" and r.status == 200 and r.path.endswith("/messages")
        and discord.model.channels[r.path.split("/")[2]].guild_id is None)
    figures.posted["telegram"]["private"] = sum(
        1 for r in telegram.calls("sendMessage") if r.ok and int(r.params.get("chat_id", 0)) > 0)


async def tally(figures: Figures, seeded: Seeded, pressed: Counter[int], target: str) -> None:
    """The stored tally against a recount of every vote cast (the seeded ones and the live presses)."""
    expected = seeded.votes + pressed
    stored, figures.phases_done = await stored_round(target)
    figures.mismatched = sum(stored.get(entry, -1) != expected.get(entry, 0) for entry in range(1, seeded.entries + 1))
    figures.equal = figures.mismatched == 0 and len(stored) == seeded.entries
