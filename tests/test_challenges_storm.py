"""Kill -9 in the middle of a vote storm: every acknowledged vote is in the database afterwards.

Run as a script, this file is the storm: it prints `ACK <entry> <person>` for each acknowledged vote.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from bot.testing.harness import make_config
from tests.backend import database_target, read_rows

ROOT = Path(__file__).resolve().parents[1]
ENTRIES = 4
VOTERS = 5000


async def storm(db_path: str) -> None:
    from bot.app import App
    from bot.models import Account, MessageRef, ReactionEvent
    from cogs.challenges.testing import voting_challenge

    app = App(make_config(), db_path=db_path)
    await app.open_storage()
    await app.load_cogs(["films", "challenges"])
    cog = app.cog("challenges")
    community, entries = await voting_challenge(app, ENTRIES)
    now = app.clock.now()
    print("READY", flush=True)
    at = now + timedelta(hours=1)

    async def vote(voter: int) -> None:
        person = await app.directory.person_for(Account("console", f"v{voter}"), f"v{voter}")
        entry = entries[voter % len(entries)]
        ref = MessageRef("console", "#general", str(entry.id))
        queued = await cog.voting.on_reaction(  # type: ignore[union-attr]
            ReactionEvent(ref, Account("console", f"v{voter}"), f"v{voter}", "⭐", True, at),
            f"challenges.entry:{entry.id}", person, community)
        await queued
        print(f"ACK {entry.id} {person.id}", flush=True)

    for start in range(0, VOTERS, 50):
        await asyncio.gather(*(vote(n) for n in range(start, start + 50)))


async def test_every_acknowledged_vote_survives_kill_9(tmp_path: Path) -> None:
    db_path = tmp_path / "storm.sqlite3"
    proc = subprocess.Popen([sys.executable, __file__, database_target(db_path)], cwd=ROOT, stdout=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout is not None
    acked: list[tuple[int, int]] = []
    try:
        for line in proc.stdout:
            if line.startswith("ACK"):
                _, entry, person = line.split()
                acked.append((int(entry), int(person)))
                if len(acked) >= 600:
                    break
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL and len(acked) >= 600
    stored = set(await read_rows(db_path, "SELECT entry_id, person_id FROM challenge_votes WHERE active = 1"))
    missing = [vote for vote in acked if vote not in stored]
    assert missing == []


if __name__ == "__main__":
    asyncio.run(storm(sys.argv[1]))
