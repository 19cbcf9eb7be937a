"""A challenge in its voting phase on the Discord stand-in, set up the way members do it (slash commands),
and the vote store compared with what Discord shows: the truth every storm test checks against."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app import App
from bot.clock import VirtualClock
from bot.platforms.discord_platform import create
from bot.testing.fakes.discord_model import Perm
from bot.testing.fakes.discord_server import Channel, FakeDiscord, Guild
from tests.discord_support import answer, discord_config, eventually

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
MANAGE_GUILD = 1 << 5


@dataclass
class Round:
    app: App
    clock: VirtualClock
    guild: Guild
    channel: Channel
    cards: dict[int, str]          # entry id -> card message id
    makers: list[dict[str, Any]]   # maker i made entry i + 1
    voters: list[dict[str, Any]]


@asynccontextmanager
async def voting_round(fake: FakeDiscord, db_path: Path, *, entries: int, voters: int,
                       sections: dict[str, Any] | None = None) -> AsyncIterator[Round]:
    """`entries` makers have entered one film each; submissions are closed and every card is posted."""
    guild = fake.add_guild("makers", channels=["general"])
    fake.add_member(guild, "mo", permissions=Perm.EVERYONE_DEFAULT | MANAGE_GUILD)
    makers = [fake.add_member(guild, f"maker{n}") for n in range(entries)]
    people = [fake.add_member(guild, f"voter{n}") for n in range(voters)]
    config = discord_config(fake, challenges_channel="general",
                            sections={"bot": {"cogs": ["films", "challenges"]}, **(sections or {})})
    clock = VirtualClock(START)
    app = App(config, db_path=str(db_path), clock=clock, platforms=[create(config)])
    await app.start()
    try:
        await answer(fake, guild, "mo", "challenge_admin", {"theme": "Night walks"}, subcommand="new")
        for number, maker in enumerate(makers, start=1):
            data = await answer(fake, guild, maker["username"], "submit",
                                {"film": f"https://vimeo.com/{number}", "title": f"Film {number}", "runtime": "1:00"})
            assert f"Entry #{number}" in data["content"], data
        await app.scheduler.advance_to(START + timedelta(days=5))
        channel = guild.channel("general")
        await eventually(lambda: len(cards_in(fake, channel)) == entries)
        yield Round(app, clock, guild, channel, cards_in(fake, channel), makers, people)
    finally:
        await app.stop()


def cards_in(fake: FakeDiscord, channel: Channel) -> dict[int, str]:
    """Entry id -> message id of every entry card posted in the channel (read from its Vote button)."""
    found = {}
    for message in fake.messages_in(channel):
        for row in message.get("components", []):
            for item in row.get("components", []):
                if str(item.get("custom_id", "")).startswith("challenges.vote:"):
                    found[int(item["custom_id"].split(":")[1])] = message["id"]
    return found


def reactions_shown(fake: FakeDiscord, round_: Round, emoji: str = "⭐") -> set[tuple[int, str]]:
    """(entry id, Discord user id) for every reaction Discord shows on the cards: the truth."""
    shown = set()
    for entry_id, message_id in round_.cards.items():
        for user_id in fake.model.reactions.get(message_id, {}).get(emoji, {}):
            shown.add((entry_id, user_id))
    return shown


async def reactions_stored(app: App) -> set[tuple[int, str]]:
    """(entry id, Discord user id) for every active reaction vote in the store."""
    rows = await app.db.fetchall(
        "SELECT v.entry_id, a.user_id FROM challenge_votes v JOIN accounts a ON a.person_id = v.person_id "
        "AND a.platform = 'discord' WHERE v.active = 1 AND v.source LIKE 'react:discord:%'")
    return {(int(row[0]), str(row[1])) for row in rows}


async def settled(app: App, taken: int, timeout: float = 20.0) -> None:
    """Until the bot has taken in `taken` reaction events in all and handled every one of them."""
    pipeline = app.dispatcher.reactions

    async def wait() -> None:
        while pipeline.taken < taken or pipeline.in_flight:
            await asyncio.sleep(0.01)

    await asyncio.wait_for(wait(), timeout)
