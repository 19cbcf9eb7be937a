"""All SQL of the challenges cog."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage import Database, Row, Tx
from bot.timeutil import from_db, to_db


@dataclass(frozen=True)
class Challenge:
    id: int
    community_id: int
    theme: str
    brief: str
    max_runtime: int | None
    opens_at: datetime
    submit_until: datetime
    vote_until: datetime
    state: str
    weekly: bool
    categories: tuple[str, ...] = ()
    gallery: bool = False  # entries are browsed by pages (a large round), not posted as cards
    withdrawn: int = 0     # entries withdrawn while it ran (film deleted, maker forgotten)


@dataclass(frozen=True)
class Entry:
    id: int
    challenge_id: int
    film_id: int
    person_id: int
    maker: str
    title: str
    link: str
    runtime_seconds: int | None
    category: str = ""


@dataclass(frozen=True)
class Theme:
    id: int
    text: str
    status: str
    position: int | None
    suggested_by: str | None


@dataclass(frozen=True)
class Weekly:
    day: str
    hour: int
    minute: int
    zone: str
    submit_days: int
    vote_days: int
    version: int = 0


async def move_person_rows(tx: Tx, tables: Sequence[str], source_id: int, target_id: int) -> None:
    """A merged person's rows in `tables` become the target's; where the target already has one, theirs
    stays (the tables' unique keys decide) and the source's goes."""
    for table in tables:
        await tx.execute(f"UPDATE OR IGNORE {table} SET person_id = ? WHERE person_id = ?", (target_id, source_id))
        await tx.execute(f"DELETE FROM {table} WHERE person_id = ?", (source_id,))


def _challenge(row: Row) -> Challenge:
    return Challenge(row["id"], row["community_id"], row["theme"], row["brief"], row["max_runtime"],
                     from_db(row["opens_at"]), from_db(row["submit_until"]), from_db(row["vote_until"]),
                     row["state"], bool(row["weekly"]), tuple(c for c in row["categories"].split(",") if c),
                     bool(row["gallery"]), int(row["withdrawn"]))


def entry_from_row(row: Row) -> Entry:
    return Entry(row["id"], row["challenge_id"], row["film_id"], row["person_id"], row["maker"], row["title"],
                 row["link"], row["runtime_seconds"], row["category"])


ENTRIES_SQL = ("SELECT e.id, e.challenge_id, e.film_id, e.person_id, p.display_name AS maker, f.title, f.link, "
            "f.runtime_seconds, e.category FROM challenge_entries e JOIN films f ON f.id = e.film_id "
            "JOIN people p ON p.id = e.person_id ")
UPSERT_VOTE = ("INSERT INTO challenge_votes (entry_id, person_id, source, active, at) VALUES (?, ?, ?, ?, ?) "
               "ON CONFLICT (entry_id, person_id, source) DO UPDATE SET active = excluded.active, at = excluded.at")


class ChallengeRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- challenges -------------------------------------------------------------------------------------------

    async def add(self, tx: Tx, *, community_id: int, theme: str, theme_norm: str, brief: str,
                  max_runtime: int | None, opens_at: datetime, submit_until: datetime, vote_until: datetime,
                  weekly: bool, now: datetime, categories: tuple[str, ...] = ()) -> int:
        cursor = await tx.execute(
            "INSERT INTO challenges (community_id, theme, theme_norm, brief, max_runtime, opens_at, submit_until, "
            "vote_until, weekly, created_at, categories) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (community_id, theme, theme_norm, brief, max_runtime, to_db(opens_at), to_db(submit_until),
             to_db(vote_until), int(weekly), to_db(now), ",".join(categories)))
        return int(cursor.lastrowid or 0)

    async def set_gallery(self, tx: Tx, challenge_id: int) -> None:
        await tx.execute("UPDATE challenges SET gallery = 1 WHERE id = ?", (challenge_id,))

    async def get(self, challenge_id: int, tx: Tx | None = None) -> Challenge | None:
        sql, params = "SELECT * FROM challenges WHERE id = ?", (challenge_id,)
        row = await (tx.fetchone(sql, params) if tx else self.db.fetchone(sql, params))
        return _challenge(row) if row else None

    async def set_state(self, tx: Tx, challenge_id: int, state: str, now: datetime | None = None) -> None:
        await tx.execute("UPDATE challenges SET state = ?, closed_at = COALESCE(?, closed_at) WHERE id = ?",
                         (state, to_db(now) if now else None, challenge_id))

    async def set_deadlines(self, tx: Tx, challenge_id: int, submit_until: datetime, vote_until: datetime) -> None:
        await tx.execute("UPDATE challenges SET submit_until = ?, vote_until = ? WHERE id = ?",
                         (to_db(submit_until), to_db(vote_until), challenge_id))

    async def in_community(self, community_id: int, states: Sequence[str] | None = None,
                           limit: int = 25) -> list[Challenge]:
        where = "community_id = ?"
        params: list[Any] = [community_id]
        if states:
            where += f" AND state IN ({','.join('?' * len(states))})"
            params.extend(states)
        rows = await self.db.fetchall(f"SELECT * FROM challenges WHERE {where} ORDER BY id DESC LIMIT ?",
                                      (*params, limit))
        return [_challenge(row) for row in rows]

    async def voting(self) -> list[Challenge]:
        """Challenges in their voting phase, in every community."""
        rows = await self.db.fetchall("SELECT * FROM challenges WHERE state = 'voting' ORDER BY id")
        return [_challenge(row) for row in rows]

    async def theme_used(self, community_id: int, norm: str, tx: Tx | None = None) -> bool:
        sql = ("SELECT 1 FROM challenges WHERE community_id = ? AND theme_norm = ? AND state != 'cancelled' "
               "UNION SELECT 1 FROM challenge_themes WHERE community_id = ? AND norm = ? AND status = 'used'")
        params = (community_id, norm, community_id, norm)
        row = await (tx.fetchone(sql, params) if tx else self.db.fetchone(sql, params))
        return row is not None

    # -- entries ----------------------------------------------------------------------------------------------

    async def add_entry(self, tx: Tx, challenge_id: int, film_id: int, person_id: int, now: datetime,
                        category: str = "") -> int:
        cursor = await tx.execute("INSERT INTO challenge_entries (challenge_id, film_id, person_id, created_at, "
                                  "category) VALUES (?, ?, ?, ?, ?)",
                                  (challenge_id, film_id, person_id, to_db(now), category))
        return int(cursor.lastrowid or 0)

    async def count_entries(self, challenge_id: int, tx: Tx | None = None) -> int:
        sql, params = "SELECT COUNT(*) FROM challenge_entries WHERE challenge_id = ?", (challenge_id,)
        row = await (tx.fetchone(sql, params) if tx else self.db.fetchone(sql, params))
        return int(row[0]) if row else 0

    async def entries(self, challenge_id: int, tx: Tx | None = None) -> list[Entry]:
        sql, params = ENTRIES_SQL + "WHERE e.challenge_id = ? ORDER BY e.id", (challenge_id,)
        rows = await (tx.fetchall(sql, params) if tx else self.db.fetchall(sql, params))
        return [entry_from_row(row) for row in rows]

    async def entry_titles(self, tx: Tx, challenge_id: int) -> dict[int, str]:
        rows = await tx.fetchall("SELECT e.id, f.title FROM challenge_entries e JOIN films f ON f.id = e.film_id "
                                 "WHERE e.challenge_id = ?", (challenge_id,))
        return {int(row[0]): str(row[1]) for row in rows}

    async def entry(self, entry_id: int) -> Entry | None:
        row = await self.db.fetchone(ENTRIES_SQL + "WHERE e.id = ?", (entry_id,))
        return entry_from_row(row) if row else None

    async def entry_of(self, challenge_id: int, person_id: int) -> Entry | None:
        row = await self.db.fetchone(ENTRIES_SQL + "WHERE e.challenge_id = ? AND e.person_id = ?",
                                     (challenge_id, person_id))
        return entry_from_row(row) if row else None

    # -- votes ------------------------------------------------------------------------------------------------

    async def write_votes(self, tx: Tx, rows: Iterable[tuple[int, int, str, int, str]]) -> None:
        await tx.executemany(UPSERT_VOTE, rows)

    async def touch_votes(self, tx: Tx, rows: Iterable[tuple[int, int, str, str]]) -> None:
        """Note a change that came too late to count: the state stays, the time says it changed after close."""
        await tx.executemany(
            "INSERT INTO challenge_votes (entry_id, person_id, source, active, at) VALUES (?, ?, ?, 0, ?) "
            "ON CONFLICT (entry_id, person_id, source) DO UPDATE SET at = excluded.at", rows)

    async def vote_states(self, tx: Tx, keys: Sequence[tuple[int, int, str]]) -> dict[tuple[int, int, str], bool]:
        found: dict[tuple[int, int, str], bool] = {}
        for entry_id, person_id, source in keys:
            row = await tx.fetchone("SELECT active FROM challenge_votes WHERE entry_id = ? AND person_id = ? "
                                    "AND source = ?", (entry_id, person_id, source))
            found[(entry_id, person_id, source)] = bool(row[0]) if row else False
        return found

    async def votes_from(self, tx: Tx, entry_id: int, source: str) -> dict[int, tuple[bool, datetime]]:
        rows = await tx.fetchall("SELECT person_id, active, at FROM challenge_votes WHERE entry_id = ? "
                                 "AND source = ?", (entry_id, source))
        return {int(row[0]): (bool(row[1]), from_db(row[2])) for row in rows}

    async def tally(self, challenge_id: int, tx: Tx | None = None) -> dict[int, int]:
        """Counted votes per entry: distinct voters with any active source, the maker's own never counted."""
        sql = ("SELECT e.id, COUNT(DISTINCT v.person_id) FROM challenge_entries e LEFT JOIN challenge_votes v "
               "ON v.entry_id = e.id AND v.active = 1 AND v.person_id != e.person_id "
               "WHERE e.challenge_id = ? GROUP BY e.id")
        rows = await (tx.fetchall(sql, (challenge_id,)) if tx else self.db.fetchall(sql, (challenge_id,)))
        return {int(row[0]): int(row[1]) for row in rows}

    # -- themes -----------------------------------------------------------------------------------------------

    async def add_theme(self, tx: Tx, community_id: int, text: str, norm: str, person_id: int,
                        now: datetime) -> int:
        cursor = await tx.execute("INSERT INTO challenge_themes (community_id, text, norm, person_id, created_at) "
                                  "VALUES (?, ?, ?, ?, ?)", (community_id, text, norm, person_id, to_db(now)))
        return int(cursor.lastrowid or 0)

    async def theme_waiting(self, community_id: int, norm: str) -> bool:
        row = await self.db.fetchone("SELECT 1 FROM challenge_themes WHERE community_id = ? AND norm = ? "
                                     "AND status IN ('suggested', 'approved')", (community_id, norm))
        return row is not None

    async def themes(self, community_id: int, status: str, tx: Tx | None = None) -> list[Theme]:
        sql = ("SELECT t.id, t.text, t.status, t.position, p.display_name FROM challenge_themes t "
               "LEFT JOIN people p ON p.id = t.person_id WHERE t.community_id = ? AND t.status = ? "
               "ORDER BY t.position, t.id")
        rows = await (tx.fetchall(sql, (community_id, status)) if tx else self.db.fetchall(sql, (community_id,
                                                                                              status)))
        return [Theme(row[0], row[1], row[2], row[3], row[4]) for row in rows]

    async def theme(self, community_id: int, theme_id: int) -> Theme | None:
        row = await self.db.fetchone("SELECT id, text, status, position, NULL FROM challenge_themes "
                                     "WHERE id = ? AND community_id = ?", (theme_id, community_id))
        return Theme(row[0], row[1], row[2], row[3], row[4]) if row else None

    async def set_theme(self, tx: Tx, theme_id: int, status: str, position: int | None) -> None:
        await tx.execute("UPDATE challenge_themes SET status = ?, position = ? WHERE id = ?",
                         (status, position, theme_id))

    async def mark_theme_used(self, tx: Tx, community_id: int, norm: str) -> None:
        await tx.execute("UPDATE challenge_themes SET status = 'used', position = NULL WHERE community_id = ? "
                         "AND norm = ? AND status IN ('suggested', 'approved')", (community_id, norm))

    # -- weekly schedule --------------------------------------------------------------------------------------

    async def set_weekly(self, tx: Tx, community_id: int, weekly: Weekly | None) -> int:
        """Replace the schedule (None turns it off); returns the new version."""
        row = await tx.fetchone("SELECT version FROM challenge_weekly WHERE community_id = ?", (community_id,))
        version = (int(row[0]) if row else 0) + 1
        plan = weekly or Weekly("mon", 0, 0, "UTC", 0, 0)
        await tx.execute(
            "INSERT OR REPLACE INTO challenge_weekly (community_id, day, hour, minute, zone, submit_days, "
            "vote_days, active, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (community_id, plan.day, plan.hour, plan.minute, plan.zone, plan.submit_days, plan.vote_days,
             int(weekly is not None), version))
        return version

    async def weekly(self, community_id: int, tx: Tx | None = None) -> Weekly | None:
        sql = ("SELECT day, hour, minute, zone, submit_days, vote_days, version FROM challenge_weekly "
               "WHERE community_id = ? AND active = 1")
        row = await (tx.fetchone(sql, (community_id,)) if tx else self.db.fetchone(sql, (community_id,)))
        return Weekly(*row) if row else None

    # -- people merged (linked accounts) ---------------------------------------------------------------------

    async def has_person(self, person_id: int) -> bool:
        row = await self.db.fetchone(
            "SELECT 1 FROM challenge_entries WHERE person_id = ? UNION ALL SELECT 1 FROM challenge_votes "
            "WHERE person_id = ? UNION ALL SELECT 1 FROM challenge_themes WHERE person_id = ? LIMIT 1",
            (person_id, person_id, person_id))
        return row is not None

    async def move_person(self, tx: Tx, source_id: int, target_id: int) -> bool:
        """Move the source's rows to the target. False (nothing to keep) when both entered one challenge."""
        clash = await tx.fetchone(
            "SELECT 1 FROM challenge_entries a JOIN challenge_entries b ON a.challenge_id = b.challenge_id "
            "WHERE a.person_id = ? AND b.person_id = ?", (source_id, target_id))
        if clash is not None:
            return False
        await tx.execute("UPDATE challenge_entries SET person_id = ? WHERE person_id = ?", (target_id, source_id))
        await tx.execute("UPDATE challenge_results SET person_id = ? WHERE person_id = ?", (target_id, source_id))
        await tx.execute("UPDATE challenge_themes SET person_id = ? WHERE person_id = ?", (target_id, source_id))
        # The same vote from both accounts is one person's vote: keep one row.
        await tx.execute("UPDATE OR IGNORE challenge_votes SET person_id = ? WHERE person_id = ?",
                         (target_id, source_id))
        await tx.execute("DELETE FROM challenge_votes WHERE person_id = ?", (source_id,))
        return True

    # -- export -----------------------------------------------------------------------------------------------

    async def export(self, community_id: int, *, public: bool = False) -> dict[str, list[dict[str, Any]]]:
        challenges = await self.db.fetchall(
            "SELECT id, theme, brief, max_runtime, opens_at, submit_until, vote_until, state, weekly, categories, "
            "gallery, withdrawn FROM challenges WHERE community_id = ? ORDER BY id", (community_id,))
        entries = await self.db.fetchall(
            "SELECT e.id, e.challenge_id, e.film_id, e.person_id, e.created_at, e.category, r.place, r.votes, "
            "r.points, r.category_place, r.category_points, r.jury_score, r.jury_place "
            "FROM challenge_entries e JOIN challenges c ON c.id = e.challenge_id LEFT JOIN challenge_results r "
            "ON r.entry_id = e.id WHERE c.community_id = ? ORDER BY e.id", (community_id,))
        jurors = await self.db.fetchall(
            "SELECT j.challenge_id, j.person_id, j.category FROM challenge_jurors j JOIN challenges c "
            "ON c.id = j.challenge_id WHERE c.community_id = ? ORDER BY j.challenge_id, j.person_id", (community_id,))
        scores = await self.db.fetchall(
            "SELECT s.entry_id, s.person_id, s.score, s.note, s.at FROM challenge_scores s JOIN challenge_entries e "
            "ON e.id = s.entry_id JOIN challenges c ON c.id = e.challenge_id WHERE c.community_id = ? "
            "ORDER BY s.entry_id, s.person_id", (community_id,))
        votes = await self.db.fetchall(
            "SELECT v.entry_id, v.person_id, v.source, v.active, v.at FROM challenge_votes v "
            "JOIN challenge_entries e ON e.id = v.entry_id JOIN challenges c ON c.id = e.challenge_id "
            "WHERE c.community_id = ? ORDER BY v.entry_id, v.person_id", (community_id,))
        out = {
            "challenges": [dict(row) | {"weekly": bool(row["weekly"]), "gallery": bool(row["gallery"]),
                                        "categories": [c for c in row["categories"].split(",") if c]}
                           for row in challenges],
            "challenge_entries": [dict(row) for row in entries],
            "challenge_jurors": [dict(row) for row in jurors],
            "challenge_scores": [dict(row) for row in scores],
            # The source is reduced to its kind: platform message ids stay private.
            "challenge_votes": [{"entry_id": row[0], "person_id": row[1], "source": row[2].split(":")[0],
                                 "active": bool(row[3]), "at": row[4]} for row in votes],
        }
        if public:  # a public archive shows counts (the entries' votes), never who voted or scored what
            for private in ("challenge_votes", "challenge_scores", "challenge_jurors"):
                del out[private]
        return out
