"""All SQL of the films cog."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage import Database, Row, TextTerm, Tx
from bot.timeutil import from_db, to_db


@dataclass(frozen=True)
class Film:
    id: int
    community_id: int
    person_id: int
    maker: str
    title: str
    link: str
    runtime_seconds: int | None
    genre: str | None
    tags: tuple[str, ...]
    logline: str
    created_at: datetime
    site: str = "web"  # with video_id, the video the link names (see cogs/films/links)
    video_id: str = ""
    thumbnail: str | None = None  # the video's picture, from its site


EVERY_COLUMN = ("title", "logline", "tags")  # the search index's columns
EVERY = 2**62  # a LIMIT that leaves nothing out, in either database's SQL
_SELECT = ("SELECT f.*, p.display_name AS maker FROM films f JOIN people p ON p.id = f.person_id ")


def _film(row: Row) -> Film:
    return Film(id=row["id"], community_id=row["community_id"], person_id=row["person_id"], maker=row["maker"],
                title=row["title"], link=row["link"], runtime_seconds=row["runtime_seconds"], genre=row["genre"],
                tags=tuple(tag for tag in row["tags"].split(",") if tag), logline=row["logline"],
                created_at=from_db(row["created_at"]), site=row["site"], video_id=row["video_id"],
                thumbnail=row["thumbnail"])


class FilmRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, tx: Tx, *, community_id: int, person_id: int, title: str, link: str, site: str,
                  video_id: str, runtime_seconds: int | None, genre: str | None, tags: tuple[str, ...],
                  logline: str, now: datetime) -> int:
        cursor = await tx.execute(
            "INSERT INTO films (community_id, person_id, title, link, site, video_id, runtime_seconds, genre, "
            "tags, logline, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (community_id, person_id, title, link, site, video_id, runtime_seconds, genre, ",".join(tags),
             logline, to_db(now), to_db(now)))
        return int(cursor.lastrowid or 0)

    async def update(self, tx: Tx, film_id: int, changes: dict[str, Any], now: datetime) -> None:
        columns = {"title", "link", "site", "video_id", "runtime_seconds", "genre", "tags", "logline"}
        assert set(changes) <= columns, "unknown film column"
        values = {key: ",".join(value) if key == "tags" else value for key, value in changes.items()}
        assignments = ", ".join(f"{key} = ?" for key in values)
        await tx.execute(f"UPDATE films SET {assignments}, updated_at = ? WHERE id = ?",
                         (*values.values(), to_db(now), film_id))

    async def set_thumbnail(self, film_id: int, link: str, thumbnail: str | None) -> bool:
        """Keep a fetched picture, unless the film's link changed meanwhile; True when stored."""
        cursor = await self.db.write("UPDATE films SET thumbnail = ? WHERE id = ? AND link = ?",
                                     (thumbnail, film_id, link))
        return cursor.rowcount == 1

    async def delete(self, tx: Tx, film_id: int) -> None:
        await tx.execute("DELETE FROM films WHERE id = ?", (film_id,))

    async def get(self, film_id: int, community_id: int | None = None) -> Film | None:
        row = await self.db.fetchone(_SELECT + "WHERE f.id = ?", (film_id,))
        if row is None or community_id is not None and row["community_id"] != community_id:
            return None
        return _film(row)

    async def by_video(self, community_id: int, site: str, video_id: str, tx: Tx | None = None) -> Film | None:
        """The first film of this video (also its link text, which was the key before videos were)."""
        sql = _SELECT + "WHERE f.community_id = ? AND f.site = ? AND f.video_id = ? ORDER BY f.id LIMIT 1"
        params = (community_id, site, video_id)
        row = await (tx.fetchone(sql, params) if tx else self.db.fetchone(sql, params))
        return _film(row) if row else None

    async def same_videos(self) -> list[tuple[int, str, str, list[int]]]:
        """(community, site, video id, film ids) for every video shared more than once."""
        rows = await self.db.fetchall(
            "SELECT community_id, site, video_id, group_concat(id) AS ids FROM "
            "(SELECT community_id, site, video_id, id FROM films ORDER BY id) "
            "GROUP BY community_id, site, video_id HAVING COUNT(*) > 1 ORDER BY MIN(id)")
        return [(row["community_id"], row["site"], row["video_id"], [int(i) for i in row["ids"].split(",")])
                for row in rows]

    async def newest(self, community_id: int, *, genre: str | None = None, tag: str | None = None,
                     person_id: int | None = None, limit: int = 10, offset: int = 0) -> list[Film]:
        where = ["f.community_id = ?"]
        params: list[Any] = [community_id]
        if genre:
            where.append("f.genre = ?")
            params.append(genre)
        if tag:
            where.append("(',' || f.tags || ',') LIKE ?")
            params.append(f"%,{tag.lower()},%")
        if person_id is not None:
            where.append("f.person_id = ?")
            params.append(person_id)
        clause = " AND ".join(where)
        rows = await self.db.fetchall(_SELECT + f"WHERE {clause} ORDER BY f.id DESC LIMIT ? OFFSET ?",
                                      (*params, limit, offset))
        return [_film(row) for row in rows]

    async def count(self, community_id: int, person_id: int) -> int:
        return int(await self.db.fetchval("SELECT COUNT(*) FROM films WHERE community_id = ? AND person_id = ?",
                                          (community_id, person_id)) or 0)

    async def matching(self, community_id: int, columns: tuple[str, ...], terms: Sequence[TextTerm], every: bool,
                       limit: int) -> list[int]:
        """Ids of films whose index holds every term (or any) in `columns`, newest first: the index is walked
        in rowid order and the walk stops after `limit` hits (a score would have to rank every match)."""
        condition, params = self.db.text_match("films_fts", columns, terms, every=every,
                                               everywhere=columns == EVERY_COLUMN)
        rows = await self.db.fetchall(
            f"SELECT f.id FROM films_fts JOIN films f ON f.id = films_fts.rowid WHERE {condition} "
            "AND f.community_id = ? ORDER BY films_fts.rowid DESC LIMIT ?", (*params, community_id, limit))
        return [row[0] for row in rows]

    async def newest_ids(self, community_id: int, *, genre: str | None = None, person_id: int | None = None,
                         limit: int) -> list[int]:
        column, value = ("genre", genre) if genre is not None else ("person_id", person_id)
        rows = await self.db.fetchall(
            f"SELECT id FROM films WHERE community_id = ? AND {column} = ? ORDER BY id DESC LIMIT ?",
            (community_id, value, limit))
        return [row[0] for row in rows]

    async def many(self, ids: list[int]) -> list[Film]:
        """These films, in the order given."""
        if not ids:
            return []
        rows = await self.db.fetchall(_SELECT + f"WHERE f.id IN ({','.join('?' * len(ids))})", tuple(ids))
        films = {row["id"]: _film(row) for row in rows}
        return [films[film_id] for film_id in ids if film_id in films]

    async def titles_like(self, community_id: int, prefix: str, limit: int = 25) -> list[Film]:
        rows = await self.db.fetchall(
            _SELECT + "WHERE f.community_id = ? AND (f.title LIKE ? OR CAST(f.id AS TEXT) LIKE ?) "
            "ORDER BY f.id DESC LIMIT ?", (community_id, f"%{prefix}%", f"{prefix}%", limit))
        return [_film(row) for row in rows]

    async def move_person(self, tx: Tx, source_id: int, target_id: int) -> None:
        await tx.execute("UPDATE films SET person_id = ? WHERE person_id = ?", (target_id, source_id))

    async def of_person(self, tx: Tx, person_id: int) -> list[Film]:
        rows = await tx.fetchall(_SELECT + "WHERE f.person_id = ? ORDER BY f.id", (person_id,))
        return [_film(row) for row in rows]

    async def delete_many(self, tx: Tx, film_ids: Sequence[int]) -> None:
        await tx.executemany("DELETE FROM films WHERE id = ?", [(film_id,) for film_id in film_ids])

    async def import_films(self, tx: Tx, community_id: int, films: list[dict[str, Any]]) -> None:
        """Films of an export, with their ids (import-json, into an empty database)."""
        await tx.executemany(
            "INSERT INTO films (id, community_id, person_id, title, link, site, video_id, runtime_seconds, genre, "
            "tags, logline, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(f["id"], community_id, f["maker_person_id"], f["title"], f["link"], f["site"], f["video_id"],
              f.get("runtime_seconds"), f.get("genre"), ",".join(f.get("tags", [])), f.get("logline", ""),
              f["created_at"], f["created_at"]) for f in films])

    async def has_person(self, person_id: int) -> bool:
        return await self.db.fetchval("SELECT 1 FROM films WHERE person_id = ? LIMIT 1", (person_id,)) is not None

    async def export(self, community_id: int) -> list[dict[str, Any]]:
        films = await self.newest(community_id, limit=EVERY)
        return [{"id": f.id, "maker_person_id": f.person_id, "maker": f.maker, "title": f.title, "link": f.link,
                 "site": f.site, "video_id": f.video_id, "runtime_seconds": f.runtime_seconds, "genre": f.genre,
                 "tags": list(f.tags),
                 "logline": f.logline, "created_at": to_db(f.created_at)} for f in reversed(films)]
