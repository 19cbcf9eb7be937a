"""The state a festival-scale round reaches before its deadlines, stored by the bot's own `import-json`
(the bot process is stopped), so the same seed fills SQLite and PostgreSQL with exactly the rows the bot
writes: makers and their films with titles in many scripts, one challenge in four categories with its
entries, the voters and their votes, the jurors and their scores; the importer plans the two phase rows
(submissions close, voting close) the bot's scheduler runs. What the bench measures happens after: the bot
posts, takes the live votes and commands, and closes the round."""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.export import EXPORT_VERSION, FORMAT

CATEGORIES = ("documentary", "fiction", "animation", "experimental")
JURORS = 20
WORDS = ("Night Bus", "Harbour Light", "夜班公交", "海边的风", "ليلة الميناء", "نافذة", "Ночной трамвай",
         "Зима", "रात की बस", "बारिश", "Lumière du soir", "El último tren", "東京の雨", "바다의 소리")
COUNTRIES = 90
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Seeded:
    entries: int
    votes: Counter[int]                  # entry id -> seeded votes
    makers: dict[int, int]               # entry id -> maker's person id
    seconds: float = 0.0                 # how long the import took


def stamp(instant: datetime) -> str:
    return instant.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def document(*, entries: int, voters: int, votes_each: int, submit_until: datetime, vote_until: datetime,
             rng: random.Random) -> tuple[dict[str, Any], Seeded]:
    """An export of the community `festival` as `microfilm-bot export --format json` writes one."""
    now = stamp(submit_until)
    makers = list(range(1, entries + 1))
    crowd = list(range(entries + 1, entries + voters + 1))
    jurors = list(range(entries + voters + 1, entries + voters + JURORS + 1))
    names = {pid: f"maker {pid % COUNTRIES}-{pid}" for pid in makers} | {pid: f"voter {pid}" for pid in crowd} \
        | {pid: f"juror {pid}" for pid in jurors}
    # Half of the people are on Discord, half on Telegram (ids no live account uses).
    people = [{"id": pid, "display_name": name, "zone": None,
               "accounts": [{"platform": "discord", "user_id": str(9 * 10**17 + pid)} if pid % 2 else
                            {"platform": "telegram", "user_id": str(9 * 10**9 + pid)}]} for pid, name in names.items()]
    films = [{"id": n, "maker_person_id": pid, "title": f"{WORDS[n % len(WORDS)]} {n}",
              "link": f"https://vimeo.com/{700000 + n}", "runtime_seconds": 60 + n % 540, "created_at": now}
             for n, pid in enumerate(makers, start=1)]
    challenge = {"id": 1, "theme": "Festival", "opens_at": now, "submit_until": stamp(submit_until),
                 "vote_until": stamp(vote_until), "state": "open", "categories": list(CATEGORIES)}
    entry_rows = [{"id": n, "challenge_id": 1, "film_id": n, "person_id": pid, "created_at": now,
                   "category": CATEGORIES[n % len(CATEGORIES)]} for n, pid in enumerate(makers, start=1)]
    votes: Counter[int] = Counter()
    vote_rows = []
    for pid in crowd:
        for entry in rng.sample(range(1, entries + 1), votes_each):
            votes[entry] += 1
            vote_rows.append({"entry_id": entry, "person_id": pid, "source": "button", "active": True, "at": now})
    juror_rows = [{"challenge_id": 1, "person_id": pid, "category": CATEGORIES[n % len(CATEGORIES)]}
                  for n, pid in enumerate(jurors)]
    scores = [{"entry_id": entry, "person_id": pid, "score": rng.randint(1, 10), "at": now}
              for n, pid in enumerate(jurors) for entry in range(1, entries + 1)
              if entry % len(CATEGORIES) == n % len(CATEGORIES)]
    community = {"id": 1, "key": "festival", "name": "Festival", "zone": "UTC", "language": "en", "films": films,
                 "challenges": [challenge], "challenge_entries": entry_rows, "challenge_votes": vote_rows,
                 "challenge_jurors": juror_rows, "challenge_scores": scores}
    exported = {"format": FORMAT, "version": EXPORT_VERSION, "public": False, "exported_at": now,
                "people": people, "communities": [community]}
    return exported, Seeded(entries, votes, dict(enumerate(makers, start=1)))


async def seed(folder: Path, config: Path, target: str, *, entries: int, voters: int, votes_each: int,
               submit_until: datetime, vote_until: datetime, rng: random.Random) -> Seeded:
    """Write the export and run `microfilm-bot import-json` on it into `target` (a file or a URL)."""
    exported, seeded = document(entries=entries, voters=voters, votes_each=votes_each, submit_until=submit_until,
                                vote_until=vote_until, rng=rng)
    path = folder / "festival-export.json"
    path.write_text(json.dumps(exported, ensure_ascii=False), encoding="utf-8")
    began = asyncio.get_running_loop().time()
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "import-json", str(path), "--community", "festival", "--config", str(config),
        "--db", target, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await child.communicate()
    if child.returncode != 0:
        raise RuntimeError(f"import-json failed: {out.decode(errors='replace')}")
    path.unlink()
    return Seeded(seeded.entries, seeded.votes, seeded.makers, asyncio.get_running_loop().time() - began)
