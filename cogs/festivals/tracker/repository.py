"""SQL of the festivals cog for what members track: reminder subscriptions and submissions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage import Database, Row, Tx
from bot.timeutil import to_db


@dataclass(frozen=True)
class Subscriber:
    person_id: int
    zone: str | None


@dataclass(frozen=True)
class Submission:
    id: int
    community_id: int
    festival_id: int
    festival: str
    film_id: int
    film: str
    person_id: int
    fee_cents: int | None
    currency: str
    status: str


_SUBMISSION = (
    "SELECT s.*, f.name AS festival, f.currency AS currency, m.title AS film "
    "FROM festival_submissions s JOIN festivals f ON f.id = s.festival_id "
    "JOIN films m ON m.id = s.film_id "
)


def _submission(row: Row) -> Submission:
    return Submission(
        row["id"],
        row["community_id"],
        row["festival_id"],
        row["festival"],
        row["film_id"],
        row["film"],
        row["person_id"],
        row["fee_cents"],
        row["currency"],
        row["status"],
    )


class TrackerRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- subscriptions ---------------------------------------------------------------------------------------

    async def subscribe(
        self,
        community_id: int,
        person_id: int,
        category: str | None,
        max_fee_cents: int | None,
        now: datetime,
    ) -> None:
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO festival_subscriptions (community_id, person_id, category, max_fee_cents, "
                "created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (community_id, person_id) DO UPDATE SET "
                "category = excluded.category, max_fee_cents = excluded.max_fee_cents",
                (community_id, person_id, category, max_fee_cents, to_db(now)),
            )

    async def unsubscribe(self, community_id: int, person_id: int) -> bool:
        async with self.db.transaction() as tx:
            cursor = await tx.execute(
                "DELETE FROM festival_subscriptions WHERE community_id = ? AND person_id = ?",
                (community_id, person_id),
            )
        return cursor.rowcount > 0

    async def subscribers(
        self, tx: Tx, community_id: int, categories: tuple[str, ...], fee_cents: int | None
    ) -> list[Subscriber]:
        """Subscribers whose filters let this deadline through (a filter on fee passes unknown fees)."""
        rows = await tx.fetchall(
            "SELECT s.person_id, s.category, s.max_fee_cents, p.zone FROM festival_subscriptions s "
            "JOIN people p ON p.id = s.person_id WHERE s.community_id = ? ORDER BY s.person_id",
            (community_id,),
        )
        out = []
        for row in rows:
            if row["category"] and row["category"] not in categories:
                continue
            if (
                row["max_fee_cents"] is not None
                and fee_cents is not None
                and fee_cents > row["max_fee_cents"]
            ):
                continue
            out.append(Subscriber(row["person_id"], row["zone"]))
        return out

    # -- submissions -----------------------------------------------------------------------------------------

    async def add_submission(
        self,
        tx: Tx,
        community_id: int,
        festival_id: int,
        film_id: int,
        person_id: int,
        fee_cents: int | None,
        status: str,
        now: datetime,
    ) -> int:
        cursor = await tx.execute(
            "INSERT INTO festival_submissions (community_id, festival_id, film_id, person_id, fee_cents, "
            "status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (community_id, festival_id, film_id, person_id, fee_cents, status, to_db(now), to_db(now)),
        )
        return int(cursor.lastrowid or 0)

    async def set_status(self, tx: Tx, submission_id: int, status: str, now: datetime) -> None:
        await tx.execute(
            "UPDATE festival_submissions SET status = ?, updated_at = ? WHERE id = ?",
            (status, to_db(now), submission_id),
        )

    async def submission(self, submission_id: int, tx: Tx | None = None) -> Submission | None:
        sql = _SUBMISSION + "WHERE s.id = ?"
        row = await (tx.fetchone(sql, (submission_id,)) if tx else self.db.fetchone(sql, (submission_id,)))
        return _submission(row) if row else None

    async def submissions_of(self, community_id: int, person_id: int) -> list[Submission]:
        rows = await self.db.fetchall(
            _SUBMISSION + "WHERE s.community_id = ? AND s.person_id = ? ORDER BY s.id",
            (community_id, person_id),
        )
        return [_submission(row) for row in rows]

    async def pending_for_festival(self, tx: Tx, festival_id: int) -> list[Submission]:
        rows = await tx.fetchall(
            _SUBMISSION + "WHERE s.festival_id = ? AND s.status = 'submitted' ORDER BY s.id", (festival_id,)
        )
        return [_submission(row) for row in rows]

    async def duplicate(self, tx: Tx, festival_id: int, film_id: int) -> int | None:
        row = await tx.fetchone(
            "SELECT id FROM festival_submissions WHERE festival_id = ? AND film_id = ? "
            "AND status != 'withdrawn'",
            (festival_id, film_id),
        )
        return int(row[0]) if row else None

    async def export(self, community_id: int) -> list[dict[str, Any]]:
        rows = await self.db.fetchall(_SUBMISSION + "WHERE s.community_id = ? ORDER BY s.id", (community_id,))
        return [
            {
                "id": row["id"],
                "festival_id": row["festival_id"],
                "festival": row["festival"],
                "film_id": row["film_id"],
                "film": row["film"],
                "person_id": row["person_id"],
                "fee_cents": row["fee_cents"],
                "currency": row["currency"],
                "status": row["status"],
                "created_at": row["created_at"],
                "updated_at": row["updated_at"],
            }
            for row in rows
        ]

    async def export_subscriptions(self, community_id: int) -> list[dict[str, Any]]:
        rows = await self.db.fetchall(
            "SELECT * FROM festival_subscriptions WHERE community_id = ? ORDER BY person_id", (community_id,)
        )
        return [
            {
                "person_id": row["person_id"],
                "category": row["category"],
                "max_fee_cents": row["max_fee_cents"],
                "created_at": row["created_at"],
            }
            for row in rows
        ]

    async def has_person(self, person_id: int) -> bool:
        row = await self.db.fetchone(
            "SELECT 1 FROM festival_submissions WHERE person_id = ? UNION ALL "
            "SELECT 1 FROM festival_subscriptions WHERE person_id = ? LIMIT 1", (person_id, person_id))
        return row is not None

    async def merge_person(self, tx: Tx, source_id: int, target_id: int) -> None:
        """Give the source person's submissions to the target; a reminder subscription the target already
        has in a community wins over the source's."""
        await tx.execute("UPDATE festival_submissions SET person_id = ? WHERE person_id = ?", (target_id, source_id))
        await tx.execute("UPDATE OR IGNORE festival_subscriptions SET person_id = ? WHERE person_id = ?",
                         (target_id, source_id))
        await tx.execute("DELETE FROM festival_subscriptions WHERE person_id = ?", (source_id,))
