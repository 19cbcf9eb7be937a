"""The state a festival-scale round reaches before its deadlines, written straight into the bot's database
(the bot process is stopped): makers and their films with titles in many scripts, one challenge in four
categories with its entries, the voters and their votes, the jurors and their scores, and the two phase
rows (submissions close, voting close) the bot's scheduler runs. What the bench measures happens after:
the bot posts, takes the live votes and commands, and closes the round."""

from __future__ import annotations

import json
import random
import sqlite3
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

CATEGORIES = ("documentary", "fiction", "animation", "experimental")
JURORS = 20
WORDS = ("Night Bus", "Harbour Light", "夜班公交", "海边的风", "ليلة الميناء", "نافذة", "Ночной трамвай",
         "Зима", "रात की बस", "बारिश", "Lumière du soir", "El último tren", "東京の雨", "바다의 소리")
COUNTRIES = 90


@dataclass(frozen=True)
class Seeded:
    community_id: int
    entries: int
    votes: Counter[int]                  # entry id -> seeded votes
    makers: dict[int, int]               # entry id -> maker's person id


def stamp(instant: datetime) -> str:
    return instant.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def seed(db: Path, *, entries: int, voters: int, votes_each: int, submit_until: datetime,
         vote_until: datetime, rng: random.Random) -> Seeded:
    conn = sqlite3.connect(db)
    try:
        with conn:
            return _seed(conn, entries, voters, votes_each, submit_until, vote_until, rng)
    finally:
        conn.close()


def _seed(conn: sqlite3.Connection, entries: int, voters: int, votes_each: int, submit_until: datetime,
          vote_until: datetime, rng: random.Random) -> Seeded:
    community_id = int(conn.execute("SELECT id FROM communities WHERE key = 'festival'").fetchone()[0])
    now = stamp(submit_until)
    first = int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM people").fetchone()[0]) + 1
    makers = list(range(first, first + entries))
    crowd = list(range(first + entries, first + entries + voters))
    jurors = list(range(first + entries + voters, first + entries + voters + JURORS))
    conn.executemany("INSERT INTO people (id, display_name, last_community_id, created_at) VALUES (?, ?, ?, ?)",
                     [(pid, f"maker {pid % COUNTRIES}-{pid}", community_id, now) for pid in makers]
                     + [(pid, f"voter {pid}", community_id, now) for pid in crowd]
                     + [(pid, f"juror {pid}", community_id, now) for pid in jurors])
    # Half of the people are on Discord, half on Telegram (ids no live account uses).
    conn.executemany("INSERT INTO accounts (platform, user_id, person_id, display_name, last_seen_at) "
                     "VALUES (?, ?, ?, ?, ?)",
                     [("discord" if pid % 2 else "telegram", str(9 * 10**17 + pid if pid % 2 else 9 * 10**9 + pid),
                       pid, f"person {pid}", now) for pid in makers + crowd + jurors])
    conn.executemany("INSERT INTO films (id, community_id, person_id, title, link, runtime_seconds, created_at, "
                     "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     [(n, community_id, pid, f"{WORDS[n % len(WORDS)]} {n}", f"https://vimeo.com/{700000 + n}",
                       60 + n % 540, now, now) for n, pid in enumerate(makers, start=1)])
    conn.execute("INSERT INTO challenges (id, community_id, theme, theme_norm, opens_at, submit_until, vote_until, "
                 "state, created_at, categories) VALUES (1, ?, 'Festival', 'festival', ?, ?, ?, 'open', ?, ?)",
                 (community_id, now, stamp(submit_until), stamp(vote_until), now, ",".join(CATEGORIES)))
    conn.executemany("INSERT INTO challenge_entries (id, challenge_id, film_id, person_id, created_at, category) "
                     "VALUES (?, 1, ?, ?, ?, ?)",
                     [(n, n, pid, now, CATEGORIES[n % len(CATEGORIES)]) for n, pid in enumerate(makers, start=1)])
    votes: Counter[int] = Counter()
    rows = []
    for pid in crowd:
        for entry in rng.sample(range(1, entries + 1), votes_each):
            votes[entry] += 1
            rows.append((entry, pid, "button", 1, now))
    conn.executemany("INSERT INTO challenge_votes (entry_id, person_id, source, active, at) VALUES (?, ?, ?, ?, ?)",
                     rows)
    conn.executemany("INSERT INTO challenge_jurors (challenge_id, person_id, category) VALUES (1, ?, ?)",
                     [(pid, CATEGORIES[n % len(CATEGORIES)]) for n, pid in enumerate(jurors)])
    conn.executemany("INSERT INTO challenge_scores (entry_id, person_id, score, at) VALUES (?, ?, ?, ?)",
                     [(entry, pid, rng.randint(1, 10), now) for n, pid in enumerate(jurors)
                      for entry in range(1, entries + 1) if entry % len(CATEGORIES) == n % len(CATEGORIES)])
    conn.executemany("INSERT INTO due_jobs (kind, key, due_at, payload, community_id) VALUES (?, ?, ?, ?, ?)",
                     [("challenges.phase", f"challenges:1:{phase}", stamp(due),
                       json.dumps({"challenge": 1, "phase": phase}), community_id)
                      for phase, due in (("submissions", submit_until), ("voting", vote_until))])
    return Seeded(community_id, entries, votes, {n: pid for n, pid in enumerate(makers, start=1)})
