"""All SQL of the jury: who judges which category of a challenge, and their private scores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage import Database, Tx
from bot.timeutil import to_db
from cogs.challenges.repository import move_person_rows


@dataclass(frozen=True)
class Juror:
    person_id: int
    name: str
    category: str  # '' for every entry


JURORS_SQL = ("SELECT j.person_id, p.display_name, j.category FROM challenge_jurors j JOIN people p "
              "ON p.id = j.person_id WHERE j.challenge_id = ? ")


class JuryRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def appoint(self, tx: Tx, challenge_id: int, person_id: int, category: str) -> None:
        await tx.execute("INSERT INTO challenge_jurors (challenge_id, person_id, category) VALUES (?, ?, ?) "
                         "ON CONFLICT (challenge_id, person_id) DO UPDATE SET category = excluded.category",
                         (challenge_id, person_id, category))

    async def dismiss(self, tx: Tx, challenge_id: int, person_id: int) -> bool:
        cursor = await tx.execute("DELETE FROM challenge_jurors WHERE challenge_id = ? AND person_id = ?",
                                  (challenge_id, person_id))
        return cursor.rowcount == 1

    async def jurors(self, challenge_id: int, tx: Tx | None = None) -> list[Juror]:
        sql = JURORS_SQL + "ORDER BY p.display_name"
        rows = await (tx.fetchall(sql, (challenge_id,)) if tx else self.db.fetchall(sql, (challenge_id,)))
        return [Juror(int(row[0]), row[1], row[2]) for row in rows]

    async def juror(self, challenge_id: int, person_id: int) -> Juror | None:
        row = await self.db.fetchone(JURORS_SQL + "AND j.person_id = ?", (challenge_id, person_id))
        return Juror(int(row[0]), row[1], row[2]) if row else None

    async def score(self, tx: Tx, entry_id: int, person_id: int, score: int, note: str, now: datetime) -> None:
        await tx.execute("INSERT INTO challenge_scores (entry_id, person_id, score, note, at) VALUES (?, ?, ?, ?, ?) "
                         "ON CONFLICT (entry_id, person_id) DO UPDATE SET score = excluded.score, "
                         "note = excluded.note, at = excluded.at", (entry_id, person_id, score, note, to_db(now)))

    async def missing(self, tx: Tx, challenge_id: int) -> dict[int, int]:
        """Per juror, how many entries of their category (not their own) they have not scored."""
        rows = await tx.fetchall(
            "SELECT j.person_id, COUNT(e.id) FROM challenge_jurors j JOIN challenge_entries e "
            "ON e.challenge_id = j.challenge_id AND (j.category = '' OR e.category = j.category) "
            "AND e.person_id != j.person_id LEFT JOIN challenge_scores s ON s.entry_id = e.id "
            "AND s.person_id = j.person_id WHERE j.challenge_id = ? AND s.entry_id IS NULL GROUP BY j.person_id",
            (challenge_id,))
        return {int(row[0]): int(row[1]) for row in rows if row[1]}

    async def move_person(self, tx: Tx, source_id: int, target_id: int) -> None:
        await move_person_rows(tx, ("challenge_jurors", "challenge_scores"), source_id, target_id)
