"""All SQL of the calendar's records leaving (a person forgotten) and arriving (import-json)."""

from __future__ import annotations

from typing import Any

from bot.storage import Tx
from cogs.festivals.logic import TIERS


class FestivalArchive:
    async def forget_person(self, tx: Tx, person_id: int) -> tuple[int, int]:
        """Their reminder subscriptions and tracked submissions go: (subscriptions, submissions)."""
        subscriptions = await tx.execute("DELETE FROM festival_subscriptions WHERE person_id = ?", (person_id,))
        submissions = await tx.execute("DELETE FROM festival_submissions WHERE person_id = ?", (person_id,))
        return subscriptions.rowcount, submissions.rowcount

    async def import_community(self, tx: Tx, community_id: int, data: dict[str, Any], now: str) -> list[int]:
        """Festivals with their deadlines, submissions and subscriptions, with their ids; returns the
        festivals' ids (their reminders are planned afterwards)."""
        festivals = data.get("festivals", [])
        await tx.executemany(
            "INSERT INTO festivals (id, community_id, name, url, zone, country, city, categories, "
            "max_runtime_seconds, premiere, currency, notification_date, event_start, event_end, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(f["id"], community_id, f["name"], f.get("url", ""), f["zone"], f.get("country", ""), f.get("city", ""),
              "," + ",".join(f["categories"]) + "," if f.get("categories") else "", f.get("max_runtime_seconds"),
              f.get("premiere", ""), f.get("currency", "USD"), f.get("notification_date"), f.get("event_start"),
              f.get("event_end"), now) for f in festivals])
        await tx.executemany(
            "INSERT INTO festival_deadlines (festival_id, community_id, tier, rank, local, due_at, fee_cents) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(f["id"], community_id, d["tier"], TIERS.index(d["tier"]), d["local"], d["due_at"], d.get("fee_cents"))
             for f in festivals for d in f.get("deadlines", [])])
        await tx.executemany(
            "INSERT INTO festival_submissions (id, community_id, festival_id, film_id, person_id, fee_cents, status, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(s["id"], community_id, s["festival_id"], s["film_id"], s["person_id"], s.get("fee_cents"), s["status"],
              s["created_at"], s["updated_at"]) for s in data.get("festival_submissions", [])])
        await tx.executemany(
            "INSERT INTO festival_subscriptions (community_id, person_id, category, max_fee_cents, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [(community_id, s["person_id"], s.get("category"), s.get("max_fee_cents"), s["created_at"])
             for s in data.get("festival_subscriptions", [])])
        return [int(f["id"]) for f in festivals]
