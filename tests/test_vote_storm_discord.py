"""A storm of reactions through the real Discord adapter: every vote counted once, in order.

discord.py runs each gateway event as its own task; the stand-in sends a burst back to back, as the
gateway does, so many events of one person are in flight at once. After every chunk the store must
equal what Discord shows (a recount), including people who flap add/remove/add.
"""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta
from pathlib import Path

import pytest

from bot.testing.fakes.discord_server import FakeDiscord
from tests.discord_round import reactions_shown, reactions_stored, settled, voting_round

pytestmark = pytest.mark.timeout(60)


def storm(round_: object, voters: list[dict[str, object]], cards: dict[int, str], channel: object, *,
          seed: int, events: int, flapping: float) -> list[tuple[object, str, dict[str, object], str, bool]]:
    """Reaction changes: mostly single adds; a share of (voter, card) pairs flap add/remove runs."""
    rng = random.Random(seed)
    pairs = [(voter, message_id) for voter in voters for message_id in cards.values()]
    rng.shuffle(pairs)
    changes: list[tuple[object, str, dict[str, object], str, bool]] = []
    for voter, message_id in pairs:
        if len(changes) >= events:
            break
        runs = rng.randint(2, 5) if rng.random() < flapping else 1
        changes += [(channel, message_id, voter, "⭐", step % 2 == 0) for step in range(runs)]
    return changes


async def test_a_burst_with_flapping_is_stored_as_discord_shows_it_at_every_checkpoint(
        discord_fake: FakeDiscord, tmp_path: Path) -> None:
    fake = discord_fake
    async with voting_round(fake, tmp_path / "bot.sqlite3", entries=10, voters=250) as round_:
        changes = storm(round_, round_.voters, round_.cards, round_.channel, seed=7, events=3000, flapping=0.2)
        sent = 0
        for start in range(0, len(changes), 1000):
            sent += len(await fake.react_many(changes[start:start + 1000]))
            await settled(round_.app, sent)
            assert await reactions_stored(round_.app) == reactions_shown(fake, round_)  # tally = recount
        assert sent == len(changes) >= 3000  # every change went out as an event
        # A flapper's last change wins whatever each event's lookups cost: no entry counts a vote twice.
        tally = await round_.app.db.fetchall(
            "SELECT entry_id, COUNT(DISTINCT person_id) FROM challenge_votes WHERE active = 1 GROUP BY entry_id")
        shown = reactions_shown(fake, round_)
        assert {int(row[0]): int(row[1]) for row in tally} == {
            entry: sum(1 for e, _ in shown if e == entry) for entry in {e for e, _ in shown}}


async def test_receipts_come_at_most_one_per_voter_and_challenge_a_minute(discord_fake: FakeDiscord,
                                                                         tmp_path: Path) -> None:
    fake = discord_fake
    async with voting_round(fake, tmp_path / "bot.sqlite3", entries=5, voters=20) as round_:
        changes = storm(round_, round_.voters, round_.cards, round_.channel, seed=3, events=100, flapping=0.3)
        sent = len(await fake.react_many(changes))
        await settled(round_.app, sent)
        await round_.app.outbox.flush()
        first = dms_by_user(fake)
        assert first and max(first.values()) == 1  # each voter heard once so far, not once per reaction
        await round_.app.scheduler.advance_to(round_.clock.now() + timedelta(minutes=1))
        await round_.app.outbox.flush()
        later = dms_by_user(fake)
        assert max(later.values()) <= 2  # and once more at the end of their minute, summing up the rest
        summaries = [m["content"] for m in all_dms(fake) if "Your votes in challenge #1" in (m["content"] or "")]
        assert summaries and all("•" in text for text in summaries)
        assert sum(later.values()) < sent / 2  # far fewer messages than reactions


def all_dms(fake: FakeDiscord) -> list[dict[str, object]]:
    return [r.response for r in fake.requests if r.method == "POST" and r.status == 200
            and r.path.startswith("/channels/") and r.path.endswith("/messages")
            and fake.model.channels[r.path.split("/")[2]].guild_id is None]


def dms_by_user(fake: FakeDiscord) -> dict[str, int]:
    counts: dict[str, int] = {}
    for message in all_dms(fake):
        channel = fake.model.channels[str(message["channel_id"])]
        recipient = channel.to_payload()["recipients"][0]["id"]
        counts[recipient] = counts.get(recipient, 0) + 1
    return counts


async def test_order_holds_whatever_the_lookups_cost(discord_fake: FakeDiscord, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The drill that broke the first version: each event's lookups take a different time (a cold cache,
    a busy database), so without an order kept per person and message a later event overtakes."""
    fake = discord_fake
    async with voting_round(fake, tmp_path / "bot.sqlite3", entries=4, voters=40) as round_:
        directory = round_.app.directory
        real = directory.person_for
        rng = random.Random(11)

        async def slow_person_for(*args: object, **kwargs: object) -> object:
            await asyncio.sleep(rng.random() * 0.02)  # 0-20 ms, different for every event
            return await real(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(directory, "person_for", slow_person_for)
        changes = storm(round_, round_.voters, round_.cards, round_.channel, seed=5, events=400, flapping=1.0)
        sent = len(await fake.react_many(changes))
        await settled(round_.app, sent)
        assert await reactions_stored(round_.app) == reactions_shown(fake, round_)
