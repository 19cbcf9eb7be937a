"""The search of release 0.1, kept to measure the current one against in the same run: FTS5's unicode61
tokenizer over title, logline and tags, each typed word a prefix term, three tiers of all words."""

from __future__ import annotations

import re

from bot.storage import Database

INDEX = "films_fts_v1"


async def build_index(db: Database) -> None:
    """Release 0.1's index, built beside the current one over the same films."""
    await db.executescript(
        f"DROP TABLE IF EXISTS {INDEX};"
        f"CREATE VIRTUAL TABLE {INDEX} USING fts5(title, logline, tags, content='films', content_rowid='id', "
        f"tokenize='unicode61');"
        f"INSERT INTO {INDEX}({INDEX}) VALUES ('rebuild');")


def fts_query(words: str) -> str | None:
    terms = [word for word in re.findall(r"\w+", words.lower()) if word]
    if not terms:
        return None
    return " ".join('"' + term.replace('"', '""') + '"*' for term in terms[:12])


async def search(db: Database, community_id: int, words: str, limit: int = 10) -> list[int]:
    query = fts_query(words)
    if query is None:
        return []
    found: dict[int, None] = {}
    for columns in ("{title}", "{title tags}", "{title logline tags}"):
        rows = await db.fetchall(
            f"SELECT f.id FROM {INDEX} JOIN films f ON f.id = {INDEX}.rowid WHERE {INDEX} MATCH ? "
            f"AND f.community_id = ? ORDER BY {INDEX}.rowid DESC LIMIT ?",
            (f"{columns} : ({query})", community_id, limit))
        found.update(dict.fromkeys(row[0] for row in rows))
        if len(found) >= limit:
            break
    return list(found)[:limit]
