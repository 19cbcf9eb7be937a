"""Three `microfilm-bot run` processes on one PostgreSQL database: two split the Discord stand-in's
shards, one is the Telegram webhook worker. A challenge round with a vote storm from both platforms, and
one process SIGKILLed at the close: every phase runs once, every announcement is posted once, every vote
is counted once, and the tally equals a recount of the platforms' own reactions."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bot.storage import Database
from bot.testing.fakes.discord_model import Perm
from bot.testing.fakes.discord_server import FakeDiscord, Guild
from bot.testing.fakes.telegram_server import FakeTelegram
from tests.backend import POSTGRES, database_target, read_rows
from tests.bot_process import BotProcess
from tests.discord_support import discord_text, user
from tests.two_platforms import (
    discord_answer,
    discord_posts,
    eventually,
    telegram_message_id,
    telegram_posts,
    telegram_text,
)

pytestmark = [pytest.mark.timeout(150),
              pytest.mark.skipif(not POSTGRES, reason="processes share a database on PostgreSQL (make test-postgres)")]
MANAGE_GUILD = 1 << 5
MAKERS, DISCORD_VOTERS, TELEGRAM_VOTERS = 3, 30, 20
SECRET_ENV = "TEST_TELEGRAM_SECRET"
SUBMIT_SECONDS, VOTE_SECONDS = 8, 22


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def config(discord: FakeDiscord, telegram: FakeTelegram, guild: Guild, group: dict[str, Any], *,
           shard: int | None = None, webhook_port: int | None = None) -> str:
    """One process's config: the same community and database, its own share of the platforms."""
    elsewhere = '["telegram"]' if shard is not None else '["discord"]'
    lines = ["[bot]", 'cogs = ["films", "challenges"]', 'log_level = "INFO"', "resend_unknown_after = 1",
             f"platforms_elsewhere = {elsewhere}",
             "[discord]", f'api_base = "{discord.api_base}"', f'gateway_url = "{discord.gateway_url}"',
             "guild_ready_timeout = 0.05", "threads = false", "channel_messages = 500", "shard_count = 2",
             f"shard_ids = [{shard if shard is not None else 0}]",
             "[telegram]", f'base_url = "{telegram.base_url}"', f'base_file_url = "{telegram.base_file_url}"',
             "overall_max_rate = 0", "group_max_rate = 0"]
    if webhook_port is not None:
        lines += ["[telegram.webhook]", "enabled = true", 'listen = "127.0.0.1"', f"port = {webhook_port}",
                  'path = "/hook"', f'url = "http://127.0.0.1:{webhook_port}/hook"',
                  f'secret_token_env = "{SECRET_ENV}"']
    lines += ["[[communities]]", 'key = "makers"', 'name = "Makers"',
              "[[communities.chats]]", 'platform = "discord"', f'id = "{guild.channel("general").id}"',
              f'space = "{guild.id}"',
              "[[communities.chats]]", 'platform = "telegram"', f'id = "{group["id"]}"']
    return "\n".join(lines) + "\n"


async def test_three_processes_run_a_round_once_and_count_every_vote_once(tmp_path: Path) -> None:
    os.environ[SECRET_ENV] = "s3cret-token"  # the webhook worker's secret (a child inherits it)
    async with FakeDiscord() as discord, FakeTelegram() as telegram:
        guild = discord.add_guild("makers", channels=["general"])
        discord.add_member(guild, "mo", permissions=Perm.EVERYONE_DEFAULT | MANAGE_GUILD)
        for n in range(MAKERS):
            discord.add_member(guild, f"maker{n}")
        for n in range(DISCORD_VOTERS):
            discord.add_member(guild, f"voter{n}")
        group = telegram.add_group("Makers")
        telegram.set_admins(group, [telegram.bot_user])  # reactions reach admin bots only
        fans = [telegram.add_user(f"Fan {n}", f"fan{n}") for n in range(TELEGRAM_VOTERS)]
        port, db = free_port(), tmp_path / "shared.sqlite3"
        processes = [
            BotProcess(tmp_path / "shard0", config(discord, telegram, guild, group, shard=0), discord=discord, db=db),
            BotProcess(tmp_path / "shard1", config(discord, telegram, guild, group, shard=1), discord=discord, db=db),
            BotProcess(tmp_path / "webhook", config(discord, telegram, guild, group, webhook_port=port),
                       telegram=telegram, db=db)]
        try:
            for process in processes:  # one after the other: each applies (or finds) the migrations
                await process.start(timeout=40)
            await run_round(discord, telegram, guild, group, fans, port, processes, db)
        finally:
            for process in processes:
                process.kill()
                if process.process is not None:
                    await process.wait()
    await check_once(discord, telegram, guild, group, db)


async def run_round(discord: FakeDiscord, telegram: FakeTelegram, guild: Guild, group: dict[str, Any],
                    fans: list[dict[str, Any]], port: int, processes: list[BotProcess], db: Path) -> None:
    general = guild.channel("general")
    created = await discord_answer(discord, guild, user(discord, guild, "mo"), "challenge_admin",
                                   {"theme": "Night walks", "submit_until": f"{SUBMIT_SECONDS}s",
                                    "vote_until": f"{VOTE_SECONDS}s"}, "new")
    assert "is set" in created["content"], created
    started = asyncio.get_running_loop().time()
    for n in range(MAKERS):
        entered = await discord_answer(discord, guild, user(discord, guild, f"maker{n}"), "submit",
                                       {"film": f"https://vimeo.com/{n + 1}", "title": f"Film {n + 1}",
                                        "runtime": "1:00"})
        assert f"Entry #{n + 1}" in entered["content"], entered
    # Voting opens: each entry is posted once on each platform.
    await eventually(lambda: len(entry_cards(discord, general.id)) == MAKERS, timeout=SUBMIT_SECONDS + 15)
    await eventually(lambda: len(telegram_cards(telegram, group)) == MAKERS, timeout=15)
    cards = entry_cards(discord, general.id)
    posts = telegram_cards(telegram, group)
    # The storm: every Discord voter reacts on one card, every Telegram fan on one post.
    await asyncio.gather(*(discord.react(general, cards[n % MAKERS]["id"], user(discord, guild, f"voter{n}"), "⭐")
                           for n in range(DISCORD_VOTERS)))
    url = f"http://127.0.0.1:{port}/hook"
    for n, fan in enumerate(fans):
        update = telegram.react(group, fan, telegram_message_id(posts[n % MAKERS]), "🔥")
        assert await telegram.post_webhook(url, update, secret_token="s3cret-token") == 200  # acknowledged
    # The close: the process running it dies inside its transaction (after its recount, before its commit).
    closes_in = started + SUBMIT_SECONDS + VOTE_SECONDS - asyncio.get_running_loop().time()
    await asyncio.sleep(max(closes_in - 0.5, 0))
    closing = await process_in_a_due_row(db, timeout=5.0)
    victim = next((p for p in processes if p.process is not None and p.process.pid == closing), processes[0])
    assert victim.process is not None
    victim.process.send_signal(signal.SIGKILL)
    await victim.wait()
    # A supervisor starts it again (the webhook worker is the only one delivering to Telegram).
    again = BotProcess(victim.config.parent, victim.config.read_text(encoding="utf-8"), db=victim.db,
                       discord=discord if victim is not processes[2] else None,
                       telegram=telegram if victim is processes[2] else None)
    processes.append(again)
    await again.start(timeout=40)
    await eventually(lambda: len(results(discord_posts(discord, general.id), discord_text)) == 1
                     and len(results(telegram_posts(telegram, group), telegram_text)) == 1, timeout=30)
    await asyncio.sleep(1.5)  # long enough for a second copy to show, were one ever sent


async def process_in_a_due_row(db: Path, timeout: float) -> int | None:
    """The pid of the bot process whose open transaction has claimed a due row (None if none showed)."""
    watcher = await Database.open(database_target(db))
    try:
        loop = asyncio.get_running_loop()
        ends = loop.time() + timeout
        while loop.time() < ends:
            name = await watcher.fetchval(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.relation = to_regclass('due_jobs') AND l.mode = 'RowShareLock' AND a.pid <> pg_backend_pid()")
            if name:
                return int(str(name).rsplit(" ", 1)[1])
            await asyncio.sleep(0.002)
        return None
    finally:
        await watcher.close()


def entry_cards(discord: FakeDiscord, channel_id: str) -> list[dict[str, Any]]:
    return sorted((m for m in discord_posts(discord, channel_id) if "Entry #" in discord_text(m)),
                  key=lambda m: discord_text(m))


def telegram_cards(telegram: FakeTelegram, group: dict[str, Any]) -> list[Any]:
    return sorted((r for r in telegram_posts(telegram, group) if "vote with" in telegram_text(r)),
                  key=lambda r: telegram_text(r))


def results(posts: list[Any], text: Any) -> list[Any]:
    return [post for post in posts if "Results of challenge #1" in text(post)]


async def check_once(discord: FakeDiscord, telegram: FakeTelegram, guild: Guild, group: dict[str, Any],
                     db: Path) -> None:
    general = guild.channel("general")
    on_discord = [discord_text(m) for m in discord_posts(discord, general.id)]
    on_telegram = [telegram_text(r) for r in telegram_posts(telegram, group)]
    for posted in (on_discord, on_telegram):  # every announcement once
        repeated = {text: count for text, count in Counter(posted).items() if count > 1}
        assert repeated == {}, repeated
    # Every phase once: each of the round's due rows done, and the results stored once per entry.
    jobs = await read_rows(db, "SELECT key, done_at FROM due_jobs WHERE key LIKE 'challenges:1:%'")
    assert jobs and all(done is not None for _, done in jobs), jobs
    stored = dict(await read_rows(db, "SELECT entry_id, votes FROM challenge_results WHERE challenge_id = 1"))
    assert len(stored) == MAKERS
    # The tally against a recount of each platform's own reactions on the posted entries.
    recount: Counter[int] = Counter()
    for card in entry_cards(discord, general.id):
        voters = discord.model.reactions.get(card["id"], {}).get("⭐", {})
        recount[entry_of(discord_text(card))] += len([uid for uid in voters if uid != discord.model.bot_id])
    for post in telegram_cards(telegram, group):
        counts = telegram.state.reaction_counts(group["id"], telegram_message_id(post))
        recount[entry_of(telegram_text(post))] += counts.get("🔥", 0)
    assert sum(recount.values()) == DISCORD_VOTERS + TELEGRAM_VOTERS  # every vote made reached a platform
    assert {int(entry): int(votes) for entry, votes in stored.items()} == dict(recount)


def entry_of(text: str) -> int:
    found = re.search(r"Entry #(\d+)", text)
    assert found, text
    return int(found.group(1))
