"""All SQL of the exchange's records leaving (a person forgotten) and arriving (import-json)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.storage import Tx
from cogs.feedback import logic


@dataclass(frozen=True)
class Forgotten:
    credits: int            # the balance that went with their wallets
    kept: int               # critiques others rely on, kept without the reviewer's name
    deleted: int            # critiques nobody relies on
    requests: int           # their films' places in the queue


class FeedbackArchive:
    async def forget_person(self, tx: Tx, person_id: int) -> Forgotten:
        """Critiques that count for a maker's request or that the maker marked helpful stay, anonymous;
        the rest of the person's critiques, skips, reports, credits, bars and queue places go."""
        balance = await tx.fetchone("SELECT COALESCE(SUM(balance), 0) FROM feedback_wallets WHERE person_id = ?",
                                    (person_id,))
        deleted = await tx.execute(
            "DELETE FROM feedback_critiques WHERE reviewer_id = ? AND (removed_at IS NOT NULL "
            "OR request_id IS NULL AND thanked_at IS NULL)", (person_id,))
        kept = await tx.execute("UPDATE feedback_critiques SET anonymous = 1 WHERE reviewer_id = ?", (person_id,))
        requests = await tx.execute("DELETE FROM feedback_requests WHERE person_id = ? AND status = 'open'",
                                    (person_id,))
        for table, column in (("feedback_wallets", "person_id"), ("feedback_ledger", "person_id"),
                              ("feedback_skips", "reviewer_id"), ("feedback_reports", "reporter_id"),
                              ("feedback_bars", "person_id"), ("feedback_moderators", "person_id")):
            await tx.execute(f"DELETE FROM {table} WHERE {column} = ?", (person_id,))
        await tx.execute("UPDATE feedback_bars SET barred_by = NULL WHERE barred_by = ?", (person_id,))
        await tx.execute("UPDATE feedback_critiques SET removed_by = NULL WHERE removed_by = ?", (person_id,))
        return Forgotten(int(balance[0]) if balance else 0, kept.rowcount, deleted.rowcount, requests.rowcount)

    async def import_community(self, tx: Tx, community_id: int, data: dict[str, Any]) -> None:
        """Requests, critiques and balances of an export, with their ids."""
        await tx.executemany(
            "INSERT INTO feedback_requests (id, community_id, film_id, person_id, wanted, cost, status, created_at, "
            "closed_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)",
            [(r["id"], community_id, r["film_id"], r["maker_person_id"], r["wanted"], r["status"], r["created_at"],
              r.get("closed_at")) for r in data.get("feedback_requests", [])])
        await tx.executemany(
            "INSERT INTO feedback_critiques (id, community_id, film_id, request_id, reviewer_id, story, image, sound, "
            "edit, notes, notes_hash, timecodes, word_count, anonymous, earned, thanked_at, bonus, removed_at, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(c["id"], community_id, c["film_id"], c.get("request_id"), c["reviewer_person_id"], c["story"],
              c["image"], c["sound"], c["edit"], c["notes"], logic.notes_hash(c["notes"]),
              ",".join(str(code) for code in c.get("timecodes", [])), logic.count_words(c["notes"]),
              int(bool(c["anonymous"])), c.get("earned", 0), c["created_at"] if c.get("helpful") else None,
              c.get("bonus", 0), c.get("removed_at"), c["created_at"]) for c in data.get("critiques", [])])
        await tx.executemany(
            "INSERT INTO feedback_wallets (community_id, person_id, balance) VALUES (?, ?, ?)",
            [(community_id, w["person_id"], w["balance"]) for w in data.get("feedback_credits", [])])
