"""All SQL of vote receipts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from bot.storage import Tx, batches, keyed
from bot.timeutil import from_db, to_db

Pair = tuple[int, int]  # (entry id, person id)


class ReceiptRepository:
    async def standing(self, tx: Tx, pairs: Sequence[Pair]) -> dict[Pair, bool]:
        """Whether each voter's vote on each entry counts by any source (a reaction on any card copy, the
        button), as the tally sees it."""
        found: dict[Pair, bool] = {}
        for chunk in batches(pairs):
            wanted, params = keyed(("entry_id", "person_id"), chunk)
            rows = await tx.fetchall(
                wanted + "SELECT v.entry_id, v.person_id, MAX(v.active) FROM wanted JOIN challenge_votes v "
                "ON v.entry_id = wanted.entry_id AND v.person_id = wanted.person_id GROUP BY v.entry_id, v.person_id",
                params)
            found.update({(int(row[0]), int(row[1])): bool(row[2]) for row in rows})
        return found

    async def note(self, tx: Tx, rows: Iterable[tuple[int, int, int, str]], *, told: bool) -> None:
        """Store (challenge, person, entry, outcome); `told` when the voter already saw it (a button's answer)."""
        sql = ("INSERT INTO challenge_receipts (challenge_id, person_id, entry_id, outcome, told) "
               "VALUES (?, ?, ?, ?, ?) ON CONFLICT (challenge_id, person_id, entry_id) DO UPDATE SET "
               "outcome = excluded.outcome" + (", told = excluded.outcome" if told else ""))
        await tx.executemany(sql, [(c, p, e, o, o if told else None) for c, p, e, o in rows])

    async def last_sent(self, tx: Tx, challenge_id: int, person_ids: Sequence[int]) -> dict[int, datetime]:
        found: dict[int, datetime] = {}
        for chunk in batches(person_ids):
            rows = await tx.fetchall(
                f"SELECT person_id, sent_at FROM challenge_receipt_times WHERE challenge_id = ? AND person_id IN "
                f"({','.join('?' * len(chunk))})", (challenge_id, *chunk))
            found.update({int(row[0]): from_db(row[1]) for row in rows})
        return found

    async def untold(self, tx: Tx, challenge_id: int, person_ids: Sequence[int]) -> dict[int, list[tuple[int, str]]]:
        """Per voter, the (entry, outcome) pairs that differ from what they were told, in entry order. A
        vote withdrawn before the voter was told anything changed nothing they know of, so it is left out."""
        found: dict[int, list[tuple[int, str]]] = {}
        for chunk in batches(person_ids):
            rows = await tx.fetchall(
                "SELECT person_id, entry_id, outcome FROM challenge_receipts WHERE challenge_id = ? AND person_id IN "
                f"({','.join('?' * len(chunk))}) AND (told IS NULL OR told != outcome) "
                "AND NOT (told IS NULL AND outcome = 'withdrawn') ORDER BY person_id, entry_id", (challenge_id, *chunk))
            for row in rows:
                found.setdefault(int(row[0]), []).append((int(row[1]), row[2]))
        return found

    async def mark_told(self, tx: Tx, challenge_id: int, told: dict[int, list[tuple[int, str]]],
                        now: datetime) -> None:
        await tx.executemany(
            "UPDATE challenge_receipts SET told = ? WHERE challenge_id = ? AND person_id = ? AND entry_id = ?",
            [(outcome, challenge_id, person_id, entry_id) for person_id, items in told.items()
             for entry_id, outcome in items])
        await tx.executemany(
            "INSERT INTO challenge_receipt_times (challenge_id, person_id, sent_at) VALUES (?, ?, ?) "
            "ON CONFLICT (challenge_id, person_id) DO UPDATE SET sent_at = excluded.sent_at",
            [(challenge_id, person_id, to_db(now)) for person_id in told])

    async def move_person(self, tx: Tx, source_id: int, target_id: int) -> None:
        """Linked accounts: the target keeps what it was told; the source's rows go."""
        for table in ("challenge_receipts", "challenge_receipt_times"):
            await tx.execute(f"UPDATE OR IGNORE {table} SET person_id = ? WHERE person_id = ?", (target_id, source_id))
            await tx.execute(f"DELETE FROM {table} WHERE person_id = ?", (source_id,))

    async def forget_person(self, tx: Tx, person_id: int) -> None:
        for table in ("challenge_receipts", "challenge_receipt_times"):
            await tx.execute(f"DELETE FROM {table} WHERE person_id = ?", (person_id,))
