"""All SQL of the feedback exchange."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage import Database, Row, Tx
from bot.timeutil import from_db, to_db
from cogs.feedback.logic import QueueItem

Reader = Database | Tx


@dataclass(frozen=True)
class Request:
    id: int
    film_id: int
    person_id: int
    wanted: int
    cost: int
    status: str
    created_at: datetime


@dataclass(frozen=True)
class Critique:
    id: int
    community_id: int
    film_id: int
    film_title: str
    maker_id: int
    request_id: int | None
    reviewer_id: int
    reviewer: str
    scores: dict[str, int]
    notes: str
    timecodes: tuple[int, ...]
    anonymous: bool
    earned: int
    bonus: int
    thanked: bool
    removed: bool
    created_at: datetime


@dataclass(frozen=True)
class Summary:
    count: int
    averages: dict[str, float]


_CRITIQUE = ("SELECT c.*, f.title AS film_title, f.person_id AS maker_id, p.display_name AS reviewer "
             "FROM feedback_critiques c JOIN films f ON f.id = c.film_id JOIN people p ON p.id = c.reviewer_id ")


def _request(row: Row) -> Request:
    return Request(row["id"], row["film_id"], row["person_id"], row["wanted"], row["cost"], row["status"],
                   from_db(row["created_at"]))


def _critique(row: Row) -> Critique:
    return Critique(
        id=row["id"], community_id=row["community_id"], film_id=row["film_id"], film_title=row["film_title"],
        maker_id=row["maker_id"], request_id=row["request_id"], reviewer_id=row["reviewer_id"],
        reviewer=row["reviewer"], scores={name: row[name] for name in ("story", "image", "sound", "edit")},
        notes=row["notes"], timecodes=tuple(int(s) for s in row["timecodes"].split(",") if s),
        anonymous=bool(row["anonymous"]), earned=row["earned"], bonus=row["bonus"],
        thanked=row["thanked_at"] is not None, removed=row["removed_at"] is not None,
        created_at=from_db(row["created_at"]))


# (table, person column) pairs with a uniqueness rule on that column: rows that would collide are the
# same thing twice (a skip, a bar, a report of one critique), so the target's row is kept.
_UNIQUE_ROWS = (("feedback_skips", "reviewer_id"), ("feedback_reports", "reporter_id"),
                ("feedback_bars", "person_id"), ("feedback_moderators", "person_id"),
                ("feedback_critiques", "reviewer_id"))
_PLAIN_ROWS = (("feedback_ledger", "person_id"), ("feedback_requests", "person_id"),
               ("feedback_critiques", "removed_by"), ("feedback_bars", "barred_by"))


class FeedbackRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- credits ------------------------------------------------------------------------------------------------

    async def balance(self, community_id: int, person_id: int, tx: Tx | None = None) -> int:
        row = await (tx or self.db).fetchone(
            "SELECT balance FROM feedback_wallets WHERE community_id = ? AND person_id = ?",
            (community_id, person_id))
        return int(row[0]) if row else 0

    async def credit(self, tx: Tx, community_id: int, person_id: int, amount: int, reason: str, ref_id: int,
                     now: datetime) -> None:
        await tx.execute(
            "INSERT INTO feedback_wallets (community_id, person_id, balance) VALUES (?, ?, ?) "
            "ON CONFLICT (community_id, person_id) DO UPDATE SET balance = feedback_wallets.balance + excluded.balance",
            (community_id, person_id, amount))
        await self._ledger(tx, community_id, person_id, amount, reason, ref_id, now)

    async def spend(self, tx: Tx, community_id: int, person_id: int, amount: int, reason: str, ref_id: int | None,
                    now: datetime) -> bool:
        """Debit only when the balance covers it, in one statement: False (and nothing changed) otherwise."""
        if amount == 0:
            return True
        cursor = await tx.execute(
            "UPDATE feedback_wallets SET balance = balance - ? "
            "WHERE community_id = ? AND person_id = ? AND balance >= ?", (amount, community_id, person_id, amount))
        if cursor.rowcount != 1:
            return False
        await self._ledger(tx, community_id, person_id, -amount, reason, ref_id, now)
        return True

    async def take_back(self, tx: Tx, community_id: int, person_id: int, amount: int, reason: str, ref_id: int,
                        now: datetime) -> int:
        """Take back up to `amount`; what is already spent stays spent (a balance never goes below zero)."""
        taken = min(amount, await self.balance(community_id, person_id, tx))
        if taken > 0:
            await self.spend(tx, community_id, person_id, taken, reason, ref_id, now)
        return taken

    async def _ledger(self, tx: Tx, community_id: int, person_id: int, amount: int, reason: str,
                      ref_id: int | None, now: datetime) -> None:
        await tx.execute("INSERT INTO feedback_ledger (community_id, person_id, amount, reason, ref_id, created_at) "
                         "VALUES (?, ?, ?, ?, ?, ?)", (community_id, person_id, amount, reason, ref_id, to_db(now)))

    async def ledger(self, community_id: int, person_id: int, limit: int = 5) -> list[tuple[int, str, int | None]]:
        rows = await self.db.fetchall(
            "SELECT amount, reason, ref_id FROM feedback_ledger WHERE community_id = ? AND person_id = ? "
            "ORDER BY id DESC LIMIT ?", (community_id, person_id, limit))
        return [(row[0], row[1], row[2]) for row in rows]

    # -- requests and the queue ---------------------------------------------------------------------------------

    async def has_requested(self, community_id: int, person_id: int, tx: Tx | None = None) -> bool:
        row = await (tx or self.db).fetchone(
            "SELECT 1 FROM feedback_requests WHERE community_id = ? AND person_id = ? LIMIT 1",
            (community_id, person_id))
        return row is not None

    async def open_request(self, film_id: int, tx: Tx | None = None) -> Request | None:
        row = await (tx or self.db).fetchone(
            "SELECT * FROM feedback_requests WHERE film_id = ? AND status = 'open'", (film_id,))
        return _request(row) if row else None

    async def add_request(self, tx: Tx, community_id: int, film_id: int, person_id: int, wanted: int, cost: int,
                          now: datetime) -> int:
        cursor = await tx.execute(
            "INSERT INTO feedback_requests (community_id, film_id, person_id, wanted, cost, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)", (community_id, film_id, person_id, wanted, cost, to_db(now)))
        return int(cursor.lastrowid or 0)

    async def close_request(self, tx: Tx, request_id: int, now: datetime) -> None:
        await tx.execute("UPDATE feedback_requests SET status = 'done', closed_at = ? WHERE id = ?",
                         (to_db(now), request_id))

    async def reopen_request(self, tx: Tx, request_id: int) -> bool:
        """Back into the queue, unless the film has been queued again since."""
        row = await tx.fetchone(
            "SELECT 1 FROM feedback_requests r WHERE r.id = ? AND r.status = 'done' AND NOT EXISTS "
            "(SELECT 1 FROM feedback_requests o WHERE o.film_id = r.film_id AND o.status = 'open')", (request_id,))
        if row is None:
            return False
        await tx.execute("UPDATE feedback_requests SET status = 'open', closed_at = NULL WHERE id = ?",
                         (request_id,))
        return True

    async def request_by_id(self, request_id: int, tx: Tx | None = None) -> Request | None:
        row = await (tx or self.db).fetchone("SELECT * FROM feedback_requests WHERE id = ?", (request_id,))
        return _request(row) if row else None

    async def active_count(self, request_id: int, tx: Tx | None = None) -> int:
        row = await (tx or self.db).fetchone(
            "SELECT COUNT(*) FROM feedback_critiques WHERE request_id = ? AND removed_at IS NULL", (request_id,))
        return int(row[0]) if row else 0

    async def queue(self, community_id: int) -> list[QueueItem]:
        """Open requests of members who are not barred, with the critiques each has so far."""
        rows = await self.db.fetchall(
            "SELECT r.id, r.film_id, r.person_id, r.created_at, "
            "(SELECT COUNT(*) FROM feedback_critiques c WHERE c.request_id = r.id AND c.removed_at IS NULL) AS n "
            "FROM feedback_requests r WHERE r.community_id = ? AND r.status = 'open' AND NOT EXISTS "
            "(SELECT 1 FROM feedback_bars b WHERE b.community_id = r.community_id AND b.person_id = r.person_id)",
            (community_id,))
        return [QueueItem(row["id"], row["film_id"], row["person_id"], row["n"], from_db(row["created_at"]))
                for row in rows]

    async def seen_by(self, reviewer_id: int) -> set[int]:
        """Films this person has reviewed or skipped."""
        rows = await self.db.fetchall(
            "SELECT film_id FROM feedback_critiques WHERE reviewer_id = ? "
            "UNION SELECT film_id FROM feedback_skips WHERE reviewer_id = ?", (reviewer_id, reviewer_id))
        return {int(row[0]) for row in rows}

    async def add_skip(self, tx: Tx, film_id: int, reviewer_id: int, reason: str, now: datetime) -> bool:
        cursor = await tx.execute(
            "INSERT OR IGNORE INTO feedback_skips (film_id, reviewer_id, reason, created_at) VALUES (?, ?, ?, ?)",
            (film_id, reviewer_id, reason, to_db(now)))
        return cursor.rowcount == 1

    # -- critiques ----------------------------------------------------------------------------------------------

    async def has_critique(self, tx: Reader, film_id: int, reviewer_id: int) -> bool:
        row = await tx.fetchone("SELECT 1 FROM feedback_critiques WHERE film_id = ? AND reviewer_id = ?",
                                (film_id, reviewer_id))
        return row is not None

    async def is_copy(self, tx: Tx, community_id: int, reviewer_id: int, notes_hash: str) -> bool:
        row = await tx.fetchone(
            "SELECT 1 FROM feedback_critiques WHERE community_id = ? AND reviewer_id = ? AND notes_hash = ? LIMIT 1",
            (community_id, reviewer_id, notes_hash))
        return row is not None

    async def add_critique(self, tx: Tx, *, community_id: int, film_id: int, request_id: int, reviewer_id: int,
                           scores: dict[str, int], notes: str, notes_hash: str, timecodes: list[int],
                           word_count: int, anonymous: bool, earned: int, now: datetime) -> int:
        cursor = await tx.execute(
            "INSERT INTO feedback_critiques (community_id, film_id, request_id, reviewer_id, story, image, sound, "
            "edit, notes, notes_hash, timecodes, word_count, anonymous, earned, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (community_id, film_id, request_id, reviewer_id, scores["story"], scores["image"], scores["sound"],
             scores["edit"], notes, notes_hash, ",".join(str(s) for s in timecodes), word_count, int(anonymous),
             earned, to_db(now)))
        return int(cursor.lastrowid or 0)

    async def critique(self, critique_id: int, community_id: int, tx: Tx | None = None) -> Critique | None:
        row = await (tx or self.db).fetchone(_CRITIQUE + "WHERE c.id = ? AND c.community_id = ?",
                                             (critique_id, community_id))
        return _critique(row) if row else None

    async def mark_thanked(self, tx: Tx, critique_id: int, bonus: int, now: datetime) -> bool:
        cursor = await tx.execute(
            "UPDATE feedback_critiques SET thanked_at = ?, bonus = ? "
            "WHERE id = ? AND thanked_at IS NULL AND removed_at IS NULL", (to_db(now), bonus, critique_id))
        return cursor.rowcount == 1

    async def mark_removed(self, tx: Tx, critique_id: int, by: int, now: datetime) -> bool:
        cursor = await tx.execute(
            "UPDATE feedback_critiques SET removed_at = ?, removed_by = ? WHERE id = ? AND removed_at IS NULL",
            (to_db(now), by, critique_id))
        if cursor.rowcount != 1:
            return False
        await tx.execute("UPDATE feedback_reports SET resolved_at = ? WHERE critique_id = ? AND resolved_at IS NULL",
                         (to_db(now), critique_id))
        return True

    async def summary(self, film_id: int) -> Summary:
        row = await self.db.fetchone(
            "SELECT COUNT(*) AS n, AVG(story) AS story, AVG(image) AS image, AVG(sound) AS sound, AVG(edit) AS edit "
            "FROM feedback_critiques WHERE film_id = ? AND removed_at IS NULL", (film_id,))
        if row is None or not row["n"]:
            return Summary(0, {})
        return Summary(int(row["n"]), {name: round(float(row[name]), 1)
                                       for name in ("story", "image", "sound", "edit")})

    async def given_count(self, community_id: int, reviewer_id: int) -> int:
        return int(await self.db.fetchval(
            "SELECT COUNT(*) FROM feedback_critiques WHERE community_id = ? AND reviewer_id = ? "
            "AND removed_at IS NULL", (community_id, reviewer_id)) or 0)

    # -- moderation ---------------------------------------------------------------------------------------------

    async def add_report(self, tx: Tx, critique_id: int, reporter_id: int, reason: str, now: datetime) -> int | None:
        cursor = await tx.execute(
            "INSERT OR IGNORE INTO feedback_reports (critique_id, reporter_id, reason, created_at) VALUES (?, ?, ?, ?)",
            (critique_id, reporter_id, reason, to_db(now)))
        return int(cursor.lastrowid or 0) if cursor.rowcount == 1 else None

    async def is_barred(self, community_id: int, person_id: int, tx: Tx | None = None) -> bool:
        row = await (tx or self.db).fetchone(
            "SELECT 1 FROM feedback_bars WHERE community_id = ? AND person_id = ?", (community_id, person_id))
        return row is not None

    async def bar(self, tx: Tx, community_id: int, person_id: int, by: int, now: datetime) -> bool:
        cursor = await tx.execute(
            "INSERT OR IGNORE INTO feedback_bars (community_id, person_id, barred_by, created_at) VALUES (?, ?, ?, ?)",
            (community_id, person_id, by, to_db(now)))
        return cursor.rowcount == 1

    async def unbar(self, tx: Tx, community_id: int, person_id: int) -> bool:
        cursor = await tx.execute("DELETE FROM feedback_bars WHERE community_id = ? AND person_id = ?",
                                  (community_id, person_id))
        return cursor.rowcount == 1

    async def note_moderator(self, tx: Tx, community_id: int, person_id: int, now: datetime) -> None:
        await tx.execute(
            "INSERT INTO feedback_moderators (community_id, person_id, seen_at) VALUES (?, ?, ?) "
            "ON CONFLICT (community_id, person_id) DO UPDATE SET seen_at = excluded.seen_at",
            (community_id, person_id, to_db(now)))

    async def moderators(self, community_id: int) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT person_id FROM feedback_moderators WHERE community_id = ? ORDER BY person_id", (community_id,))
        return [int(row[0]) for row in rows]

    # -- export -------------------------------------------------------------------------------------------------

    async def export(self, community_id: int, *, public: bool) -> dict[str, list[dict[str, Any]]]:
        where = "WHERE c.community_id = ?" + (" AND c.removed_at IS NULL" if public else "")
        rows = await self.db.fetchall(_CRITIQUE + where + " ORDER BY c.id", (community_id,))
        critiques = []
        for row in rows:
            item = _critique(row)
            hidden = public and item.anonymous
            entry: dict[str, Any] = {
                "id": item.id, "film_id": item.film_id, "request_id": item.request_id,
                "reviewer_person_id": None if hidden else item.reviewer_id,
                "reviewer": None if hidden else item.reviewer, "anonymous": item.anonymous, **item.scores,
                "notes": item.notes, "timecodes": list(item.timecodes), "helpful": item.thanked,
                "created_at": to_db(item.created_at)}
            if not public:
                entry.update(earned=item.earned, bonus=item.bonus, removed_at=row["removed_at"])
            critiques.append(entry)
        requests = await self.db.fetchall(
            "SELECT * FROM feedback_requests WHERE community_id = ? ORDER BY id", (community_id,))
        out: dict[str, list[dict[str, Any]]] = {
            "critiques": critiques,
            "feedback_requests": [{"id": r["id"], "film_id": r["film_id"], "maker_person_id": r["person_id"],
                                   "wanted": r["wanted"], "status": r["status"], "created_at": r["created_at"],
                                   "closed_at": r["closed_at"]} for r in requests]}
        if not public:
            wallets = await self.db.fetchall(
                "SELECT person_id, balance FROM feedback_wallets WHERE community_id = ? ORDER BY person_id",
                (community_id,))
            out["feedback_credits"] = [{"person_id": w["person_id"], "balance": w["balance"]} for w in wallets]
        return out

    # -- two accounts become one person ----------------------------------------------------------------------

    async def has_person(self, person_id: int) -> bool:
        row = await self.db.fetchone(
            "SELECT 1 FROM feedback_ledger WHERE person_id = ? UNION ALL "
            "SELECT 1 FROM feedback_critiques WHERE reviewer_id = ? LIMIT 1", (person_id, person_id))
        return row is not None

    async def merge_person(self, tx: Tx, source_id: int, target_id: int) -> None:
        # Balances add up: credits earned on either account are kept.
        await tx.execute(
            "INSERT INTO feedback_wallets (community_id, person_id, balance) "
            "SELECT community_id, ?, balance FROM feedback_wallets WHERE person_id = ? "
            "ON CONFLICT (community_id, person_id) DO UPDATE SET balance = feedback_wallets.balance + excluded.balance",
            (target_id, source_id))
        await tx.execute("DELETE FROM feedback_wallets WHERE person_id = ?", (source_id,))
        for table, column in _PLAIN_ROWS:
            await tx.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (target_id, source_id))
        for table, column in _UNIQUE_ROWS:
            await tx.execute(f"UPDATE OR IGNORE {table} SET {column} = ? WHERE {column} = ?", (target_id, source_id))
            # A critique of the same film from both accounts: one reviewer may review a film once, so the
            # target's stays; the other goes with its report rows.
            await tx.execute(f"DELETE FROM {table} WHERE {column} = ?", (source_id,))
