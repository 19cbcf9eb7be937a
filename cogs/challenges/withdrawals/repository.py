"""All SQL of withdrawals: a person forgotten, a film deleted while it is entered in a running challenge."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.storage import Database, Tx, batches

RUNNING = ("scheduled", "open", "voting")  # challenges whose entries and votes can still change
_IN_RUNNING = "(SELECT e.id FROM challenge_entries e JOIN challenges c ON c.id = e.challenge_id " \
              "WHERE c.state IN ('scheduled', 'open', 'voting'))"


@dataclass(frozen=True)
class Forgotten:
    votes_running: int   # withdrawn from challenges still running
    votes_closed: int    # of closed challenges: their results keep the counts
    entries_withdrawn: int
    entries_kept: int    # in closed challenges' results, now under the anonymous row
    themes: int          # suggestions kept for the community, without the name
    jury: int            # juror seats and scores


@dataclass(frozen=True)
class InPlay:
    entry_id: int
    challenge_id: int
    theme: str


class WithdrawalRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def forget_person(self, tx: Tx, person_id: int) -> Forgotten:
        running = await tx.execute(f"DELETE FROM challenge_votes WHERE person_id = ? AND entry_id IN {_IN_RUNNING}",
                                   (person_id,))
        closed = await tx.execute("DELETE FROM challenge_votes WHERE person_id = ?", (person_id,))
        await tx.execute("UPDATE challenges SET withdrawn = withdrawn + (SELECT COUNT(*) FROM challenge_entries e "
                         "WHERE e.challenge_id = challenges.id AND e.person_id = ?) WHERE state != 'closed'",
                         (person_id,))
        withdrawn = await tx.execute("DELETE FROM challenge_entries WHERE person_id = ? AND challenge_id IN "
                                     "(SELECT id FROM challenges WHERE state != 'closed')", (person_id,))
        kept = await tx.fetchone("SELECT COUNT(*) FROM challenge_entries WHERE person_id = ?", (person_id,))
        themes = await tx.execute("UPDATE challenge_themes SET person_id = NULL WHERE person_id = ?", (person_id,))
        jurors = await tx.execute("DELETE FROM challenge_jurors WHERE person_id = ?", (person_id,))
        scores = await tx.execute("DELETE FROM challenge_scores WHERE person_id = ?", (person_id,))
        await tx.execute("DELETE FROM challenge_views WHERE person_id = ?", (person_id,))
        return Forgotten(running.rowcount, closed.rowcount, withdrawn.rowcount, int(kept[0]) if kept else 0,
                         themes.rowcount, jurors.rowcount + scores.rowcount)

    async def in_closed_results(self, tx: Tx, film_ids: Sequence[int]) -> set[int]:
        """Of these films, those entered in a closed challenge (its results rest on them)."""
        found: set[int] = set()
        for chunk in batches(list(film_ids)):
            rows = await tx.fetchall(
                "SELECT DISTINCT e.film_id FROM challenge_entries e JOIN challenges c ON c.id = e.challenge_id "
                f"WHERE c.state = 'closed' AND e.film_id IN ({','.join('?' * len(chunk))})", tuple(chunk))
            found.update(int(row[0]) for row in rows)
        return found

    async def running_entries(self, film_id: int) -> list[InPlay]:
        rows = await self.db.fetchall(
            "SELECT e.id, c.id, c.theme FROM challenge_entries e JOIN challenges c ON c.id = e.challenge_id "
            "WHERE e.film_id = ? AND c.state IN ('scheduled', 'open', 'voting') ORDER BY c.id", (film_id,))
        return [InPlay(int(row[0]), int(row[1]), row[2]) for row in rows]

    async def count_withdrawal(self, tx: Tx, challenge_id: int) -> None:
        await tx.execute("UPDATE challenges SET withdrawn = withdrawn + 1 WHERE id = ?", (challenge_id,))

    async def voters(self, tx: Tx, entry_id: int) -> list[int]:
        """Who votes for the entry now (any source), its maker left out."""
        rows = await tx.fetchall(
            "SELECT DISTINCT v.person_id FROM challenge_votes v JOIN challenge_entries e ON e.id = v.entry_id "
            "WHERE v.entry_id = ? AND v.active = 1 AND v.person_id != e.person_id ORDER BY v.person_id",
            (entry_id,))
        return [int(row[0]) for row in rows]
