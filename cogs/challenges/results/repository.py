"""All SQL of a round's results and the season's standings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.storage import Database, Tx, batches
from bot.timeutil import to_db
from cogs.challenges.ranking import Standing


@dataclass(frozen=True)
class SeasonRow:
    person_id: int
    name: str
    points: int
    wins: int
    entries: int


@dataclass(frozen=True)
class ResultRow:
    entry_id: int
    title: str
    maker: str
    category: str
    place: int
    votes: int
    points: int
    category_place: int | None
    jury_score: float | None
    jury_place: int | None


class ResultRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def closed_ids(self, tx: Tx, community_id: int) -> list[int]:
        rows = await tx.fetchall("SELECT id FROM challenges WHERE community_id = ? AND state = 'closed' "
                                 "ORDER BY vote_until, id", (community_id,))
        return [int(row[0]) for row in rows]

    async def entered_by(self, tx: Tx, community_id: int, person_ids: Sequence[int]) -> dict[int, set[int]]:
        """Per maker, the challenges of this community they entered (for streaks)."""
        found: dict[int, set[int]] = {person_id: set() for person_id in person_ids}
        for chunk in batches(list(person_ids)):
            rows = await tx.fetchall(
                "SELECT e.person_id, e.challenge_id FROM challenge_entries e JOIN challenges c "
                f"ON c.id = e.challenge_id WHERE c.community_id = ? AND e.person_id IN ({','.join('?' * len(chunk))})",
                (community_id, *chunk))
            for row in rows:
                found[int(row[0])].add(int(row[1]))
        return found

    async def jury_scores(self, tx: Tx, challenge_id: int) -> dict[int, list[int]]:
        rows = await tx.fetchall("SELECT s.entry_id, s.score FROM challenge_scores s JOIN challenge_entries e "
                                 "ON e.id = s.entry_id WHERE e.challenge_id = ?", (challenge_id,))
        found: dict[int, list[int]] = {}
        for row in rows:
            found.setdefault(int(row[0]), []).append(int(row[1]))
        return found

    async def save(self, tx: Tx, challenge_id: int, standings: Sequence[Standing], makers: dict[int, int],
                   streaks: dict[int, int]) -> None:
        await tx.executemany(
            "INSERT OR REPLACE INTO challenge_results (challenge_id, entry_id, person_id, place, votes, points, "
            "streak, category, category_place, category_points, jury_score, jury_place) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(challenge_id, s.entry_id, makers[s.entry_id], s.place, s.votes, s.points,
              streaks[makers[s.entry_id]], s.category, s.category_place, s.category_points, s.jury_score,
              s.jury_place) for s in standings])

    async def page(self, challenge_id: int, offset: int, limit: int) -> list[ResultRow]:
        """The results in overall order, a page at a time (/challenge show page=)."""
        rows = await self.db.fetchall(
            "SELECT r.entry_id, f.title, p.display_name, r.category, r.place, r.votes, r.points, r.category_place, "
            "r.jury_score, r.jury_place FROM challenge_results r JOIN challenge_entries e ON e.id = r.entry_id "
            "JOIN films f ON f.id = e.film_id JOIN people p ON p.id = r.person_id WHERE r.challenge_id = ? "
            "ORDER BY r.place, r.entry_id LIMIT ? OFFSET ?", (challenge_id, limit, offset))
        return [ResultRow(*row) for row in rows]

    async def season(self, community_id: int, start: datetime, end: datetime,
                     category: str | None = None) -> list[SeasonRow]:
        """Points per maker over the challenges closed in [start, end): overall, or in one category."""
        points, place, where = "r.points", "r.place", ""
        params: tuple[object, ...] = (community_id, to_db(start), to_db(end))
        if category is not None:
            points, place, where = "r.category_points", "r.category_place", " AND r.category = ?"
            params = (*params, category)
        rows = await self.db.fetchall(
            f"SELECT r.person_id, p.display_name, SUM({points}) AS points, "
            f"SUM(CASE WHEN {place} = 1 AND r.votes > 0 THEN 1 ELSE 0 END) AS wins, COUNT(*) AS entries "
            "FROM challenge_results r JOIN challenges c ON c.id = r.challenge_id "
            "JOIN people p ON p.id = r.person_id WHERE c.community_id = ? AND c.vote_until >= ? "
            f"AND c.vote_until < ?{where} GROUP BY r.person_id, p.display_name "
            "ORDER BY points DESC, wins DESC, p.display_name",
            params)
        return [SeasonRow(row[0], row[1], int(row[2]), int(row[3]), int(row[4])) for row in rows]
