"""SQL that moves one person's feedback rows to another when two accounts become one person."""

from __future__ import annotations

from bot.storage import Database, Tx

# (table, person column) pairs with a uniqueness rule on that column: rows that would collide are the
# same thing twice (a skip, a bar, a report of one critique), so the target's row is kept.
_UNIQUE_ROWS = (("feedback_skips", "reviewer_id"), ("feedback_reports", "reporter_id"),
                ("feedback_bars", "person_id"), ("feedback_moderators", "person_id"),
                ("feedback_critiques", "reviewer_id"))
_PLAIN_ROWS = (("feedback_ledger", "person_id"), ("feedback_requests", "person_id"),
               ("feedback_critiques", "removed_by"), ("feedback_bars", "barred_by"))


class FeedbackMergeRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def has_person(self, person_id: int) -> bool:
        row = await self.db.fetchone(
            "SELECT 1 FROM feedback_ledger WHERE person_id = ? UNION ALL "
            "SELECT 1 FROM feedback_critiques WHERE reviewer_id = ? LIMIT 1", (person_id, person_id))
        return row is not None

    async def merge(self, tx: Tx, source_id: int, target_id: int) -> None:
        # Balances add up: credits earned on either account are kept.
        await tx.execute(
            "INSERT INTO feedback_wallets (community_id, person_id, balance) "
            "SELECT community_id, ?, balance FROM feedback_wallets WHERE person_id = ? "
            "ON CONFLICT (community_id, person_id) DO UPDATE SET balance = balance + excluded.balance",
            (target_id, source_id))
        await tx.execute("DELETE FROM feedback_wallets WHERE person_id = ?", (source_id,))
        for table, column in _PLAIN_ROWS:
            await tx.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (target_id, source_id))
        for table, column in _UNIQUE_ROWS:
            await tx.execute(f"UPDATE OR IGNORE {table} SET {column} = ? WHERE {column} = ?", (target_id, source_id))
            # A critique of the same film from both accounts: one reviewer may review a film once, so the
            # target's stays; the other goes with its report rows.
            await tx.execute(f"DELETE FROM {table} WHERE {column} = ?", (source_id,))
