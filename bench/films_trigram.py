"""The road not taken, measured beside the chosen one: FTS5's `trigram` tokenizer over the same films.

It finds any run of three or more characters through its index; shorter runs (two Chinese characters,
one letter) it can only look for with LIKE, a scan of the films until enough match."""

from __future__ import annotations

import re

from bot.storage import Database

INDEX = "films_fts_trigram"


async def build_index(db: Database) -> None:
    await db.executescript(
        f"DROP TABLE IF EXISTS {INDEX};"
        f"CREATE VIRTUAL TABLE {INDEX} USING fts5(title, logline, tags, content='films', content_rowid='id', "
        f"tokenize='trigram');"
        f"INSERT INTO {INDEX}({INDEX}) VALUES ('rebuild');")


async def search(db: Database, community_id: int, words: str, limit: int = 10) -> list[int]:
    terms = re.findall(r"\w+", words.lower())[:12]
    long = [term for term in terms if len(term) >= 3]
    short = [term for term in terms if len(term) < 3]
    where: list[str] = ["f.community_id = ?"]
    params: list[object] = [community_id]
    for term in short:
        where.append("(f.title LIKE ? OR f.logline LIKE ? OR f.tags LIKE ?)")
        params += [f"%{term}%"] * 3
    if long:
        sql = (f"SELECT f.id FROM {INDEX} JOIN films f ON f.id = {INDEX}.rowid WHERE {INDEX} MATCH ? AND "
               f"{' AND '.join(where)} ORDER BY {INDEX}.rowid DESC LIMIT ?")
        match = " ".join('"' + term.replace('"', '""') + '"' for term in long)
        rows = await db.fetchall(sql, (match, *params, limit))
    else:
        rows = await db.fetchall(f"SELECT f.id FROM films f WHERE {' AND '.join(where)} ORDER BY f.id DESC LIMIT ?",
                                 (*params, limit))
    return [row[0] for row in rows]
